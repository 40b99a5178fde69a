import type { DataSource } from 'typeorm';
import type { CalendarPattern, VersionedPattern } from '../../core/calendar/index.js';
import type { LiveActivityCode, LiveGroup, LiveJob, LiveOperator } from '../../core/realtime/live-events.js';
import type { Category } from '../../core/schemas/setup.schema.js';

/** What the wall screens draw from, besides live state: machines, groups, codes and calendars. */
export interface LiveDirectoryRows {
  machines: { id: number; name: string; groupId: number | null; shiftPatternId: number | null }[];
  groups: LiveGroup[];
  activityCodes: LiveActivityCode[];
  patterns: Map<number, CalendarPattern>;
  timezone: string;
}

/** One active machine as a wall screen sees it right now (without offShift and OEE, added by the hub). */
export interface LiveMachineRow {
  machineId: number;
  name: string;
  groupId: number | null;
  activityCodeId: number | null;
  category: Category | null;
  since: Date | null;
  job: LiveJob | null;
  operator: LiveOperator | null;
}

/** The reads of the `/live` namespace (realtime/live). */
export class LiveRepository {
  constructor(private readonly dataSource: DataSource) {}

  async directory(): Promise<LiveDirectoryRows> {
    const [machines, groups, activityCodes, patterns, site] = await Promise.all([
      this.dataSource.query(`SELECT id, name, "groupId", "shiftPatternId" FROM machines WHERE active ORDER BY name, id`),
      this.dataSource.query(`SELECT id, name FROM groups ORDER BY name, id`),
      this.dataSource.query(`SELECT id, "shortDescription", category, colour FROM activity_codes ORDER BY id`),
      this.dataSource.query(`SELECT id, shifts, exceptions, "effectiveFrom", "earlierVersions" FROM shift_patterns`),
      this.dataSource.query(`SELECT timezone FROM site_settings WHERE id = 1`),
    ]);
    return {
      machines,
      groups,
      activityCodes,
      patterns: new Map((patterns as ({ id: number } & VersionedPattern)[]).map(({ id, ...pattern }) => [id, pattern])),
      timezone: (site as { timezone: string }[])[0]?.timezone ?? 'UTC',
    };
  }

  /**
   * Active machines of a group (or all: `groupId` null) with their current code, running job and
   * signed-in operator, in one statement so a snapshot is one consistent read.
   */
  async machines(groupId: number | null, machineIds: number[] | null = null): Promise<LiveMachineRow[]> {
    const rows: {
      machineId: number;
      name: string;
      groupId: number | null;
      activityCodeId: number | null;
      category: Category | null;
      since: Date | null;
      jobId: number | null;
      jobNumber: string | null;
      jobStart: Date | null;
      idealCycleTimeSeconds: number | null;
      operatorId: number | null;
      operatorName: string | null;
    }[] = await this.dataSource.query(
      `SELECT m.id AS "machineId", m.name, m."groupId", ti."activityCodeId", ac.category, ti.start AS since,
              j.id AS "jobId", j."jobNumber", j.start AS "jobStart", j."idealCycleTimeSeconds",
              t."operatorId", u.username AS "operatorName"
         FROM machines m
         LEFT JOIN timeline_intervals ti ON ti."machineId" = m.id AND ti."end" IS NULL
         LEFT JOIN activity_codes ac ON ac.id = ti."activityCodeId"
         LEFT JOIN jobs j ON j."machineId" = m.id AND j."end" IS NULL
         LEFT JOIN LATERAL (
           SELECT "operatorId" FROM tablets
            WHERE "machineId" = m.id AND "operatorId" IS NOT NULL
            ORDER BY "operatorSince" DESC LIMIT 1
         ) t ON true
         LEFT JOIN users u ON u.id = t."operatorId"
        WHERE m.active AND ($1::int IS NULL OR m."groupId" = $1) AND ($2::int[] IS NULL OR m.id = ANY($2::int[]))
        ORDER BY m.name, m.id`,
      [groupId, machineIds],
    );
    return rows.map((r) => ({
      machineId: r.machineId,
      name: r.name,
      groupId: r.groupId,
      activityCodeId: r.activityCodeId,
      category: r.category,
      since: r.since,
      job: r.jobId === null ? null : { id: r.jobId, jobNumber: r.jobNumber ?? '', start: new Date(r.jobStart!).toISOString(), idealCycleTimeSeconds: r.idealCycleTimeSeconds },
      operator: r.operatorId === null ? null : { id: r.operatorId, name: r.operatorName ?? `#${r.operatorId}` },
    }));
  }

  async job(jobId: number): Promise<LiveJob | null> {
    const [row]: { id: number; jobNumber: string; start: Date; idealCycleTimeSeconds: number | null }[] = await this.dataSource.query(
      `SELECT id, "jobNumber", start, "idealCycleTimeSeconds" FROM jobs WHERE id = $1`,
      [jobId],
    );
    return row ? { id: row.id, jobNumber: row.jobNumber, start: new Date(row.start).toISOString(), idealCycleTimeSeconds: row.idealCycleTimeSeconds } : null;
  }

  async operator(userId: number): Promise<LiveOperator | null> {
    const [row]: { id: number; username: string }[] = await this.dataSource.query(`SELECT id, username FROM users WHERE id = $1`, [userId]);
    return row ? { id: row.id, name: row.username } : null;
  }

  /** The current code, job and operator of one active machine (for changes that do not carry them). */
  async current(machineId: number): Promise<LiveMachineRow | null> {
    return (await this.machines(null, [machineId]))[0] ?? null;
  }
}
