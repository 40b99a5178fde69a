import type { DataSource, EntityManager } from 'typeorm';
import type { Category } from '../../core/schemas/setup.schema.js';
import { influxFields, influxMeasurements, influxTags } from './influx-names.js';

/** An accepted state change, as InfluxDB gets it (measurement `machine_state`). */
export interface StateChangePoint {
  machineId: number;
  activityCodeId: number;
  /** The activity code's category. */
  category: Category;
  /** When the machine entered the state (the event's `at`). */
  at: Date;
  /** Corrections only: the code held over [at, until), then the earlier history resumes. */
  until?: Date | null;
  /** Where the event came from: device, api, legacy, tablet, scheduler, correction, job. */
  source?: string | null;
  jobId?: number | null;
  jobNumber?: string | null;
  operatorId?: number | null;
}

/** An accepted production record, as InfluxDB gets it (measurement `production`, at `to`). */
export interface ProductionPoint {
  machineId: number;
  /** Start of the span; equal to `to` for a count made at an instant. */
  from: Date;
  to: Date;
  good: number;
  rejects: number;
  jobId?: number | null;
  jobNumber?: string | null;
  source?: string | null;
}

/** A pending outbox row, ready to become a line-protocol point. */
export interface OutboxRow {
  /** bigint, as a string. */
  id: string;
  machineId: number;
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | string | boolean>;
  at: Date;
}

export interface OutboxLag {
  /** Rows not yet delivered to InfluxDB. */
  pending: number;
  /** Age of the oldest undelivered row (since it was committed), 0 when none. */
  oldestSeconds: number;
}

interface NewRow {
  machineId: number;
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | string | boolean>;
  at: Date;
}

/**
 * The InfluxDB outbox (table `influx_outbox`). Ingest writes rows in the transaction that accepts the
 * data they describe, so a point exists exactly when its data committed; the relay ships pending rows
 * in id order and marks them delivered; housekeeping prunes delivered rows.
 *
 * Created with `enabled` = INFLUX_URL is set. When disabled the enqueue calls write nothing, so the
 * table does not grow in installations without InfluxDB.
 *
 * Order per machine: the relay delivers in id order, and ids are taken at insert time. Call the
 * enqueue functions while holding the machine's serialisation (the lock that orders concurrent events
 * of one machine) in the same transaction, so a machine's rows get ids in commit order.
 */
export class OutboxRepository {
  readonly enabled: boolean;
  private readonly committedListeners = new Set<() => void>();

  constructor(
    private readonly dataSource: DataSource,
    options: { enabled: boolean },
  ) {
    this.enabled = options.enabled;
  }

  /** Writes one `machine_state` point per change, in the caller's transaction, in array order. */
  async enqueueStateChange(manager: EntityManager, change: StateChangePoint | readonly StateChangePoint[]): Promise<void> {
    if (!this.enabled) return;
    const changes: readonly StateChangePoint[] = isArray(change) ? change : [change];
    await this.insert(manager, changes.map(stateChangeRow));
  }

  /** Writes one `production` point per record, in the caller's transaction, in array order. */
  async enqueueProduction(manager: EntityManager, record: ProductionPoint | readonly ProductionPoint[]): Promise<void> {
    if (!this.enabled) return;
    const records: readonly ProductionPoint[] = isArray(record) ? record : [record];
    await this.insert(manager, records.map(productionRow));
  }

  /**
   * Tells the relay that rows committed, so it ships them now instead of at its next poll. Call it
   * after the transaction that enqueued commits (not inside it: the relay would not see the rows yet).
   */
  notifyCommitted(): void {
    if (!this.enabled) return;
    for (const listener of this.committedListeners) listener();
  }

  /** The relay listens here. Returns the unsubscribe function. */
  onCommitted(listener: () => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  /** The oldest `limit` undelivered rows, in id order. */
  async pendingBatch(limit: number, manager: EntityManager = this.dataSource.manager): Promise<OutboxRow[]> {
    const rows: OutboxRow[] = await manager.query(
      // Order by the column, not by the text alias: '10' sorts before '9'.
      `SELECT o.id::text AS id, o."machineId", o.measurement, o.tags, o.fields, o.at
         FROM influx_outbox o
        WHERE o."deliveredAt" IS NULL
        ORDER BY o.id
        LIMIT $1`,
      [limit],
    );
    return rows;
  }

  /**
   * Marks rows delivered, all with one timestamp: the moment of this statement (not of the transaction
   * start), so batches delivered one after the other carry increasing times.
   */
  async markDelivered(ids: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(
      `WITH t AS (SELECT clock_timestamp() AS now)
       UPDATE influx_outbox SET "deliveredAt" = t.now FROM t WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  /**
   * Housekeeping: deletes rows delivered before `olderThan`, in chunks so no statement holds many row
   * locks for long. Returns the number of rows deleted. Pending rows are never touched.
   */
  async pruneDelivered(olderThan: Date, chunkSize = 10_000): Promise<number> {
    let deleted = 0;
    for (;;) {
      // Oldest first through the primary key: delivered rows are mostly the lowest ids.
      const [, count] = (await this.dataSource.query(
        `DELETE FROM influx_outbox
          WHERE id IN (SELECT id FROM influx_outbox WHERE "deliveredAt" < $1 ORDER BY id LIMIT $2)`,
        [olderThan.toISOString(), chunkSize],
      )) as [unknown, number];
      deleted += count;
      if (count < chunkSize) return deleted;
    }
  }

  async lag(): Promise<OutboxLag> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS pending,
              COALESCE(EXTRACT(EPOCH FROM now() - min("createdAt")), 0)::float8 AS "oldestSeconds"
         FROM influx_outbox
        WHERE "deliveredAt" IS NULL`,
    )) as OutboxLag[];
    return { pending: row!.pending, oldestSeconds: Math.max(0, Math.round(row!.oldestSeconds * 10) / 10) };
  }

  private async insert(manager: EntityManager, rows: NewRow[]): Promise<void> {
    if (rows.length === 0) return;
    // One statement for any number of rows; WITH ORDINALITY + ORDER BY keeps ids in array order.
    await manager.query(
      `INSERT INTO influx_outbox ("machineId", measurement, tags, fields, at)
       SELECT r."machineId", r.measurement, r.tags, r.fields, r.at
         FROM unnest($1::int[], $2::text[], $3::jsonb[], $4::jsonb[], $5::timestamptz[])
              WITH ORDINALITY AS r("machineId", measurement, tags, fields, at, n)
        ORDER BY r.n`,
      [
        rows.map((r) => r.machineId),
        rows.map((r) => r.measurement),
        rows.map((r) => JSON.stringify(r.tags)),
        rows.map((r) => JSON.stringify(r.fields)),
        rows.map((r) => r.at.toISOString()),
      ],
    );
  }
}

function isArray<T>(value: T | readonly T[]): value is readonly T[] {
  return Array.isArray(value);
}

function stateChangeRow(c: StateChangePoint): NewRow {
  const fields: Record<string, number | string | boolean> = { [influxFields.running]: c.category === 'running' ? 1 : 0 };
  if (c.until != null) fields[influxFields.untilMs] = c.until.getTime();
  if (c.source != null) fields[influxFields.source] = c.source;
  if (c.jobId != null) fields[influxFields.jobId] = c.jobId;
  if (c.jobNumber != null) fields[influxFields.jobNumber] = c.jobNumber;
  if (c.operatorId != null) fields[influxFields.operatorId] = c.operatorId;
  return {
    machineId: c.machineId,
    measurement: influxMeasurements.machineState,
    tags: {
      [influxTags.machineId]: String(c.machineId),
      [influxTags.activityCodeId]: String(c.activityCodeId),
      [influxTags.category]: c.category,
    },
    fields,
    at: c.at,
  };
}

function productionRow(p: ProductionPoint): NewRow {
  const fields: Record<string, number | string | boolean> = {
    [influxFields.good]: p.good,
    [influxFields.rejects]: p.rejects,
    [influxFields.spanSeconds]: (p.to.getTime() - p.from.getTime()) / 1000,
  };
  if (p.jobId != null) fields[influxFields.jobId] = p.jobId;
  if (p.jobNumber != null) fields[influxFields.jobNumber] = p.jobNumber;
  if (p.source != null) fields[influxFields.source] = p.source;
  return {
    machineId: p.machineId,
    measurement: influxMeasurements.production,
    tags: { [influxTags.machineId]: String(p.machineId) },
    fields,
    at: p.to,
  };
}

/**
 * The outbox as the ingest write path calls it (`OutboxWriter` in services/outbox-writer.ts,
 * matched structurally so db/ does not import ingest/): state events with their codes' categories,
 * production records, and the after-commit wake-up.
 */
export function outboxWriterFor(outbox: OutboxRepository) {
  return {
    stateChanges(
      tx: EntityManager,
      events: readonly {
        machineId: number;
        at: Date;
        until?: Date | null;
        activityCodeId: number;
        operatorId: number | null;
        source?: string | null;
        jobId?: number | null;
      }[],
      codes: ReadonlyMap<number, { category: Category }>,
    ): Promise<void> {
      return outbox.enqueueStateChange(
        tx,
        events.map((e) => {
          const category = codes.get(e.activityCodeId)?.category;
          if (!category) throw new Error(`outbox: no category for activity code ${e.activityCodeId}`);
          return {
            machineId: e.machineId,
            activityCodeId: e.activityCodeId,
            category,
            at: e.at,
            until: e.until ?? null,
            operatorId: e.operatorId,
            source: e.source ?? null,
            jobId: e.jobId ?? null,
          };
        }),
      );
    },
    production(
      tx: EntityManager,
      record: { machineId: number; jobId: number | null; from: Date; to: Date; good: number; rejects: number; source?: string | null },
    ): Promise<void> {
      return outbox.enqueueProduction(tx, {
        machineId: record.machineId,
        jobId: record.jobId,
        from: record.from,
        to: record.to,
        good: record.good,
        rejects: record.rejects,
        source: record.source ?? null,
      });
    },
    notify(): void {
      outbox.notifyCommitted();
    },
  };
}
