import type { EntityManager } from 'typeorm';

export interface ClippedInterval {
  start: Date;
  end: Date;
  activityCodeId: number;
  jobId: number | null;
  operatorId: number | null;
}

export interface StoredEvent {
  id: string;
  at: Date;
  until: Date | null;
  activityCodeId: number;
}

export interface JobRow {
  id: number;
  machineId: number;
  jobNumber: string;
  start: Date;
  end: Date | null;
  idealCycleTimeSeconds: number | null;
}

export interface ProductionRow {
  id: string;
  machineId: number;
  jobId: number | null;
  from: Date;
  to: Date;
  good: number;
  rejects: number;
  source: string;
  eventId: string | null;
}

export interface Reassignment {
  id: string;
  jobIdBefore: number | null;
  jobIdAfter: number | null;
}

/**
 * Reads and writes of the supervisors' edits of past data (corrections, jobs, production records).
 * Every call takes the caller's transaction, which holds the machine's write lock.
 */
export class HistoryEditRepository {
  /** A machine's intervals overlapping [from, to), clipped to it, oldest first (the open one ends at `to`). */
  async clippedIntervals(tx: EntityManager, machineId: number, from: Date, to: Date): Promise<ClippedInterval[]> {
    return tx.query(
      `SELECT GREATEST(start, $2) AS start, LEAST(COALESCE("end", $3), $3) AS "end", "activityCodeId", "jobId", "operatorId"
         FROM timeline_intervals
        WHERE "machineId" = $1 AND start < $3 AND ("end" IS NULL OR "end" > $2)
        ORDER BY start`,
      [machineId, from, to],
    );
  }

  /** Where the machine's history begins (its first interval), null without history. */
  async historyStart(tx: EntityManager, machineId: number): Promise<Date | null> {
    const rows: { start: Date }[] = await tx.query(`SELECT start FROM timeline_intervals WHERE "machineId" = $1 ORDER BY start LIMIT 1`, [
      machineId,
    ]);
    return rows[0]?.start ?? null;
  }

  async eventByEventId(tx: EntityManager, machineId: number, eventId: string): Promise<StoredEvent | null> {
    const rows: StoredEvent[] = await tx.query(
      `SELECT id, at, until, "activityCodeId" FROM state_events WHERE "machineId" = $1 AND "eventId" = $2`,
      [machineId, eventId],
    );
    return rows[0] ?? null;
  }

  /** The latest stored correction of exactly this span and code (the one just recorded, under the lock). */
  async latestCorrection(tx: EntityManager, machineId: number, at: Date, until: Date, activityCodeId: number): Promise<StoredEvent | null> {
    const rows: StoredEvent[] = await tx.query(
      `SELECT id, at, until, "activityCodeId" FROM state_events
        WHERE "machineId" = $1 AND at = $2 AND until = $3 AND "activityCodeId" = $4
        ORDER BY id DESC LIMIT 1`,
      [machineId, at, until, activityCodeId],
    );
    return rows[0] ?? null;
  }

  /** Stamps a correction with when it was made, by the app's clock (docs/oee.md "Reason KPIs"). */
  async stampCorrection(tx: EntityManager, id: string, at: Date): Promise<void> {
    await tx.query(`UPDATE state_events SET "correctedAt" = $2 WHERE id = $1`, [id, at]);
  }

  /** The audit entry written for an entity (the latest, when there are several). */
  async auditEntry(
    tx: EntityManager,
    action: string,
    entityId: string,
  ): Promise<{ before: unknown; after: unknown; note: string | null } | null> {
    const rows: { before: unknown; after: unknown; note: string | null }[] = await tx.query(
      `SELECT before, after, note FROM audit_log WHERE action = $1 AND "entityId" = $2 ORDER BY id DESC LIMIT 1`,
      [action, entityId],
    );
    return rows[0] ?? null;
  }

  /** A job; `lock` takes its row lock (only while holding the machine's lock: machine first, then rows, as every writer). */
  async job(tx: EntityManager, jobId: number, lock: boolean): Promise<JobRow | null> {
    const rows: JobRow[] = await tx.query(
      `SELECT id, "machineId", "jobNumber", start, "end", "idealCycleTimeSeconds" FROM jobs WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [jobId],
    );
    return rows[0] ?? null;
  }

  /** A job that has ended (a past job added by hand); the exclusion constraint refuses an overlap. */
  async insertEndedJob(tx: EntityManager, job: Omit<JobRow, 'id' | 'end'> & { end: Date }): Promise<number> {
    const rows: { id: number }[] = await tx.query(
      `INSERT INTO jobs ("machineId", "jobNumber", start, "end", "idealCycleTimeSeconds") VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [job.machineId, job.jobNumber, job.start, job.end, job.idealCycleTimeSeconds],
    );
    return rows[0]!.id;
  }

  /** The machine's job over exactly [start, end), if there is one. */
  async jobOver(tx: EntityManager, machineId: number, start: Date, end: Date): Promise<JobRow | null> {
    const rows: JobRow[] = await tx.query(
      `SELECT id, "machineId", "jobNumber", start, "end", "idealCycleTimeSeconds" FROM jobs WHERE "machineId" = $1 AND start = $2 AND "end" = $3`,
      [machineId, start, end],
    );
    return rows[0] ?? null;
  }

  /** The production records that belong to a job, oldest first, row-locked (under the machine's lock). */
  async jobProduction(tx: EntityManager, jobId: number): Promise<ProductionRow[]> {
    return tx.query(
      `SELECT id, "machineId", "jobId", "from", "to", good, rejects, source, "eventId" FROM production_records WHERE "jobId" = $1 ORDER BY "from", id FOR UPDATE`,
      [jobId],
    );
  }

  async updateJob(tx: EntityManager, job: JobRow): Promise<void> {
    await tx.query(`UPDATE jobs SET "jobNumber" = $2, start = $3, "end" = $4, "idealCycleTimeSeconds" = $5 WHERE id = $1`, [
      job.id,
      job.jobNumber,
      job.start,
      job.end,
      job.idealCycleTimeSeconds,
    ]);
  }

  /**
   * Gives every production record of the machine whose start lies in [from, to] (to null: no end)
   * the job running at its start, as ProductionService assigns it (a point record also belongs to a
   * job that ends at its instant). Returns the records whose job changed.
   */
  async reassignProduction(tx: EntityManager, machineId: number, from: Date, to: Date | null): Promise<Reassignment[]> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [Reassignment[], number] = await tx.query(
      `WITH candidates AS (
         SELECT p.id, p."jobId" AS old,
                (SELECT j.id FROM jobs j
                  WHERE j."machineId" = p."machineId" AND j.start <= p."from"
                    AND (j."end" IS NULL OR j."end" > p."from" OR (p."from" = p."to" AND j."end" = p."from"))
                  ORDER BY j.start DESC LIMIT 1) AS new
           FROM production_records p
          WHERE p."machineId" = $1 AND p."from" >= $2 AND ($3::timestamptz IS NULL OR p."from" <= $3)
       )
       UPDATE production_records p SET "jobId" = c.new
         FROM candidates c
        WHERE p.id = c.id AND c.old IS DISTINCT FROM c.new
       RETURNING p.id, c.old AS "jobIdBefore", c.new AS "jobIdAfter"`,
      [machineId, from, to],
    );
    return rows;
  }

  /** The job running at `at` (a point record's instant may be a job's end), as ProductionService picks it. */
  async jobIdAt(tx: EntityManager, machineId: number, at: Date, inclusiveEnd: boolean): Promise<number | null> {
    const rows: { id: number }[] = await tx.query(
      `SELECT id FROM jobs WHERE "machineId" = $1 AND start <= $2 AND ("end" IS NULL OR "end" ${inclusiveEnd ? '>=' : '>'} $2) ORDER BY start DESC LIMIT 1`,
      [machineId, at],
    );
    return rows[0]?.id ?? null;
  }

  /** A production record; `lock` as for `job`. */
  async productionRecord(tx: EntityManager, id: number, lock: boolean): Promise<ProductionRow | null> {
    const rows: ProductionRow[] = await tx.query(
      `SELECT id, "machineId", "jobId", "from", "to", good, rejects, source, "eventId" FROM production_records WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async productionByEventId(tx: EntityManager, machineId: number, eventId: string): Promise<ProductionRow | null> {
    const rows: ProductionRow[] = await tx.query(
      `SELECT id, "machineId", "jobId", "from", "to", good, rejects, source, "eventId" FROM production_records WHERE "machineId" = $1 AND "eventId" = $2`,
      [machineId, eventId],
    );
    return rows[0] ?? null;
  }

  async updateProduction(tx: EntityManager, row: ProductionRow): Promise<void> {
    await tx.query(`UPDATE production_records SET "jobId" = $2, "from" = $3, "to" = $4, good = $5, rejects = $6 WHERE id = $1`, [
      row.id,
      row.jobId,
      row.from,
      row.to,
      row.good,
      row.rejects,
    ]);
  }

  async deleteProduction(tx: EntityManager, id: string): Promise<void> {
    await tx.query(`DELETE FROM production_records WHERE id = $1`, [id]);
  }
}
