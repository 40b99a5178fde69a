import type { Logger } from 'pino';
import type { OeeResult } from '../../core/oee/index.js';

export interface LiveOeeOptions {
  /** Cached results older than this are computed again for a snapshot. */
  maxAgeMs: number;
  /** At most one result per machine per this many ms after changes. */
  throttleMs: number;
  /** A change waits this long before its result is computed, so a burst of changes is computed once. */
  settleMs: number;
  /**
   * At least this long between two results sent after changes, whatever the machine: each goes to
   * every screen watching, and state changes must not queue behind a flood of OEE updates.
   */
  minGapMs: number;
  /** Computations at once (each is a couple of queries). */
  concurrency: number;
}

/**
 * The current shift's OEE per machine for screens: one call to the OEE service per machine
 * (`compute`), cached per instance, concurrent requests for a machine sharing one computation.
 * After changes a machine's result is computed shortly and handed to `onResult`, at most once per
 * `throttleMs` per machine (trailing, so the last change is always reflected) and at most one
 * machine per `minGapMs` (earliest due first), so a busy plant gets its OEE a little later rather
 * than delaying its state changes. Pacing runs on the monotonic clock (`performance.now()`): only
 * intervals matter here, and the injected Clock of tests may stand still.
 */
export class LiveOee {
  private readonly cache = new Map<number, { result: OeeResult; at: number }>();
  private readonly inflight = new Map<number, Promise<OeeResult | null>>();
  /** Machines waiting for their result after a change → when it is due (ms). */
  private readonly due = new Map<number, number>();
  /** When a result of the machine was last sent to screens (by this instance or another). */
  private readonly sentAt = new Map<number, number>();
  private lastAfterChange = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly compute: (machineId: number) => Promise<OeeResult>,
    private readonly onResult: (machineId: number, result: OeeResult) => void,
    private readonly logger: Logger,
    private readonly options: LiveOeeOptions,
  ) {}

  /** Cached results not older than maxAge; the others computed now. null = could not be computed. */
  async current(machineIds: number[]): Promise<Map<number, OeeResult | null>> {
    const now = performance.now();
    const results = await Promise.all(
      machineIds.map((id) => {
        const hit = this.cache.get(id);
        return hit && now - hit.at <= this.options.maxAgeMs ? hit.result : this.refresh(id);
      }),
    );
    return new Map(machineIds.map((id, i) => [id, results[i]!]));
  }

  /** Computes one machine's result now (joining a computation already running) and caches it. */
  refresh(machineId: number): Promise<OeeResult | null> {
    const running = this.inflight.get(machineId);
    if (running) return running;
    const started = performance.now();
    const promise = this.limited(() => this.compute(machineId))
      .then((result) => {
        this.cache.set(machineId, { result, at: started });
        return result;
      })
      .catch((err: unknown) => {
        if (!this.closed) this.logger.warn({ err, machineId }, 'live OEE: could not compute the current shift');
        return null;
      })
      .finally(() => this.inflight.delete(machineId));
    this.inflight.set(machineId, promise);
    return promise;
  }

  /** A committed change touched the machine's history: its result goes to `onResult` shortly. */
  afterChange(machineId: number): void {
    if (this.closed || this.due.has(machineId)) return;
    const now = performance.now();
    const last = this.sentAt.get(machineId) ?? -Infinity;
    this.due.set(machineId, Math.max(now + this.options.settleMs, last + this.options.throttleMs));
    this.schedule();
  }

  /** The machine's history changed elsewhere: the next snapshot computes its result afresh. */
  forget(machineId: number): void {
    this.cache.delete(machineId);
  }

  /** A result reached the screens (sent here, or relayed from the instance that computed it). */
  noteSent(machineId: number, result?: OeeResult): void {
    const now = performance.now();
    this.sentAt.set(machineId, now);
    if (result) this.cache.set(machineId, { result, at: now });
  }

  sentWithin(machineId: number, ms: number): boolean {
    return performance.now() - (this.sentAt.get(machineId) ?? -Infinity) < ms;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.due.clear();
    this.cache.clear();
    this.sentAt.clear();
  }

  private schedule(): void {
    if (this.closed || this.timer || this.due.size === 0) return;
    const earliest = Math.min(...this.due.values());
    const at = Math.max(earliest, this.lastAfterChange + this.options.minGapMs);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.fire();
        this.schedule();
      },
      Math.max(0, at - performance.now()),
    );
    this.timer.unref();
  }

  private fire(): void {
    let machineId: number | null = null;
    let earliest = Infinity;
    for (const [id, at] of this.due) {
      if (at < earliest) {
        earliest = at;
        machineId = id;
      }
    }
    if (machineId === null || earliest > performance.now()) return;
    const id = machineId;
    this.due.delete(id);
    this.lastAfterChange = performance.now();
    this.sentAt.set(id, this.lastAfterChange);
    // A computation that started before the change would miss it: wait for it, then compute afresh.
    (this.inflight.get(id) ?? Promise.resolve(null))
      .then(() => this.refresh(id))
      .then((result) => {
        if (result && !this.closed) this.onResult(id, result);
      })
      .catch(() => undefined);
  }

  private async limited<T>(run: () => Promise<T>): Promise<T> {
    while (this.running >= this.options.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await run();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
