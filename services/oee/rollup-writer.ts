import type { Logger } from 'pino';
import type { OeeRollupRepository, RollupRows } from '../../db/repositories/oee-rollup.repository.js';
import type { OeeInvalidation } from './invalidation.js';
import type { StaleGuard } from './stale-guard.js';

/** Rows waiting to be written at most; more are dropped (computed again by the next read or the scheduler's job). */
const MAX_QUEUED_ROWS = 1_000_000;
/** Rows per INSERT statement (rows and their losses in one statement). */
const BATCH_ROWS = 20_000;

interface Submission {
  snapshot: number;
  rows: RollupRows;
}

/**
 * A row's key among the queued rows of its machine: its start in minutes and its length as one
 * number (exact: days are at most 25 hours, rows start on whole minutes of the hour grid). A small
 * integer until 2097, which a Set hashes far faster than a float (a cold year queues a million).
 */
const keyOf = (rows: RollupRows, i: number) => (rows.starts[i]! / 60_000) * 32 + rows.hours[i]!;

/** The queued rows, by machine and key (numbers: a year of hours is a million of them). */
class QueuedRows {
  size = 0;
  private readonly byMachine = new Map<number, Set<number>>();

  has(rows: RollupRows, i: number): boolean {
    return this.byMachine.get(rows.machineIds[i]!)?.has(keyOf(rows, i)) ?? false;
  }

  add(rows: RollupRows, i: number): void {
    const machineId = rows.machineIds[i]!;
    let set = this.byMachine.get(machineId);
    if (!set) this.byMachine.set(machineId, (set = new Set()));
    const key = keyOf(rows, i);
    if (!set.has(key)) this.size++;
    set.add(key);
  }

  delete(rows: RollupRows, i: number): void {
    const machineId = rows.machineIds[i]!;
    const set = this.byMachine.get(machineId);
    if (set?.delete(keyOf(rows, i))) this.size--;
    if (set?.size === 0) this.byMachine.delete(machineId);
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
  submit(snapshot: number, rows: RollupRows): void {
    let room = MAX_QUEUED_ROWS - this.queued.size;
    let fresh = rows;
    // Mostly none is queued yet: then the rows are queued as they are (a cold year's are not copied).
    let anyQueued = rows.length > room;
    for (let i = 0; i < rows.length && !anyQueued; i++) anyQueued = this.queued.has(rows, i);
    if (!anyQueued) {
      for (let i = 0; i < rows.length; i++) this.queued.add(rows, i);
    } else {
      fresh = rows.pick((i) => {
        if (this.queued.has(rows, i)) return false;
        if (room <= 0) {
          this.dropped++;
          return false;
        }
        room--;
        this.queued.add(rows, i);
        return true;
      });
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
        for (let i = 0; i < s.rows.length; i += BATCH_ROWS)
          await this.write(s.snapshot, s.rows, i, Math.min(i + BATCH_ROWS, s.rows.length));
      } catch (err) {
        this.logger?.warn({ err, rows: s.rows.length }, 'could not store computed OEE roll-ups; they are computed again when needed');
      } finally {
        for (let i = 0; i < s.rows.length; i++) this.queued.delete(s.rows, i);
        this.guard.end(s.snapshot);
      }
    }
    if (this.dropped > 0) {
      this.logger?.info({ rows: this.dropped }, 'OEE roll-up queue full: rows left to be computed again');
      this.dropped = 0;
    }
  }

  /**
   * Writes the rows [from, to) of a submission that no change heard since the computation touched. A
   * change heard while they were being written may have had its delete run before they were visible
   * to it: it is deleted again.
   */
  private async write(snapshot: number, submitted: RollupRows, from: number, to: number): Promise<void> {
    const before = this.guard.last();
    const storable = this.guard.storableSince(snapshot);
    const rows = submitted.pick((i) => storable(submitted.machineIds[i]!, submitted.end(i)), from, to);
    if (rows.length === 0) return;
    await this.rollups.store(rows);
    if (this.guard.redoTouched(before, rows)) await this.invalidation.flush();
  }
}
