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
import type { LossElement, OeeElements, OeeInput, JobSpan, ProductionRecord, StateInterval } from './oee-types.js';
import { coveredMs, firstCoveredInstant, mergeRanges, overlapMs } from './time-ranges.js';

interface Interval {
  start: number;
  end: number;
  activityCodeId: number;
  category: StateInterval['category'];
  jobId: number | null;
}

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
  const fromMs = input.from.getTime();
  const nowMs = input.now.getTime();
  const toMs = Math.min(input.to.getTime(), nowMs);
  if (!(fromMs < toMs)) return emptyElements();

  const planned = mergeRanges(input.plannedWindows.map((w) => ({ start: w.start.getTime(), end: w.end.getTime() })));
  const jobs = new Map(input.jobs.map((j) => [j.id, j]));
  const intervals = normaliseIntervals(input.intervals, nowMs);
  const microStopMs = Math.max(0, input.microStopSeconds) * 1000;

  // Milliseconds (integers for whole-ms inputs, so sums stay exact); seconds only at the end.
  const ms = { calendar: 0, plannedWindow: 0, shutdown: 0, run: 0, overtime: 0, unplanned: 0, plannedStop: 0, small: 0, ratedRun: 0 };
  const losses = new Map<string, LossElement>(); // seconds in ms until the end
  let unplannedStopCount = 0;

  const loss = (iv: Interval): LossElement => {
    const key = `${iv.activityCodeId}|${iv.category}`;
    let entry = losses.get(key);
    if (!entry) {
      entry = { activityCodeId: iv.activityCodeId, category: iv.category, seconds: 0, occurrences: 0 };
      losses.set(key, entry);
    }
    return entry;
  };

  intervals.forEach((iv, index) => {
    const small = isSmallStop(intervals, index, microStopMs);
    const isStop = !small && (iv.category === 'unplanned_stop' || iv.category === 'planned_stop');

    const start = Math.max(iv.start, fromMs);
    const end = Math.min(iv.end, toMs);
    if (end > start) {
      const total = end - start;
      const inside = coveredMs(start, end, planned);
      ms.calendar += total;
      ms.plannedWindow += inside;
      if (iv.category === 'running' || small) {
        ms.run += total;
        ms.overtime += total - inside;
        if (small) ms.small += total;
        ms.ratedRun += ratedRunMs(iv, start, end, jobs, nowMs);
      } else if (iv.category === 'planned_shutdown') {
        ms.shutdown += inside;
      } else if (inside > 0) {
        // A stop outside planned windows counts nowhere.
        if (iv.category === 'unplanned_stop') ms.unplanned += inside;
        else ms.plannedStop += inside;
        loss(iv).seconds += inside;
      }
    }

    if (isStop) {
      const first = firstCoveredInstant(iv.start, iv.end, planned);
      if (first !== null && first >= fromMs && first < toMs) {
        loss(iv).occurrences += 1;
        if (iv.category === 'unplanned_stop') unplannedStopCount += 1;
      }
    }
  });

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

/** Sorted by start; each ends at its end, at now when open, at the next start at the latest; empty ones dropped. */
function normaliseIntervals(list: readonly StateInterval[], nowMs: number): Interval[] {
  const sorted = list
    .map((iv) => ({
      start: iv.start.getTime(),
      end: iv.end === null ? nowMs : iv.end.getTime(),
      activityCodeId: iv.activityCodeId,
      category: iv.category,
      jobId: iv.jobId,
    }))
    .sort((a, b) => a.start - b.start);
  sorted.forEach((iv, i) => {
    const next = sorted[i + 1];
    if (next && next.start < iv.end) iv.end = next.start;
  });
  return sorted.filter((iv) => iv.end > iv.start);
}

function isSmallStop(intervals: readonly Interval[], index: number, microStopMs: number): boolean {
  const iv = intervals[index] as Interval;
  if (microStopMs <= 0 || iv.category !== 'unplanned_stop' || !(iv.end - iv.start < microStopMs)) return false;
  const prev = intervals[index - 1];
  const next = intervals[index + 1];
  return (
    prev !== undefined &&
    next !== undefined &&
    prev.category === 'running' &&
    next.category === 'running' &&
    prev.end === iv.start &&
    next.start === iv.end
  );
}

/** Run time of [start, end) that lies inside the interval's job, if that job has an ideal cycle time. */
function ratedRunMs(iv: Interval, start: number, end: number, jobs: Map<number, JobSpan>, nowMs: number): number {
  const job = iv.jobId === null ? undefined : jobs.get(iv.jobId);
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
