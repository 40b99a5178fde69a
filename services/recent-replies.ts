import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';

interface Entry<R> {
  key: string;
  reply: Promise<R>;
  /** When the reply was ready (clock ms); null while it is being made. */
  settledAt: number | null;
  /** Whether the same request again gets this reply. */
  replayable: boolean;
}

/**
 * The DigitME2 app times out after 2.5 s and sends the same POST again, with no request id. This
 * remembers each device's last request (route + body, hashed) and its reply: the same request again
 * while it runs or within `windowMs` after it answered gets the same reply without acting twice.
 * Requests of one device also run one at a time, in the order they came.
 *
 * In memory, per process: a retry that reaches another instance behind a load balancer is not caught
 * here (the commands' own checks still refuse most repeats: a second job start, end or pause).
 */
export class RecentReplies<R> {
  private readonly entries = new Map<string, Entry<R>>();
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = 10_000,
    private readonly maxDevices = 10_000,
  ) {}

  /** The key of a request: its route and its body with keys sorted (key order is not meaningful). */
  static keyOf(route: string, body: unknown): string {
    return createHash('sha256').update(route).update('\u0000').update(canonicalJson(body)).digest('base64url');
  }

  /**
   * `replayable: false` for a request whose reply must say what holds when it runs (a second
   * logout answers "logged out", as DigitME2 did): it still waits its turn, and still ends the
   * replay window of the request before it.
   */
  run(device: string, key: string, act: () => Promise<R>, replayable = true): Promise<R> {
    const now = this.clock.now().getTime();
    const last = this.entries.get(device);
    if (replayable && last?.replayable && last.key === key && (last.settledAt === null || now - last.settledAt <= this.windowMs))
      return last.reply;
    if (this.entries.size >= this.maxDevices) this.sweep(now);

    const before = this.tails.get(device) ?? Promise.resolve();
    const entry: Entry<R> = { key, reply: Promise.resolve() as Promise<never>, settledAt: null, replayable };
    const settle = () => {
      entry.settledAt = this.clock.now().getTime();
    };
    const reply = before.then(act).then(
      (value) => (settle(), value),
      (err: unknown) => {
        settle();
        throw err;
      },
    );
    entry.reply = reply;
    this.entries.set(device, entry);
    const tail = reply.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(device, tail);
    void tail.then(() => {
      if (this.tails.get(device) === tail) this.tails.delete(device);
    });
    return reply;
  }

  private sweep(now: number): void {
    for (const [device, entry] of this.entries) {
      if (entry.settledAt !== null && now - entry.settledAt > this.windowMs) this.entries.delete(device);
    }
    // Still full (a flood of distinct devices): forget the oldest rather than grow without bound.
    if (this.entries.size >= this.maxDevices) {
      for (const device of [...this.entries.keys()].slice(0, this.entries.size - this.maxDevices + 1)) this.entries.delete(device);
    }
  }
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
