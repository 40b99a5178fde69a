import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { Role } from '../../core/roles.js';
import { MachineEntity } from '../entities/index.js';

export interface TabletRow {
  id: number;
  name: string;
  machineId: number | null;
  operatorId: number | null;
  operatorSince: Date | null;
}

/** A resume note with its job's number, as the machine page shows it. */
export interface ResumeNoteRow {
  id: number;
  jobId: number;
  jobNumber: string;
  pausedAt: Date;
  resumedAt: Date;
  activityCodeId: number;
  notes: string;
}

export interface TabletUser {
  id: number;
  username: string;
  role: Role;
  pinHash: string | null;
}

/** What the operator tablets (`/tablet` namespace) read and write besides the shop-floor write path. */
export class TabletWorkflowRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(id: number, tx: EntityManager = this.dataSource.manager): Promise<TabletRow | null> {
    const rows: TabletRow[] = await tx.query(`SELECT id, name, "machineId", "operatorId", "operatorSince" FROM tablets WHERE id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /** Locks the tablet's row until the transaction ends, so sign-ins on one tablet are serialised. */
  async lock(tx: EntityManager, id: number): Promise<TabletRow | null> {
    const rows: TabletRow[] = await tx.query(
      `SELECT id, name, "machineId", "operatorId", "operatorSince" FROM tablets WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async setOperator(tx: EntityManager, id: number, operatorId: number | null, since: Date | null): Promise<void> {
    await tx.query(`UPDATE tablets SET "operatorId" = $2, "operatorSince" = $3 WHERE id = $1`, [id, operatorId, since]);
  }

  /** Tablets of these ids (operator and pairing), for pushing state to many sockets at once. */
  async findMany(ids: number[]): Promise<Map<number, TabletRow>> {
    const rows: TabletRow[] = await this.dataSource.query(
      `SELECT id, name, "machineId", "operatorId", "operatorSince" FROM tablets WHERE id = ANY($1::int[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  async machines(ids: number[]): Promise<Map<number, MachineEntity>> {
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource.manager.findBy(MachineEntity, { id: In(ids) });
    return new Map(rows.map((m) => [m.id, m]));
  }

  /** A user who may exist (retired users do not). */
  async activeUser(id: number): Promise<TabletUser | null> {
    const rows: TabletUser[] = await this.dataSource.query(
      `SELECT id, username, role, "pinHash" FROM users WHERE id = $1 AND "deletedAt" IS NULL`,
      [id],
    );
    return rows[0] ?? null;
  }

  async usernames(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows: { id: number; username: string }[] = await this.dataSource.query(
      `SELECT id, username FROM users WHERE id = ANY($1::int[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.username]));
  }

  /**
   * Whether a sign-in or sign-out with this eventId was already applied on this tablet. Those are kept in
   * the audit log (`tablet.sign-in` / `tablet.sign-out`, the eventId in `after`), which makes them durable
   * across restarts and instances without a table of their own.
   */
  async operatorEventApplied(tx: EntityManager, tabletId: number, machineId: number | null, eventId: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `SELECT 1 FROM audit_log
        WHERE "machineId" IS NOT DISTINCT FROM $2 AND entity = 'tablet' AND "entityId" = $1::text
          AND action IN ('tablet.sign-in', 'tablet.sign-out') AND after ->> 'eventId' = $3
        LIMIT 1`,
      [tabletId, machineId, eventId],
    );
    return rows.length > 0;
  }

  /** The end of the job's last count at or before `at`, or null when it has none yet (running_total spans). */
  async lastCountEnd(tx: EntityManager, jobId: number, at: Date): Promise<Date | null> {
    const rows: { last: Date | null }[] = await tx.query(
      `SELECT max("to") AS last FROM production_records WHERE "jobId" = $1 AND "to" <= $2`,
      [jobId, at],
    );
    return rows[0]?.last ?? null;
  }

  /** The end of each job's last count (running_total: when the tablet asks next). */
  async lastCountEnds(jobIds: number[]): Promise<Map<number, Date>> {
    if (jobIds.length === 0) return new Map();
    const rows: { jobId: number; last: Date }[] = await this.dataSource.query(
      `SELECT "jobId", max("to") AS last FROM production_records WHERE "jobId" = ANY($1::int[]) GROUP BY "jobId"`,
      [jobIds],
    );
    return new Map(rows.map((r) => [r.jobId, r.last]));
  }

  async appendJobNotes(tx: EntityManager, jobId: number, line: string): Promise<void> {
    await tx.query(`UPDATE jobs SET notes = notes || $2 WHERE id = $1`, [jobId, line]);
  }

  async addResumeNote(tx: EntityManager, note: Omit<ResumeNoteRow, 'id' | 'jobNumber'> & { machineId: number }): Promise<void> {
    await tx.query(
      `INSERT INTO resume_notes ("jobId", "machineId", "pausedAt", "resumedAt", "activityCodeId", notes) VALUES ($1, $2, $3, $4, $5, $6)`,
      [note.jobId, note.machineId, note.pausedAt, note.resumedAt, note.activityCodeId, note.notes],
    );
  }

  /** The machine's resume notes whose pause overlaps [from, to) (a pause of no length at `from` too), oldest first. */
  async resumeNotes(machineId: number, from: Date, to: Date, limit: number): Promise<ResumeNoteRow[]> {
    return this.dataSource.query(
      `SELECT n.id, n."jobId", j."jobNumber", n."pausedAt", n."resumedAt", n."activityCodeId", n.notes
         FROM resume_notes n JOIN jobs j ON j.id = n."jobId"
        WHERE n."machineId" = $1 AND n."pausedAt" < $3 AND n."resumedAt" >= $2
        ORDER BY n."pausedAt", n.id
        LIMIT $4`,
      [machineId, from, to, limit],
    );
  }
}
