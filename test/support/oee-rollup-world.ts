import type { OeeResult } from '../../core/oee/index.js';
import { OEE_ELEMENT_KEYS } from '../../core/oee/index.js';
import { FixedClock } from '../../core/clock.js';
import { seededRandom } from '../../core/seeded-random.js';
import { createRepositories } from '../../db/repositories/index.js';
import { ChangeFeed } from '../../services/change-feed.js';
import { OeeService } from '../../services/oee/oee.service.js';
import { expect } from 'vitest';
import { ApiClient } from './http-client.js';
import { insertJobs, insertProduction, insertTimelines, type IntervalRow, type ProductionRow } from './oee-fixtures.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './test-app.js';

/**
 * The world of the roll-up property tests (test/oee-rollup.test.ts, test/oee-rollup-invalidation.test.ts):
 * five machines with random histories in a DST time zone (two shift patterns, one 24/7), a service
 * that never uses stored hours (`raw`) and one that always does (`rolled`, listening to `feed`), and
 * the comparisons: stored and raw agree to the last float bits of a different summing order.
 */
export const HOUR = 3_600_000;
export const START = Date.parse('2026-10-19T00:00:00Z');
export const NOW = Date.parse('2026-11-01T15:37:12.345Z'); // mid-hour: a partial hour at the end
export const UP = 1;
export const DOWN = 2;
export const CLOSED = 3;
export const OVERTIME = 4;

export const d = (ms: number) => new Date(ms);

export interface RollupWorld {
  app: TestApp;
  clock: FixedClock;
  admin: ApiClient;
  /** A planned stop, then an unplanned stop. */
  codes: number[];
  machines: { id: number; groupId: number }[];
  raw: OeeService; // never uses stored hours
  rolled: OeeService; // always uses them
  feed: ChangeFeed;
  /** Seeded draws (mulberry32), so a failure can be replayed. */
  int: (lo: number, hi: number) => number;
  pick: <T>(list: readonly T[]) => T;
  /** Rows in oee_hourly once the writers are done. */
  storedHourCount(): Promise<number>;
}

export async function startRollupWorld(seed = 20261101): Promise<RollupWorld> {
  const rng = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
  const clock = new FixedClock(new Date(NOW));
  const app = await startTestApp({ clock });
  const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  expect((await admin.put('/api/v1/site', { timezone: 'Europe/London', microStopSeconds: 90 })).status).toBe(200);
  const codes: number[] = [];
  const machines: { id: number; groupId: number }[] = [];
  for (const [shortDescription, category] of [
    ['Changeover', 'planned_stop'],
    ['Jam', 'unplanned_stop'],
  ] as const) {
    codes.push((await admin.post('/api/v1/activity-codes', { shortDescription, category, colour: '#123456' })).body.id);
  }
  const days = (
    await admin.post('/api/v1/shift-patterns', {
      name: 'Two shifts',
      shifts: [
        { days: [1, 2, 3, 4, 5], start: '06:00', end: '14:00' },
        { days: [1, 2, 3, 4, 5], start: '14:00', end: '22:00' },
      ],
      exceptions: [{ date: '2026-10-23', shifts: [] }],
    })
  ).body.id;
  const nights = (
    await admin.post('/api/v1/shift-patterns', {
      name: 'Nights',
      shifts: [
        { days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' },
        { days: [6], start: '09:30', end: '12:15' },
      ],
      exceptions: [
        { date: '2026-10-28', shifts: [] },
        { date: '2026-10-30', shifts: [{ start: '10:00', end: '12:00' }] },
      ],
    })
  ).body.id;
  const group2 = (await admin.post('/api/v1/groups', { name: 'Line 2' })).body.id;
  for (const [name, groupId, shiftPatternId] of [
    ['M1', 1, days],
    ['M2', 1, nights],
    ['M3', group2, null],
    ['M4', group2, days],
    ['M5', group2, 1],
  ] as const) {
    const res = await admin.post('/api/v1/machines', { name, groupId, shiftPatternId });
    expect(res.status).toBe(201);
    machines.push({ id: res.body.id, groupId });
  }
  for (const m of machines) await randomHistory(app, codes, rng, m.id, START + int(0, 30) * HOUR + int(0, 3599) * 1000);

  const repos = createRepositories(app.dataSource);
  const raw = new OeeService(repos, clock, undefined, { rawMaxSeconds: Number.MAX_SAFE_INTEGER / 1000, rawMaxIntervals: null });
  const rolled = new OeeService(repos, clock, undefined, { rawMaxSeconds: 0 });
  const feed = new ChangeFeed();
  rolled.listen(feed);
  return {
    app,
    clock,
    admin,
    codes,
    machines,
    raw,
    rolled,
    feed,
    int,
    pick,
    async storedHourCount() {
      // Computed hours are stored after the answer: wait for the writers.
      await rolled.flushRollups();
      await app.flushRollups();
      return (await app.dataSource.query(`SELECT count(*)::int AS n FROM oee_hourly`))[0].n;
    },
  };
}

interface JobSpanRow {
  id: number;
  start: number;
  end: number | null;
}

/** A random history from `from` to now: ~15 state changes an hour at most, jobs, counts (spans and points). */
async function randomHistory(app: TestApp, codes: number[], rng: () => number, machineId: number, from: number): Promise<void> {
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
  const jobRows: { start: number; end: number | null; idealCycleTimeSeconds: number | null }[] = [];
  for (let t = from + int(0, 3) * HOUR; t < NOW;) {
    const length = int(1, 20) * HOUR + int(0, 3599) * 1000;
    const end = t + length >= NOW ? null : t + length;
    jobRows.push({ start: t, end, idealCycleTimeSeconds: pick([null, 12, 30, 7.5, 45.25]) });
    if (end === null) break;
    t = end + int(0, 4) * HOUR;
  }
  const ids = await insertJobs(
    app.dataSource,
    machineId,
    jobRows.map((j) => ({
      start: new Date(j.start),
      end: j.end === null ? null : new Date(j.end),
      idealCycleTimeSeconds: j.idealCycleTimeSeconds,
    })),
  );
  const jobs: JobSpanRow[] = jobRows.map((j, i) => ({ id: ids[i]!, start: j.start, end: j.end }));
  const jobAt = (t: number) => jobs.find((j) => j.start <= t && (j.end === null || t < j.end))?.id ?? null;

  const intervals: IntervalRow[] = [];
  let previous = -1;
  for (let t = from; t < NOW;) {
    // Short stops between running intervals are micro-stops (microStopSeconds = 90) or just not.
    const short = rng() < 0.3;
    const length = short ? int(10, 200) * 1000 : int(5 * 60, 3 * 3600) * 1000;
    let code = short ? pick([DOWN, codes[1]!, UP]) : pick([UP, UP, UP, DOWN, CLOSED, OVERTIME, codes[0]!, codes[1]!]);
    if (code === previous) code = code === UP ? DOWN : UP;
    const end = t + length >= NOW ? null : t + length;
    intervals.push({ start: new Date(t), end: end === null ? null : new Date(end), activityCodeId: code, jobId: jobAt(t) });
    previous = code;
    if (end === null) break;
    t = end;
  }
  await insertTimelines(
    app.dataSource,
    intervals.map((iv) => ({ ...iv, machineId })),
  );

  const production: ProductionRow[] = [];
  for (let i = 0; i < 60; i++) {
    const a = int(from - 2 * HOUR, NOW - 1000);
    const point = rng() < 0.4;
    const b = point ? a : Math.min(a + int(60, 6 * 3600) * 1000, NOW + 2 * HOUR);
    production.push({ from: new Date(a), to: new Date(b), good: int(0, 120), rejects: int(0, 9), jobId: jobAt(a) });
  }
  await insertProduction(app.dataSource, machineId, production);
}

/** The additive elements, in core's one order (docs/oee.md). */
export const ELEMENT_KEYS = OEE_ELEMENT_KEYS;
const RATIO_KEYS = ['availability', 'performance', 'quality', 'oee', 'teep', 'mtbfSeconds', 'mttrSeconds'] as const;

/** Floats summed in another order differ in the last bits only. */
export function expectNumber(actual: number | null, expected: number | null, what: string): void {
  if (expected === null || actual === null) {
    expect(actual, what).toBe(expected);
    return;
  }
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

export function expectSameResult(actual: OeeResult, expected: OeeResult, what = 'result'): void {
  expect(actual.from).toBe(expected.from);
  expect(actual.to).toBe(expected.to);
  for (const k of ELEMENT_KEYS) expectNumber(actual[k], expected[k], `${what}.${k}`);
  for (const k of RATIO_KEYS) {
    if (expected[k] === null) expect(actual[k], `${what}.${k}`).toBeNull();
    else expect(actual[k], `${what}.${k}`).toBeCloseTo(expected[k]!, 9);
  }
  const key = (l: { activityCodeId: number; category: string }) => `${l.activityCodeId}|${l.category}`;
  const expectedLosses = new Map(expected.losses.map((l) => [key(l), l]));
  expect(actual.losses.map(key).sort(), `${what}.losses`).toEqual([...expectedLosses.keys()].sort());
  for (const l of actual.losses) {
    const e = expectedLosses.get(key(l))!;
    expectNumber(l.seconds, e.seconds, `${what}.losses[${key(l)}].seconds`);
    expect(l.occurrences, `${what}.losses[${key(l)}].occurrences`).toBe(e.occurrences);
  }
  expect(actual.warnings).toEqual(expected.warnings);
}

export type GroupAnswer = Awaited<ReturnType<OeeService['groupOee']>>;

export function expectSameGroup(actual: GroupAnswer, expected: GroupAnswer, what: string): void {
  expectSameResult(actual, expected, what);
  expect(actual.machines.map((m) => m.machineId)).toEqual(expected.machines.map((m) => m.machineId));
  actual.machines.forEach((m, i) => expectSameResult(m, expected.machines[i]!, `${what}.machines[${m.machineId}]`));
  expect(actual.buckets?.length).toBe(expected.buckets?.length);
  actual.buckets?.forEach((b, i) => expectSameResult(b, expected.buckets![i]!, `${what}.buckets[${i}]`));
}

export function sumOf(results: OeeResult[]): Record<string, number> {
  return Object.fromEntries(ELEMENT_KEYS.map((k) => [k, results.reduce((s, r) => s + r[k], 0)]));
}

export function expectElementsSum(actual: OeeResult, parts: OeeResult[], what: string): void {
  const sum = sumOf(parts);
  for (const k of ELEMENT_KEYS) expectNumber(actual[k], sum[k]!, `${what}.${k}`);
}
