import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FixedClock } from '../core/clock.js';
import { createRepositories } from '../db/repositories/index.js';
import { OeeService } from '../services/oee/oee.service.js';
import type { TestApp } from './support/test-app.js';
import type { ApiClient } from './support/http-client.js';
import {
  d,
  expectElementsSum,
  expectSameGroup,
  expectSameResult,
  HOUR,
  NOW,
  START,
  startRollupWorld,
  type RollupWorld,
} from './support/oee-rollup-world.js';

/**
 * Property tests of the roll-ups on random histories in a DST time zone (test/support/oee-rollup-world.ts),
 * against the real database: the stored hours give the raw calculation's numbers (cold and warm, for
 * any window and bucket, and for the short windows of dense machines), day buckets sum to the whole,
 * a group is the sum of its machines. What a change deletes: test/oee-rollup-invalidation.test.ts.
 */
let app: TestApp;
let clock: FixedClock;
let raw: OeeService;
let rolled: OeeService;
let admin: ApiClient;
let machines: RollupWorld['machines'];
let int: RollupWorld['int'];
let pick: RollupWorld['pick'];
let storedHourCount: RollupWorld['storedHourCount'];

beforeAll(async () => {
  ({ app, clock, raw, rolled, admin, machines, int, pick, storedHourCount } = await startRollupWorld());
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
