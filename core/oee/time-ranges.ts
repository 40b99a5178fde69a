/** Half-open time ranges [start, end) in epoch milliseconds, and the few set operations OEE needs. */

export interface MsRange {
  start: number;
  end: number;
}

/** Sorts and merges overlapping or touching ranges; drops empty ones. The result is disjoint. */
export function mergeRanges(ranges: readonly MsRange[]): MsRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const merged: MsRange[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ start: r.start, end: r.end });
  }
  return merged;
}

/** Length of [start, end) ∩ [rangeStart, rangeEnd), 0 if they do not overlap. */
export function overlapMs(start: number, end: number, rangeStart: number, rangeEnd: number): number {
  return Math.max(0, Math.min(end, rangeEnd) - Math.max(start, rangeStart));
}

/** Index of the first range in sorted disjoint `ranges` that ends after `at` (ranges.length if none). */
function firstEndingAfter(ranges: readonly MsRange[], at: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ranges[mid] as MsRange).end > at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Length of [start, end) covered by sorted disjoint `ranges`. */
export function coveredMs(start: number, end: number, ranges: readonly MsRange[]): number {
  let total = 0;
  for (let i = firstEndingAfter(ranges, start); i < ranges.length; i++) {
    const r = ranges[i] as MsRange;
    if (r.start >= end) break;
    total += overlapMs(start, end, r.start, r.end);
  }
  return total;
}

/** First instant of [start, end) that lies inside sorted disjoint `ranges`, or null if none does. */
export function firstCoveredInstant(start: number, end: number, ranges: readonly MsRange[]): number | null {
  const r = ranges[firstEndingAfter(ranges, start)];
  if (!r || r.start >= end) return null;
  return Math.max(start, r.start);
}

/** First index whose value is >= `value` in an ascending array (its length if none). */
export function lowerBound(values: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
