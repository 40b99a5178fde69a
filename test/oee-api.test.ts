import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';
import { clientsForRoles } from './support/http-client.js';
import { insertJobs, insertProduction, insertTimeline } from './support/oee-fixtures.js';
import { OEE_ELEMENT_KEYS } from '../core/oee/index.js';

/**
 * `GET /api/v1/oee` and the legacy reads against the real app and Postgres: docs/oee.md's worked
 * example to the second, bucket shapes, group and site roll-ups, and the error answers.
 */
const UP = 1;
const DOWN = 2;
const CLOSED = 3;
const DAY = '2026-05-04'; // a Monday
const t = (hhmm: string, day = DAY) => `${day}T${hhmm}:00Z`;
/** The additive elements, in core's one order (docs/oee.md). */
const ELEMENT_KEYS = OEE_ELEMENT_KEYS;

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
const clock = new FixedClock(new Date(t('18:00'))); // "viewed at 18:00"
let example: number; // machine with the worked example (group 1, pattern 1 = 09:00–17:00)
let second: number; // group 1, other history
let other: number; // group 2
let group2: number;

const oee = (query: string) => c.viewer.get(`/api/v1/oee?${query}`);
const elementsOf = (r: Record<string, unknown>) => Object.fromEntries(ELEMENT_KEYS.map((k) => [k, r[k]]));
const sumOf = (list: Record<string, unknown>[]) =>
  Object.fromEntries(ELEMENT_KEYS.map((k) => [k, list.reduce((s, r) => s + (r[k] as number), 0)]));
/** Equal elements, up to float rounding of pro-rata counts summed in another order. */
function expectSameElements(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  for (const k of ELEMENT_KEYS) {
    const a = actual[k] as number;
    const e = expected[k] as number;
    expect(Math.abs(a - e), `${k}: ${a} vs ${e}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e)));
  }
}

async function createMachine(name: string, groupId: number, shiftPatternId: number | null): Promise<number> {
  const res = await c.admin.post('/api/v1/machines', { name, groupId, shiftPatternId });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** docs/oee.md's worked example on one machine. */
async function writeExample(machineId: number): Promise<void> {
  const [job] = await insertJobs(app.dataSource, machineId, [{ start: t('10:00'), end: t('12:00'), idealCycleTimeSeconds: 60 }]);
  await insertTimeline(app.dataSource, machineId, [
    { start: t('00:00'), end: t('09:00'), activityCodeId: CLOSED },
    { start: t('09:00'), end: t('10:00'), activityCodeId: DOWN },
    { start: t('10:00'), end: t('12:00'), activityCodeId: UP, jobId: job! },
    { start: t('12:00'), end: null, activityCodeId: CLOSED },
  ]);
  await insertProduction(app.dataSource, machineId, [{ from: t('10:00'), to: t('12:00'), good: 90, rejects: 10, jobId: job! }]);
}

function expectWorkedExample(body: Record<string, any>): void {
  expect(body).toMatchObject({
    calendarSeconds: 64_800,
    plannedWindowSeconds: 28_800,
    plannedShutdownSeconds: 18_000,
    plannedProductionSeconds: 10_800,
    runSeconds: 7_200,
    overtimeSeconds: 0,
    unplannedStopSeconds: 3_600,
    plannedStopSeconds: 0,
    smallStopSeconds: 0,
    ratedRunSeconds: 7_200,
    idealSeconds: 6_000,
    fullyProductiveSeconds: 5_400,
    totalCount: 100,
    goodCount: 90,
    rejectCount: 10,
    unplannedStopCount: 1,
    mtbfSeconds: 7_200,
    mttrSeconds: 3_600,
    losses: [{ activityCodeId: DOWN, category: 'unplanned_stop', seconds: 3_600, occurrences: 1 }],
    warnings: [],
  });
  expect(body.availability).toBeCloseTo(7_200 / 10_800, 12);
  expect(body.performance).toBeCloseTo(6_000 / 7_200, 12);
  expect(body.quality).toBeCloseTo(0.9, 12);
  expect(body.oee).toBeCloseTo(0.5, 12);
  expect(body.teep).toBeCloseTo(0.5 * (10_800 / 64_800), 12);
}

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(200);
  group2 = (await c.admin.post('/api/v1/groups', { name: 'Line 2' })).body.id;
  example = await createMachine('Example', 1, 1);
  second = await createMachine('Second', 1, 1);
  other = await createMachine('Other', group2, null);
  await writeExample(example);

  // Second: running 08:00–18:00 (08:00–09:00 and 17:00–18:00 are overtime), a job without ideal cycle time.
  const [job2] = await insertJobs(app.dataSource, second, [{ start: t('08:00'), end: null, idealCycleTimeSeconds: null }]);
  await insertTimeline(app.dataSource, second, [
    { start: t('08:00'), end: t('13:00'), activityCodeId: UP, jobId: job2! },
    { start: t('13:00'), end: t('13:30'), activityCodeId: DOWN, jobId: job2! },
    { start: t('13:30'), end: null, activityCodeId: UP, jobId: job2! },
  ]);
  await insertProduction(app.dataSource, second, [{ from: t('12:00'), to: t('12:00'), good: 40, rejects: 2, jobId: job2! }]);

  // Other: 24/7, from the day before, with a job with an ideal cycle time.
  const [job3] = await insertJobs(app.dataSource, other, [{ start: t('20:00', '2026-05-03'), end: null, idealCycleTimeSeconds: 30 }]);
  await insertTimeline(app.dataSource, other, [
    { start: t('20:00', '2026-05-03'), end: t('03:00'), activityCodeId: UP, jobId: job3! },
    { start: t('03:00'), end: t('05:15'), activityCodeId: DOWN, jobId: job3! },
    { start: t('05:15'), end: null, activityCodeId: UP, jobId: job3! },
  ]);
  await insertProduction(app.dataSource, other, [
    { from: t('20:00', '2026-05-03'), to: t('16:00'), good: 1_500, rejects: 60, jobId: job3! },
  ]);
});
afterAll(() => app?.stop());

describe('GET /api/v1/oee: the worked example of OEE.md', () => {
  it('gives exactly its numbers for 00:00–18:00 viewed at 18:00', async () => {
    const res = await oee(`machineId=${example}&from=${t('00:00')}&to=${t('18:00')}`);
    expect(res.status).toBe(200);
    expectWorkedExample(res.body);
    expect(res.body).toMatchObject({ from: '2026-05-04T00:00:00.000Z', to: '2026-05-04T18:00:00.000Z' });
    expect(res.body.machines).toBeUndefined();
    expect(res.body.buckets).toBeUndefined();
  });

  it('gives the same numbers over a longer window, from stored hours (cold, then warm)', async () => {
    const query = `machineId=${example}&from=${t('00:00', '2026-04-27')}&to=${t('00:00', '2026-05-11')}`;
    const cold = await oee(query);
    expect(cold.status).toBe(200);
    expectWorkedExample(cold.body);
    await app.flushRollups();
    const [{ n }] = await app.dataSource.query(`SELECT count(*)::int AS n FROM oee_hourly WHERE "machineId" = $1`, [example]);
    expect(n).toBe(18); // the closed hours 00:00–18:00 with history; none before the first event, none after now
    const warm = await oee(query);
    expect(warm.body).toEqual(cold.body);
  });

  it('answers a window from year 1 to 9999 as quickly: only time with data is cut and computed', async () => {
    const res = await oee(`machineId=${example}&from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z`);
    expect(res.status).toBe(200);
    expectWorkedExample(res.body);
    expect(res.body.to).toBe('9999-12-31T00:00:00.000Z');
  });

  it('accepts other offsets for the same instants', async () => {
    const res = await oee(
      `machineId=${example}&from=${encodeURIComponent('2026-05-04T02:00:00+02:00')}&to=${encodeURIComponent('2026-05-04T14:00:00-04:00')}`,
    );
    expect(res.status).toBe(200);
    expectWorkedExample(res.body);
  });
});

describe('GET /api/v1/oee: buckets', () => {
  it('hour buckets: clock hours that sum to the whole', async () => {
    const res = await oee(`machineId=${example}&from=${t('00:00')}&to=${t('18:00')}&bucket=hour`);
    expect(res.status).toBe(200);
    expectWorkedExample(res.body);
    const buckets = res.body.buckets as Record<string, any>[];
    expect(buckets).toHaveLength(18);
    expect(buckets[9]).toMatchObject({
      from: '2026-05-04T09:00:00.000Z',
      to: '2026-05-04T10:00:00.000Z',
      unplannedStopSeconds: 3_600,
      unplannedStopCount: 1,
      availability: 0,
    });
    expect(buckets[10]).toMatchObject({ runSeconds: 3_600, goodCount: 45, rejectCount: 5 });
    expect(buckets[10]!.oee).toBeCloseTo(0.75, 12);
    expect(buckets[0]).toMatchObject({ calendarSeconds: 3_600, plannedProductionSeconds: 0, availability: null, oee: null });
    expectSameElements(sumOf(buckets), elementsOf(res.body));
  });

  it('day buckets: local days, empty in the future, summing to the whole', async () => {
    const res = await oee(`machineId=${example}&from=${t('00:00', '2026-05-01')}&to=${t('00:00', '2026-05-08')}&bucket=day`);
    expect(res.status).toBe(200);
    const buckets = res.body.buckets as Record<string, any>[];
    expect(buckets.map((b) => b.from)).toEqual(['01', '02', '03', '04', '05', '06', '07'].map((d) => `2026-05-${d}T00:00:00.000Z`));
    expect(buckets[6]!.to).toBe('2026-05-08T00:00:00.000Z');
    expectWorkedExample(buckets[3]!);
    for (const i of [0, 1, 2, 4, 5, 6]) expect(buckets[i]).toMatchObject({ calendarSeconds: 0, availability: null, oee: null, teep: null });
    expectSameElements(sumOf(buckets), elementsOf(res.body));
    expectWorkedExample(res.body);
  });

  it('shift buckets: each planned shift whole', async () => {
    const res = await oee(`machineId=${example}&from=${t('00:00', '2026-05-03')}&to=${t('00:00', '2026-05-05')}&bucket=shift`);
    expect(res.status).toBe(200);
    const buckets = res.body.buckets as Record<string, any>[];
    expect(buckets.map((b) => [b.from, b.to])).toEqual([
      ['2026-05-03T09:00:00.000Z', '2026-05-03T17:00:00.000Z'],
      ['2026-05-04T09:00:00.000Z', '2026-05-04T17:00:00.000Z'],
    ]);
    expect(buckets[1]).toMatchObject({
      calendarSeconds: 28_800,
      plannedWindowSeconds: 28_800,
      plannedShutdownSeconds: 18_000,
      runSeconds: 7_200,
      unplannedStopSeconds: 3_600,
    });
    expect(buckets[1]!.oee).toBeCloseTo(0.5, 12);
    expect(buckets[0]).toMatchObject({ calendarSeconds: 0, oee: null });
  });

  it('week buckets: local Monday to Monday', async () => {
    const res = await oee(`machineId=${example}&from=${t('00:00', '2026-04-27')}&to=${t('00:00', '2026-05-11')}&bucket=week`);
    expect(res.status).toBe(200);
    const buckets = res.body.buckets as Record<string, any>[];
    expect(buckets.map((b) => [b.from, b.to])).toEqual([
      ['2026-04-27T00:00:00.000Z', '2026-05-04T00:00:00.000Z'],
      ['2026-05-04T00:00:00.000Z', '2026-05-11T00:00:00.000Z'],
    ]);
    expectWorkedExample(buckets[1]!);
    expect(buckets[0]!.calendarSeconds).toBe(0);
  });

  it('refuses more than 10 000 buckets with a clear 400', async () => {
    const res = await oee(`machineId=${example}&from=${t('00:00', '2025-01-01')}&to=${t('00:00', '2026-05-05')}&bucket=hour`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/at most 10000 per request/);
    expect(res.body.error.issues[0].path).toEqual(['bucket']);
  });
});

describe('GET /api/v1/oee: groups and the site', () => {
  const window = `from=${t('00:00')}&to=${t('18:00')}`;

  it('a group sums its machines` elements, then divides, and lists the machines', async () => {
    const res = await oee(`groupId=1&${window}`);
    expect(res.status).toBe(200);
    const machines = res.body.machines as Record<string, any>[];
    expect(machines.map((m) => m.machineId)).toEqual([example, second]);
    expectWorkedExample(machines[0]!);
    expect(machines[1]).toMatchObject({
      runSeconds: 9.5 * 3_600,
      overtimeSeconds: 2 * 3_600,
      unplannedStopSeconds: 1_800,
      totalCount: 42,
      performance: null,
    });
    expectSameElements(elementsOf(res.body), sumOf(machines));
    expect(res.body.availability).toBeCloseTo((7_200 + 34_200) / (10_800 + 36_000), 12);
    // Performance only over run time in jobs with an ideal cycle time (the example's).
    expect(res.body.performance).toBeCloseTo(6_000 / 7_200, 12);
    expect(res.body.quality).toBeCloseTo((90 + 40) / (100 + 42), 12);
  });

  it('the site is every machine; with buckets the buckets are summed over machines', async () => {
    const res = await oee(`${window}&bucket=hour`);
    expect(res.status).toBe(200);
    const machines = res.body.machines as Record<string, any>[];
    expect(machines.map((m) => m.machineId)).toEqual([example, second, other]);
    expectSameElements(elementsOf(res.body), sumOf(machines));
    expectSameElements(sumOf(res.body.buckets), elementsOf(res.body));
    const group2Res = await oee(`groupId=${group2}&${window}`);
    expectSameElements(elementsOf(group2Res.body.machines[0]), elementsOf(machines[2]!));
    const alone = await oee(`machineId=${other}&${window}`);
    expectSameElements(elementsOf(alone.body), elementsOf(machines[2]!));
    // 24/7: everything is planned; counts pro rata (20 h of 44 h of 1 560 parts).
    expect(alone.body).toMatchObject({ calendarSeconds: 64_800, plannedWindowSeconds: 64_800, unplannedStopSeconds: 8_100 });
    expect(alone.body.totalCount).toBeCloseTo((1_560 * 16) / 20, 9);
  });

  it('the same over a long window from stored hours', async () => {
    const short = await oee(window);
    const long = await oee(`from=${t('00:00', '2026-04-01')}&to=${t('00:00', '2026-06-01')}&bucket=day`);
    expect(long.status).toBe(200);
    // The long window also holds the evening before for the 24/7 machine.
    const before = await oee(`from=${t('00:00', '2026-04-01')}&to=${t('00:00')}`);
    expect(long.body.calendarSeconds).toBe(short.body.calendarSeconds + before.body.calendarSeconds);
    expectSameElements(elementsOf(long.body.buckets[33]), elementsOf(short.body));
    expectSameElements(sumOf(long.body.buckets), elementsOf(long.body));
  });
});

describe('set-up edits re-compute stored hours', () => {
  it('editing the shift pattern changes stored results', async () => {
    const pattern = (
      await c.admin.post('/api/v1/shift-patterns', {
        name: 'Edited',
        shifts: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' }],
      })
    ).body.id;
    const machine = await createMachine('Pattern edit', 1, pattern);
    await writeExample(machine);
    const long = `machineId=${machine}&from=${t('00:00', '2026-04-27')}&to=${t('00:00', '2026-05-11')}`;
    expectWorkedExample((await oee(long)).body);
    expect(
      (
        await c.admin.patch(`/api/v1/shift-patterns/${pattern}`, {
          shifts: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '10:00', end: '12:00' }],
        })
      ).status,
    ).toBe(200);
    const after = await oee(long);
    expect(after.body).toMatchObject({
      plannedWindowSeconds: 7_200,
      plannedShutdownSeconds: 0,
      unplannedStopSeconds: 0,
      runSeconds: 7_200,
      availability: 1,
    });
    expectSameElements(elementsOf(after.body), elementsOf((await oee(`machineId=${machine}&from=${t('00:00')}&to=${t('18:00')}`)).body));
  });

  it('changing the micro-stop threshold re-computes every stored hour', async () => {
    const machine = await createMachine('Micro', 1, null);
    await insertTimeline(app.dataSource, machine, [
      { start: t('06:00'), end: t('06:30'), activityCodeId: UP },
      { start: t('06:30'), end: '2026-05-04T06:31:00Z', activityCodeId: DOWN },
      { start: '2026-05-04T06:31:00Z', end: null, activityCodeId: UP },
    ]);
    const long = `machineId=${machine}&from=${t('00:00', '2026-04-27')}&to=${t('00:00', '2026-05-11')}`;
    expect((await oee(long)).body).toMatchObject({ unplannedStopSeconds: 60, smallStopSeconds: 0, unplannedStopCount: 1 });
    expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 120 })).status).toBe(200);
    expect((await oee(long)).body).toMatchObject({
      unplannedStopSeconds: 0,
      smallStopSeconds: 60,
      unplannedStopCount: 0,
      runSeconds: 12 * 3_600,
    });
    expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(200);
    expect((await oee(long)).body).toMatchObject({ unplannedStopSeconds: 60, smallStopSeconds: 0 });
  });
});

describe('GET /api/v1/oee: refusals', () => {
  const window = `from=${t('00:00')}&to=${t('18:00')}`;

  it('401 without credentials, 403 for a device key', async () => {
    expect((await c.anonymous.get(`/api/v1/oee?${window}`)).status).toBe(401);
    expect((await c.device.get(`/api/v1/oee?${window}`)).status).toBe(403);
  });

  it('404 for an unknown machine or group', async () => {
    expect((await oee(`machineId=999999&${window}`)).status).toBe(404);
    expect((await oee(`groupId=999999&${window}`)).status).toBe(404);
  });

  it.each([
    ['from missing', `to=${t('18:00')}`, 'from'],
    ['to before from', `from=${t('18:00')}&to=${t('00:00')}`, 'to'],
    ['to equal to from', `from=${t('18:00')}&to=${t('18:00')}`, 'to'],
    ['no offset', `from=2026-05-04T00:00:00&to=${t('18:00')}`, 'from'],
    ['not a time', `from=yesterday&to=${t('18:00')}`, 'from'],
    ['a bad bucket', `${window}&bucket=month`, 'bucket'],
    ['a bad machine id', `${window}&machineId=abc`, 'machineId'],
    ['both a machine and a group', `${window}&machineId=1&groupId=1`, 'groupId'],
  ])('400 for %s', async (_name, query, field) => {
    const res = await oee(query);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.issues.some((i: { path: unknown[] }) => i.path[0] === field)).toBe(true);
  });
});

describe('legacy reads (legacy-api.md)', () => {
  it('GET /api/oee: the bare fraction for a site-local day, without credentials, the same as v1', async () => {
    const res = await c.anonymous.get(`/api/oee?machine_id=${example}&date=${DAY}`);
    expect(res.status).toBe(200);
    expect(typeof res.body).toBe('number');
    const v1 = await oee(`machineId=${example}&from=${t('00:00')}&to=${t('00:00', '2026-05-05')}`);
    expect(res.body).toBe(v1.body.oee);
    expect(res.body).toBeCloseTo(0.5, 12);
    expect((await c.anonymous.get(`/api/oee?machine_id=${example}`)).body).toBe(res.body); // today by default
  });

  it('GET /api/oee: 0 where OEE is undefined', async () => {
    expect((await c.anonymous.get(`/api/oee?machine_id=${example}&date=2026-05-01`)).body).toBe(0);
    expect((await c.anonymous.get(`/api/oee?machine_id=${second}&date=${DAY}`)).body).toBe(0); // no ideal cycle time
  });

  it('GET /api/activity-durations: seconds per code for every code, the same time as v1', async () => {
    const res = await c.anonymous.get(`/api/activity-durations?machine_id=${example}&date=${DAY}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ '1': 7_200, '2': 3_600, '3': 54_000, '4': 0, '5': 0 });
    const v1 = await oee(`machineId=${example}&from=${t('00:00')}&to=${t('00:00', '2026-05-05')}`);
    expect(Object.values(res.body as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(v1.body.calendarSeconds);
    expect(res.body['1'] + res.body['4']).toBe(v1.body.runSeconds);
    const empty = await c.anonymous.get(`/api/activity-durations?machine_id=${example}&date=2026-05-01`);
    expect(empty.body).toEqual({ '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 });
  });

  it('GET /api/activity-durations: running time outside planned time is Overtime (4), as DigitME2 stored it', async () => {
    // Second: Up 08:00–13:00 and 13:30–18:00 under a 09:00–17:00 shift: 08–09 and 17–18 are overtime.
    const res = await c.anonymous.get(`/api/activity-durations?machine_id=${second}&date=${DAY}`);
    expect(res.body).toEqual({ '1': 27_000, '2': 1_800, '3': 0, '4': 7_200, '5': 0 });
    const v1 = await oee(`machineId=${second}&from=${t('00:00')}&to=${t('00:00', '2026-05-05')}`);
    expect([res.body['4'], res.body['1'] + res.body['4']]).toEqual([v1.body.overtimeSeconds, v1.body.runSeconds]);
    // A 24/7 machine has no overtime.
    expect((await c.anonymous.get(`/api/activity-durations?machine_id=${other}&date=${DAY}`)).body).toEqual({
      '1': 10_800 + 45_900,
      '2': 8_100,
      '3': 0,
      '4': 0,
      '5': 0,
    });
  });

  it.each([
    ['an unknown machine', 'machine_id=999999&date=2026-05-04'],
    ['a bad machine id', 'machine_id=press&date=2026-05-04'],
    ['no machine', 'date=2026-05-04'],
    ['a bad date', 'machine_id=1&date=2026-13-40'],
    ['a future date', 'machine_id=1&date=2026-05-05'],
  ])('400 for %s', async (_name, query) => {
    expect((await c.anonymous.get(`/api/oee?${query}`)).status).toBe(400);
    expect((await c.anonymous.get(`/api/activity-durations?${query}`)).status).toBe(400);
  });
});
