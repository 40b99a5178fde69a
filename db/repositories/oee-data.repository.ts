import type { DataSource } from 'typeorm';
import type { CalendarPattern, VersionedPattern } from '../../core/calendar/index.js';
import type { JobSpan, ProductionRecord, StateInterval } from '../../core/oee/index.js';
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
}

export interface OeeContext {
  timezone: string;
  microStopSeconds: number;
  machines: OeeMachine[];
}

/** One machine's inputs of `computeElements` for a range, each list sorted by time. */
export interface MachineHistory {
  intervals: StateInterval[];
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
    }[] = await this.dataSource.query(
      `SELECT s.timezone, s."microStopSeconds", m.id, m."groupId", m."shiftPatternId", sp.shifts, sp.exceptions, sp."effectiveFrom", sp."earlierVersions",
              LEAST(
                (SELECT ti.start FROM timeline_intervals ti WHERE ti."machineId" = m.id ORDER BY ti.start LIMIT 1),
                (SELECT p."from" FROM production_records p WHERE p."machineId" = m.id ORDER BY p."from" LIMIT 1)
              ) AS "firstDataAt"
         FROM site_settings s
         LEFT JOIN machines m ON ($1::int IS NULL OR m.id = $1) AND ($2::int IS NULL OR m."groupId" = $2)
         LEFT JOIN shift_patterns sp ON sp.id = m."shiftPatternId"
        WHERE s.id = 1
        ORDER BY m.id`,
      [scope.machineId ?? null, scope.groupId ?? null],
    );
    const settings = rows[0];
    if (!settings) throw new Error('site_settings row 1 is missing');
    return {
      timezone: settings.timezone,
      microStopSeconds: settings.microStopSeconds,
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
              },
            ],
      ),
    };
  }

  /**
   * What `computeElements` needs for windows inside [from, to), per machine: the intervals
   * overlapping the range plus one neighbour on each side (with their category), the production
   * records overlapping it, and every job those refer to.
   */
  async history(machineIds: number[], from: Date, to: Date): Promise<Map<number, MachineHistory>> {
    const result = new Map<number, MachineHistory>(machineIds.map((id) => [id, { intervals: [], production: [], jobs: [] }]));
    if (machineIds.length === 0) return result;
    type JobColumns = { jobStart: number | null; jobEnd: number | null; idealCycleTimeSeconds: number | null };
    // Each row carries its job, so no third round trip is needed for the jobs. Times travel as epoch
    // ms (parsing a million timestamp strings costs more than the query).
    const [intervals, production] = await Promise.all([
      // Intervals of one machine tile without overlap, so "the two starting before `from`" are the
      // one holding `from` and its predecessor; "the first starting at or after `to`" is the successor.
      this.dataSource.query(
        `SELECT ti."machineId", ${ms('ti.start')} AS start, ${ms('ti."end"')} AS "end", ti."activityCodeId", ac.category, ti."jobId",
                ${ms('j.start')} AS "jobStart", ${ms('j."end"')} AS "jobEnd", j."idealCycleTimeSeconds"
           FROM unnest($1::int[]) AS m(id)
           CROSS JOIN LATERAL (
             (SELECT * FROM timeline_intervals WHERE "machineId" = m.id AND start < $2 ORDER BY start DESC LIMIT 2)
             UNION ALL
             (SELECT * FROM timeline_intervals WHERE "machineId" = m.id AND start >= $2 AND start < $3)
             UNION ALL
             (SELECT * FROM timeline_intervals WHERE "machineId" = m.id AND start >= $3 ORDER BY start LIMIT 1)
           ) ti
           JOIN activity_codes ac ON ac.id = ti."activityCodeId"
           LEFT JOIN jobs j ON j.id = ti."jobId"
          ORDER BY ti."machineId", ti.start`,
        [machineIds, from, to],
      ) as Promise<
        ({
          machineId: number;
          start: number;
          end: number | null;
          activityCodeId: number;
          category: Category;
          jobId: number | null;
        } & JobColumns)[]
      >,
      // A point record (from = to) belongs to the window holding its instant; a span to every window it overlaps.
      this.dataSource.query(
        `SELECT p."machineId", ${ms('p."from"')} AS "from", ${ms('p."to"')} AS "to", p.good, p.rejects, p."jobId",
                ${ms('j.start')} AS "jobStart", ${ms('j."end"')} AS "jobEnd", j."idealCycleTimeSeconds"
           FROM production_records p
           LEFT JOIN jobs j ON j.id = p."jobId"
          WHERE p."machineId" = ANY($1::int[]) AND p."from" < $3 AND (p."to" > $2 OR p."from" >= $2)
          ORDER BY p."machineId", p."from"`,
        [machineIds, from, to],
      ) as Promise<({ machineId: number; from: number; to: number; good: number; rejects: number; jobId: number | null } & JobColumns)[]>,
    ]);
    const jobs = new Map<number, Set<number>>(machineIds.map((id) => [id, new Set()]));
    const addJob = (machineId: number, r: { jobId: number | null } & JobColumns) => {
      const seen = jobs.get(machineId)!;
      if (r.jobId === null || r.jobStart === null || seen.has(r.jobId)) return;
      seen.add(r.jobId);
      result
        .get(machineId)!
        .jobs.push({ id: r.jobId, start: new Date(r.jobStart), end: date(r.jobEnd), idealCycleTimeSeconds: r.idealCycleTimeSeconds });
    };
    for (const r of intervals) {
      result.get(r.machineId)!.intervals.push({
        start: new Date(r.start),
        end: date(r.end),
        activityCodeId: r.activityCodeId,
        category: r.category,
        jobId: r.jobId,
      });
      addJob(r.machineId, r);
    }
    for (const r of production) {
      result
        .get(r.machineId)!
        .production.push({ from: new Date(r.from), to: new Date(r.to), good: r.good, rejects: r.rejects, jobId: r.jobId });
      addJob(r.machineId, r);
    }
    return result;
  }

  /** Every activity code id, in order (`/api/activity-durations` lists each one). */
  async activityCodeIds(): Promise<number[]> {
    const rows: { id: number }[] = await this.dataSource.query(`SELECT id FROM activity_codes ORDER BY id`);
    return rows.map((r) => r.id);
  }
}

/** A timestamptz as epoch milliseconds (float8: exact for whole ms). */
function ms(column: string): string {
  return `(EXTRACT(EPOCH FROM ${column}) * 1000)::float8`;
}

function date(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}
