import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { InfluxWriteError, type PointWriter } from './influx-writer.js';
import type { OutboxLag, OutboxRepository } from './outbox.repository.js';

/**
 * Ships the InfluxDB outbox: take the oldest pending rows in id order, write them, mark them
 * delivered, repeat until none are left; then sleep until `notify()` (ingest committed rows) or the
 * poll interval (rows committed by other instances, a missed notify).
 *
 * Concurrency: each batch is one READ COMMITTED transaction that first takes a transaction-scoped
 * advisory lock with `pg_try_advisory_xact_lock`, then selects, writes and marks the batch, then
 * commits (which releases the lock). So across all instances exactly one batch is in flight at any
 * time, batch n+1 is selected only after batch n committed as delivered, and rows go out in id order,
 * which is the order per machine. `SELECT ... FOR UPDATE SKIP LOCKED` was not chosen: it lets two
 * instances ship two batches at once, and one machine's later points could overtake its earlier
 * ones. One relay is plenty (a write of 1 000 points takes milliseconds); the others only stand by.
 * The lock is scoped to the transaction, so a crashed or disconnected instance cannot keep it.
 *
 * Delivery is at least once: if the commit after a successful write fails, the batch is sent again.
 * InfluxDB stores a point by (measurement, tag set, timestamp), so a repeated point replaces itself.
 *
 * Failures: unavailable (network, 5xx, 401/403/404 until fixed) → the same batch again after an
 * exponential backoff, 0.5 s doubling to 30 s; nothing is skipped, so order and completeness hold
 * through any outage. Refused data (400/422) or a request too large (413) → the batch is halved until
 * the single offending row is found; that row is logged and marked delivered so it cannot block the
 * outbox (InfluxDB has already kept the valid points of a partial write).
 */

/** Any fixed pair: the advisory-lock namespace (next to migrations' and machines') and key of the relay. */
const RELAY_LOCK: [number, number] = [7_317_003, 0];

/** Health is degraded when the oldest undelivered point has waited longer than this. */
export const outboxLagDegradedSeconds = 60;

export interface OutboxRelayOptions {
  /** Rows per write. */
  batchSize: number;
  /** Safety net: look for rows this often without a notify. */
  pollIntervalMs: number;
  /** After a notify, wait this long so rows committed together go out in one write. */
  coalesceMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** `stop()` keeps shipping pending rows for at most this long. */
  stopTimeoutMs: number;
}

export const defaultRelayOptions: OutboxRelayOptions = {
  batchSize: 1_000,
  pollIntervalMs: 1_000,
  coalesceMs: 50,
  minBackoffMs: 500,
  maxBackoffMs: 30_000,
  stopTimeoutMs: 5_000,
};

export interface OutboxRelayDeps {
  dataSource: DataSource;
  outbox: OutboxRepository;
  writer: PointWriter;
  logger: Logger;
}

type Pass = { kind: 'delivered'; rows: number; full: boolean } | { kind: 'split' } | { kind: 'empty' } | { kind: 'busy' };
type WakeReason = 'timer' | 'notify' | 'stop';

export class OutboxRelay {
  private readonly options: OutboxRelayOptions;
  private readonly logger: Logger;
  private loopDone: Promise<void> | null = null;
  private stopping = false;
  private stopDeadline = Number.POSITIVE_INFINITY;
  private notified = false;
  private waiter: { wakeOnNotify: boolean; wake: (reason: WakeReason) => void } | null = null;
  private failures = 0;
  /** The last attempt failed at InfluxDB (not at Postgres, which health reports on its own). */
  private influxFailing = false;
  private batchLimit: number;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly deps: OutboxRelayDeps,
    options: Partial<OutboxRelayOptions> = {},
  ) {
    this.options = { ...defaultRelayOptions, ...options };
    this.batchLimit = this.options.batchSize;
    this.logger = deps.logger.child({ module: 'influx-outbox' });
  }

  start(): this {
    if (this.loopDone) return this;
    this.unsubscribe = this.deps.outbox.onCommitted(() => this.notify());
    this.loopDone = this.loop().catch((err: unknown) => this.logger.error({ err }, 'InfluxDB outbox relay stopped unexpectedly'));
    return this;
  }

  /** New rows committed: ship them soon rather than at the next poll. */
  notify(): void {
    this.notified = true;
    if (this.waiter?.wakeOnNotify) this.waiter.wake('notify');
  }

  /** `unavailable` while the last write to InfluxDB failed and the relay is backing off. */
  get influxStatus(): 'ok' | 'unavailable' {
    return this.influxFailing ? 'unavailable' : 'ok';
  }

  /**
   * Ships what is pending for at most `timeoutMs` (one attempt when InfluxDB is down), then stops.
   * What is left stays in the table for the next start.
   */
  async stop(timeoutMs = this.options.stopTimeoutMs): Promise<void> {
    if (!this.loopDone) return;
    this.stopping = true;
    this.stopDeadline = Math.min(this.stopDeadline, performance.now() + timeoutMs);
    this.waiter?.wake('stop');
    await this.loopDone;
    this.unsubscribe?.();
    await this.deps.writer.close();
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.stopping && performance.now() >= this.stopDeadline) return this.stopped();
      this.notified = false;
      let pass: Pass;
      try {
        pass = await this.relayBatch();
      } catch (err) {
        this.failures++;
        this.influxFailing = err instanceof InfluxWriteError;
        const delayMs = this.backoffMs();
        const reason = err instanceof Error ? err.message : String(err);
        if (this.stopping) {
          this.logger.warn({ failures: this.failures, reason }, 'InfluxDB outbox: write failed while stopping');
          return this.stopped();
        }
        this.logger.warn({ failures: this.failures, retryInMs: delayMs, reason }, 'InfluxDB outbox: write failed, retrying');
        await this.sleep(delayMs, false);
        continue;
      }
      if (this.failures > 0) {
        this.logger.info({ failures: this.failures }, 'InfluxDB outbox: delivering again');
        this.failures = 0;
        this.influxFailing = false;
      }
      if (pass.kind === 'split' || (pass.kind === 'delivered' && pass.full)) continue;
      if (this.stopping) {
        // Rows may have committed since the last batch was selected: one more look.
        if (pass.kind === 'delivered') continue;
        return this.stopped();
      }
      const reason = await this.sleep(this.options.pollIntervalMs, true);
      if (reason === 'notify') await this.sleep(this.options.coalesceMs, false);
    }
  }

  /** One batch, in one transaction under the relay lock. */
  private relayBatch(): Promise<Pass> {
    const { dataSource, outbox, writer } = this.deps;
    return dataSource.transaction('READ COMMITTED', async (manager): Promise<Pass> => {
      const [lock] = (await manager.query('SELECT pg_try_advisory_xact_lock($1, $2) AS locked', RELAY_LOCK)) as { locked: boolean }[];
      if (!lock?.locked) return { kind: 'busy' };
      // A new statement, so a new snapshot: it sees the batch the previous lock holder marked.
      const limit = this.batchLimit;
      const rows = await outbox.pendingBatch(limit, manager);
      if (rows.length === 0) return { kind: 'empty' };
      try {
        const result = await writer.write(rows);
        if (result.invalid.length > 0) {
          this.logger.error({ invalid: result.invalid }, 'InfluxDB outbox: rows that are not valid points were skipped');
        }
      } catch (err) {
        if (!(err instanceof InfluxWriteError) || err.kind === 'unavailable') throw err;
        if (rows.length > 1) {
          this.batchLimit = Math.ceil(rows.length / 2);
          this.logger.warn({ reason: err.message, rows: rows.length }, 'InfluxDB outbox: batch refused, retrying in halves');
          return { kind: 'split' };
        }
        const row = rows[0]!;
        this.logger.error(
          { outboxId: row.id, machineId: row.machineId, measurement: row.measurement, at: row.at, reason: err.message },
          'InfluxDB outbox: InfluxDB refused this point; it is dropped',
        );
      }
      await outbox.markDelivered(
        rows.map((r) => r.id),
        manager,
      );
      this.batchLimit = Math.min(this.options.batchSize, this.batchLimit * 2);
      return { kind: 'delivered', rows: rows.length, full: rows.length >= limit };
    });
  }

  private backoffMs(): number {
    const { minBackoffMs, maxBackoffMs } = this.options;
    const base = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(this.failures - 1, 30));
    // ±20 % so instances that failed together do not retry in lockstep.
    return Math.round(Math.min(maxBackoffMs, base * (0.8 + Math.random() * 0.4)));
  }

  private sleep(ms: number, wakeOnNotify: boolean): Promise<WakeReason> {
    if (this.stopping) return Promise.resolve('stop');
    if (wakeOnNotify && this.notified) return Promise.resolve('notify');
    return new Promise((resolve) => {
      const wake = (reason: WakeReason) => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(reason);
      };
      const timer = setTimeout(() => wake('timer'), ms);
      timer.unref();
      this.waiter = { wakeOnNotify, wake };
    });
  }

  private async stopped(): Promise<void> {
    const lag = await this.deps.outbox.lag().catch(() => null);
    if (lag && lag.pending > 0) {
      this.logger.warn({ pending: lag.pending }, 'InfluxDB outbox: stopping with points pending; they are shipped after the next start');
    }
  }
}

export interface InfluxHealth {
  /** Counts towards `degraded`. */
  degraded: boolean;
  report: { influx: 'disabled' | 'ok' | 'unavailable'; outbox?: OutboxLag };
}

/** The InfluxDB part of `/api/v1/health`: `disabled` without a relay, else its state and the outbox lag. */
export async function influxHealth(relay: OutboxRelay | null, outbox: OutboxRepository): Promise<InfluxHealth> {
  if (!relay) return { degraded: false, report: { influx: 'disabled' } };
  const influx = relay.influxStatus;
  const lag = await outbox.lag().catch(() => null);
  const degraded = influx === 'unavailable' || lag === null || lag.oldestSeconds > outboxLagDegradedSeconds;
  return { degraded, report: lag ? { influx, outbox: lag } : { influx } };
}
