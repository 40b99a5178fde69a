import { describe, expect, it } from 'vitest';
import { categories } from '../vocabulary.js';
import { computeColumnElements, computeWindowElements, lowerBound, toColumns, type IntervalColumns, type JobSpan } from './index.js';
import type { PlannedTime, ProductionRecord, StateInterval } from './oee-types.js';
import type { MsRange } from './time-ranges.js';
import { seededRandom } from '../seeded-random.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 4, 4, 0, 0, 0);

/** mulberry32: the same timelines on every run (no fast-check in the project). */
const seeded = seededRandom;

interface Case {
  intervals: StateInterval[];
  planned: PlannedTime[];
  jobs: JobSpan[];
  production: ProductionRecord[];
  now: number;
  microStopSeconds: number;
  windows: MsRange[];
}

/**
 * A random timeline over ~a day and a half: jobs back to back or with gaps, each with its own ideal
 * cycle time (none, 0 or seconds); intervals of every category from sub-second micro-stops to
 * several hours, often starting or ending exactly on an hour edge, gaps without history, empty
 * intervals, the last one sometimes open; planned windows as the shift calendar gives them (sorted,
 * overlaps merged, touching ones kept apart); span, point and malformed records.
 */
function randomCase(rng: () => number): Case {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
  const span = 36 * HOUR;
  const jobs: JobSpan[] = [];
  for (let t = T0 - Math.floor(rng() * 3) * HOUR, id = 1; t < T0 + span; id++) {
    const end = t + Math.round(rng() * 8 * HOUR) + 1000;
    jobs.push({ id, start: new Date(t), end: rng() < 0.1 ? null : new Date(end), idealCycleTimeSeconds: pick([null, 0, 7, 12.5, 30, 61]) });
    if (jobs[jobs.length - 1]!.end === null) break;
    t = end + (rng() < 0.5 ? 0 : Math.round(rng() * HOUR));
  }
  const intervals: StateInterval[] = [];
  let t = T0 + Math.floor(rng() * 4 - 2) * HOUR + (rng() < 0.5 ? 0 : Math.round(rng() * HOUR));
  const end = T0 + span;
  while (t < end) {
    if (rng() < 0.08) t += Math.round(rng() * 2 * HOUR); // a gap
    const previous = intervals[intervals.length - 1]?.category;
    // Short stops between running stretches (micro-stops), and other states at random.
    const category =
      previous === 'unplanned_stop' && rng() < 0.7
        ? 'running'
        : previous === 'running' && rng() < 0.3
          ? 'unplanned_stop'
          : rng() < 0.4
            ? 'running'
            : pick(categories);
    const r = rng();
    let length =
      r < 0.25 || (category === 'unplanned_stop' && r < 0.7)
        ? Math.round(rng() * 90_000) // micro-stop length (some under a second)
        : r < 0.7
          ? Math.round(rng() * HOUR)
          : Math.round(rng() * 5 * HOUR);
    if (rng() < 0.2) length = Math.ceil((t + length + 1) / HOUR) * HOUR - t; // end on an hour edge
    if (rng() < 0.03) length = 0; // empty
    const job = rng() < 0.15 ? null : pick(jobs).id;
    intervals.push({
      start: new Date(t),
      end: new Date(t + length),
      activityCodeId: category === 'running' ? 1 : pick([2, 3, 4]),
      category,
      jobId: job,
    });
    t += length;
  }
  if (intervals.length > 0 && rng() < 0.3) intervals[intervals.length - 1]!.end = null;
  const planned: PlannedTime[] = [];
  for (let p = T0 - 12 * HOUR; p < end + 12 * HOUR;) {
    const start = p + (rng() < 0.4 ? 0 : Math.round(rng() * 3 * HOUR));
    const stop = start + Math.round(rng() * 9 * HOUR) + 60_000;
    planned.push({ start: new Date(start), end: new Date(stop) });
    p = stop;
  }
  const production: ProductionRecord[] = [];
  for (let i = 0, n = Math.floor(rng() * 25); i < n; i++) {
    const a = T0 + Math.round((rng() * 40 - 4) * HOUR);
    const kind = rng();
    const b = kind < 0.2 ? a : kind < 0.25 ? a - Math.round(rng() * HOUR) : a + Math.round(rng() * 6 * HOUR);
    production.push({
      from: new Date(a),
      to: new Date(b),
      good: Math.round(rng() * 500) - (rng() < 0.05 ? 600 : 0),
      rejects: Math.round(rng() * 20),
      jobId: rng() < 0.2 ? null : pick(jobs).id,
    });
  }
  // The repository gives records sorted by start; now and then they come in any order.
  if (rng() < 0.8) production.sort((x, y) => x.from.getTime() - y.from.getTime());
  const now = rng() < 0.4 ? T0 + Math.round(rng() * span) : end + 10 * HOUR;
  const first = T0 - 3 * HOUR;
  const windows: MsRange[] =
    rng() < 0.75
      ? Array.from({ length: 42 }, (_, h) => ({ start: first + h * HOUR, end: first + (h + 1) * HOUR }))
      : Array.from({ length: 20 }, () => {
          const a = first + Math.round(rng() * 40 * HOUR);
          return { start: a, end: a + Math.round(rng() * 5 * HOUR) };
        });
  return { intervals, planned, jobs, production, now, microStopSeconds: pick([0, 60, 120]), windows };
}

/**
 * The per-hour computation the OEE service ran before the sweep (services/oee/windows.ts `prepare`
 * and `slice`): one `computeColumnElements` per window, over the intervals overlapping it plus one
 * neighbour on each side and the planned windows covering them.
 */
function perWindow(c: Case, columns: IntervalColumns, w: MsRange) {
  const lo = Math.max(0, lowerBound(columns.end, w.start + 1) - 1);
  const hi = Math.min(columns.length, lowerBound(columns.start, w.end) + 1);
  const sliceFrom = Math.min(w.start, lo < hi ? columns.start[lo]! : w.start);
  const p0 = lowerBound(
    c.planned.map((p) => p.end.getTime()),
    sliceFrom + 1,
  );
  let p1 = p0;
  while (p1 < c.planned.length && c.planned[p1]!.start.getTime() < w.end) p1++;
  return computeColumnElements({
    from: new Date(w.start),
    to: new Date(w.end),
    now: new Date(c.now),
    intervals: columns,
    lo,
    hi,
    plannedWindows: c.planned.slice(p0, p1),
    jobs: c.jobs,
    production: c.production,
    microStopSeconds: c.microStopSeconds,
  });
}

describe('computeWindowElements (the many-window sweep)', () => {
  it('gives every element of every window exactly as one computation per window does, on 400 random timelines', () => {
    const rng = seeded(20261203);
    let windows = 0;
    let nonEmpty = 0;
    const seen = { small: 0, stops: 0, rated: 0, counts: 0 };
    for (let run = 0; run < 400; run++) {
      const c = randomCase(rng);
      const columns = toColumns(c.intervals);
      const swept = computeWindowElements({
        intervals: columns,
        plannedWindows: c.planned,
        jobs: c.jobs,
        production: c.production,
        now: new Date(c.now),
        microStopSeconds: c.microStopSeconds,
        windows: c.windows,
      });
      expect(swept).toHaveLength(c.windows.length);
      c.windows.forEach((w, i) => {
        const expected = perWindow(c, columns, w);
        // toEqual compares numbers with Object.is: equal to the last bit.
        expect(swept[i], `run ${run}, window ${i} [${new Date(w.start).toISOString()}, ${new Date(w.end).toISOString()})`).toEqual(
          expected,
        );
        windows++;
        if (expected.calendarSeconds > 0 || expected.totalCount > 0) nonEmpty++;
        if (expected.smallStopSeconds > 0) seen.small++;
        if (expected.unplannedStopCount > 0) seen.stops++;
        if (expected.ratedRunSeconds > 0) seen.rated++;
        if (expected.idealSeconds > 0) seen.counts++;
      });
    }
    // The timelines really exercise the windows (not all empty or future).
    expect(windows).toBeGreaterThan(10_000);
    expect(nonEmpty).toBeGreaterThan(windows / 2);
    // …and every kind of element: micro-stops, stop occurrences, rated run time, counts with an ideal cycle time.
    for (const [kind, n] of Object.entries(seen)) expect(n, kind).toBeGreaterThan(windows / 50);
  });

  it('an empty history and no windows give nothing; a future window gives zero elements', () => {
    const input = { intervals: toColumns([]), plannedWindows: [], jobs: [], production: [], now: new Date(T0), microStopSeconds: 60 };
    expect(computeWindowElements({ ...input, windows: [] })).toEqual([]);
    const [future] = computeWindowElements({ ...input, windows: [{ start: T0 + HOUR, end: T0 + 2 * HOUR }] });
    expect(future).toMatchObject({ calendarSeconds: 0, totalCount: 0, losses: [] });
  });
});
