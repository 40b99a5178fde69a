import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';
import type { AlertKind } from '../services/alerts/alert-kinds.js';
import { AlertsService } from '../services/alerts/alerts.service.js';

/**
 * The rule kinds besides stop rules (docs/alerts.md "Rule kinds") with a pinned clock: device_silent,
 * reason_debt_older_than and oee_below_target each fire once per rule and condition, escalate on time,
 * stop climbing once acknowledged and resolve when their condition ends; a second instance evaluating
 * at the same time doubles nothing. Each test has its own day (2026-11-23.. are Monday..Wednesday).
 */
const DOWN = 2;
const CLOSED = 3;
const NO_DATA = 5;
const clock = new FixedClock(new Date('2026-11-23T08:00:00Z'));
/** The test's day, with the admin signed in again (a session does not last days of the pinned clock). */
async function day(date: string, first: string) {
  const T = (hms: string) => `${date}T${hms}.000Z`;
  clock.set(T(first));
  c.admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  return T;
}
const nothing = { raised: [], escalated: [], resolved: [] };

let app: TestApp;
let second: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;

beforeAll(async () => {
  app = await startTestApp({ clock, env: { OEE_ROLES: 'ingest,realtime' } });
  second = await startTestApp({ databaseUrl: app.databaseUrl, clock, env: { OEE_ROLES: 'ingest,realtime' } });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await second?.stop();
  await app?.stop();
});

const tick = () => app.andon.alerts.evaluate();
/** Both instances at once: together they do what one would. */
const ticks = async () => {
  const [a, b] = await Promise.all([tick(), second.andon.alerts.evaluate()]);
  return { raised: [...a.raised, ...b.raised], escalated: [...a.escalated, ...b.escalated], resolved: [...a.resolved, ...b.resolved] };
};
const alert = async (id: number) => (await c.viewer.get(`/api/v1/alerts/${id}`)).body;
/** The queued deliveries of an alert: level, target and the payload's event and condition. */
const deliveries = async (id: number) =>
  (
    (await app.dataSource.query(`SELECT level, target, payload FROM alert_deliveries WHERE "alertId" = $1 ORDER BY level, target`, [
      id,
    ])) as {
      level: number;
      target: string;
      payload: Record<string, unknown>;
    }[]
  ).map((d) => ({ level: d.level, target: d.target, event: d.payload.event, condition: d.payload.condition ?? null }));

/** The machine's OEE over [from, to) as the results API gives it. */
const shiftOee = async (machineId: number, from: string, to: string): Promise<number> =>
  (await c.viewer.get(`/api/v1/oee?machineId=${machineId}&from=${from}&to=${to}`)).body.oee;

async function rule(body: Record<string, unknown>): Promise<number> {
  const res = await c.supervisor.post('/api/v1/alert-rules', body);
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('device_silent', () => {
  it('fires when a heartbeat machine is in No data, climbs on time, stops on acknowledge, resolves when data returns', async () => {
    const T = await day('2026-11-23', '10:00:00');
    const machineId = (await c.admin.post('/api/v1/machines', { name: 'Silent press', heartbeatSeconds: 60 })).body.id;
    expect((await c.device.post('/api/v1/events', { events: [{ machineId, at: T('10:00:00'), activityCodeId: DOWN }] })).status).toBe(200);
    const heartbeat = async (at: string) => {
      clock.set(at);
      expect((await c.device.post(`/api/v1/machines/${machineId}/heartbeat`)).status).toBe(204);
    };
    await heartbeat(T('10:00:30'));
    const ruleId = await rule({
      name: 'Press silent',
      kind: 'device_silent',
      machineId,
      levels: [
        { afterMinutes: 2, emails: ['lead@example.test'] },
        { afterMinutes: 10, emails: ['boss@example.test'] },
        { afterMinutes: 20 },
      ],
    });
    // Down is a stop, not silence: nothing.
    clock.set(T('10:01:35'));
    await app.andon.noDataWatch.run();
    expect(await ticks()).toEqual(nothing);
    // Silent for 60 s + 5 s: No data from the last contact.
    clock.set(T('10:01:36'));
    await app.andon.noDataWatch.run();
    clock.set(T('10:02:29'));
    expect(await ticks()).toEqual(nothing);
    clock.set(T('10:02:30'));
    const { raised } = await ticks();
    expect(raised).toHaveLength(1);
    const id = raised[0]!;
    expect(await ticks()).toEqual(nothing);
    expect(await alert(id)).toMatchObject({
      ruleId,
      kind: 'device_silent',
      machineId,
      activityCodeId: NO_DATA,
      stopStart: T('10:00:30'),
      detectedAt: T('10:02:30'),
      level: 1,
    });

    clock.set(T('10:10:29'));
    expect(await ticks()).toEqual(nothing);
    clock.set(T('10:10:30'));
    expect(await ticks()).toEqual({ raised: [], escalated: [id], resolved: [] });
    expect(await deliveries(id)).toEqual([
      { level: 1, target: 'lead@example.test', event: 'alert.raised', condition: null },
      { level: 2, target: 'boss@example.test', event: 'alert.escalated', condition: null },
    ]);
    clock.set(T('10:11:00'));
    expect((await c.operator.post(`/api/v1/alerts/${id}/acknowledge`)).status).toBe(200);
    clock.set(T('10:20:30'));
    expect(await ticks()).toEqual(nothing);
    expect((await alert(id)).level).toBe(2);

    // Heard from again at 10:25: back to Down from then, and the alert is resolved at that moment.
    await heartbeat(T('10:25:00'));
    clock.set(T('10:25:10'));
    await app.andon.noDataWatch.run();
    expect(await ticks()).toEqual({ raised: [], escalated: [], resolved: [id] });
    expect(await alert(id)).toMatchObject({ level: 2, acknowledgedAt: T('10:11:00'), resolvedAt: T('10:25:00'), resolvedBy: null });
    expect(await ticks()).toEqual(nothing);
    expect((await c.viewer.get(`/api/v1/alerts?state=all&machineId=${machineId}`)).body).toHaveLength(1);
  }, 60_000);
});

describe('reason_debt_older_than', () => {
  it('fires once per stop owing a reason, aged from the stop’s end, and resolves when the reason is given', async () => {
    const T = await day('2026-11-24', '11:21:00');
    const jam = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' }))
      .body.id;
    // The seeded pattern 1 plans 09:00–17:00: Down 11:00–11:20 is 20 planned minutes (the site prompts past 5).
    const machineId = (await c.admin.post('/api/v1/machines', { name: 'Owing press', shiftPatternId: 1 })).body.id;
    const events = [
      { machineId, at: T('11:00:00'), activityCodeId: DOWN },
      { machineId, at: T('11:20:00'), activityCodeId: CLOSED },
    ];
    expect((await c.device.post('/api/v1/events', { events })).status).toBe(200);
    const queue = (await c.supervisor.get(`/api/v1/reason-queue?machineId=${machineId}`)).body.debts;
    expect(queue).toEqual([
      { machineId, machineName: 'Owing press', start: T('11:00:00'), end: T('11:20:00'), activityCodeId: DOWN, plannedSeconds: 1200 },
    ]);
    await rule({
      name: 'Reason owed',
      kind: 'reason_debt_older_than',
      machineId,
      levels: [
        { afterMinutes: 10, emails: ['lead@example.test'] },
        { afterMinutes: 30, emails: ['boss@example.test'] },
        { afterMinutes: 60 },
      ],
    });

    clock.set(T('11:29:59'));
    expect(await ticks()).toEqual(nothing);
    clock.set(T('11:30:00'));
    const { raised } = await ticks();
    expect(raised).toHaveLength(1);
    const id = raised[0]!;
    expect(await ticks()).toEqual(nothing);
    expect(await alert(id)).toMatchObject({
      kind: 'reason_debt_older_than',
      machineId,
      activityCodeId: DOWN,
      stopStart: T('11:00:00'),
      detectedAt: T('11:30:00'),
      level: 1,
    });
    clock.set(T('11:50:00'));
    expect(await ticks()).toEqual({ raised: [], escalated: [id], resolved: [] });
    const condition = { stopEnd: T('11:20:00'), plannedSeconds: 1200 };
    expect(await deliveries(id)).toEqual([
      { level: 1, target: 'lead@example.test', event: 'alert.raised', condition },
      { level: 2, target: 'boss@example.test', event: 'alert.escalated', condition },
    ]);
    clock.set(T('11:51:00'));
    expect((await c.operator.post(`/api/v1/alerts/${id}/acknowledge`)).status).toBe(200);
    clock.set(T('12:20:00'));
    expect(await ticks()).toEqual(nothing);
    expect((await alert(id)).level).toBe(2);

    clock.set(T('12:24:00'));
    const given = await c.supervisor.post('/api/v1/reason-queue/reasons', {
      machineId,
      from: T('11:00:00'),
      to: T('11:20:00'),
      activityCodeId: jam,
    });
    expect(given.status).toBe(201);
    clock.set(T('12:25:00'));
    expect(await ticks()).toEqual({ raised: [], escalated: [], resolved: [id] });
    expect(await alert(id)).toMatchObject({ level: 2, resolvedAt: T('12:25:00'), resolvedBy: null });
    clock.set(T('13:30:00'));
    expect(await ticks()).toEqual(nothing);
  }, 60_000);
});

describe('oee_below_target', () => {
  it('fires once per machine and shift below the machine’s target, climbs on time, stops on acknowledge, resolves at target', async () => {
    const T = await day('2026-11-25', '09:00:00');
    // The group's target (60 %) is the machine's: the rule has none of its own.
    const group = (await c.admin.post('/api/v1/groups', { name: 'Line O', oeeTarget: 0.6 })).body;
    const machineId = (await c.admin.post('/api/v1/machines', { name: 'Slow press', groupId: group.id, shiftPatternId: 1 })).body.id;
    expect((await c.device.post('/api/v1/events', { events: [{ machineId, at: T('09:00:00'), activityCodeId: DOWN }] })).status).toBe(200);
    await rule({
      name: 'Line O below target',
      kind: 'oee_below_target',
      groupId: group.id,
      levels: [
        { afterMinutes: 30, emails: ['lead@example.test'] },
        { afterMinutes: 60, emails: ['boss@example.test'] },
        { afterMinutes: 120 },
      ],
    });

    clock.set(T('09:29:59'));
    expect(await ticks()).toEqual(nothing);
    clock.set(T('09:30:00'));
    const { raised } = await ticks();
    expect(raised).toHaveLength(1);
    const id = raised[0]!;
    expect(await ticks()).toEqual(nothing);
    expect(await alert(id)).toMatchObject({
      kind: 'oee_below_target',
      machineId,
      activityCodeId: null,
      stopStart: T('09:00:00'),
      detectedAt: T('09:30:00'),
      level: 1,
    });
    clock.set(T('10:00:00'));
    // Running from 10:00 with a job of 30 s ideal cycle time.
    expect(
      (await c.device.post(`/api/v1/machines/${machineId}/jobs`, { jobNumber: 'O-1', idealCycleTimeSeconds: 30, at: T('10:00:00') }))
        .status,
    ).toBe(201);
    expect(await ticks()).toEqual({ raised: [], escalated: [id], resolved: [] });
    const condition = { oee: 0, target: 0.6, shiftEnd: T('17:00:00') };
    expect(await deliveries(id)).toEqual([
      { level: 1, target: 'lead@example.test', event: 'alert.raised', condition: { ...condition } },
      { level: 2, target: 'boss@example.test', event: 'alert.escalated', condition },
    ]);
    clock.set(T('10:01:00'));
    expect((await c.operator.post(`/api/v1/alerts/${id}/acknowledge`)).status).toBe(200);
    clock.set(T('11:00:00'));
    expect(await ticks()).toEqual(nothing);
    expect((await alert(id)).level).toBe(2);

    // 10:00–14:00 at the ideal rate: 4 h run of 5 h planned, performance and quality 100 %: OEE 80 %.
    clock.set(T('14:00:00'));
    expect(
      (await c.device.post(`/api/v1/machines/${machineId}/production`, { good: 480, rejects: 0, from: T('10:00:00'), to: T('14:00:00') }))
        .status,
    ).toBe(201);
    expect(await shiftOee(machineId, T('09:00:00'), T('14:00:00'))).toBeCloseTo(0.8, 10);
    expect(await ticks()).toEqual({ raised: [], escalated: [], resolved: [id] });
    expect(await alert(id)).toMatchObject({ level: 2, resolvedAt: T('14:00:00'), resolvedBy: null });
    // Below target again later in the shift: still the one alert of this shift.
    expect((await c.device.post('/api/v1/events', { events: [{ machineId, at: T('14:00:00'), activityCodeId: DOWN }] })).status).toBe(200);
    clock.set(T('16:30:00'));
    expect(await shiftOee(machineId, T('09:00:00'), T('16:30:00'))).toBeCloseTo(4 / 7.5, 10);
    expect(await ticks()).toEqual(nothing);
  }, 60_000);

  it('takes the rule’s own target and resolves at the shift’s end', async () => {
    const T = await day('2026-11-26', '09:00:00');
    const machineId = (await c.admin.post('/api/v1/machines', { name: 'Idle press', shiftPatternId: 1, oeeTarget: 0.9 })).body.id;
    expect((await c.device.post('/api/v1/events', { events: [{ machineId, at: T('09:00:00'), activityCodeId: DOWN }] })).status).toBe(200);
    await rule({ name: 'Idle press under 50 %', kind: 'oee_below_target', machineId, oeeTarget: 0.5, levels: [{ afterMinutes: 60 }] });
    clock.set(T('10:00:00'));
    const { raised } = await ticks();
    // The slow press of the test before is still Down: its new shift has its own alert, at level 2 already.
    const raisedFor = await Promise.all(
      raised.map(async (r) => [(await alert(r)).machineName, (await alert(r)).stopStart, (await alert(r)).level]),
    );
    expect([...raisedFor].sort()).toEqual([
      ['Idle press', T('09:00:00'), 1],
      ['Slow press', T('09:00:00'), 2],
    ]);
    const id = raised[raisedFor.findIndex((r) => r[0] === 'Idle press')]!;
    const slow = raised.find((r) => r !== id)!;
    expect(await deliveries(id)).toEqual([]);
    clock.set(T('16:59:59'));
    // The slow press's alert (not acknowledged this shift) climbs to level 3; the idle press's has one rung.
    expect(await ticks()).toEqual({ raised: [], escalated: [slow], resolved: [] });
    // The shift is over: resolved at 17:00, and nothing more until the next shift.
    clock.set(T('17:00:15'));
    const { resolved } = await ticks();
    expect(resolved.sort()).toEqual([...raised].sort());
    expect(await alert(id)).toMatchObject({ level: 1, resolvedAt: T('17:00:00') });
    clock.set(T('20:00:00'));
    expect(await ticks()).toEqual(nothing);
  }, 60_000);

  it('keeps oeeTarget for OEE rules only', async () => {
    const bad = await c.supervisor.post('/api/v1/alert-rules', {
      name: 'Stop with a target',
      kind: 'stop_longer_than',
      oeeTarget: 0.5,
      levels: [{ afterMinutes: 5 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toEqual([expect.objectContaining({ path: ['oeeTarget'] })]);
    const rules = (await c.supervisor.get('/api/v1/alert-rules')).body as { name: string; oeeTarget: number | null }[];
    expect(rules.filter((r) => r.name.includes('target') || r.name.includes('%')).map((r) => [r.name, r.oeeTarget])).toEqual([
      ['Line O below target', null],
      ['Idle press under 50 %', 0.5],
    ]);
  });
});

describe('one failing kind', () => {
  it('does not keep the other kinds from being evaluated, and the tick still fails', async () => {
    const T = await day('2026-11-27', '10:00:00');
    const machineId = (await c.admin.post('/api/v1/machines', { name: 'Press beside a failing kind' })).body.id;
    expect((await c.device.post('/api/v1/events', { events: [{ machineId, at: T('10:00:00'), activityCodeId: DOWN }] })).status).toBe(200);
    await rule({ name: 'Press down 1 min', kind: 'stop_longer_than', machineId, levels: [{ afterMinutes: 1 }] });
    // The running service's own dependencies, with a kind in front whose reads fail.
    const deps = (app.andon.alerts as unknown as { deps: ConstructorParameters<typeof AlertsService>[0] }).deps;
    const failing: AlertKind = {
      kind: 'oee_below_target',
      evaluate: () => Promise.reject(new Error('the OEE read failed')),
    };
    const service = new AlertsService({ ...deps, kinds: [failing, ...deps.kinds.filter((k) => k.kind !== 'oee_below_target')] });
    const oeeRule = await rule({
      name: 'Any machine below 99 %',
      kind: 'oee_below_target',
      oeeTarget: 0.99,
      levels: [{ afterMinutes: 1 }],
    });
    clock.set(T('10:01:00'));
    await expect(service.evaluate()).rejects.toThrow('the OEE read failed');
    const open = (await c.viewer.get(`/api/v1/alerts?machineId=${machineId}`)).body as { ruleName: string; level: number }[];
    expect(open.map((a) => [a.ruleName, a.level])).toEqual([['Press down 1 min', 1]]);
    expect((await c.supervisor.delete(`/api/v1/alert-rules/${oeeRule}`)).status).toBe(204);
  }, 60_000);
});
