import type { DataSource } from 'typeorm';
import type { Category } from '../../core/vocabulary.js';
import type { KpiStop } from '../../core/andon/reason-kpis.js';

/** One source's contacts for one machine since the last flush. */
export interface ContactBatchRow {
  sender: string;
  machineId: number;
  first: Date;
  last: Date;
}

export interface WatchedMachineRow {
  machineId: number;
  heartbeatSeconds: number;
  lastContactAt: Date | null;
  contactResumedAt: Date | null;
  openCodeId: number | null;
  openStart: Date | null;
}

export interface DataSourceRow {
  sender: string;
  machineId: number;
  machineName: string;
  lastContactAt: Date;
  heartbeatSeconds: number | null;
}

export interface StopCandidateRow {
  machineId: number;
  machineName: string;
  start: Date;
  end: Date;
  activityCodeId: number;
  previousCategory: Category | null;
  nextCategory: Category | null;
}

/** A stop as the reason KPIs read it (core/andon/reason-kpis.ts), of one machine; when its reason came is read apart. */
export type KpiStopRow = { machineId: number } & Omit<KpiStop, 'reasonGivenAt'>;

export interface CorrectionRow {
  machineId: number;
  id: string;
  at: Date;
  until: Date;
  activityCodeId: number;
  correctedAt: Date | null;
}

/** Last contacts, heartbeats, the No data watcher's reads (docs/oee.md "No data") and the reason queue's. */
export class AndonRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes a batch of contacts in one statement: each machine's latest contact (and, after a silence
   * longer than its heartbeat interval, the first contact after it), and each source's. Unknown
   * machines are skipped. Rows are locked in (machine id, sender) order: `locked` takes the machines'
   * row locks sorted by id before the UPDATE touches them (left to the plan, an index lookup per
   * machine locks them in the batch's hashed order, and two instances flushing overlapping batches
   * deadlocked), and the data sources are written in the same order. The lock is FOR NO KEY UPDATE,
   * what the UPDATE itself takes: FOR UPDATE would also block the foreign-key checks (FOR KEY SHARE)
   * of state-event writes, which take their machines in any order, and deadlocked with them under load.
   */
  async flushContacts(rows: ContactBatchRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.dataSource.query(
      `WITH v(sender, "machineId", first, last) AS (
         SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[])
       ), m AS (
         SELECT "machineId", min(first) AS first, max(last) AS last FROM v GROUP BY "machineId"
       ), locked AS (
         SELECT id FROM machines WHERE id IN (SELECT "machineId" FROM m) ORDER BY id FOR NO KEY UPDATE
       ), updated AS (
         UPDATE machines SET
           "contactResumedAt" = CASE
             WHEN machines."heartbeatSeconds" IS NOT NULL AND machines."lastContactAt" IS NOT NULL
                  AND m.first > machines."lastContactAt" + machines."heartbeatSeconds" * interval '1 second'
             THEN m.first ELSE machines."contactResumedAt" END,
           "lastContactAt" = GREATEST(machines."lastContactAt", m.last)
         FROM m JOIN locked ON locked.id = m."machineId" WHERE machines.id = m."machineId"
         RETURNING machines.id
       )
       INSERT INTO data_sources (sender, "machineId", "lastContactAt")
       SELECT v.sender, v."machineId", v.last FROM v JOIN updated ON updated.id = v."machineId" ORDER BY v."machineId", v.sender
       ON CONFLICT (sender, "machineId") DO UPDATE SET "lastContactAt" = GREATEST(data_sources."lastContactAt", EXCLUDED."lastContactAt")`,
      [rows.map((r) => r.sender), rows.map((r) => r.machineId), rows.map((r) => r.first), rows.map((r) => r.last)],
    );
  }

  async noDataCodeId(): Promise<number | null> {
    const rows: { id: number }[] = await this.dataSource.query(`SELECT id FROM activity_codes WHERE "builtIn" = 'no_data'`);
    return rows[0]?.id ?? null;
  }

  /** Active machines with a heartbeat interval, their last contact and open interval. */
  async watchedMachines(): Promise<WatchedMachineRow[]> {
    return this.dataSource.query(
      `SELECT m.id AS "machineId", m."heartbeatSeconds", m."lastContactAt", m."contactResumedAt",
              ti."activityCodeId" AS "openCodeId", ti.start AS "openStart"
         FROM machines m
         LEFT JOIN timeline_intervals ti ON ti."machineId" = m.id AND ti."end" IS NULL
        WHERE m.active AND m."heartbeatSeconds" IS NOT NULL
        ORDER BY m.id`,
    );
  }

  /** The state a machine reported last before `at` (not a correction, not No data): what it returns to. */
  async stateBefore(machineId: number, at: Date, noDataCodeId: number): Promise<number | null> {
    const rows: { activityCodeId: number }[] = await this.dataSource.query(
      `SELECT "activityCodeId" FROM state_events
        WHERE "machineId" = $1 AND "until" IS NULL AND at <= $2 AND "activityCodeId" <> $3
        ORDER BY at DESC, id DESC LIMIT 1`,
      [machineId, at, noDataCodeId],
    );
    return rows[0]?.activityCodeId ?? null;
  }

  async machineExists(machineId: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM machines WHERE id = $1`, [machineId]);
    return rows.length > 0;
  }

  /** Every source with its machine and last contact, latest first. */
  async dataSources(): Promise<DataSourceRow[]> {
    return this.dataSource.query(
      `SELECT d.sender, d."machineId", m.name AS "machineName", d."lastContactAt", m."heartbeatSeconds"
         FROM data_sources d JOIN machines m ON m.id = d."machineId"
        ORDER BY d."lastContactAt" DESC, d.sender, d."machineId"`,
    );
  }

  /** Names of the API keys and tablets among senders (`api-key:<id>`, `tablet:<id>`). */
  async senderNames(apiKeyIds: number[], tabletIds: number[]): Promise<Map<string, string>> {
    const [keys, tablets]: [{ id: number; name: string }[], { id: number; name: string }[]] = await Promise.all([
      apiKeyIds.length ? this.dataSource.query(`SELECT id, name FROM api_keys WHERE id = ANY($1::int[])`, [apiKeyIds]) : [],
      tabletIds.length ? this.dataSource.query(`SELECT id, name FROM tablets WHERE id = ANY($1::int[])`, [tabletIds]) : [],
    ]);
    return new Map([...keys.map((k) => [`api-key:${k.id}`, k.name] as const), ...tablets.map((t) => [`tablet:${t.id}`, t.name] as const)]);
  }

  /**
   * Ended intervals of the given codes ending after `since` (machines of the list, or every active machine),
   * with the categories of the intervals touching them on each side (for the micro-stop rule).
   */
  async stopCandidates(machineIds: number[] | null, since: Date, codeIds: number[]): Promise<StopCandidateRow[]> {
    return this.dataSource.query(
      `SELECT x."machineId", m.name AS "machineName", x.start, x."end", x."activityCodeId",
              CASE WHEN x."prevEnd" = x.start THEN x."prevCategory" END AS "previousCategory",
              CASE WHEN x."nextStart" = x."end" THEN x."nextCategory" END AS "nextCategory"
         FROM (SELECT ti."machineId", ti.start, ti."end", ti."activityCodeId",
                      lag(ac.category) OVER w AS "prevCategory", lag(ti."end") OVER w AS "prevEnd",
                      lead(ac.category) OVER w AS "nextCategory", lead(ti.start) OVER w AS "nextStart"
                 FROM timeline_intervals ti JOIN activity_codes ac ON ac.id = ti."activityCodeId"
                WHERE (ti."end" IS NULL OR ti."end" >= $1::timestamptz - interval '1 day')
                  AND ($2::int[] IS NULL OR ti."machineId" = ANY($2::int[]))
               WINDOW w AS (PARTITION BY ti."machineId" ORDER BY ti.start)) x
         JOIN machines m ON m.id = x."machineId"
        WHERE x."activityCodeId" = ANY($3::int[]) AND x."end" IS NOT NULL AND x."end" > $1 AND m.active
        ORDER BY x.start DESC, x."machineId"`,
      [since, machineIds, codeIds],
    );
  }

  /** Each machine's reason-prompt threshold (its own, else the site's), in minutes. */
  async reasonPromptMinutes(): Promise<Map<number, number>> {
    const rows: { id: number; minutes: number }[] = await this.dataSource.query(
      `SELECT m.id, COALESCE(m."reasonPromptMinutes", s."reasonPromptMinutes") AS minutes FROM machines m CROSS JOIN site_settings s WHERE s.id = 1`,
    );
    return new Map(rows.map((r) => [r.id, r.minutes]));
  }

  /**
   * The stop intervals (unplanned and planned stops) of the machines overlapping [from, to), with the
   * categories of the intervals touching them (the micro-stop rule), for the reason KPIs (docs/oee.md "Reason KPIs").
   */
  async kpiStops(machineIds: number[], from: Date, to: Date): Promise<KpiStopRow[]> {
    if (machineIds.length === 0) return [];
    return this.dataSource.query(
      `SELECT x."machineId", x.start, x."end", x."activityCodeId", x.category,
              CASE WHEN x."prevEnd" = x.start THEN x."prevCategory" END AS "previousCategory",
              CASE WHEN x."nextStart" = x."end" THEN x."nextCategory" END AS "nextCategory"
         FROM (SELECT ti."machineId", ti.start, ti."end", ti."activityCodeId", ac.category,
                      lag(ac.category) OVER w AS "prevCategory", lag(ti."end") OVER w AS "prevEnd",
                      lead(ac.category) OVER w AS "nextCategory", lead(ti.start) OVER w AS "nextStart"
                 FROM timeline_intervals ti JOIN activity_codes ac ON ac.id = ti."activityCodeId"
                WHERE ti."machineId" = ANY($1::int[])
                  AND ti.start < $3::timestamptz + interval '1 day'
                  AND (ti."end" IS NULL OR ti."end" >= $2::timestamptz - interval '1 day')
               WINDOW w AS (PARTITION BY ti."machineId" ORDER BY ti.start)) x
        WHERE x.category IN ('unplanned_stop', 'planned_stop') AND x.start < $3 AND (x."end" IS NULL OR x."end" > $2)
        ORDER BY x."machineId", x.start`,
      [machineIds, from, to],
    );
  }

  /** The corrections of the machines overlapping [from, to), with when each was made (the reason KPIs' latency). */
  async correctionsOver(machineIds: number[], from: Date, to: Date): Promise<CorrectionRow[]> {
    if (machineIds.length === 0) return [];
    return this.dataSource.query(
      `SELECT "machineId", id, at, until, "activityCodeId", "correctedAt" FROM state_events
        WHERE "machineId" = ANY($1::int[]) AND until IS NOT NULL AND until > $2 AND at < $3
        ORDER BY "machineId", at, id`,
      [machineIds, from, to],
    );
  }
}
