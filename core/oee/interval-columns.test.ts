import { describe, expect, it } from 'vitest';
import type { Category } from '../schemas/setup.schema.js';
import { computeColumnElements, computeElements, toColumns, toIntervals, type OeeInput, type StateInterval } from './index.js';

const t = (hhmm: string) => new Date(`2026-05-04T${hhmm}:00Z`);
const iv = (start: string, end: string | null, category: Category, activityCodeId: number, jobId: number | null = null): StateInterval => ({
  start: t(start),
  end: end === null ? null : t(end),
  activityCodeId,
  category,
  jobId,
});
const base: Omit<OeeInput, 'intervals'> = {
  from: t('10:00'),
  to: t('12:00'),
  now: t('18:00'),
  plannedWindows: [{ start: t('09:00'), end: t('17:00') }],
  jobs: [{ id: 7, start: t('08:00'), end: null, idealCycleTimeSeconds: 30 }],
  production: [],
  microStopSeconds: 120,
};
// Unsorted on purpose: columns are sorted by start.
const intervals = [
  iv('10:00', '10:01', 'unplanned_stop', 2),
  iv('09:00', '10:00', 'running', 1, 7),
  iv('10:01', '11:00', 'running', 1, 7),
  iv('11:00', '11:30', 'planned_stop', 5),
  iv('11:30', null, 'running', 1, 7),
];

describe('interval columns', () => {
  it('sorts by start and converts back to the same intervals (open end and no job kept)', () => {
    const columns = toColumns(intervals);
    expect(columns.length).toBe(5);
    expect(toIntervals(columns)).toEqual([...intervals].sort((a, b) => a.start.getTime() - b.start.getTime()));
  });

  it('an index range is computed as if it were the whole list: neighbours outside it are not seen', () => {
    const columns = toColumns(intervals);
    // With its running predecessor the 1-minute stop is a micro-stop; from index 1 on it has none.
    const whole = computeColumnElements({ ...base, intervals: columns });
    expect(whole).toMatchObject({ smallStopSeconds: 60, unplannedStopSeconds: 0, unplannedStopCount: 0 });
    const range = computeColumnElements({ ...base, intervals: columns, lo: 1, hi: 4 });
    expect(range).toEqual(computeElements({ ...base, intervals: toIntervals(columns).slice(1, 4) }));
    expect(range).toMatchObject({ smallStopSeconds: 0, unplannedStopSeconds: 60, unplannedStopCount: 1 });
    // The range ends with the planned stop, cut at nothing: it lasts its own 30 minutes.
    expect(range.plannedStopSeconds).toBe(1800);
  });
});
