import type { DataSource } from 'typeorm';
import type { CalendarPattern, VersionedPattern } from '../../core/calendar/index.js';
import type { DateFormat } from '../../core/calendar/site-format.js';
import { effectiveOeeTarget } from '../../core/oee/target.js';
import type { LiveActivityCode, LiveGroup, LiveJob, LiveOperator, LiveSnapshotMeta } from '../../core/realtime/live-events.js';

/** What the wall screens draw from, besides live state: machines, groups, codes and calendars. */
export interface LiveDirectoryRows {
  /** `oeeTarget`: the machine's effective OEE target (core/oee/target.ts). */
  machines: { id: number; name: string; groupId: number | null; shiftPatternId: number | null; oeeTarget: number }[];
  groups: LiveGroup[];
  activityCodes: LiveActivityCode[];
  patterns: Map<number, CalendarPattern>;
  timezone: string;
  longStopMinutes: LiveSnapshotMeta['longStopMinutes'];
  dateFormat: DateFormat;
  /** The site's OEE target (machines of no group, and groups, without their own). */
  siteOeeTarget: number;
}

/** The reads of the `/live` namespace (realtime/live). */
export class LiveRepository {
  constructor(private readonly dataSource: DataSource) {}

  async directory(): Promise<LiveDirectoryRows> {
    const [machines, groups, activityCodes, patterns, site] = await Promise.all([
      this.dataSource.query(
        `SELECT m.id, m.name, m."groupId", m."shiftPatternId", m."oeeTarget" AS "machineTarget", g."oeeTarget" AS "groupTarget"
           FROM machines m LEFT JOIN groups g ON g.id = m."groupId" WHERE m.active ORDER BY m.name, m.id`,
      ) as Promise<
        (Omit<LiveDirectoryRows['machines'][number], 'oeeTarget'> & { machineTarget: number | null; groupTarget: number | null })[]
      >,
      this.dataSource.query(`SELECT id, name FROM groups ORDER BY name, id`),
      this.dataSource.query(`SELECT id, "shortDescription", category, colour FROM activity_codes ORDER BY id`),
      this.dataSource.query(`SELECT id, shifts, exceptions, "effectiveFrom", "earlierVersions" FROM shift_patterns`),
      this.dataSource.query(`SELECT timezone, "longStopMinutes", "dateFormat", "oeeTarget" FROM site_settings WHERE id = 1`),
    ]);
    const siteOeeTarget = effectiveOeeTarget({ site: (site as { oeeTarget: number }[])[0]?.oeeTarget });
    return {
      machines: machines.map(({ machineTarget, groupTarget, ...m }) => ({
        ...m,
        oeeTarget: effectiveOeeTarget({ machine: machineTarget, group: groupTarget, site: siteOeeTarget }),
      })),
      siteOeeTarget,
      groups,
      activityCodes,
      patterns: new Map((patterns as ({ id: number } & VersionedPattern)[]).map(({ id, ...pattern }) => [id, pattern])),
      timezone: (site as { timezone: string }[])[0]?.timezone ?? 'UTC',
      longStopMinutes: (site as { longStopMinutes: LiveSnapshotMeta['longStopMinutes'] }[])[0]?.longStopMinutes ?? {},
      dateFormat: (site as { dateFormat: DateFormat }[])[0]?.dateFormat ?? 'YYYY-MM-DD',
    };
  }

  async job(jobId: number): Promise<LiveJob | null> {
    const [row]: { id: number; jobNumber: string; start: Date; idealCycleTimeSeconds: number | null }[] = await this.dataSource.query(
      `SELECT id, "jobNumber", start, "idealCycleTimeSeconds" FROM jobs WHERE id = $1`,
      [jobId],
    );
    return row
      ? { id: row.id, jobNumber: row.jobNumber, start: new Date(row.start).toISOString(), idealCycleTimeSeconds: row.idealCycleTimeSeconds }
      : null;
  }

  async operator(userId: number): Promise<LiveOperator | null> {
    const [row]: { id: number; username: string }[] = await this.dataSource.query(`SELECT id, username FROM users WHERE id = $1`, [userId]);
    return row ? { id: row.id, name: row.username } : null;
  }
}
