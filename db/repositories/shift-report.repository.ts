import type { DataSource } from 'typeorm';
import type { VersionedPattern } from '../../core/calendar/index.js';
import type { ShiftReportEntity } from '../entities/index.js';

/** A group with shift-report subscribers: since when, and its active machines' shift patterns. */
export interface ReportGroup {
  groupId: number;
  name: string;
  subscribedSince: Date;
  machines: { id: number; name: string; pattern: VersionedPattern | null }[];
}

export type DueReport = Pick<ShiftReportEntity, 'id' | 'groupId' | 'shiftStart' | 'shiftEnd' | 'shiftName' | 'attempts'>;

export interface ReportOutcome {
  status: 'pending' | 'sent' | 'failed';
  attemptedAt: Date;
  nextAttemptAt: Date;
  error: string | null;
  recipients: string[];
}

/**
 * Shift reports (docs/alerts.md "Shift reports"): a row per (group, shift start), planned by whichever
 * instance sees the shift end first, sent by whichever claims it (FOR UPDATE SKIP LOCKED).
 */
export class ShiftReportRepository {
  constructor(private readonly dataSource: DataSource) {}

  async reportGroups(): Promise<ReportGroup[]> {
    const groups: { groupId: number; name: string; since: Date }[] = await this.dataSource.query(
      `SELECT s."groupId", g.name, min(s."createdAt") AS since FROM report_subscriptions s JOIN groups g ON g.id = s."groupId" GROUP BY s."groupId", g.name ORDER BY s."groupId"`,
    );
    if (groups.length === 0) return [];
    const machines: ({ id: number; name: string; groupId: number; patternId: number | null } & VersionedPattern)[] =
      await this.dataSource.query(
        `SELECT m.id, m.name, m."groupId", p.id AS "patternId", p.shifts, p.exceptions, p."effectiveFrom", p."earlierVersions"
         FROM machines m LEFT JOIN shift_patterns p ON p.id = m."shiftPatternId" WHERE m.active AND m."groupId" = ANY($1::int[]) ORDER BY m.name, m.id`,
        [groups.map((g) => g.groupId)],
      );
    return groups.map((g) => ({
      groupId: g.groupId,
      name: g.name,
      subscribedSince: new Date(g.since),
      machines: machines
        .filter((m) => m.groupId === g.groupId)
        .map(({ id, name, patternId, shifts, exceptions, effectiveFrom, earlierVersions }) => ({
          id,
          name,
          pattern: patternId === null ? null : { shifts, exceptions, effectiveFrom, earlierVersions },
        })),
    }));
  }

  /** Plans a report; a shift already planned (by this or another instance) stays as it is. */
  async plan(groupId: number, shiftStart: Date, shiftEnd: Date, shiftName: string | null, at: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO shift_reports ("groupId", "shiftStart", "shiftEnd", "shiftName", "nextAttemptAt", "createdAt") VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT ("groupId", "shiftStart") DO NOTHING RETURNING id`,
      [groupId, shiftStart, shiftEnd, shiftName, at],
    );
    return rows.length > 0;
  }

  subscribers(groupId: number): Promise<string[]> {
    return this.dataSource
      .query(`SELECT email FROM report_subscriptions WHERE "groupId" = $1 ORDER BY email`, [groupId])
      .then((rows: { email: string }[]) => rows.map((r) => r.email));
  }

  activityCodeNames(): Promise<Map<number, string>> {
    return this.dataSource
      .query(`SELECT id, "shortDescription" AS name FROM activity_codes`)
      .then((rows: { id: number; name: string }[]) => new Map(rows.map((r) => [r.id, r.name])));
  }

  /** Claims the oldest due report, runs `send` holding its lock, stores the outcome; false when none is due. */
  async withDueReport(now: Date, send: (row: DueReport) => Promise<ReportOutcome>): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const [row]: DueReport[] = await tx.query(
        `SELECT id, "groupId", "shiftStart", "shiftEnd", "shiftName", attempts FROM shift_reports
          WHERE status = 'pending' AND "nextAttemptAt" <= $1 ORDER BY "nextAttemptAt", id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      if (!row) return false;
      const outcome = await send(row);
      await tx.query(
        `UPDATE shift_reports SET status = $2::text, attempts = attempts + 1, "nextAttemptAt" = $3, "lastError" = $4, recipients = $5,
                "sentAt" = CASE WHEN $2::text = 'sent' THEN $6::timestamptz ELSE NULL END WHERE id = $1`,
        [row.id, outcome.status, outcome.nextAttemptAt, outcome.error, outcome.recipients, outcome.attemptedAt],
      );
      return true;
    });
  }

  list(groupId?: number): Promise<ShiftReportEntity[]> {
    return this.dataSource.query(
      `SELECT * FROM shift_reports WHERE ($1::int IS NULL OR "groupId" = $1) ORDER BY "shiftStart" DESC, "groupId" LIMIT 200`,
      [groupId ?? null],
    );
  }
}
