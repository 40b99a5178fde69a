/**
 * The inner loops of the OEE elements (docs/oee.md "The time elements"), shared by the one-window
 * calculation (`computeColumnElements`, elements.ts) and the many-window sweep (`computeWindowElements`,
 * window-sweep.ts): both run exactly these steps for each window, so their results are equal to the bit.
 * The conventions are described at the top of elements.ts.
 */
import { categories } from '../vocabulary.js';
import { CATEGORY_INDEX, type IntervalColumns } from './interval-columns.js';
import type { JobSpan, LossElement, OeeElements, ProductionRecord } from './oee-types.js';
import { coveredMs, firstCoveredInstant, overlapMs, type MsRange } from './time-ranges.js';

const RUNNING = CATEGORY_INDEX.running;
const UNPLANNED_STOP = CATEGORY_INDEX.unplanned_stop;
const PLANNED_STOP = CATEGORY_INDEX.planned_stop;
const PLANNED_SHUTDOWN = CATEGORY_INDEX.planned_shutdown;

/** One window's sums while it is computed: times in milliseconds (exact for whole-ms inputs), seconds only at the end. */
export interface Accumulator {
  calendar: number;
  plannedWindow: number;
  shutdown: number;
  run: number;
  overtime: number;
  unplanned: number;
  plannedStop: number;
  small: number;
  ratedRun: number;
  unplannedStopCount: number;
  /** By code and category; seconds in ms until the end. */
  losses: Map<number, LossElement>;
  idealSeconds: number;
  fullyProductiveSeconds: number;
  totalCount: number;
  goodCount: number;
  rejectCount: number;
}

export function newAccumulator(): Accumulator {
  return {
    calendar: 0,
    plannedWindow: 0,
    shutdown: 0,
    run: 0,
    overtime: 0,
    unplanned: 0,
    plannedStop: 0,
    small: 0,
    ratedRun: 0,
    unplannedStopCount: 0,
    losses: new Map(),
    idealSeconds: 0,
    fullyProductiveSeconds: 0,
    totalCount: 0,
    goodCount: 0,
    rejectCount: 0,
  };
}

/** What one window's interval pass reads besides the window itself; built once, shared by many windows. */
export interface PassContext {
  columns: IntervalColumns;
  nowMs: number;
  /** Sorted, disjoint planned time (mergeRanges). */
  planned: readonly MsRange[];
  jobs: ReadonlyMap<number, JobSpan>;
  microStopMs: number;
  /** Work space of at least as many entries as the intervals looked at. */
  at: Int32Array;
  ends: Float64Array;
}

/**
 * Adds the intervals [lo, hi) of the columns to `acc` for the window [fromMs, toMs) (toMs already
 * cut at now), as if they were the whole list: each ends at its end, at now when open, at the next
 * one's start at the latest; empty ones are dropped; a micro-stop needs running neighbours inside [lo, hi).
 */
export function addIntervals(ctx: PassContext, lo: number, hi: number, fromMs: number, toMs: number, acc: Accumulator): void {
  const { columns, nowMs, planned, jobs, at, ends } = ctx;
  const category = columns.category;
  const starts = columns.start;
  let count = 0;
  for (let i = lo; i < hi; i++) {
    const start = starts[i]!;
    let end = columns.end[i]!;
    if (end === Infinity) end = nowMs;
    if (i + 1 < hi && starts[i + 1]! < end) end = starts[i + 1]!;
    if (end > start) {
      at[count] = i;
      ends[count] = end;
      count++;
    }
  }
  for (let k = 0; k < count; k++) {
    const i = at[k]!;
    const cat = category[i]!;
    const ivStart = starts[i]!;
    const ivEnd = ends[k]!;
    const small = isSmallStop(ctx, k, count);
    const isStop = !small && (cat === UNPLANNED_STOP || cat === PLANNED_STOP);

    const start = Math.max(ivStart, fromMs);
    const end = Math.min(ivEnd, toMs);
    if (end > start) {
      const total = end - start;
      const inside = coveredMs(start, end, planned);
      acc.calendar += total;
      acc.plannedWindow += inside;
      if (cat === RUNNING || small) {
        acc.run += total;
        acc.overtime += total - inside;
        if (small) acc.small += total;
        acc.ratedRun += ratedRunMs(columns.jobId[i]!, start, end, jobs, nowMs);
      } else if (cat === PLANNED_SHUTDOWN) {
        acc.shutdown += inside;
      } else if (inside > 0) {
        // A stop outside planned windows counts nowhere.
        if (cat === UNPLANNED_STOP) acc.unplanned += inside;
        else acc.plannedStop += inside;
        loss(acc, columns, i).seconds += inside;
      }
    }

    if (isStop) {
      const first = firstCoveredInstant(ivStart, ivEnd, planned);
      if (first !== null && first >= fromMs && first < toMs) {
        loss(acc, columns, i).occurrences += 1;
        if (cat === UNPLANNED_STOP) acc.unplannedStopCount += 1;
      }
    }
  }
}

/** An unplanned stop shorter than the threshold, touching running intervals on both sides (entry k of the pass's work space). */
function isSmallStop(ctx: PassContext, k: number, count: number): boolean {
  const { at, ends, microStopMs } = ctx;
  const category = ctx.columns.category;
  const starts = ctx.columns.start;
  const i = at[k]!;
  if (microStopMs <= 0 || category[i] !== UNPLANNED_STOP || !(ends[k]! - starts[i]! < microStopMs)) return false;
  if (k === 0 || k + 1 >= count) return false;
  const prev = at[k - 1]!;
  const next = at[k + 1]!;
  return category[prev] === RUNNING && category[next] === RUNNING && ends[k - 1] === starts[i] && starts[next] === ends[k];
}

function loss(acc: Accumulator, columns: IntervalColumns, i: number): LossElement {
  const code = columns.activityCodeId[i]!;
  const category = columns.category[i]!;
  const key = code * 4 + category;
  let entry = acc.losses.get(key);
  if (!entry) {
    entry = { activityCodeId: code, category: categories[category]!, seconds: 0, occurrences: 0 };
    acc.losses.set(key, entry);
  }
  return entry;
}

/**
 * The share of a record's counts inside [fromMs, toMs): a span (to > from) the part of it inside,
 * a point record (or a malformed one with to < from) wholly in the window containing `from`.
 */
export function recordShare(a: number, b: number, fromMs: number, toMs: number): number {
  return b > a ? overlapMs(a, b, fromMs, toMs) / (b - a) : a >= fromMs && a < toMs ? 1 : 0;
}

/** Adds `share` (> 0) of a record's counts to `acc`. */
export function addRecord(acc: Accumulator, record: ProductionRecord, share: number, jobs: ReadonlyMap<number, JobSpan>): void {
  // Negative quantities (bad input) are taken as 0: nothing in a result is ever negative.
  const good = Math.max(0, record.good) * share;
  const rejects = Math.max(0, record.rejects) * share;
  acc.goodCount += good;
  acc.rejectCount += rejects;
  acc.totalCount += good + rejects;
  const job = record.jobId === null ? undefined : jobs.get(record.jobId);
  if (job && hasIdealCycleTime(job)) {
    acc.idealSeconds += job.idealCycleTimeSeconds * (good + rejects);
    acc.fullyProductiveSeconds += job.idealCycleTimeSeconds * good;
  }
}

/** The elements of a finished window. */
export function finishElements(acc: Accumulator): OeeElements {
  return {
    calendarSeconds: sec(acc.calendar),
    plannedWindowSeconds: sec(acc.plannedWindow),
    plannedShutdownSeconds: sec(acc.shutdown),
    plannedProductionSeconds: sec(acc.plannedWindow - acc.shutdown + acc.overtime),
    runSeconds: sec(acc.run),
    overtimeSeconds: sec(acc.overtime),
    unplannedStopSeconds: sec(acc.unplanned),
    plannedStopSeconds: sec(acc.plannedStop),
    smallStopSeconds: sec(acc.small),
    ratedRunSeconds: sec(acc.ratedRun),
    idealSeconds: acc.idealSeconds,
    fullyProductiveSeconds: acc.fullyProductiveSeconds,
    totalCount: acc.totalCount,
    goodCount: acc.goodCount,
    rejectCount: acc.rejectCount,
    unplannedStopCount: acc.unplannedStopCount,
    losses: sortLosses([...acc.losses.values()].map((l) => ({ ...l, seconds: sec(l.seconds) }))),
  };
}

/** Milliseconds as seconds. */
function sec(value: number): number {
  return value / 1000;
}

/** Run time of [start, end) that lies inside the interval's job, if that job has an ideal cycle time. */
function ratedRunMs(jobId: number, start: number, end: number, jobs: ReadonlyMap<number, JobSpan>, nowMs: number): number {
  const job = Number.isNaN(jobId) ? undefined : jobs.get(jobId);
  if (!job || !hasIdealCycleTime(job)) return 0;
  return overlapMs(start, end, job.start.getTime(), job.end === null ? nowMs : job.end.getTime());
}

function hasIdealCycleTime(job: JobSpan): job is JobSpan & { idealCycleTimeSeconds: number } {
  return job.idealCycleTimeSeconds !== null && job.idealCycleTimeSeconds > 0;
}

/** Losses by seconds descending, then code, then category. */
export function sortLosses(losses: LossElement[]): LossElement[] {
  return losses.sort((a, b) => b.seconds - a.seconds || a.activityCodeId - b.activityCodeId || a.category.localeCompare(b.category));
}
