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
import { addIntervals, addRecord, finishElements, newAccumulator, recordShare, sortLosses, type PassContext } from './element-pass.js';
import { CATEGORY_INDEX, toColumns, type IntervalColumns } from './interval-columns.js';
import type { LossElement, OeeElements, OeeInput } from './oee-types.js';
import { mergeRanges } from './time-ranges.js';

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

/** `computeElements` on intervals given as columns (sorted by start): one pass, no object per interval. */
export function computeColumnElements(input: ColumnInput): OeeElements {
  const fromMs = input.from.getTime();
  const nowMs = input.now.getTime();
  const toMs = Math.min(input.to.getTime(), nowMs);
  if (!(fromMs < toMs)) return emptyElements();

  const lo = input.lo ?? 0;
  const hi = input.hi ?? input.intervals.length;
  const size = Math.max(0, hi - lo);
  const ctx: PassContext = {
    columns: input.intervals,
    nowMs,
    planned: mergeRanges(input.plannedWindows.map((w) => ({ start: w.start.getTime(), end: w.end.getTime() }))),
    jobs: new Map(input.jobs.map((j) => [j.id, j])),
    microStopMs: Math.max(0, input.microStopSeconds) * 1000,
    at: new Int32Array(size),
    ends: new Float64Array(size),
  };
  const acc = newAccumulator();
  addIntervals(ctx, lo, hi, fromMs, toMs, acc);
  for (const record of input.production) {
    const share = recordShare(record.from.getTime(), record.to.getTime(), fromMs, toMs);
    if (share !== 0) addRecord(acc, record, share, ctx.jobs);
  }
  return finishElements(acc);
}

/** Sums elements of adjacent windows and/or several machines. Losses are merged per code and category. */
export function sumElements(list: readonly OeeElements[]): OeeElements {
  const sum = new ElementsSum();
  for (const e of list) sum.add(e);
  return sum.sum();
}

/**
 * A running `sumElements`: elements added one at a time, in the same order, give the same sum as
 * `sumElements` of the list, without keeping the list (a cold year adds a million hours).
 */
export class ElementsSum {
  private readonly total = emptyElements();
  private readonly losses = new Map<number, LossElement>(); // by code and category (a number: cheaper than a string key)
  private first: OeeElements | null = null;
  private count = 0;

  add(e: OeeElements): void {
    if (this.count++ === 0) this.first = e;
    const sum = this.total;
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
      const key = l.activityCodeId * 8 + CATEGORY_INDEX[l.category];
      const entry = this.losses.get(key);
      if (entry) {
        entry.seconds += l.seconds;
        entry.occurrences += l.occurrences;
      } else {
        this.losses.set(key, { ...l });
      }
    }
  }

  /** The sum so far (call once, after the last `add`). */
  sum(): OeeElements {
    this.total.losses = sortLosses([...this.losses.values()]);
    return this.total;
  }

  /** The sum, or the one element itself when only one was added (not copied). */
  result(): OeeElements {
    return this.count === 1 ? this.first! : this.sum();
  }
}
