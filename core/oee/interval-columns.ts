/**
 * A machine's timeline as columns: the form the OEE calculation works on (one pass over typed arrays,
 * no object per interval). `computeElements` packs its `StateInterval[]` into this; the OEE reads of
 * db/ load straight into it.
 */
import { categories, type Category } from '../vocabulary.js';
import type { StateInterval } from './oee-types.js';

/** Intervals sorted by start, index i of every column is interval i. */
export interface IntervalColumns {
  length: number;
  /** Epoch ms. */
  start: Float64Array;
  /** Epoch ms; Infinity = still open (lasts until now). */
  end: Float64Array;
  activityCodeId: Float64Array;
  /** Index into `categories` (core/vocabulary.ts). */
  category: Uint8Array;
  /** NaN = no job. */
  jobId: Float64Array;
}

/** The index of each category in `IntervalColumns.category`. */
export const CATEGORY_INDEX: Readonly<Record<Category, number>> = Object.fromEntries(categories.map((c, i) => [c, i])) as Record<
  Category,
  number
>;

/**
 * Empty columns for `length` intervals, to be filled in start order: views of one buffer (a cold
 * year loads thousands of histories; one allocation each instead of five).
 */
export function allocateColumns(length: number): IntervalColumns {
  const buffer = new ArrayBuffer(length * 33);
  return {
    length,
    start: new Float64Array(buffer, 0, length),
    end: new Float64Array(buffer, length * 8, length),
    activityCodeId: new Float64Array(buffer, length * 16, length),
    jobId: new Float64Array(buffer, length * 24, length),
    category: new Uint8Array(buffer, length * 32, length),
  };
}

/** Intervals as columns, sorted by start (a stable sort: equal starts keep their order). */
export function toColumns(list: readonly StateInterval[]): IntervalColumns {
  const sorted = list
    .map((iv, i) => ({ iv, i, start: iv.start.getTime() }))
    .sort((a, b) => a.start - b.start)
    .map((x) => x.iv);
  const columns = allocateColumns(sorted.length);
  sorted.forEach((iv, i) => {
    columns.start[i] = iv.start.getTime();
    columns.end[i] = iv.end === null ? Infinity : iv.end.getTime();
    columns.activityCodeId[i] = iv.activityCodeId;
    columns.category[i] = CATEGORY_INDEX[iv.category];
    columns.jobId[i] = iv.jobId === null ? NaN : iv.jobId;
  });
  return columns;
}

/** Columns back as intervals (for readers that want objects, e.g. the DigitME2 activity durations). */
export function toIntervals(columns: IntervalColumns): StateInterval[] {
  const list: StateInterval[] = [];
  for (let i = 0; i < columns.length; i++) {
    const end = columns.end[i]!;
    const jobId = columns.jobId[i]!;
    list.push({
      start: new Date(columns.start[i]!),
      end: end === Infinity ? null : new Date(end),
      activityCodeId: columns.activityCodeId[i]!,
      category: categories[columns.category[i]!]!,
      jobId: Number.isNaN(jobId) ? null : jobId,
    });
  }
  return list;
}
