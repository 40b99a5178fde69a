import type { Logger } from 'pino';
import { HOUR_MS, type OeeRollupRepository, type StoredRollup } from '../../db/repositories/oee-rollup.repository.js';
import type { OeeInvalidation } from './invalidation.js';
import type { StaleGuard } from './stale-guard.js';

/** Rows waiting to be written at most; more are dropped (computed again by the next read or the scheduler's job). */
const MAX_QUEUED_ROWS = 1_000_000;
/** Rows per INSERT statement (rows and their losses in one statement). */
const BATCH_ROWS = 20_000;

interface Submission {
  snapshot: number;
  rows: StoredRollup[];
}

/**
 * A row's key among the queued rows of its machine: its start in minutes and its length as one
 * number (exact: days are at most 25 hours, rows start on whole minutes of the hour grid). A small
 * integer until 2097, which a Set hashes far faster than a float (a cold year queues a million).
 */
const keyOf = (r: StoredRollup) => (r.start.getTime() / 60_000) * 32 + r.hours;

/** The queued rows, by machine and key (numbers: a year of hours is a million of them). */
class QueuedRows {
  size = 0;
  private readonly byMachine = new Map<number, Set<number>>();

  has(r: StoredRollup): boolean {
    return this.byMachine.get(r.machineId)?.has(keyOf(r)) ?? false;
  }

  add(r: StoredRollup): void {
    let set = this.byMachine.get(r.machineId);
    if (!set) this.byMachine.set(r.machineId, (set = new Set()));
    if (!set.has(keyOf(r))) this.size++;
    set.add(keyOf(r));
  }

  delete(r: StoredRollup): void {
    const set = this.byMachine.get(r.machineId);
    if (set?.delete(keyOf(r))) this.size--;
    if (set?.size === 0) this.byMachine.delete(r.machineId);
  }
}

/**
 * Stores the closed hours and days a computation produced, after its caller has its answer
 * (docs/oee.md#how-a-request-is-answered): the one place that writes `oee_hourly`. Each submission
 * keeps its computation's StaleGuard snapshot open until its rows are written, and every batch is
 * checked against the guard again just before its INSERT, so a change heard between the
 * computation and the write wins: its rows are not written. A change heard while a batch is being
 * written has its delete run again afterwards (`redoTouched`), as before. The queue is bounded; rows
 * beyond it, or rows already queued, are dropped (they are only a cache). A failed write is logged
 * and its rows dropped.
 */
export class RollupWriter {
  private readonly queue: Submission[] = [];
  private readonly queued = new QueuedRows();
  private draining: Promise<void> | null = null;
  private dropped = 0;

  constructor(
    private readonly rollups: Pick<OeeRollupRepository, 'store'>,
    private readonly guard: StaleGuard,
    private readonly invalidation: Pick<OeeInvalidation, 'flush'>,
    private readonly logger?: Logger,
  ) {}

  /**
   * Queues rows computed by the computation of `snapshot`, which must hold that snapshot
   * (StaleGuard.begin or retain): the writer takes it over and ends it once the rows are written.
   */
  submit(snapshot: number, rows: StoredRollup[]): void {
    const room = MAX_QUEUED_ROWS - this.queued.size;
    const fresh: StoredRollup[] = [];
    for (const r of rows) {
      if (this.queued.has(r)) continue;
      if (fresh.length >= room) {
        this.dropped++;
        continue;
      }
      this.queued.add(r);
      fresh.push(r);
    }
    if (fresh.length === 0) {
      this.guard.end(snapshot);
      return;
    }
    this.queue.push({ snapshot, rows: fresh });
    this.kick();
  }

  /** Resolves once every row submitted so far is written (or dropped). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Starts writing on a later turn of the event loop (the caller answers first), unless it is under way. */
  private kick(): void {
    if (this.draining) return;
    this.draining = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .finally(() => {
        this.draining = null;
        if (this.queue.length > 0) this.kick();
      });
  }

  private async drain(): Promise<void> {
    for (let s = this.queue.shift(); s; s = this.queue.shift()) {
      try {
        for (let i = 0; i < s.rows.length; i += BATCH_ROWS) await this.write(s.snapshot, s.rows.slice(i, i + BATCH_ROWS));
      } catch (err) {
        this.logger?.warn({ err, rows: s.rows.length }, 'could not store computed OEE roll-ups; they are computed again when needed');
      } finally {
        for (const r of s.rows) this.queued.delete(r);
        this.guard.end(s.snapshot);
      }
    }
    if (this.dropped > 0) {
      this.logger?.info({ rows: this.dropped }, 'OEE roll-up queue full: rows left to be computed again');
      this.dropped = 0;
    }
  }

  /**
   * Writes the rows no change heard since the computation touched. A change heard while they were
   * being written may have had its delete run before they were visible to it: it is deleted again.
   */
  private async write(snapshot: number, batch: StoredRollup[]): Promise<void> {
    const before = this.guard.last();
    const storable = this.guard.storableSince(snapshot);
    const rows = batch.filter((r) => storable(r.machineId, r.start.getTime() + r.hours * HOUR_MS));
    if (rows.length === 0) return;
    await this.rollups.store(rows);
    if (this.guard.redoTouched(before, rows)) await this.invalidation.flush();
  }
}
