import { describe, expect, it } from 'vitest';
import { projectTimeline, type ProjectionEvent } from './timeline-projection.js';

const h = (hour: number) => Date.UTC(2026, 10, 24, hour);
const ev = (hour: number, code: number, seq: number, operatorId: number | null = null): ProjectionEvent => ({
  at: h(hour),
  seq,
  activityCodeId: code,
  operatorId,
});

describe('projectTimeline', () => {
  it('puts a late event where it belongs: 10, 12, then 11 → 10–11, 11–12, 12–open', () => {
    const intervals = projectTimeline([ev(10, 2, 1), ev(12, 2 + 1, 2), ev(11, 5, 3)], [], []);
    expect(intervals).toEqual([
      { start: h(10), end: h(11), activityCodeId: 2, jobId: null, operatorId: null },
      { start: h(11), end: h(12), activityCodeId: 5, jobId: null, operatorId: null },
      { start: h(12), end: null, activityCodeId: 3, jobId: null, operatorId: null },
    ]);
  });

  it('gives the same intervals whatever the arrival order', () => {
    const events = [ev(8, 2, 1), ev(9, 1, 2), ev(10, 2, 3), ev(11, 3, 4), ev(13, 1, 5)];
    const reversed = events.map((e, i) => ({ ...e, seq: events.length - i })).reverse();
    const inOrder = projectTimeline(events, [], []);
    expect(projectTimeline(reversed, [], [])).toEqual(inOrder);
  });

  it('lets the later-recorded of two events at the same instant win', () => {
    expect(projectTimeline([ev(10, 2, 1), ev(10, 5, 2)], [], [])).toEqual([
      { start: h(10), end: null, activityCodeId: 5, jobId: null, operatorId: null },
    ]);
  });

  it('merges neighbours in the same state and keeps operators apart', () => {
    expect(projectTimeline([ev(10, 2, 1), ev(11, 2, 2), ev(12, 2, 3, 7)], [], [])).toEqual([
      { start: h(10), end: h(12), activityCodeId: 2, jobId: null, operatorId: null },
      { start: h(12), end: null, activityCodeId: 2, jobId: null, operatorId: 7 },
    ]);
  });

  it('assigns the job running at each interval start and cuts at job boundaries', () => {
    const intervals = projectTimeline([ev(10, 2, 1), ev(11, 1, 2), ev(14, 2, 3)], [], [{ id: 9, start: h(11), end: h(13) }]);
    expect(intervals).toEqual([
      { start: h(10), end: h(11), activityCodeId: 2, jobId: null, operatorId: null },
      { start: h(11), end: h(13), activityCodeId: 1, jobId: 9, operatorId: null },
      { start: h(13), end: h(14), activityCodeId: 1, jobId: null, operatorId: null },
      { start: h(14), end: null, activityCodeId: 2, jobId: null, operatorId: null },
    ]);
  });

  it('overlays a correction over [at, until) and lets the earlier history resume', () => {
    const intervals = projectTimeline([ev(10, 2, 1), ev(14, 1, 2)], [{ at: h(11), until: h(12), seq: 3, activityCodeId: 6 }], []);
    expect(intervals).toEqual([
      { start: h(10), end: h(11), activityCodeId: 2, jobId: null, operatorId: null },
      { start: h(11), end: h(12), activityCodeId: 6, jobId: null, operatorId: null },
      { start: h(12), end: h(14), activityCodeId: 2, jobId: null, operatorId: null },
      { start: h(14), end: null, activityCodeId: 1, jobId: null, operatorId: null },
    ]);
  });

  it('lets a later correction win over an earlier one and replace whole intervals', () => {
    const intervals = projectTimeline(
      [ev(10, 2, 1), ev(11, 3, 2), ev(12, 2, 3), ev(15, 1, 4)],
      [
        { at: h(10), until: h(13), seq: 5, activityCodeId: 6 },
        { at: h(12), until: h(14), seq: 6, activityCodeId: 7 },
      ],
      [],
    );
    expect(intervals.map((i) => [i.start, i.end, i.activityCodeId])).toEqual([
      [h(10), h(12), 6],
      [h(12), h(14), 7],
      [h(14), h(15), 2],
      [h(15), null, 1],
    ]);
  });

  it('projects nothing before the first event', () => {
    expect(projectTimeline([], [], [])).toEqual([]);
    expect(projectTimeline([ev(10, 2, 1)], [{ at: h(8), until: h(11), seq: 2, activityCodeId: 6 }], [])).toEqual([
      { start: h(10), end: h(11), activityCodeId: 6, jobId: null, operatorId: null },
      { start: h(11), end: null, activityCodeId: 2, jobId: null, operatorId: null },
    ]);
  });
});
