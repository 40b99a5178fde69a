import type { DataSource, EntityManager } from 'typeorm';
import type { Category } from '../../core/schemas/setup.schema.js';
import type { ProjectedInterval, ProjectionCorrection, ProjectionEvent, ProjectionJob } from '../../core/state/timeline-projection.js';
import type { EventSource } from '../entities/state-event.entity.js';

/** Any fixed number: the advisory-lock namespace that serialises writes to one machine's history. */
export const MACHINE_LOCK_NAMESPACE = 7_317_002;

export interface NewStateEvent {
  machineId: number;
  at: Date;
  activityCodeId: number;
  operatorId: number | null;
  eventId: string | null;
  /** Set for corrections: the code holds over [at, until). */
  until?: Date | null;
  source: EventSource;
  /** Who sent it (core/live-window `Sender.label`). */
  sender: string;
}

/**
 * The parameters of state events inserted from `unnest`, in the column order
 * ("machineId", at, until, "activityCodeId", source, "operatorId", sender): one array per column.
 */
export function stateEventColumns(events: NewStateEvent[]): unknown[][] {
  return [
    events.map((e) => e.machineId),
    events.map((e) => e.at),
    events.map((e) => e.until ?? null),
    events.map((e) => e.activityCodeId),
    events.map((e) => e.source),
    events.map((e) => e.operatorId),
    events.map((e) => e.sender),
  ];
}

export interface StoredInterval {
  id: string;
  machineId: number;
  start: Date;
  end: Date | null;
  activityCodeId: number;
  jobId: number | null;
  operatorId: number | null;
}

export interface IntervalWithCategory extends StoredInterval {
  category: Category;
}

/** The event log and its projection, the timeline. Every call takes the caller's transaction. */
export class TimelineRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Serialises writers of these machines until the transaction ends (in id order: no deadlocks). */
  async lockMachines(tx: EntityManager, machineIds: number[]): Promise<void> {
    const ids = [...new Set(machineIds)].sort((a, b) => a - b);
    if (ids.length === 1) {
      await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [MACHINE_LOCK_NAMESPACE, ids[0]]);
      return;
    }
    await tx.query('SELECT pg_advisory_xact_lock($1, id) FROM (SELECT unnest($2::int[]) AS id ORDER BY 1) AS ids', [
      MACHINE_LOCK_NAMESPACE,
      ids,
    ]);
  }

  /**
   * Appends events; one whose (machine, eventId) is already stored is skipped as a duplicate.
   * Returns the stored ones with their sequence numbers.
   */
  async insertEvents(tx: EntityManager, events: NewStateEvent[]): Promise<{ machineId: number; eventId: string | null }[]> {
    if (events.length === 0) return [];
    return tx.query(
      `INSERT INTO state_events ("machineId", at, until, "activityCodeId", source, "operatorId", sender, "eventId")
       SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[])
       ON CONFLICT ("machineId", "eventId") WHERE "eventId" IS NOT NULL DO NOTHING
       RETURNING "machineId", "eventId"`,
      [...stateEventColumns(events), events.map((e) => e.eventId)],
    );
  }

  async findEventById(tx: EntityManager, machineId: number, eventId: string): Promise<{ at: Date; seq: number } | null> {
    const rows: { at: Date; seq: string }[] = await tx.query(
      `SELECT at, id AS seq FROM state_events WHERE "machineId" = $1 AND "eventId" = $2`,
      [machineId, eventId],
    );
    return rows[0] ? { at: rows[0].at, seq: Number(rows[0].seq) } : null;
  }

  async openIntervals(tx: EntityManager, machineIds: number[]): Promise<Map<number, StoredInterval>> {
    const rows: StoredInterval[] = await tx.query(
      `SELECT id, "machineId", start, "end", "activityCodeId", "jobId", "operatorId" FROM timeline_intervals WHERE "end" IS NULL AND "machineId" = ANY($1::int[])`,
      [machineIds],
    );
    return new Map(rows.map((r) => [r.machineId, r]));
  }

  /** Where re-projection for a change at `at` must start: the start of the interval holding `at`, or `at`. */
  async reprojectionStart(tx: EntityManager, machineId: number, at: Date): Promise<Date> {
    const rows: { start: Date }[] = await tx.query(
      `SELECT start FROM timeline_intervals WHERE "machineId" = $1 AND start <= $2 AND ("end" IS NULL OR "end" > $2) LIMIT 1`,
      [machineId, at],
    );
    return rows[0]?.start ?? at;
  }

  /** Everything the projection of [from, ∞) needs: the event in force at `from` and all later ones, corrections and jobs reaching past `from`. */
  async projectionInputs(
    tx: EntityManager,
    machineId: number,
    from: Date,
  ): Promise<{ events: ProjectionEvent[]; corrections: ProjectionCorrection[]; jobs: ProjectionJob[] }> {
    const events: { at: Date; seq: string; activityCodeId: number; operatorId: number | null }[] = await tx.query(
      `SELECT at, id AS seq, "activityCodeId", "operatorId" FROM state_events
        WHERE "machineId" = $1 AND until IS NULL
          AND at >= COALESCE((SELECT max(at) FROM state_events WHERE "machineId" = $1 AND until IS NULL AND at <= $2), $2)`,
      [machineId, from],
    );
    const corrections: { at: Date; until: Date; seq: string; activityCodeId: number }[] = await tx.query(
      `SELECT at, until, id AS seq, "activityCodeId" FROM state_events WHERE "machineId" = $1 AND until IS NOT NULL AND until > $2`,
      [machineId, from],
    );
    const jobs = await this.jobsFrom(tx, machineId, from);
    return {
      events: events.map((e) => ({ at: e.at.getTime(), seq: Number(e.seq), activityCodeId: e.activityCodeId, operatorId: e.operatorId })),
      corrections: corrections.map((c) => ({
        at: c.at.getTime(),
        until: c.until.getTime(),
        seq: Number(c.seq),
        activityCodeId: c.activityCodeId,
      })),
      jobs,
    };
  }

  /** Jobs of a machine running at or after `from`. */
  async jobsFrom(tx: EntityManager, machineId: number, from: Date): Promise<ProjectionJob[]> {
    return (await this.jobsFromMany(tx, new Map([[machineId, from]]))).get(machineId) ?? [];
  }

  /** For each machine, its jobs running at or after the given time, in one query. */
  async jobsFromMany(tx: EntityManager, fromByMachine: Map<number, Date>): Promise<Map<number, ProjectionJob[]>> {
    const rows: { machineId: number; id: number; start: Date; end: Date | null }[] = await tx.query(
      `SELECT j."machineId", j.id, j.start, j."end"
         FROM unnest($1::int[], $2::timestamptz[]) AS f("machineId", "from")
         JOIN jobs j ON j."machineId" = f."machineId" AND (j."end" IS NULL OR j."end" > f."from")
        ORDER BY j."machineId", j.start`,
      [[...fromByMachine.keys()], [...fromByMachine.values()]],
    );
    const out = new Map<number, ProjectionJob[]>([...fromByMachine.keys()].map((id) => [id, []]));
    for (const j of rows) out.get(j.machineId)!.push({ id: j.id, start: j.start.getTime(), end: j.end ? j.end.getTime() : null });
    return out;
  }

  /**
   * Replaces the timeline from `from` on with `intervals` (which start at or after `from`), joining
   * the interval that ends at `from` when it is in the same state as the first new one.
   */
  async replaceFrom(tx: EntityManager, machineId: number, from: Date, intervals: ProjectedInterval[]): Promise<void> {
    await tx.query(`DELETE FROM timeline_intervals WHERE "machineId" = $1 AND start >= $2`, [machineId, from]);
    // An interval that straddled `from` (only when `from` was not an interval start) ends there now.
    await tx.query(`UPDATE timeline_intervals SET "end" = $2 WHERE "machineId" = $1 AND start < $2 AND ("end" IS NULL OR "end" > $2)`, [
      machineId,
      from,
    ]);
    let rows = intervals;
    const first = rows[0];
    if (first && first.start === from.getTime()) {
      const previous: { id: string; activityCodeId: number; jobId: number | null; operatorId: number | null }[] = await tx.query(
        `SELECT id, "activityCodeId", "jobId", "operatorId" FROM timeline_intervals WHERE "machineId" = $1 AND "end" = $2`,
        [machineId, from],
      );
      const p = previous[0];
      if (p && p.activityCodeId === first.activityCodeId && p.jobId === first.jobId && p.operatorId === first.operatorId) {
        await tx.query(`UPDATE timeline_intervals SET "end" = $2 WHERE id = $1`, [p.id, first.end === null ? null : new Date(first.end)]);
        rows = rows.slice(1);
      }
    }
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO timeline_intervals ("machineId", start, "end", "activityCodeId", "jobId", "operatorId")
       SELECT $1, * FROM unnest($2::timestamptz[], $3::timestamptz[], $4::int[], $5::int[], $6::int[])`,
      [
        machineId,
        rows.map((r) => new Date(r.start)),
        rows.map((r) => (r.end === null ? null : new Date(r.end))),
        rows.map((r) => r.activityCodeId),
        rows.map((r) => r.jobId),
        rows.map((r) => r.operatorId),
      ],
    );
  }

  /** Intervals overlapping [from, to), oldest first, with their code's category; at most `limit` when given. */
  async intervals(machineId: number, from: Date, to: Date, limit?: number): Promise<IntervalWithCategory[]> {
    return this.dataSource.query(
      `SELECT ti.id, ti."machineId", ti.start, ti."end", ti."activityCodeId", ac.category, ti."jobId", ti."operatorId"
         FROM timeline_intervals ti JOIN activity_codes ac ON ac.id = ti."activityCodeId"
        WHERE ti."machineId" = $1 AND ti.start < $3 AND (ti."end" IS NULL OR ti."end" > $2)
        ORDER BY ti.start
        LIMIT $4`,
      [machineId, from, to, limit ?? null],
    );
  }

  async countEvents(machineId?: number): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM state_events WHERE $1::int IS NULL OR "machineId" = $1`,
      [machineId ?? null],
    );
    return rows[0]!.n;
  }
}
