/**
 * The reason KPIs (issue 20 point 2, docs/oee.md "Reason KPIs"): how much stop time has a specific reason,
 * and how long stops that needed a reason waited for one, per shift of one machine. Pure: the caller passes
 * the stops, the shift ranges, the rules and now.
 */
import type { Category } from '../vocabulary.js';
import { isMicroStop, plannedSecondsOf, type DebtRules } from './reason-debt.js';

export interface KpiStop {
  start: Date;
  /** null: the stop is still going on (it lasts until now). */
  end: Date | null;
  activityCodeId: number;
  category: Category;
  previousCategory: Category | null;
  nextCategory: Category | null;
  /** When a correction gave the stop its current code; null when the code came with the state event itself. */
  reasonGivenAt: Date | null;
}

/** A stretch of one shift (a `shift` bucket of core/calendar); name null for an unnamed shift or a 24/7 machine. */
export interface ShiftRange {
  from: Date;
  to: Date;
  name: string | null;
}

export interface ReasonKpiInput {
  from: Date;
  to: Date;
  now: Date;
  /** One machine's intervals of stop categories (unplanned and planned stops), sorted or not. */
  stops: KpiStop[];
  /** The machine's shifts over the whole span of the stops (they are its planned time). */
  shifts: ShiftRange[];
  rules: DebtRules;
  /** Whether a code says nothing about the stop (Down, No data). */
  isGeneric: (activityCodeId: number) => boolean;
}

export interface ReasonKpi {
  shift: string | null;
  /** Stop time inside the shift's planned time in the period, micro-stops left out. */
  stopSeconds: number;
  explainedSeconds: number;
  unexplainedSeconds: number;
  /** explained / stop time × 100; null without stop time. */
  explainedPercent: number | null;
  /** Ended stops that needed a reason (the reason queue's rules, whatever their code now). */
  stopsOwing: number;
  stopsExplained: number;
  stopsUnexplained: number;
  /** Over the explained stops that needed a reason: seconds from the stop's end until its reason. */
  latencyMedianSeconds: number | null;
  latencyP90Seconds: number | null;
  latencyMeanSeconds: number | null;
}

const STOP_CATEGORIES: readonly Category[] = ['unplanned_stop', 'planned_stop'];

/** The median (the mean of the two middle values for an even count) of sorted values; null when empty. */
export function median(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** The nearest-rank percentile (the smallest value with at least p % of the values at or below it); null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface KpiCorrection {
  /** Recording order (the event row id): a later correction wins. */
  seq: number;
  at: Date;
  until: Date;
  activityCodeId: number;
  /** When it was made (null only for a row no migration stamped: taken as given at once). */
  correctedAt: Date | null;
}

/**
 * When each stop got its code from a correction: the latest correction with the stop's code over it (null:
 * none, the code came with the state event). One machine's stops and corrections; the corrections are
 * searched by start with the running maximum of their ends, so short corrections cost a look or two each.
 */
export function reasonGivenTimes(
  stops: { start: Date; end: Date | null; activityCodeId: number }[],
  corrections: KpiCorrection[],
): (Date | null)[] {
  const byCode = new Map<number, { list: KpiCorrection[]; reach: number[] }>();
  for (const c of [...corrections].sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq)) {
    if (!byCode.has(c.activityCodeId)) byCode.set(c.activityCodeId, { list: [], reach: [] });
    const group = byCode.get(c.activityCodeId)!;
    group.list.push(c);
    group.reach.push(Math.max(c.until.getTime(), group.reach[group.reach.length - 1] ?? -Infinity));
  }
  return stops.map((stop) => {
    const group = byCode.get(stop.activityCodeId);
    if (!group) return null;
    const start = stop.start.getTime();
    const end = stop.end === null ? Infinity : stop.end.getTime();
    // The last correction starting before the stop ends.
    let lo = 0;
    let hi = group.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (group.list[mid]!.at.getTime() < end) lo = mid + 1;
      else hi = mid;
    }
    let best: KpiCorrection | null = null;
    for (let i = lo - 1; i >= 0 && group.reach[i]! > start; i--) {
      const c = group.list[i]!;
      if (c.until.getTime() > start && (best === null || c.seq > best.seq)) best = c;
    }
    return best?.correctedAt ?? null;
  });
}

/** Seconds the stop waited for its reason: from its end until the correction gave it; 0 when it came with the event. */
export function reasonLatencySeconds(stop: { end: Date; reasonGivenAt: Date | null }): number {
  if (stop.reasonGivenAt === null) return 0;
  return Math.max(0, stop.reasonGivenAt.getTime() - stop.end.getTime()) / 1000;
}

/** Sorted, touching or overlapping ranges of one shift name joined, so no second counts twice. */
function union(ranges: { start: Date; end: Date }[]): { start: Date; end: Date }[] {
  const out: { start: Date; end: Date }[] = [];
  for (const r of [...ranges].sort((a, b) => a.start.getTime() - b.start.getTime())) {
    const last = out[out.length - 1];
    if (last && r.start.getTime() <= last.end.getTime()) {
      if (r.end.getTime() > last.end.getTime()) last.end = r.end;
    } else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** The first instant of [start, end) inside the ranges, or null. */
function firstInside(start: Date, end: Date, ranges: { start: Date; end: Date }[]): number | null {
  let first: number | null = null;
  for (const r of ranges) {
    const s = Math.max(start.getTime(), r.start.getTime());
    if (s < Math.min(end.getTime(), r.end.getTime()) && (first === null || s < first)) first = s;
  }
  return first;
}

/**
 * One row per shift name with time in the period, in the order the shifts first come. A stop's time goes to
 * the shifts it overlaps; the stop itself (its count and latency) to the shift of its first planned second,
 * and to the period when that second lies in it.
 */
export function reasonKpis(input: ReasonKpiInput): ReasonKpi[] {
  const { from, to, now, rules } = input;
  const periodEnd = new Date(Math.min(to.getTime(), now.getTime()));
  const groups = new Map<string | null, { start: Date; end: Date }[]>();
  for (const s of [...input.shifts].sort((a, b) => a.from.getTime() - b.from.getTime())) {
    if (!groups.has(s.name)) groups.set(s.name, []);
    groups.get(s.name)!.push({ start: s.from, end: s.to });
  }
  const rows = [...groups.entries()].map(([name, ranges]) => {
    const merged = union(ranges);
    return {
      name,
      ranges: merged,
      inPeriod: merged.some((r) => r.start < to && r.end > from),
      stop: 0,
      explained: 0,
      owing: 0,
      explainedStops: 0,
      latencies: [] as number[],
    };
  });
  const planned = union(rows.flatMap((r) => r.ranges));
  for (const stop of input.stops) {
    if (!STOP_CATEGORIES.includes(stop.category)) continue;
    const end = stop.end ?? now;
    if (!(end.getTime() > stop.start.getTime())) continue;
    if (stop.end !== null && isMicroStop({ ...stop, machineId: 0, end: stop.end }, rules.microStopSeconds)) continue;
    const explained = !input.isGeneric(stop.activityCodeId);
    const clipStart = new Date(Math.max(stop.start.getTime(), from.getTime()));
    const clipEnd = new Date(Math.min(end.getTime(), periodEnd.getTime()));
    for (const row of rows) {
      const seconds = clipEnd > clipStart ? plannedSecondsOf(clipStart, clipEnd, row.ranges) : 0;
      row.stop += seconds;
      if (explained) row.explained += seconds;
    }
    if (stop.end === null || plannedSecondsOf(stop.start, stop.end, planned) <= rules.thresholdSeconds) continue;
    const first = firstInside(stop.start, stop.end, planned);
    if (first === null || first < from.getTime() || first >= to.getTime()) continue;
    const row = rows.find((r) => r.ranges.some((x) => x.start.getTime() <= first && first < x.end.getTime()));
    if (!row) continue;
    row.owing++;
    if (explained) {
      row.explainedStops++;
      row.latencies.push(reasonLatencySeconds({ end: stop.end, reasonGivenAt: stop.reasonGivenAt }));
    }
  }
  return rows
    .filter((r) => r.inPeriod)
    .map((r) => {
      const sorted = [...r.latencies].sort((a, b) => a - b);
      return {
        shift: r.name,
        stopSeconds: r.stop,
        explainedSeconds: r.explained,
        unexplainedSeconds: r.stop - r.explained,
        explainedPercent: r.stop > 0 ? (r.explained / r.stop) * 100 : null,
        stopsOwing: r.owing,
        stopsExplained: r.explainedStops,
        stopsUnexplained: r.owing - r.explainedStops,
        latencyMedianSeconds: median(sorted),
        latencyP90Seconds: percentile(sorted, 90),
        latencyMeanSeconds: sorted.length === 0 ? null : sorted.reduce((a, b) => a + b, 0) / sorted.length,
      };
    });
}
