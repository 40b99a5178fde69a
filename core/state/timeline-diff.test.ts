import { describe, expect, it } from 'vitest';
import { diffTimelines } from './timeline-diff.js';

const iv = (start: number, end: number | null, activityCodeId: number, jobId: number | null = null) => ({
  start,
  end,
  activityCodeId,
  jobId,
  operatorId: null,
});
const st = (activityCodeId: number, jobId: number | null = null) => ({ activityCodeId, jobId, operatorId: null });

describe('diffTimelines', () => {
  const truth = [iv(0, 10, 2), iv(10, 20, 1, 7), iv(20, null, 2)];

  it('finds nothing when the rows are the projection', () => {
    expect(diffTimelines(truth, truth, 0, 100)).toEqual([]);
    expect(diffTimelines([...truth].reverse(), truth, 5, 15)).toEqual([]);
  });

  it('reports a wrong code, a moved boundary and a gap, each with both states', () => {
    const stored = [iv(0, 12, 2), iv(12, 20, 3, 7), iv(30, null, 2)];
    expect(diffTimelines(stored, truth, 0, 100)).toEqual([
      { from: 10, to: 12, stored: st(2), recomputed: st(1, 7) },
      { from: 12, to: 20, stored: st(3, 7), recomputed: st(1, 7) },
      { from: 20, to: 30, stored: null, recomputed: st(2) },
    ]);
  });

  it('reports a needless split as a boundary difference, and ignores what lies outside the window', () => {
    const stored = [iv(0, 10, 2), iv(10, 15, 1, 7), iv(15, 20, 1, 7), iv(20, null, 5)];
    expect(diffTimelines(stored, truth, 0, 20)).toEqual([{ from: 15, to: 15, stored: st(1, 7), recomputed: st(1, 7) }]);
    // An open interval against a closed one that ends after the window: the same inside it.
    expect(diffTimelines([iv(0, null, 2)], [iv(0, 50, 2), iv(50, null, 1)], 0, 40)).toEqual([]);
  });
});
