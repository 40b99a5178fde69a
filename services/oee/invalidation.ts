import type { Logger } from 'pino';
import type { ChangeFeed, CommittedChange } from '../change-feed.js';
import type { OeeRollupRepository, RollupInvalidation } from '../../db/repositories/oee-rollup.repository.js';
import type { StaleGuard } from './stale-guard.js';

/** Time never reaches this many ms into the past; used as "since the beginning" in the guard. */
const FOREVER = -8.64e15;
/** The largest site `microStopSeconds` (setup schema): a change can re-classify a stop this long before it. */
const MAX_MICRO_STOP_MS = 86_400_000;
/** Deletes asked for by the change feed wait this long for company. */
const FEED_FLUSH_MS = 50;
/** A failed delete is tried again after this long, until it succeeds. */
const RETRY_MS = 1_000;

/**
 * Deletes the stored roll-ups a change made stale (docs/oee.md#invalidation). After a commit that
 * changes a machine's history the change feed says so, and the rows from the change on are deleted
 * (OeeRollupRepository.invalidate). Deletes are batched, and a read of stored rows first runs the
 * pending ones (`flush`). Every change is also told to the StaleGuard, so a computation that
 * overlapped it does not store what it touched. Set-up edits that change planned time, categories
 * or site settings call `invalidateShiftPattern`, `invalidateMachine` or `invalidateAll`.
 *
 * Several instances: the change feed carries every instance's changes to every other (the cluster
 * channel), and each handles them as its own: its guard keeps a computation that overlapped a
 * change on another instance from storing what it touched, and its delete runs again (cheap, and
 * it catches rows stored between the other instance's delete and the message). When messages may
 * have been missed (the channel reconnected), computations running then store nothing.
 *
 * Limits: a crash between a commit and its delete (or its message) leaves those rows stale until
 * something deletes them (`invalidateMachine`, a set-up change, the verifier). Deleting in the
 * writer's own transaction would close that gap.
 */
export class OeeInvalidation {
  private pending: RollupInvalidation[] = [];
  private pendingPatterns = new Set<number>();
  private pendingAll = false;
  private flushing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  /** The last `since` seen per machine on the feed. */
  private readonly since = new Map<number, string>();
  /** Failed deletes since the last that succeeded: an outage is logged when it starts and when it ends, not every retry. */
  private failures = 0;

  constructor(
    private readonly rollups: Pick<OeeRollupRepository, 'invalidate' | 'invalidateShiftPattern' | 'invalidateAll'>,
    private readonly guard: StaleGuard,
    private readonly logger?: Logger,
  ) {}

  /**
   * Keeps the stored hours current from the change feed: this instance's changes and the other
   * instances' (their deletes reach the shared table too, but this instance's guard must hear of
   * them, or a computation it runs meanwhile stores hours the change made stale). Returns the
   * unsubscribe function.
   */
  listen(feed: ChangeFeed): () => void {
    const unsubscribe = feed.subscribe((change) => this.onChange(change), { remote: true });
    const offGap = feed.onGap(() => this.guard.remember(null, FOREVER, () => undefined));
    return () => {
      unsubscribe();
      offGap();
    };
  }

  /** Runs the pending deletes the change feed asked for: for readers of stored rows outside the OEE service (the verifier). */
  flushInvalidations(): Promise<void> {
    return this.flush();
  }

  /** The machine's history changed from `from` on (null: all of it). Resolves once the stored hours are gone. */
  async invalidateMachine(machineId: number, from: Date | null): Promise<void> {
    this.note({ machineId, from, jobId: null });
    await this.flush();
  }

  /** The pattern's planned time changed: its machines' rows from the day its latest version takes effect on go (docs/oee.md#shift-pattern-versions). */
  async invalidateShiftPattern(shiftPatternId: number): Promise<void> {
    this.noteShiftPattern(shiftPatternId);
    await this.flush();
  }

  /** Time zone, micro-stop threshold or a category changed: nothing stored is valid. */
  async invalidateAll(): Promise<void> {
    this.noteAll();
    await this.flush();
  }

  /** Runs the pending deletes (one statement per batch) until none are left. */
  async flush(): Promise<void> {
    while (this.flushing || this.pending.length > 0 || this.pendingPatterns.size > 0 || this.pendingAll) {
      if (!this.flushing) this.flushing = this.flushOnce().finally(() => (this.flushing = null));
      await this.flushing;
    }
  }

  private onChange(change: CommittedChange): void {
    switch (change.kind) {
      case 'timeline':
        this.note({ machineId: change.machineId, from: new Date(change.from), jobId: null });
        break;
      case 'machine-state':
        // A live event closes the previous interval at `since` without re-projecting the timeline.
        // The same `since` again means the state did not change: nothing to delete.
        if (this.since.get(change.machineId) === change.since) return;
        this.since.set(change.machineId, change.since);
        this.note({ machineId: change.machineId, from: new Date(change.since), jobId: null });
        break;
      case 'production':
        this.note({ machineId: change.machineId, from: new Date(change.from), jobId: null });
        break;
      case 'job':
        this.note({ machineId: change.machineId, from: null, jobId: change.jobId });
        break;
      case 'setup':
        // Set-up changes do not say what changed. A pattern or the site settings change planned
        // time, the grid or the micro-stop rule; machine and code edits mostly do not (a rename, a
        // colour), so the set-up routes call invalidateMachine / invalidateAll when they do.
        if (change.entity === 'site') this.noteAll();
        else if (change.entity === 'shift-pattern' && change.id !== null) this.noteShiftPattern(change.id);
        else return;
        break;
      default:
        return;
    }
    // Deletes from the feed are batched (a busy site publishes thousands of changes a second);
    // readers of stored rows run the pending ones first, so nobody reads what a change touched.
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.flush().catch(() => undefined); // failures are logged and retried by `flushOnce`
    }, FEED_FLUSH_MS).unref();
  }

  private note(change: RollupInvalidation): void {
    // A job change applies from the job's start, which only the database knows: guard all of it.
    const cutMs = change.from === null ? FOREVER : change.from.getTime() - MAX_MICRO_STOP_MS;
    const redo = () => this.pending.push(change);
    this.guard.remember(change.machineId, cutMs, redo);
    redo();
  }

  private noteShiftPattern(id: number): void {
    const redo = () => this.pendingPatterns.add(id);
    this.guard.remember(null, FOREVER, redo);
    redo();
  }

  private noteAll(): void {
    const redo = () => (this.pendingAll = true);
    this.guard.remember(null, FOREVER, redo);
    redo();
  }

  private async flushOnce(): Promise<void> {
    const all = this.pendingAll;
    const patterns = [...this.pendingPatterns];
    const changes = this.pending;
    this.pendingAll = false;
    this.pendingPatterns = new Set();
    this.pending = [];
    try {
      if (all) {
        await this.rollups.invalidateAll();
      } else {
        for (const id of patterns) await this.rollups.invalidateShiftPattern(id);
        await this.rollups.invalidate(changes);
      }
    } catch (err) {
      // Keep them: stored hours must not outlive the change. Readers wait for the retry.
      this.pendingAll ||= all;
      for (const id of patterns) this.pendingPatterns.add(id);
      this.pending.unshift(...changes);
      // While the database is down this fails every second: say so once, and again when it is over.
      if (this.failures++ === 0) this.logger?.error({ err }, 'could not delete stale OEE roll-ups; retrying');
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = null;
        this.flush().catch(() => undefined);
      }, RETRY_MS).unref();
      throw err;
    }
    if (this.failures > 0) {
      this.logger?.info({ failedAttempts: this.failures }, 'deleted the stale OEE roll-ups after failed attempts');
      this.failures = 0;
    }
  }
}
