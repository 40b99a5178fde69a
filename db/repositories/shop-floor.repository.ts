import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import type { Category } from '../../core/schemas/setup.schema.js';
import { JobEntity, ProductionRecordEntity } from '../entities/index.js';

export interface MachineRow {
  id: number;
  name: string;
  active: boolean;
  jobStartActivityCodeId: number;
}

/** Look-ups the shop-floor writes need, and the jobs and production records themselves. */
export class ShopFloorRepository {
  constructor(private readonly dataSource: DataSource) {}

  async machines(tx: EntityManager, ids: number[]): Promise<Map<number, MachineRow>> {
    const rows: MachineRow[] = await tx.query(`SELECT id, name, active, "jobStartActivityCodeId" FROM machines WHERE id = ANY($1::int[])`, [
      ids,
    ]);
    return new Map(rows.map((r) => [r.id, r]));
  }

  async codes(tx: EntityManager, ids: number[]): Promise<Map<number, { id: number; category: Category; active: boolean }>> {
    const rows: { id: number; category: Category; active: boolean }[] = await tx.query(
      `SELECT id, category, active FROM activity_codes WHERE id = ANY($1::int[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Every machine's id (the write path's cache, services/write-metadata.ts). */
  async allMachineIds(): Promise<number[]> {
    const rows: { id: number }[] = await this.dataSource.query(`SELECT id FROM machines`);
    return rows.map((r) => r.id);
  }

  /** Every activity code's category and flag (the write path's cache). */
  async allCodes(): Promise<Map<number, { id: number; category: Category; active: boolean }>> {
    const rows: { id: number; category: Category; active: boolean }[] = await this.dataSource.query(
      `SELECT id, category, active FROM activity_codes`,
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** The site's live window (days): how far back devices, tablets and operators may write. */
  async liveWindowDays(tx: EntityManager): Promise<number> {
    const rows: { liveWindowDays: number }[] = await tx.query(`SELECT "liveWindowDays" FROM site_settings WHERE id = 1`);
    return rows[0]!.liveWindowDays;
  }

  /** Which of these (machine, eventId) pairs are already stored, as `machineId\u0000eventId` keys. */
  async storedEventIds(
    tx: EntityManager,
    table: 'state_events' | 'production_records',
    keys: { machineId: number; eventId: string }[],
  ): Promise<Set<string>> {
    const rows: { machineId: number; eventId: string }[] = await tx.query(
      `SELECT t."machineId", t."eventId" FROM ${table} t
         JOIN unnest($1::int[], $2::text[]) AS k("machineId", "eventId") ON t."machineId" = k."machineId" AND t."eventId" = k."eventId"`,
      [keys.map((k) => k.machineId), keys.map((k) => k.eventId)],
    );
    return new Set(rows.map((r) => `${r.machineId}\u0000${r.eventId}`));
  }

  /** The operator signed in on a tablet of each machine, if any. */
  async currentOperators(tx: EntityManager, machineIds: number[]): Promise<Map<number, number>> {
    const rows: { machineId: number; operatorId: number }[] = await tx.query(
      `SELECT DISTINCT ON ("machineId") "machineId", "operatorId" FROM tablets
        WHERE "machineId" = ANY($1::int[]) AND "operatorId" IS NOT NULL ORDER BY "machineId", "operatorSince" DESC`,
      [machineIds],
    );
    return new Map(rows.map((r) => [r.machineId, r.operatorId]));
  }

  runningJob(tx: EntityManager, machineId: number): Promise<JobEntity | null> {
    return tx.findOne(JobEntity, { where: { machineId, end: IsNull() } });
  }

  /** The job running at `at` (start ≤ at < end; an open job runs on). `inclusiveEnd` counts a job's last instant as its own. */
  async jobAt(tx: EntityManager, machineId: number, at: Date, inclusiveEnd = false): Promise<JobEntity | null> {
    const rows: JobEntity[] = await tx.query(
      `SELECT * FROM jobs WHERE "machineId" = $1 AND start <= $2 AND ("end" IS NULL OR "end" ${inclusiveEnd ? '>=' : '>'} $2) ORDER BY start DESC LIMIT 1`,
      [machineId, at],
    );
    return rows[0] ?? null;
  }

  async jobStartedAt(tx: EntityManager, machineId: number, at: Date): Promise<JobEntity | null> {
    return tx.findOneBy(JobEntity, { machineId, start: at });
  }

  async insertJob(
    tx: EntityManager,
    job: Pick<JobEntity, 'machineId' | 'jobNumber' | 'start' | 'idealCycleTimeSeconds' | 'operatorId'>,
  ): Promise<JobEntity> {
    return tx.save(JobEntity, tx.create(JobEntity, { ...job, end: null, notes: '' }));
  }

  async endJob(tx: EntityManager, jobId: number, end: Date): Promise<void> {
    await tx.update(JobEntity, { id: jobId }, { end });
  }

  /** Inserts a production record; a repeated (machine, eventId) is skipped and answered with null. */
  async insertProduction(
    tx: EntityManager,
    record: {
      machineId: number;
      jobId: number | null;
      from: Date;
      to: Date;
      good: number;
      rejects: number;
      eventId: string | null;
      source: string;
      sender: string;
    },
  ): Promise<ProductionRecordEntity | null> {
    const rows: ProductionRecordEntity[] = await tx.query(
      `INSERT INTO production_records ("machineId", "jobId", "from", "to", good, rejects, "eventId", source, sender)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT ("machineId", "eventId") WHERE "eventId" IS NOT NULL DO NOTHING
       RETURNING *`,
      [record.machineId, record.jobId, record.from, record.to, record.good, record.rejects, record.eventId, record.source, record.sender],
    );
    return rows[0] ?? null;
  }

  findProductionByEventId(tx: EntityManager, machineId: number, eventId: string): Promise<ProductionRecordEntity | null> {
    return tx.findOneBy(ProductionRecordEntity, { machineId, eventId });
  }

  /** Jobs overlapping [from, to) with their counts, oldest first. */
  async jobsWithCounts(
    from: Date,
    to: Date,
    machineId?: number,
    jobId?: number,
    limit?: number,
  ): Promise<(JobEntity & { good: number; rejects: number })[]> {
    return this.dataSource.query(
      `SELECT j.*, COALESCE(p.good, 0)::int AS good, COALESCE(p.rejects, 0)::int AS rejects
         FROM jobs j
         LEFT JOIN LATERAL (SELECT sum(good) AS good, sum(rejects) AS rejects FROM production_records WHERE "jobId" = j.id) p ON true
        WHERE ($4::int IS NOT NULL AND j.id = $4)
           OR ($4::int IS NULL AND j.start < $2 AND (j."end" IS NULL OR j."end" > $1) AND ($3::int IS NULL OR j."machineId" = $3))
        ORDER BY j.start, j.id
        LIMIT $5`,
      [from, to, machineId ?? null, jobId ?? null, limit ?? null],
    );
  }
}
