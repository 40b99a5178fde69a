/**
 * Many windows of one machine in one pass (docs/oee.md#how-a-request-is-answered): the cold path of
 * the stored roll-ups, where a year asks for every hour of every machine. The windows are taken in
 * the order given (hours ascending, in practice); for each, the intervals around it are found by
 * binary search in the columns (sorted by start), so every interval is looked at only in the windows
 * it covers (plus the one neighbour each side the contract of `OeeInput` asks for), and the production
 * records by the same kind of search. Everything built once per machine (merged planned time, jobs
 * by id, work space) is shared by all windows.
 *
 * Each window's elements are EXACTLY those of `computeColumnElements` for that window with the
 * intervals overlapping it plus one neighbour on each side and the planned windows covering them
 * (what services/oee computed hour by hour before): both run the same loops (element-pass.ts) on
 * the same intervals and records in the same order. core/oee/window-sweep.test.ts checks it.
 */
import {
  addIntervals,
  addRecord,
  finishElements,
  newAccumulator,
  recordShare,
  type Accumulator,
  type PassContext,
} from './element-pass.js';
import { emptyElements, type ColumnInput } from './elements.js';
import type { OeeElements } from './oee-types.js';
import { lowerBound, mergeRanges, type MsRange } from './time-ranges.js';

/**
 * One machine's history and the windows wanted from it. `intervals` are one machine's timeline
 * (sorted by start, not overlapping, so their ends are sorted too, as `timeline_intervals` holds
 * them); `plannedWindows` the calendar's planned time over all of it, sorted; `production` sorted by
 * `from` is found by search (any other order is read in full for each window, with the same result).
 */
export interface SweepInput extends Omit<ColumnInput, 'from' | 'to' | 'lo' | 'hi'> {
  /** [start, end) in epoch ms; each gets its own elements. */
  windows: readonly MsRange[];
}

/** The elements of each window of `input.windows`, in their order. */
export function computeWindowElements(input: SweepInput): OeeElements[] {
  const columns = input.intervals;
  const n = columns.length;
  const nowMs = input.now.getTime();
  const ctx: PassContext = {
    columns,
    nowMs,
    planned: mergeRanges(input.plannedWindows.map((w) => ({ start: w.start.getTime(), end: w.end.getTime() }))),
    jobs: new Map(input.jobs.map((j) => [j.id, j])),
    microStopMs: Math.max(0, input.microStopSeconds) * 1000,
    at: new Int32Array(n),
    ends: new Float64Array(n),
  };
  const records = recordIndex(input.production);
  const acc = newAccumulator();
  return input.windows.map(({ start: fromMs, end }) => {
    const toMs = Math.min(end, nowMs);
    if (!(fromMs < toMs)) return emptyElements();
    // The intervals overlapping the window plus one neighbour each side: one before the first
    // ending after `from`, one after the last starting before `to`.
    const lo = Math.max(0, lowerBound(columns.end, fromMs + 1) - 1);
    const hi = Math.min(n, lowerBound(columns.start, end) + 1);
    reset(acc);
    addIntervals(ctx, lo, hi, fromMs, toMs, acc);
    const production = input.production;
    for (let i = records.first(fromMs); i < production.length; i++) {
      const a = records.from[i]!;
      if (records.sorted && a >= toMs) break;
      const share = recordShare(a, records.to[i]!, fromMs, toMs);
      if (share !== 0) addRecord(acc, production[i]!, share, ctx.jobs);
    }
    return finishElements(acc);
  });
}

/**
 * The production records' times, and where a window's records begin: with records sorted by
 * `from`, the first whose span (or instant) could reach the window (a running maximum of the
 * records' latest instants); from the window's end on, none can.
 */
function recordIndex(production: ColumnInput['production']) {
  const from = new Float64Array(production.length);
  const to = new Float64Array(production.length);
  const reach = new Float64Array(production.length); // max over records 0..i of max(from, to)
  let sorted = true;
  let max = -Infinity;
  production.forEach((r, i) => {
    from[i] = r.from.getTime();
    to[i] = r.to.getTime();
    if (i > 0 && from[i]! < from[i - 1]!) sorted = false;
    max = Math.max(max, from[i]!, to[i]!);
    reach[i] = max;
  });
  return {
    from,
    to,
    sorted,
    /** Records before this one end (or stand) before `fromMs`: none of them counts in a window from `fromMs`. */
    first: (fromMs: number) => (sorted ? lowerBound(reach, fromMs) : 0),
  };
}

function reset(acc: Accumulator): void {
  acc.calendar = acc.plannedWindow = acc.shutdown = acc.run = acc.overtime = acc.unplanned = acc.plannedStop = acc.small = 0;
  acc.ratedRun = acc.unplannedStopCount = 0;
  acc.idealSeconds = acc.fullyProductiveSeconds = acc.totalCount = acc.goodCount = acc.rejectCount = 0;
  acc.losses.clear();
}
