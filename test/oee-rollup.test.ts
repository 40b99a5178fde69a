import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import type { OeeResult } from '../core/oee/index.js';
import { ChangeFeed } from '../services/change-feed.js';
import { createRepositories } from '../db/repositories/index.js';
import { OeeService } from '../services/oee/oee.service.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient } from './support/http-client.js';
import { insertJobs, insertProduction, insertTimelines, type IntervalRow, type ProductionRow } from './support/oee-fixtures.js';
import { gateHistory } from './support/gated-history.js';
import { OEE_ELEMENT_KEYS } from '../core/oee/index.js';
import { seededRandom } from '../core/seeded-random.js';

/**
 * Property tests of the roll-ups on random histories in a DST time zone, against the real
 * database: the stored hours give the raw calculation's numbers (cold and warm, for any window and
 * bucket), day buckets sum to the whole, a group is the sum of its machines, and every kind of
 * change on the change feed leaves no stale stored hour behind.
 */
const HOUR = 3_600_000;
const START = Date.parse('2026-10-19T00:00:00Z');
const NOW = Date.parse('2026-11-01T15:37:12.345Z'); // mid-hour: a partial hour at the end
const UP = 1;
const DOWN = 2;
const CLOSED = 3;
const OVERTIME = 4;

let app: TestApp;
let clock: FixedClock;
let raw: OeeService; // never uses stored hours
let rolled: OeeService; // always uses them
let feed: ChangeFeed;
let admin: ApiClient;
let codes: number[];
const machines: { id: number; groupId: number }[] = [];
let rng: () => number;

/** mulberry32: a small seeded generator, so a failure can be replayed. */
const seeded = seededRandom;
const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;

interface JobSpanRow {
  id: number;
  start: number;
  end: number | null;
}

/** A random history from `from` to now: ~15 state changes an hour at most, jobs, counts (spans and points). */
async function randomHistory(machineId: number, from: number): Promise<void> {
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
const ELEMENT_KEYS = OEE_ELEMENT_KEYS;
const RATIO_KEYS = ['availability', 'performance', 'quality', 'oee', 'teep', 'mtbfSeconds', 'mttrSeconds'] as const;

/** Floats summed in another order differ in the last bits only. */
function expectNumber(actual: number | null, expected: number | null, what: string): void {
  if (expected === null || actual === null) {
    expect(actual, what).toBe(expected);
    return;
  }
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

function expectSameResult(actual: OeeResult, expected: OeeResult, what = 'result'): void {
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

type GroupAnswer = Awaited<ReturnType<OeeService['groupOee']>>;

function expectSameGroup(actual: GroupAnswer, expected: GroupAnswer, what: string): void {
  expectSameResult(actual, expected, what);
  expect(actual.machines.map((m) => m.machineId)).toEqual(expected.machines.map((m) => m.machineId));
  actual.machines.forEach((m, i) => expectSameResult(m, expected.machines[i]!, `${what}.machines[${m.machineId}]`));
  expect(actual.buckets?.length).toBe(expected.buckets?.length);
  actual.buckets?.forEach((b, i) => expectSameResult(b, expected.buckets![i]!, `${what}.buckets[${i}]`));
}

function sumOf(results: OeeResult[]): Record<string, number> {
  return Object.fromEntries(ELEMENT_KEYS.map((k) => [k, results.reduce((s, r) => s + r[k], 0)]));
}

function expectElementsSum(actual: OeeResult, parts: OeeResult[], what: string): void {
  const sum = sumOf(parts);
  for (const k of ELEMENT_KEYS) expectNumber(actual[k], sum[k]!, `${what}.${k}`);
}

async function storedHourCount(): Promise<number> {
  // Computed hours are stored after the answer: wait for the writers.
  await rolled.flushRollups();
  await app.flushRollups();
  return (await app.dataSource.query(`SELECT count(*)::int AS n FROM oee_hourly`))[0].n;
}

const d = (ms: number) => new Date(ms);

beforeAll(async () => {
  rng = seeded(20261101);
  clock = new FixedClock(new Date(NOW));
  app = await startTestApp({ clock });
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  expect((await admin.put('/api/v1/site', { timezone: 'Europe/London', microStopSeconds: 90 })).status).toBe(200);
  codes = [];
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
  for (const m of machines) await randomHistory(m.id, START + int(0, 30) * HOUR + int(0, 3599) * 1000);

  const repos = createRepositories(app.dataSource);
  raw = new OeeService(repos, clock, undefined, { rawMaxSeconds: Number.MAX_SAFE_INTEGER / 1000, rawMaxIntervals: null });
  rolled = new OeeService(repos, clock, undefined, { rawMaxSeconds: 0 });
  feed = new ChangeFeed();
  rolled.listen(feed);
});
afterAll(() => app?.stop());

describe('stored hours give exactly the raw calculation', () => {
  it('for the whole history, cold and then warm', async () => {
    const from = d(START - 24 * HOUR);
    const to = d(NOW + 48 * HOUR);
    const expected = await raw.groupOee(null, from, to);
    expect(expected.calendarSeconds).toBeGreaterThan(4 * 12 * 86_400);
    expect(expected.smallStopSeconds).toBeGreaterThan(0);
    expect(expected.plannedStopSeconds).toBeGreaterThan(0);
    expect(await storedHourCount()).toBe(0);
    expectSameGroup(await rolled.groupOee(null, from, to), expected, 'cold');
    const stored = await storedHourCount();
    expect(stored).toBeGreaterThan(5 * 11 * 24);
    const [{ days }] = await app.dataSource.query(`SELECT count(*)::int AS days FROM oee_hourly WHERE hours > 1`);
    expect(days).toBeGreaterThanOrEqual(5 * 10); // whole local days of each machine, one of them 25 h
    const [{ long }] = await app.dataSource.query(`SELECT count(*)::int AS long FROM oee_hourly WHERE hours = 25`);
    expect(long).toBeGreaterThan(0);
    expectSameGroup(await rolled.groupOee(null, from, to), expected, 'warm');
    expect(await storedHourCount()).toBe(stored);
  });

  it('for random windows (any instant, partial hours at both edges)', async () => {
    for (let i = 0; i < 12; i++) {
      const a = START + int(-10, 13 * 24) * HOUR + int(0, 3_599_999);
      const b = a + int(1, 5 * 24 * 60) * 60_000 + int(0, 59_999);
      const machine = pick(machines);
      expectSameResult(
        await rolled.machineOee(machine.id, d(a), d(b)),
        await raw.machineOee(machine.id, d(a), d(b)),
        `machine ${machine.id} ${d(a).toISOString()}–${d(b).toISOString()}`,
      );
      expectSameGroup(
        await rolled.groupOee(machine.groupId, d(a), d(b)),
        await raw.groupOee(machine.groupId, d(a), d(b)),
        `group ${machine.groupId}`,
      );
    }
  });

  it.each(['hour', 'day', 'week', 'shift'] as const)('for %s buckets (the site, mixed shift patterns)', async (bucket) => {
    const from = d(START + 5 * HOUR + 1234);
    const to = d(NOW + 30 * 60_000);
    expectSameGroup(await rolled.groupOee(null, from, to, bucket), await raw.groupOee(null, from, to, bucket), bucket);
    const machine = machines[1]!; // night shifts over the DST change
    const one = await rolled.machineOee(machine.id, from, to, bucket);
    const expected = await raw.machineOee(machine.id, from, to, bucket);
    expectSameResult(one, expected, `machine ${bucket}`);
    one.buckets!.forEach((b, i) => expectSameResult(b, expected.buckets![i]!, `machine ${bucket}[${i}]`));
  });
});

describe('short windows of dense machines', () => {
  it('take their closed hours from the stored rows and still give exactly the raw calculation', async () => {
    const repos = createRepositories(app.dataSource);
    let dense = 0;
    let sparse = 0;
    for (let i = 0; i < 16; i++) {
      // At most 2 days (the default rawMaxSeconds), at least 2 h: whole closed hours inside.
      const a = START + int(0, 11 * 24) * HOUR + int(0, 3_599_999);
      const b = a + int(120, 2 * 24 * 60) * 60_000 + int(0, 59_999);
      const denseAt = int(1, 80);
      const mixed = new OeeService(repos, clock, undefined, { rawMaxIntervals: denseAt });
      const machine = pick(machines);
      const what = `machine ${machine.id} ${d(a).toISOString()}–${d(b).toISOString()}, denseAt ${denseAt}`;
      const [{ n }] = await app.dataSource.query(
        `SELECT count(*)::int AS n FROM timeline_intervals WHERE "machineId" = $1 AND start >= $2 AND start < $3`,
        [machine.id, d(a), d(Math.min(b, NOW))],
      );
      await rolled.invalidateAll();
      expectSameResult(await mixed.machineOee(machine.id, d(a), d(b)), await raw.machineOee(machine.id, d(a), d(b)), what);
      await mixed.flushRollups();
      const [{ stored }] = await app.dataSource.query(`SELECT count(*)::int AS stored FROM oee_hourly WHERE "machineId" = $1`, [
        machine.id,
      ]);
      if (n >= denseAt) {
        dense++;
        expect(stored, `${what}: ${n} intervals, hours stored`).toBeGreaterThan(0);
      } else {
        sparse++;
        expect(stored, `${what}: ${n} intervals, raw only`).toBe(0);
      }
      expectSameGroup(
        await mixed.groupOee(machine.groupId, d(a), d(b)),
        await raw.groupOee(machine.groupId, d(a), d(b)),
        `group of ${what}`,
      );
      const hours = await mixed.machineOee(machine.id, d(a), d(b), 'hour');
      const expected = await raw.machineOee(machine.id, d(a), d(b), 'hour');
      expect(hours.buckets!.length).toBe(expected.buckets!.length);
      hours.buckets!.forEach((h, k) => expectSameResult(h, expected.buckets![k]!, `${what}, hour ${k}`));
    }
    expect(dense).toBeGreaterThan(2);
    expect(sparse).toBeGreaterThan(2);
  });
});

describe('roll-up arithmetic', () => {
  it('day buckets (with the 25 h day of the DST change) sum to the whole', async () => {
    const from = d(Date.parse('2026-10-18T23:00:00Z')); // local midnight (BST)
    const to = d(Date.parse('2026-11-02T00:00:00Z'));
    for (const service of [rolled, raw]) {
      const result = await service.groupOee(null, from, to, 'day');
      const lengths = result.buckets!.map((b) => (Date.parse(b.to) - Date.parse(b.from)) / HOUR);
      expect(lengths).toContain(25);
      expectElementsSum(result, result.buckets!, 'site by day');
      for (const m of machines) {
        const one = await service.machineOee(m.id, from, to, 'day');
        expectElementsSum(one, one.buckets!, `machine ${m.id} by day`);
      }
    }
  });

  it('a group is the sum of its machines, and the site the sum of its groups', async () => {
    const from = d(START);
    const to = d(NOW);
    const site = await rolled.groupOee(null, from, to);
    expectElementsSum(site, site.machines, 'site');
    const groups = [];
    for (const groupId of [...new Set(machines.map((m) => m.groupId))]) {
      const group = await rolled.groupOee(groupId, from, to);
      expectElementsSum(group, group.machines, `group ${groupId}`);
      for (const m of group.machines)
        expectSameResult(
          m,
          site.machines.find((s) => s.machineId === m.machineId)!,
          `machine ${m.machineId}`,
        );
      groups.push(group);
    }
    expectElementsSum(site, groups, 'site = groups');
    // Ratios are the ratios of the sums, never averages.
    expect(site.availability).toBeCloseTo(site.runSeconds / site.plannedProductionSeconds, 12);
  });
});

describe('changes on the change feed delete exactly what they touch', () => {
  const from = d(START - 24 * HOUR);
  const to = d(NOW);
  const check = async (what: string) => expectSameGroup(await rolled.groupOee(null, from, to), await raw.groupOee(null, from, to), what);
  const warm = async () => {
    await rolled.groupOee(null, from, to);
    return storedHourCount();
  };

  it('a history change that is not published would be seen (the test can fail)', async () => {
    await warm();
    const machine = machines[0]!.id;
    await app.dataSource.query(
      `UPDATE production_records SET good = good + 1000 WHERE id = (SELECT min(id) FROM production_records WHERE "machineId" = $1 AND "from" < $2)`,
      [machine, d(NOW - 48 * HOUR)],
    );
    const stale = await rolled.groupOee(null, from, to);
    const fresh = await raw.groupOee(null, from, to);
    expect(fresh.goodCount - stale.goodCount).toBeGreaterThan(0);
    await rolled.invalidateMachine(machine, null);
    await check('after invalidateMachine');
  });

  it('timeline: a re-projection from an instant', async () => {
    const before = await warm();
    const machine = machines[2]!.id;
    const at = new Date(Date.parse('2026-10-27T10:20:30Z'));
    const [holding] = await app.dataSource.query(
      `SELECT id, start FROM timeline_intervals WHERE "machineId" = $1 AND start <= $2 ORDER BY start DESC LIMIT 1`,
      [machine, at],
    );
    await app.dataSource.query(`DELETE FROM timeline_intervals WHERE "machineId" = $1 AND start > $2`, [machine, at]);
    await app.dataSource.query(`UPDATE timeline_intervals SET "end" = $2 WHERE id = $1`, [holding.id, at]);
    await insertTimelines(app.dataSource, [
      { machineId: machine, start: at, end: d(at.getTime() + 2 * HOUR), activityCodeId: codes[0]! },
      { machineId: machine, start: d(at.getTime() + 2 * HOUR), end: null, activityCodeId: UP },
    ]);
    feed.publish({ kind: 'timeline', machineId: machine, from: at.toISOString() });
    await check('after timeline change');
    expect(await storedHourCount()).toBe(before);
  });

  it('timeline: a change that turns an earlier stop into (or out of) a small stop, across an hour boundary', async () => {
    await warm();
    const machine = machines[3]!.id;
    // Running, a 60 s stop over the hour (a small stop: < 90 s between running), running again.
    const stopStart = Date.parse('2026-10-29T09:59:30Z');
    const [holding] = await app.dataSource.query(
      `SELECT id FROM timeline_intervals WHERE "machineId" = $1 AND start <= $2 ORDER BY start DESC LIMIT 1`,
      [machine, d(stopStart - 60_000)],
    );
    await app.dataSource.query(`DELETE FROM timeline_intervals WHERE "machineId" = $1 AND start > $2`, [machine, d(stopStart - 60_000)]);
    await app.dataSource.query(`UPDATE timeline_intervals SET "end" = $2 WHERE id = $1`, [holding.id, d(stopStart - 60_000)]);
    await insertTimelines(app.dataSource, [
      { machineId: machine, start: d(stopStart - 60_000), end: d(stopStart), activityCodeId: UP },
      { machineId: machine, start: d(stopStart), end: d(stopStart + 60_000), activityCodeId: DOWN },
      { machineId: machine, start: d(stopStart + 60_000), end: null, activityCodeId: UP },
    ]);
    await rolled.invalidateMachine(machine, d(stopStart - 60_000));
    await check('small stop stored');
    // A late event at 10:00:30 makes what follows the stop a jam: the 09:00 hour changes too.
    const at = d(stopStart + 60_000);
    await app.dataSource.query(`UPDATE timeline_intervals SET "activityCodeId" = $3 WHERE "machineId" = $1 AND start = $2`, [
      machine,
      at,
      codes[1]!,
    ]);
    feed.publish({ kind: 'timeline', machineId: machine, from: at.toISOString() });
    await check('small stop no more');
  });

  it('machine-state: a live event closes the open interval', async () => {
    await warm();
    const machine = machines[4]!.id;
    const since = d(NOW - 10 * 60_000);
    const [open] = await app.dataSource.query(`SELECT id, start FROM timeline_intervals WHERE "machineId" = $1 AND "end" IS NULL`, [
      machine,
    ]);
    expect(open.start.getTime()).toBeLessThan(since.getTime());
    await app.dataSource.query(`UPDATE timeline_intervals SET "end" = $2 WHERE id = $1`, [open.id, since]);
    await insertTimelines(app.dataSource, [{ machineId: machine, start: since, end: null, activityCodeId: DOWN }]);
    feed.publish({
      kind: 'machine-state',
      machineId: machine,
      activityCodeId: DOWN,
      category: 'unplanned_stop',
      since: since.toISOString(),
      jobId: null,
      operatorId: null,
    });
    await check('after a live event');
  });

  it('production: a late record over several days', async () => {
    await warm();
    const machine = machines[1]!.id;
    const record = { from: d(START + 50 * HOUR + 777), to: d(START + 120 * HOUR), good: 5_000, rejects: 77, jobId: null };
    await insertProduction(app.dataSource, machine, [record]);
    feed.publish({
      kind: 'production',
      machineId: machine,
      jobId: null,
      from: record.from.toISOString(),
      to: record.to.toISOString(),
      good: record.good,
      rejects: record.rejects,
    });
    await check('after a production record');
  });

  it('job: a changed ideal cycle time applies from the job start', async () => {
    await warm();
    const machine = machines[0]!.id;
    const [job] = await app.dataSource.query(
      `SELECT id FROM jobs WHERE "machineId" = $1 AND "idealCycleTimeSeconds" IS NOT NULL ORDER BY start LIMIT 1`,
      [machine],
    );
    await app.dataSource.query(`UPDATE jobs SET "idealCycleTimeSeconds" = "idealCycleTimeSeconds" * 3 WHERE id = $1`, [job.id]);
    feed.publish({ kind: 'job', machineId: machine, jobId: job.id, action: 'updated' });
    await check('after a job change');
  });

  it('a change committed while a computation has its data in hand does not leave stale hours', async () => {
    await rolled.invalidateAll();
    // A service whose first raw load returns, then waits until the change is committed and published.
    const repos = createRepositories(app.dataSource);
    const { dataInHand, release } = gateHistory(repos);
    const slow = new OeeService(repos, clock, undefined, { rawMaxSeconds: 0 });
    const slowFeed = new ChangeFeed();
    slow.listen(slowFeed);

    const machine = machines[2]!.id;
    const computing = slow.groupOee(null, from, to);
    await dataInHand;
    await app.dataSource.query(`UPDATE production_records SET rejects = rejects + 5 WHERE "machineId" = $1`, [machine]);
    const [first] = await app.dataSource.query(`SELECT min("from") AS at FROM production_records WHERE "machineId" = $1`, [machine]);
    const change = {
      kind: 'production',
      machineId: machine,
      jobId: null,
      from: first.at.toISOString(),
      to: to.toISOString(),
      good: 0,
      rejects: 5,
    } as const;
    slowFeed.publish(change);
    feed.publish(change);
    release();
    await computing;
    await slow.flushRollups();
    expectSameGroup(await slow.groupOee(null, from, to), await raw.groupOee(null, from, to), 'after a concurrent change');
    await check('after a concurrent change');
  });

  it('setup: a site setting change deletes everything', async () => {
    await warm();
    expect((await admin.put('/api/v1/site', { timezone: 'Asia/Kolkata', microStopSeconds: 30 })).status).toBe(200);
    feed.publish({ kind: 'setup', entity: 'site', id: 1 });
    await check('after the site changed');
    await rolled.flushRollups();
    // India: stored hours start at half past UTC hours.
    const [{ n }] = await app.dataSource.query(`SELECT count(*)::int AS n FROM oee_hourly WHERE EXTRACT(MINUTE FROM "hourStart") <> 30`);
    expect(n).toBe(0);
    expectSameGroup(await rolled.groupOee(null, from, to, 'day'), await raw.groupOee(null, from, to, 'day'), 'India by day');
  });
});

describe('storeClosed', () => {
  it('stores every closed hour and day of a range, ahead of the queries', async () => {
    await rolled.invalidateAll();
    await rolled.storeClosed(d(START), d(NOW));
    const [{ hours, days }] = await app.dataSource.query(
      `SELECT count(*) FILTER (WHERE hours = 1)::int AS hours, count(*) FILTER (WHERE hours > 1)::int AS days FROM oee_hourly`,
    );
    expect(hours).toBeGreaterThan(5 * 11 * 24);
    expect(days).toBeGreaterThanOrEqual(5 * 10);
    expectSameGroup(
      await rolled.groupOee(null, d(START), d(NOW), 'day'),
      await raw.groupOee(null, d(START), d(NOW), 'day'),
      'after storeClosed',
    );
    expect(await storedHourCount()).toBe(hours + days);
  });
});

describe('currentShiftOee', () => {
  it('is the OEE of the shift holding now, or of the local day for a 24/7 machine', async () => {
    await admin.put('/api/v1/site', { timezone: 'Europe/London', microStopSeconds: 90 });
    await rolled.invalidateAll();
    const m1 = machines[0]!.id; // weekdays 06–14, 14–22; now is Sunday 15:37 → the last shift, Friday 14–22 (10-30)
    const shift = await rolled.currentShiftOee(m1);
    expect([shift.from, shift.to]).toEqual(['2026-10-30T14:00:00.000Z', '2026-10-30T22:00:00.000Z']);
    expectSameResult(shift, await raw.machineOee(m1, d(Date.parse(shift.from)), d(Date.parse(shift.to))));
    const m3 = machines[2]!.id; // 24/7
    const day = await rolled.currentShiftOee(m3);
    expect([day.from, day.to]).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z']);
    expect(day.calendarSeconds).toBe((NOW - Date.parse('2026-11-01T00:00:00Z')) / 1000);
  });
});

describe('deletes while the database is away', () => {
  it('are logged once per outage: at the first failure and at the recovery, not at every retry', async () => {
    const lines: { level: number; msg: string; failedAttempts?: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    // A connection of this service's own, closed and opened again: the others keep theirs.
    const own = new DataSource(app.dataSource.options);
    await own.initialize();
    const service = new OeeService(createRepositories(own), clock, logger, { rawMaxSeconds: 0 });
    await own.destroy();
    for (let i = 0; i < 3; i++) await expect(service.invalidateMachine(machines[0]!.id, null)).rejects.toThrow();
    expect(lines.map((l) => l.msg)).toEqual(['could not delete stale OEE roll-ups; retrying']);
    await own.initialize();
    try {
      await service.flushInvalidations();
      expect(lines.map((l) => l.msg)).toEqual([
        'could not delete stale OEE roll-ups; retrying',
        'deleted the stale OEE roll-ups after failed attempts',
      ]);
      expect(lines[1]!.failedAttempts).toBeGreaterThanOrEqual(3);
    } finally {
      await own.destroy();
    }
  });
});
