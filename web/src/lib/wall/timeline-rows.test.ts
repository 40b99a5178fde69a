import { describe, expect, it } from 'vitest';
import { segments } from './timeline-rows';

const from = Date.parse('2026-07-01T00:00:00Z');
const to = Date.parse('2026-07-02T00:00:00Z');
const h = (n: number) => from + n * 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const state = (activityCodeId: number, since: number) => ({
  activityCodeId,
  category: 'running' as const,
  since: iso(since),
  jobId: null,
  operatorId: null,
  offShift: false,
});

describe('group timeline segments', () => {
  it('draws the read intervals, then the live state from its start to now, clipped to the day', () => {
    const intervals = [
      { start: iso(h(-2)), end: iso(h(6)), activityCodeId: 3, category: 'planned_shutdown' as const },
      { start: iso(h(6)), end: null, activityCodeId: 1, category: 'running' as const },
    ];
    // Read at 09:00 (Up open); Down since 10:00 came live; now 12:00.
    expect(segments(intervals, state(2, h(10)), from, to, h(12)).map((s) => [s.activityCodeId, s.left, s.width])).toEqual([
      [3, 0, 25],
      [1, 25, (4 / 24) * 100],
      [2, (10 / 24) * 100, (2 / 24) * 100],
    ]);
    // The live state is the one that was read: no gap, no double.
    expect(segments(intervals, state(1, h(6)), from, to, h(12)).map((s) => [s.activityCodeId, s.start, s.end])).toEqual([
      [3, h(0), h(6)],
      [1, h(6), h(12)],
    ]);
    // No data yet: nothing drawn.
    expect(segments([], { ...state(1, h(1)), activityCodeId: null, since: null }, from, to, h(12))).toEqual([]);
  });
});
