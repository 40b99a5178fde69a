import type { DataSource } from 'typeorm';

export interface DurationRow {
  /** The machine or operator id (null: no operator signed in). */
  key: number | null;
  activityCodeId: number;
  seconds: number;
}

/** Reads behind the analysis tables that are not OEE results (those come from the OEE service). */
export class ReportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Seconds per activity code over [from, to) (`to` already clipped to now by the caller; the open
   * interval lasts until then), per machine or per operator, for the given machines. Intervals are
   * clipped to the window exactly as ReportsService.machineActivityDurations clips them (legacy
   * `/api/activity-durations`), so per machine the numbers are the same. Codes without time are left out.
   */
  async activityDurations(machineIds: number[], from: Date, to: Date, groupBy: 'machine' | 'operator'): Promise<DurationRow[]> {
    if (machineIds.length === 0 || from.getTime() >= to.getTime()) return [];
    const key = groupBy === 'machine' ? 'ti."machineId"' : 'ti."operatorId"';
    return this.dataSource.query(
      `SELECT ${key} AS key, ti."activityCodeId",
              SUM(EXTRACT(EPOCH FROM LEAST(COALESCE(ti."end", $3), $3) - GREATEST(ti.start, $2)))::float8 AS seconds
         FROM timeline_intervals ti
        WHERE ti."machineId" = ANY($1::int[]) AND ti.start < $3 AND (ti."end" IS NULL OR ti."end" > $2)
        GROUP BY 1, 2
        ORDER BY 1 NULLS FIRST, 2`,
      [machineIds, from, to],
    );
  }

  /** Usernames by id (retired users keep their name). */
  async usernames(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows: { id: number; username: string }[] = await this.dataSource.query(
      `SELECT id, username FROM users WHERE id = ANY($1::int[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.username]));
  }
}
