import { DateTime } from 'luxon';
import type { Clock } from '../core/clock.js';
import { plannedWindows } from '../core/calendar/index.js';
import { AppError } from '../core/errors.js';
import { legacyActivityDurations, toIntervals, type OeeResult } from '../core/oee/index.js';
import { MAX_PRODUCTION_LIST, type ScopedRangeQuery } from '../core/schemas/export.schema.js';
import { MAX_OEE_BUCKETS, type OeeBucket } from '../core/schemas/oee.schema.js';
import { MAX_TIMELINE_INTERVALS } from '../core/schemas/shop-floor.schema.js';
import type { Repositories } from '../db/repositories/index.js';
import type { ProductionExportRow, ScopeMachine } from '../db/repositories/export.repository.js';
import { localTimeFormatter } from '../core/calendar/local-time.js';
import { BUILT_IN_CODES } from '../core/state/built-in-codes.js';
import type { OeeService } from './oee/oee.service.js';
import { localDay } from './oee/results.js';
import { readReasonKpis } from './andon/reason-kpis.js';
import { MAX_REASON_KPI_DAYS, type ReasonKpiRow } from '../core/schemas/reason-kpis.schema.js';

/** One machine over one site-local day (a bucket of the OEE service; partial at the window's edges). */
export interface DailyOeeRow {
  machine: ScopeMachine;
  /** The local date (YYYY-MM-DD) the bucket starts on. */
  date: string;
  result: OeeResult;
}

export interface Scope {
  /** What the scope is, for file names: a machine's or group's name, or `site`. */
  label: string;
  machines: ScopeMachine[];
}

type Deps = { repos: Repositories; oee: OeeService; clock: Clock };

/**
 * The reads behind the analysis tables and the exports that are not plain row lists. Every OEE
 * number comes from the OEE service (docs/oee.md: one calculation); this service only selects scopes
 * and reshapes results.
 */
export class ReportsService {
  constructor(private readonly deps: Deps) {}

  /** One machine, a group's machines, or the site's, by id; 404 for an unknown machine or group. */
  async scope(query: { machineId?: number | undefined; groupId?: number | undefined }): Promise<Scope> {
    const { repos } = this.deps;
    if (query.machineId !== undefined) {
      const machine = await repos.machines.get(query.machineId);
      return { label: machine.name, machines: [{ id: machine.id, name: machine.name, groupId: machine.groupId }] };
    }
    if (query.groupId !== undefined) {
      const group = await repos.groups.get(query.groupId);
      return { label: group.name, machines: await repos.exports.machinesInScope({ groupId: group.id }) };
    }
    return { label: 'site', machines: await repos.exports.machinesInScope({}) };
  }

  /** 400 before anything is computed when a window has more day buckets than the OEE service allows. */
  checkDayBuckets(from: Date, to: Date): void {
    // The shortest local day is 23 h; the two partial days at the edges add at most two.
    if ((to.getTime() - from.getTime()) / (23 * 3_600_000) > MAX_OEE_BUCKETS - 2) {
      throw AppError.invalid(`The window is too long: at most ${MAX_OEE_BUCKETS - 2} days`, [
        { path: ['to'], message: `more than ${MAX_OEE_BUCKETS - 2} days after from` },
      ]);
    }
  }

  /**
   * Each machine's OEE per site-local day over [from, to), machine by machine (one batch each), as
   * `GET /api/v1/oee?machineId=…&bucket=day` answers it.
   */
  async *dailyOee(machines: ScopeMachine[], from: Date, to: Date): AsyncGenerator<DailyOeeRow[]> {
    this.checkDayBuckets(from, to);
    const localDate = localTimeFormatter((await this.deps.repos.site.get()).timezone);
    for (const machine of machines) {
      const { buckets = [] } = await this.deps.oee.machineOee(machine.id, from, to, 'day');
      yield buckets.map((result) => ({ machine, date: localDate(new Date(result.from)).slice(0, 10), result }));
    }
  }

  /**
   * Each machine's OEE over [from, to) and per bucket, machine by machine (one batch of one each);
   * too many buckets is a 400 from the OEE service.
   */
  async *bucketOee(
    machines: ScopeMachine[],
    from: Date,
    to: Date,
    bucket: OeeBucket,
  ): AsyncGenerator<{ machine: ScopeMachine; whole: OeeResult; buckets: OeeResult[] }[]> {
    for (const machine of machines) {
      const { buckets = [], ...whole } = await this.deps.oee.machineOee(machine.id, from, to, bucket);
      yield [{ machine, whole, buckets }];
    }
  }

  /** All day rows of a scope, for the JSON tables. */
  async dailyRows(query: ScopedRangeQuery): Promise<DailyOeeRow[]> {
    const { machines } = await this.scope(query);
    const rows: DailyOeeRow[] = [];
    for await (const batch of this.dailyOee(machines, query.from, query.to)) rows.push(...batch);
    return rows;
  }

  /**
   * Seconds per activity code per machine (every machine of the scope, even without time) or per
   * operator (those with time; null = nobody signed in), over [from, to) clipped to now.
   */
  async activityDurations(query: ScopedRangeQuery & { groupBy: 'machine' | 'operator' }) {
    const { machines } = await this.scope(query);
    // As machineActivityDurations: future time never counts.
    const end = new Date(Math.max(query.from.getTime(), Math.min(query.to.getTime(), this.deps.clock.now().getTime())));
    const rows = await this.deps.repos.reports.activityDurations(
      machines.map((m) => m.id),
      query.from,
      end,
      query.groupBy,
    );
    const byKey = new Map<number | null, { activityCodeId: number; seconds: number }[]>();
    for (const r of rows) {
      const list = byKey.get(r.key) ?? [];
      list.push({ activityCodeId: r.activityCodeId, seconds: r.seconds });
      byKey.set(r.key, list);
    }
    const total = (list: { seconds: number }[]) => list.reduce((sum, d) => sum + d.seconds, 0);
    const base = { from: query.from.toISOString(), to: query.to.toISOString(), groupBy: query.groupBy };
    if (query.groupBy === 'machine') {
      return {
        ...base,
        rows: machines.map((m) => {
          const durations = byKey.get(m.id) ?? [];
          return { machineId: m.id, name: m.name, totalSeconds: total(durations), durations };
        }),
      };
    }
    const names = await this.deps.repos.reports.usernames([...byKey.keys()].filter((k): k is number => k !== null));
    return {
      ...base,
      rows: [...byKey.entries()].map(([operatorId, durations]) => ({
        operatorId,
        name: operatorId === null ? null : (names.get(operatorId) ?? null),
        totalSeconds: total(durations),
        durations,
      })),
    };
  }

  /** The local day [00:00, next 00:00) of `date` (YYYY-MM-DD; today without it) in the site time zone, and whether it is in the future. */
  async siteDay(date: string | undefined): Promise<{ from: Date; to: Date; future: boolean }> {
    const { timezone } = await this.deps.repos.site.get();
    const now = DateTime.fromJSDate(this.deps.clock.now(), { zone: timezone });
    const day = date === undefined ? now : DateTime.fromISO(date, { zone: timezone });
    if (!day.isValid) throw AppError.invalid(`Invalid date ${date}`, [{ path: ['date'], message: 'expected YYYY-MM-DD' }]);
    return { ...localDay(day), future: day.startOf('day') > now };
  }

  /**
   * Seconds per activity code (every code) of one machine over [from, to), clipped to now, as
   * DigitME2 counted them: running time outside planned time under Overtime (legacyActivityDurations).
   */
  async machineActivityDurations(machineId: number, from: Date, to: Date): Promise<{ activityCodeId: number; seconds: number }[]> {
    const { oeeData } = this.deps.repos;
    const context = await oeeData.context({ machineId });
    const machine = context.machines[0];
    if (!machine) throw AppError.notFound(`Machine ${machineId}`);
    const end = new Date(Math.max(from.getTime(), Math.min(to.getTime(), this.deps.clock.now().getTime())));
    const [history, codeIds] = await Promise.all([oeeData.history([machineId], from, end), oeeData.activityCodeIds()]);
    return legacyActivityDurations({
      intervals: toIntervals(history.get(machineId)!.intervals),
      planned: plannedWindows(machine.pattern, context.timezone, from, end),
      from,
      to: end,
      codeIds,
      upCodeId: BUILT_IN_CODES.up,
      overtimeCodeId: BUILT_IN_CODES.overtime,
    });
  }

  /**
   * A machine's intervals overlapping [from, to), oldest first, at most MAX_TIMELINE_INTERVALS; past
   * the cap, `truncated` and `next` (where the rest starts). 404 for an unknown machine.
   */
  async timeline(machineId: number, from: Date, to: Date) {
    await this.deps.repos.machines.get(machineId);
    // One row more than the cap tells whether there is more, and where it starts.
    const rows = await this.deps.repos.timeline.intervals(machineId, from, to, MAX_TIMELINE_INTERVALS + 1);
    const intervals = rows.slice(0, MAX_TIMELINE_INTERVALS);
    const following = rows[MAX_TIMELINE_INTERVALS];
    return {
      truncated: following !== undefined,
      next: following ? following.start.toISOString() : null,
      intervals: intervals.map((i) => ({
        start: i.start.toISOString(),
        end: i.end ? i.end.toISOString() : null,
        activityCodeId: i.activityCodeId,
        category: i.category,
        jobId: i.jobId,
        operatorId: i.operatorId,
      })),
    };
  }

  /**
   * A machine's planned windows overlapping [from, to), clipped to it: the OEE's planned time
   * (docs/oee.md#planned-windows), for timelines to shade. 404 for an unknown machine.
   */
  async plannedWindows(machineId: number, from: Date, to: Date) {
    const context = await this.deps.repos.oeeData.context({ machineId });
    const machine = context.machines[0];
    if (!machine) throw AppError.notFound(`Machine ${machineId}`);
    return {
      always: machine.pattern === null,
      windows: plannedWindows(machine.pattern, context.timezone, from, to).map((w) => ({
        start: w.start.toISOString(),
        end: w.end.toISOString(),
        shiftDate: w.shiftDate,
        ...(w.name === undefined ? {} : { name: w.name }),
      })),
    };
  }

  /** The reason KPIs per machine and shift over [from, to) (docs/oee.md "Reason KPIs"), for the Reasons table and export. */
  async reasonKpis(machines: ScopeMachine[], from: Date, to: Date): Promise<ReasonKpiRow[]> {
    if (to.getTime() - from.getTime() > MAX_REASON_KPI_DAYS * 86_400_000) {
      throw AppError.invalid(`The window is too long: at most ${MAX_REASON_KPI_DAYS} days`, [
        { path: ['to'], message: `more than ${MAX_REASON_KPI_DAYS} days after from` },
      ]);
    }
    return readReasonKpis(this.deps, machines, from, to);
  }

  /** Production records overlapping the window (as the production export lists them); 400 beyond MAX_PRODUCTION_LIST. */
  async productionRecords(query: ScopedRangeQuery): Promise<ProductionExportRow[]> {
    const { machines } = await this.scope(query);
    const rows = await this.deps.repos.exports.productionRecords(
      machines.map((m) => m.id),
      query.from,
      query.to,
      MAX_PRODUCTION_LIST + 1,
    );
    if (rows.length > MAX_PRODUCTION_LIST) {
      throw AppError.invalid(`More than ${MAX_PRODUCTION_LIST} production records: narrow the window or use the production export`, [
        { path: ['from'], message: 'too many records in this window' },
      ]);
    }
    return rows;
  }
}
