/**
 * The additive elements of OEE (docs/oee.md "The time elements"): seconds, counts and occurrences for one
 * machine and one window. Pure: the caller passes everything, including `now`.
 *
 * Conventions that keep the elements additive (elements of adjacent windows sum to the union's):
 * - Everything is cut at the window edges [from, min(to, now)); the future never counts.
 * - Time covered by no interval counts nowhere (the machine's history starts at its first event).
 *   Intervals are taken in start order; an interval ends at its `end`, at `now` when open, and at
 *   the next interval's start at the latest (a state lasts until the next event).
 * - Occurrences: a stop (unplanned_stop or planned_stop interval) is ONE occurrence, counted in the
 *   window that contains its first second inside planned time (its start, or the start of the
 *   planned window it runs into if it began outside planned time). A stop with no planned time is
 *   no occurrence. A window that only sees the tail of a stop gets its seconds but no occurrence.
 * - Micro-stops are classified on the WHOLE interval, not on the clipped part: an unplanned_stop
 *   whose full length is < microStopSeconds, directly preceded and directly followed (touching)
 *   by running intervals. An open interval is never a micro-stop (it has no running successor yet).
 *   A micro-stop is treated as running time everywhere (inside planned time it is run time,
 *   outside it is overtime) and is also reported in smallStopSeconds; it is not an unplanned stop,
 *   not an occurrence and not in `losses`.
 * - Counts are spread linearly over their span [from, to); a point record (from == to) counts in
 *   the window containing its instant. Counts are not limited to the machine's history.
 */
import { categories } from '../vocabulary.js';
import { CATEGORY_INDEX, toColumns, type IntervalColumns } from './interval-columns.js';
import type { LossElement, OeeElements, OeeInput, JobSpan, ProductionRecord } from './oee-types.js';
import { coveredMs, firstCoveredInstant, mergeRanges, overlapMs } from './time-ranges.js';

/** All-zero elements (an empty or future window). */
export function emptyElements(): OeeElements {
  return {
    calendarSeconds: 0,
    plannedWindowSeconds: 0,
    plannedShutdownSeconds: 0,
    plannedProductionSeconds: 0,
    runSeconds: 0,
    overtimeSeconds: 0,
    unplannedStopSeconds: 0,
    plannedStopSeconds: 0,
    smallStopSeconds: 0,
    ratedRunSeconds: 0,
    idealSeconds: 0,
    fullyProductiveSeconds: 0,
    totalCount: 0,
    goodCount: 0,
    rejectCount: 0,
    unplannedStopCount: 0,
    losses: [],
  };
}

/** The additive elements of one machine's OEE over [from, to). */
export function computeElements(input: OeeInput): OeeElements {
  return computeColumnElements({ ...input, intervals: toColumns(input.intervals) });
}

/**
 * What `computeColumnElements` needs: `OeeInput` with its intervals as columns, of which only
 * [lo, hi) are looked at (default: all), as if they were the whole list.
 */
export interface ColumnInput extends Omit<OeeInput, 'intervals'> {
  intervals: IntervalColumns;
  lo?: number;
  hi?: number;
}

const RUNNING = CATEGORY_INDEX.running;
const UNPLANNED_STOP = CATEGORY_INDEX.unplanned_stop;
const PLANNED_STOP = CATEGORY_INDEX.planned_stop;
const PLANNED_SHUTDOWN = CATEGORY_INDEX.planned_shutdown;

/** `computeElements` on intervals given as columns (sorted by start): one pass, no object per interval. */
export function computeColumnElements(input: ColumnInput): OeeElements {
  const fromMs = input.from.getTime();
  const nowMs = input.now.getTime();
  const toMs = Math.min(input.to.getTime(), nowMs);
  if (!(fromMs < toMs)) return emptyElements();

  const planned = mergeRanges(input.plannedWindows.map((w) => ({ start: w.start.getTime(), end: w.end.getTime() })));
  const jobs = new Map(input.jobs.map((j) => [j.id, j]));
  const columns = input.intervals;
  const lo = input.lo ?? 0;
  const hi = input.hi ?? columns.length;
  // Each interval ends at its end, at now when open, at the next one's start at the latest; empty ones are dropped.
  const at = new Int32Array(Math.max(0, hi - lo)); // index into the columns
  const ends = new Float64Array(at.length);
  let count = 0;
  for (let i = lo; i < hi; i++) {
    const start = columns.start[i]!;
    let end = columns.end[i]!;
    if (end === Infinity) end = nowMs;
    if (i + 1 < hi && columns.start[i + 1]! < end) end = columns.start[i + 1]!;
    if (end > start) {
      at[count] = i;
      ends[count] = end;
      count++;
    }
  }
  const microStopMs = Math.max(0, input.microStopSeconds) * 1000;
  const category = columns.category;
  const starts = columns.start;
  // An unplanned stop shorter than the threshold, touching running intervals on both sides.
  const isSmallStop = (k: number): boolean => {
    const i = at[k]!;
    if (microStopMs <= 0 || category[i] !== UNPLANNED_STOP || !(ends[k]! - starts[i]! < microStopMs)) return false;
    if (k === 0 || k + 1 >= count) return false;
    const prev = at[k - 1]!;
    const next = at[k + 1]!;
    return category[prev] === RUNNING && category[next] === RUNNING && ends[k - 1] === starts[i] && starts[next] === ends[k];
  };

  // Milliseconds (integers for whole-ms inputs, so sums stay exact); seconds only at the end.
  const ms = { calendar: 0, plannedWindow: 0, shutdown: 0, run: 0, overtime: 0, unplanned: 0, plannedStop: 0, small: 0, ratedRun: 0 };
  const losses = new Map<number, LossElement>(); // by code and category; seconds in ms until the end
  let unplannedStopCount = 0;

  const loss = (i: number): LossElement => {
    const key = columns.activityCodeId[i]! * 4 + category[i]!;
    let entry = losses.get(key);
    if (!entry) {
      entry = { activityCodeId: columns.activityCodeId[i]!, category: categories[category[i]!]!, seconds: 0, occurrences: 0 };
      losses.set(key, entry);
    }
    return entry;
  };

  for (let k = 0; k < count; k++) {
    const i = at[k]!;
    const cat = category[i]!;
    const ivStart = starts[i]!;
    const ivEnd = ends[k]!;
    const small = isSmallStop(k);
    const isStop = !small && (cat === UNPLANNED_STOP || cat === PLANNED_STOP);

    const start = Math.max(ivStart, fromMs);
    const end = Math.min(ivEnd, toMs);
    if (end > start) {
      const total = end - start;
      const inside = coveredMs(start, end, planned);
      ms.calendar += total;
      ms.plannedWindow += inside;
      if (cat === RUNNING || small) {
        ms.run += total;
        ms.overtime += total - inside;
        if (small) ms.small += total;
        ms.ratedRun += ratedRunMs(columns.jobId[i]!, start, end, jobs, nowMs);
      } else if (cat === PLANNED_SHUTDOWN) {
        ms.shutdown += inside;
      } else if (inside > 0) {
        // A stop outside planned windows counts nowhere.
        if (cat === UNPLANNED_STOP) ms.unplanned += inside;
        else ms.plannedStop += inside;
        loss(i).seconds += inside;
      }
    }

    if (isStop) {
      const first = firstCoveredInstant(ivStart, ivEnd, planned);
      if (first !== null && first >= fromMs && first < toMs) {
        loss(i).occurrences += 1;
        if (cat === UNPLANNED_STOP) unplannedStopCount += 1;
      }
    }
  }

  const counts = countElements(input.production, jobs, fromMs, toMs);
  const sec = (value: number) => value / 1000;
  return {
    calendarSeconds: sec(ms.calendar),
    plannedWindowSeconds: sec(ms.plannedWindow),
    plannedShutdownSeconds: sec(ms.shutdown),
    plannedProductionSeconds: sec(ms.plannedWindow - ms.shutdown + ms.overtime),
    runSeconds: sec(ms.run),
    overtimeSeconds: sec(ms.overtime),
    unplannedStopSeconds: sec(ms.unplanned),
    plannedStopSeconds: sec(ms.plannedStop),
    smallStopSeconds: sec(ms.small),
    ratedRunSeconds: sec(ms.ratedRun),
    ...counts,
    unplannedStopCount,
    losses: sortLosses([...losses.values()].map((l) => ({ ...l, seconds: sec(l.seconds) }))),
  };
}

/** Sums elements of adjacent windows and/or several machines. Losses are merged per code and category. */
export function sumElements(list: readonly OeeElements[]): OeeElements {
  const sum = emptyElements();
  const losses = new Map<string, LossElement>();
  for (const e of list) {
    sum.calendarSeconds += e.calendarSeconds;
    sum.plannedWindowSeconds += e.plannedWindowSeconds;
    sum.plannedShutdownSeconds += e.plannedShutdownSeconds;
    sum.plannedProductionSeconds += e.plannedProductionSeconds;
    sum.runSeconds += e.runSeconds;
    sum.overtimeSeconds += e.overtimeSeconds;
    sum.unplannedStopSeconds += e.unplannedStopSeconds;
    sum.plannedStopSeconds += e.plannedStopSeconds;
    sum.smallStopSeconds += e.smallStopSeconds;
    sum.ratedRunSeconds += e.ratedRunSeconds;
    sum.idealSeconds += e.idealSeconds;
    sum.fullyProductiveSeconds += e.fullyProductiveSeconds;
    sum.totalCount += e.totalCount;
    sum.goodCount += e.goodCount;
    sum.rejectCount += e.rejectCount;
    sum.unplannedStopCount += e.unplannedStopCount;
    for (const l of e.losses) {
      const key = `${l.activityCodeId}|${l.category}`;
      const entry = losses.get(key);
      if (entry) {
        entry.seconds += l.seconds;
        entry.occurrences += l.occurrences;
      } else {
        losses.set(key, { ...l });
      }
    }
  }
  sum.losses = sortLosses([...losses.values()]);
  return sum;
}

/** Run time of [start, end) that lies inside the interval's job, if that job has an ideal cycle time. */
function ratedRunMs(jobId: number, start: number, end: number, jobs: Map<number, JobSpan>, nowMs: number): number {
  const job = Number.isNaN(jobId) ? undefined : jobs.get(jobId);
  if (!job || !hasIdealCycleTime(job)) return 0;
  return overlapMs(start, end, job.start.getTime(), job.end === null ? nowMs : job.end.getTime());
}

function hasIdealCycleTime(job: JobSpan): job is JobSpan & { idealCycleTimeSeconds: number } {
  return job.idealCycleTimeSeconds !== null && job.idealCycleTimeSeconds > 0;
}

/** Counts in [fromMs, toMs), spread linearly over each record's span. */
function countElements(
  production: readonly ProductionRecord[],
  jobs: Map<number, JobSpan>,
  fromMs: number,
  toMs: number,
): Pick<OeeElements, 'idealSeconds' | 'fullyProductiveSeconds' | 'totalCount' | 'goodCount' | 'rejectCount'> {
  const result = { idealSeconds: 0, fullyProductiveSeconds: 0, totalCount: 0, goodCount: 0, rejectCount: 0 };
  for (const record of production) {
    const a = record.from.getTime();
    const b = record.to.getTime();
    // A span (b > a) contributes the share of it inside the window; a point record (or a
    // malformed one with to < from) counts wholly in the window containing `from`.
    const share = b > a ? overlapMs(a, b, fromMs, toMs) / (b - a) : a >= fromMs && a < toMs ? 1 : 0;
    if (share === 0) continue;
    // Negative quantities (bad input) are taken as 0: nothing in a result is ever negative.
    const good = Math.max(0, record.good) * share;
    const rejects = Math.max(0, record.rejects) * share;
    result.goodCount += good;
    result.rejectCount += rejects;
    result.totalCount += good + rejects;
    const job = record.jobId === null ? undefined : jobs.get(record.jobId);
    if (job && hasIdealCycleTime(job)) {
      result.idealSeconds += job.idealCycleTimeSeconds * (good + rejects);
      result.fullyProductiveSeconds += job.idealCycleTimeSeconds * good;
    }
  }
  return result;
}

function sortLosses(losses: LossElement[]): LossElement[] {
  return losses.sort((a, b) => b.seconds - a.seconds || a.activityCodeId - b.activityCodeId || a.category.localeCompare(b.category));
}
