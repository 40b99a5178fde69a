import { describe, expect, it } from 'vitest';
import { legacyActivityDurations } from './legacy-durations.js';

const h = (hour: number) => new Date(Date.UTC(2026, 4, 4, hour));
const base = { from: h(0), to: h(24), codeIds: [1, 2, 3, 4, 9], upCodeId: 1, overtimeCodeId: 4 };
const shift = [{ start: h(9), end: h(17) }];

describe('legacyActivityDurations', () => {
  it('reports running time outside planned time under Overtime, and Overtime inside it under Up', () => {
    const result = legacyActivityDurations({
      ...base,
      planned: shift,
      intervals: [
        { start: h(7), end: h(10), activityCodeId: 1, category: 'running', jobId: 1 }, // 2 h overtime, 1 h up
        { start: h(10), end: h(12), activityCodeId: 4, category: 'running', jobId: 1 }, // overtime in shift: up
        { start: h(12), end: h(13), activityCodeId: 2, category: 'unplanned_stop', jobId: 1 },
        { start: h(13), end: h(18), activityCodeId: 9, category: 'running', jobId: 1 }, // custom: 4 h as 9, 1 h overtime
        { start: h(18), end: null, activityCodeId: 2, category: 'unplanned_stop', jobId: null }, // a stop out of shift stays
      ],
    });
    expect(result).toEqual([
      { activityCodeId: 1, seconds: 3 * 3600 },
      { activityCodeId: 2, seconds: 7 * 3600 },
      { activityCodeId: 3, seconds: 0 },
      { activityCodeId: 4, seconds: 3 * 3600 },
      { activityCodeId: 9, seconds: 4 * 3600 },
    ]);
  });

  it('clips to the window and counts nothing before the first interval', () => {
    const result = legacyActivityDurations({
      ...base,
      to: h(8),
      planned: [{ start: h(0), end: h(8) }],
      intervals: [{ start: h(6), end: null, activityCodeId: 1, category: 'running', jobId: 1 }],
    });
    expect(result.map((r) => r.seconds)).toEqual([7200, 0, 0, 0, 0]);
  });
});
