import type { DataSource } from 'typeorm';
import type { CalendarPattern, VersionedPattern } from '../../core/calendar/index.js';
import type { DateFormat } from '../../core/calendar/site-format.js';
import type { LiveActivityCode, LiveGroup, LiveJob, LiveOperator, LiveSnapshotMeta } from '../../core/realtime/live-events.js';

/** What the wall screens draw from, besides live state: machines, groups, codes and calendars. */
export interface LiveDirectoryRows {
  machines: { id: number; name: string; groupId: number | null; shiftPatternId: number | null }[];
  groups: LiveGroup[];
  activityCodes: LiveActivityCode[];
  patterns: Map<number, CalendarPattern>;
  timezone: string;
  longStopMinutes: LiveSnapshotMeta['longStopMinutes'];
  dateFormat: DateFormat;
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
      this.dataSource.query(`SELECT timezone, "longStopMinutes", "dateFormat" FROM site_settings WHERE id = 1`),
    ]);
    return {
      machines,
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
