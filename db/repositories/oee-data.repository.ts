import type { DataSource } from 'typeorm';
import type { CalendarPattern, VersionedPattern } from '../../core/calendar/index.js';
import {
  allocateColumns,
  CATEGORY_INDEX,
  effectiveOeeTarget,
  type IntervalColumns,
  type JobSpan,
  type ProductionRecord,
} from '../../core/oee/index.js';
import type { Category } from '../../core/schemas/setup.schema.js';

/** A machine as the OEE calculation sees it. */
export interface OeeMachine {
  id: number;
  groupId: number | null;
  shiftPatternId: number | null;
  /** The machine's shift pattern; null = planned 24/7. */
  pattern: CalendarPattern;
  /**
   * The earliest instant the machine has data (first interval or first production record), null
   * when it has none. Every element before it is zero, so nothing earlier is loaded or stored.
   */
  firstDataAt: Date | null;
  /** The machine's effective OEE target (core/oee/target.ts: machine, else group, else site). */
  oeeTarget: number;
}

export interface OeeContext {
  timezone: string;
  microStopSeconds: number;
  machines: OeeMachine[];
  /** The scope's effective OEE target: the group's (else the site's) for a group, the site's otherwise. */
  oeeTarget: number;
}

/** A short window's histories (`OeeDataRepository.shortWindow`), and the machines too dense to read raw. */
export interface ShortWindowHistory {
  history: Map<number, MachineHistory>;
  dense: Set<number>;
}

/** One machine's inputs of `computeElements` for a range: intervals as columns sorted by start, records sorted by time. */
export interface MachineHistory {
  intervals: IntervalColumns;
  production: ProductionRecord[];
  jobs: JobSpan[];
}

/**
 * Reads the inputs of the OEE calculation (core/oee) for many machines at once: a fixed number of
 * queries per call, never one per machine or per bucket.
 */
export class OeeDataRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Site settings and the machines in scope (one machine, a group, or all when both are omitted), in one query. */
  async context(scope: { machineId?: number; groupId?: number }): Promise<OeeContext> {
    const rows: {
      timezone: string;
      microStopSeconds: number;
      id: number | null;
      groupId: number | null;
      shiftPatternId: number | null;
      shifts: NonNullable<CalendarPattern>['shifts'] | null;
      exceptions: NonNullable<CalendarPattern>['exceptions'] | null;
      effectiveFrom: string | null;
      earlierVersions: VersionedPattern['earlierVersions'] | null;
      firstDataAt: Date | null;
      siteTarget: number;
      scopeGroupTarget: number | null;
      groupTarget: number | null;
      machineTarget: number | null;
    }[] = await this.dataSource.query(
      `SELECT s.timezone, s."microStopSeconds", s."oeeTarget" AS "siteTarget", g."oeeTarget" AS "groupTarget", m."oeeTarget" AS "machineTarget",
              (SELECT sg."oeeTarget" FROM groups sg WHERE sg.id = $2::int) AS "scopeGroupTarget", m.id, m."groupId", m."shiftPatternId", sp.shifts, sp.exceptions, sp."effectiveFrom", sp."earlierVersions",
              LEAST(
                (SELECT ti.start FROM timeline_intervals ti WHERE ti."machineId" = m.id ORDER BY ti.start LIMIT 1),
                (SELECT p."from" FROM production_records p WHERE p."machineId" = m.id ORDER BY p."from" LIMIT 1)
              ) AS "firstDataAt"
         FROM site_settings s
         LEFT JOIN machines m ON ($1::int IS NULL OR m.id = $1) AND ($2::int IS NULL OR m."groupId" = $2)
         LEFT JOIN shift_patterns sp ON sp.id = m."shiftPatternId"
         LEFT JOIN groups g ON g.id = m."groupId"
        WHERE s.id = 1
        ORDER BY m.id`,
      [scope.machineId ?? null, scope.groupId ?? null],
    );
    const settings = rows[0];
    if (!settings) throw new Error('site_settings row 1 is missing');
    return {
      timezone: settings.timezone,
      microStopSeconds: settings.microStopSeconds,
      oeeTarget: effectiveOeeTarget({ group: settings.scopeGroupTarget, site: settings.siteTarget }),
      machines: rows.flatMap((m) =>
        m.id === null
          ? []
          : [
              {
                id: m.id,
                groupId: m.groupId,
                shiftPatternId: m.shiftPatternId,
                pattern:
                  m.shiftPatternId === null
                    ? null
                    : {
                        shifts: m.shifts ?? [],
                        exceptions: m.exceptions ?? [],
                        effectiveFrom: m.effectiveFrom,
                        earlierVersions: m.earlierVersions ?? [],
                      },
                firstDataAt: m.firstDataAt,
                oeeTarget: effectiveOeeTarget({ machine: m.machineTarget, group: m.groupTarget, site: m.siteTarget }),
              },
            ],
      ),
    };
  }

  /**
   * What `computeElements` needs for windows inside [from, to), per machine: the intervals
   * overlapping the range plus one neighbour on each side (with their category), the production
   * records overlapping it, and every job those refer to. One query: per machine one binary row of
   * intervals, one text row of records and one of jobs (and one of the activity codes' categories), so a
   * dense day of 10 000 intervals is one binary value to read, not 10 000 rows for the driver to parse
   * into objects. Times travel as whole epoch milliseconds (every writer writes JavaScript dates).
   */
  async history(machineIds: number[], from: Date, to: Date): Promise<Map<number, MachineHistory>> {
    return (await this.load(machineIds, from, to, null)).history;
  }

  /**
   * `history` of a short window, except for the machines with at least `denseAt` intervals starting
   * in [from, to): those are found by an index probe that stops at `denseAt` entries, their history is
   * not read, and they are returned in `dense` (the OEE service serves their closed hours from the
   * stored roll-ups instead). Same single query; `denseAt` null reads every machine, as `history`.
   */
  shortWindow(machineIds: number[], from: Date, to: Date, denseAt: number | null): Promise<ShortWindowHistory> {
    return this.load(machineIds, from, to, denseAt);
  }

  private async load(machineIds: number[], from: Date, to: Date, denseAt: number | null): Promise<ShortWindowHistory> {
    const result = new Map<number, MachineHistory>(
      machineIds.map((id) => [id, { intervals: allocateColumns(0), production: [], jobs: [] }]),
    );
    const dense = new Set<number>();
    if (machineIds.length === 0) return { history: result, dense };
    // Intervals of one machine tile without overlap, so "the two starting before `from`" are the
    // one holding `from` and its predecessor; "the first starting at or after `to`" is the successor.
    // A point record (from = to) belongs to the window holding its instant; a span to every window it overlaps.
    const rows: HistoryRow[] = await this.dataSource.query(
      `WITH dm AS MATERIALIZED (
         -- The machines whose history is read: all, or (denseAt, $4) those with fewer than $4
         -- intervals starting in the window (the probe reads at most $4 index entries per machine).
         SELECT m.id FROM unnest($1::int[]) AS m(id)
          WHERE $4::int IS NULL
             OR (SELECT count(*) FROM (SELECT FROM timeline_intervals c WHERE c."machineId" = m.id AND c.start >= $2 AND c.start < $3 LIMIT $4) n) < $4
       ), ti AS MATERIALIZED (
         SELECT m.id AS "machineId", t.start, t."end", t."activityCodeId", t."jobId"
           FROM dm AS m
           CROSS JOIN LATERAL (
             (SELECT start, "end", "activityCodeId", "jobId" FROM timeline_intervals WHERE "machineId" = m.id AND start < $2 ORDER BY start DESC LIMIT 2)
             UNION ALL
             (SELECT start, "end", "activityCodeId", "jobId" FROM timeline_intervals WHERE "machineId" = m.id AND start >= $2 AND start < $3)
             UNION ALL
             (SELECT start, "end", "activityCodeId", "jobId" FROM timeline_intervals WHERE "machineId" = m.id AND start >= $3 ORDER BY start LIMIT 1)
           ) t
       ), pr AS MATERIALIZED (
         -- The GiST index on (machineId, [from, to]) finds the records touching [$2, $3] (a superset),
         -- so a machine's earlier records are not read; the exact condition follows.
         SELECT m.id AS "machineId", p."from", p."to", p.good, p.rejects, p."jobId"
           FROM dm AS m
           CROSS JOIN LATERAL (
             SELECT "from", "to", good, rejects, "jobId" FROM production_records
              WHERE "machineId" = m.id AND tstzrange("from", "to", '[]') && tstzrange($2, $3, '[]')
                AND "from" < $3 AND ("to" > $2 OR "from" >= $2)
           ) p
       ), jb AS (
         SELECT DISTINCT "machineId", "jobId" FROM (SELECT "machineId", "jobId" FROM ti UNION ALL SELECT "machineId", "jobId" FROM pr) x
          WHERE "jobId" IS NOT NULL
       )
       SELECT 0 AS kind, "machineId", NULL AS data,
              string_agg(timestamptz_send(start) || timestamptz_send(COALESCE("end", 'infinity')) || int4send("activityCodeId")
                         || float8send(COALESCE("jobId"::float8, 'NaN')), '') AS intervals
         FROM ti GROUP BY "machineId"
       UNION ALL
       SELECT 1, "machineId", string_agg(concat(${ms('"from"')}, ',', ${ms('"to"')}, ',', good, ',', rejects, ',', "jobId"), ';' ORDER BY "from"), NULL
         FROM pr GROUP BY "machineId"
       UNION ALL
       SELECT 2, jb."machineId", string_agg(j.data, ';' ORDER BY jb."jobId"), NULL
         FROM jb CROSS JOIN LATERAL (
           -- One primary-key lookup per job (LIMIT keeps the planner from hashing the whole jobs table).
           SELECT concat(id, ',', ${ms('start')}, ',', ${ms('"end"')}, ',', "idealCycleTimeSeconds") AS data FROM jobs WHERE id = jb."jobId" LIMIT 1
         ) j
        GROUP BY jb."machineId"
       UNION ALL
       SELECT 3, NULL, string_agg(concat(id, ',', category), ';'), NULL FROM activity_codes
       UNION ALL
       SELECT 4, NULL, string_agg(id::text, ','), NULL FROM dm WHERE $4::int IS NOT NULL`,
      [machineIds, from, to, denseAt],
    );
    if (denseAt !== null) {
      const read = new Set((rows.find((r) => r.kind === 4)?.data ?? '').split(',').map(Number));
      for (const id of machineIds) if (!read.has(id)) dense.add(id);
    }
    const categoryOf = new Map<number, number>();
    for (const row of rows) {
      if (row.kind !== 3 || row.data === null) continue;
      for (const [id, category] of fields(row.data, 2)) categoryOf.set(Number(id), CATEGORY_INDEX[category as Category]);
    }
    for (const row of rows) {
      const history = row.machineId === null ? undefined : result.get(row.machineId);
      if (!history) continue;
      if (row.kind === 0) history.intervals = intervalColumns(row, categoryOf);
      else if (row.data === null) continue;
      else if (row.kind === 1) {
        for (const [a, b, good, rejects, jobId] of fields(row.data, 5))
          history.production.push({
            from: new Date(Number(a)),
            to: new Date(Number(b)),
            good: Number(good),
            rejects: Number(rejects),
            jobId: nullable(jobId!),
          });
      } else if (row.kind === 2) {
        for (const [id, start, end, ideal] of fields(row.data, 4))
          history.jobs.push({
            id: Number(id),
            start: new Date(Number(start)),
            end: end === '' ? null : new Date(Number(end)),
            idealCycleTimeSeconds: nullable(ideal!),
          });
      }
    }
    return { history: result, dense };
  }

  /** Every activity code id, in order (`/api/activity-durations` lists each one). */
  async activityCodeIds(): Promise<number[]> {
    const rows: { id: number }[] = await this.dataSource.query(`SELECT id FROM activity_codes ORDER BY id`);
    return rows.map((r) => r.id);
  }
}

/** A timestamptz as whole epoch milliseconds (float8 arithmetic: far cheaper than EXTRACT's numeric, exact for whole ms). */
function ms(column: string): string {
  return `round(date_part('epoch', ${column}) * 1000)::int8`;
}

/** PostgreSQL's epoch (2000-01-01) in Unix epoch ms: a timestamptz is sent as int64 microseconds since it. */
const PG_EPOCH_MS = 946_684_800_000;
const INT64_MAX_HIGH = 0x7fffffff;
const UINT32_MAX = 0xffffffff;
/** One interval of the history query's binary column: start, end (8 bytes each), code (4), job (8). */
const RECORD_BYTES = 28;

/**
 * A row of the history query: kinds 1–4 carry `data` (text; 4 lists the machines read, when probing);
 * kind 0, a machine's intervals, carries one binary column (bytea, a Buffer from the driver) of
 * 28-byte records, one per interval: start and end in timestamptz's binary form (big-endian int64 µs
 * since 2000; an open end is 'infinity', int64 max), the code as int4, the job as float8 (NaN for none).
 */
interface HistoryRow {
  kind: number;
  machineId: number | null;
  data: string | null;
  intervals: Buffer | null;
}

/** The records of an aggregated text (records split by ';', fields by ','), `width` fields each. */
function* fields(data: string, width: number): Generator<string[]> {
  for (const record of data.split(';')) {
    const values = record.split(',');
    if (values.length === width) yield values;
  }
}

function nullable(value: string): number | null {
  return value === '' ? null : Number(value);
}

/** A machine's interval columns from the query's binary records (see HistoryRow), sorted by start. */
function intervalColumns(row: HistoryRow, categoryOf: Map<number, number>): IntervalColumns {
  const n = (row.intervals?.length ?? 0) / RECORD_BYTES;
  const raw = allocateColumns(n);
  if (n === 0) return raw;
  const v = new DataView(row.intervals!.buffer, row.intervals!.byteOffset, row.intervals!.length);
  const time = (at: number) => {
    const high = v.getInt32(at);
    const low = v.getUint32(at + 4);
    const us = high * 2 ** 32 + low; // exact within ±285 years of 2000; BigInt beyond (a device clock in year 1)
    if (high === INT64_MAX_HIGH && low === UINT32_MAX) return Infinity;
    return (Number.isSafeInteger(us) ? Math.round(us / 1000) : Number(v.getBigInt64(at) / 1000n)) + PG_EPOCH_MS;
  };
  for (let i = 0, at = 0; i < n; i++, at += RECORD_BYTES) {
    raw.start[i] = time(at);
    raw.end[i] = time(at + 8);
    raw.activityCodeId[i] = v.getInt32(at + 16);
    raw.jobId[i] = v.getFloat64(at + 20);
  }
  let sorted = true;
  for (let i = 0; i < n; i++) {
    raw.category[i] = categoryOf.get(raw.activityCodeId[i]!)!;
    if (i > 0 && raw.start[i]! < raw.start[i - 1]!) sorted = false;
  }
  if (sorted) return raw;
  // Rows of a machine may come in any order: sort them by start (the exclusion constraint leaves no ties but empty intervals).
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => raw.start[a]! - raw.start[b]!);
  const columns = allocateColumns(n);
  order.forEach((from, i) => {
    columns.start[i] = raw.start[from]!;
    columns.end[i] = raw.end[from]!;
    columns.activityCodeId[i] = raw.activityCodeId[from]!;
    columns.category[i] = raw.category[from]!;
    columns.jobId[i] = raw.jobId[from]!;
  });
  return columns;
}
