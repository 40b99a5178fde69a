import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { TabletClient } from './support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The reason queue (issue 20 point 2, docs/oee.md "The reason queue"): stops in planned time longer than
 * the threshold with a generic code, on the tablet (newest first) and for supervisors; a reason given is a
 * correction authored by whoever gave it. The clock is pinned.
 */
const T = (hm: string) => `2026-11-24T${hm}:00.000Z`;
const clock = new FixedClock(new Date(T('12:00')));

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let device: ApiClient;
let machineId: number;
let jam: number;
let operatorId: number;
let tablet: TabletClient;

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  device = c.device;
  expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 120 })).status).toBe(200);
  jam = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' })).body.id;
  machineId = (await c.admin.post('/api/v1/machines', { name: 'Press', shiftPatternId: 1 })).body.id;
  const events = (list: [string, number][]) =>
    device.post('/api/v1/events', { events: list.map(([hm, activityCodeId]) => ({ machineId, at: T(hm), activityCodeId })) });
  expect((await events([['08:50', 2]])).status).toBe(200);
  expect((await device.post(`/api/v1/machines/${machineId}/jobs`, { jobNumber: 'J-1', at: T('09:10') })).status).toBe(201);
  expect(
    (
      await events([
        ['09:30', 2], // 1 min between running: a micro-stop (120 s)
        ['09:31', 1],
        ['10:00', 2], // 3 min: under the 5-minute threshold
        ['10:03', 1],
        ['10:30', jam], // has its reason
        ['10:50', 1],
        ['11:00', 2], // 20 min: owes a reason
        ['11:20', 1],
        ['11:40', 2], // still going: not yet
      ])
    ).status,
  ).toBe(200);
  const user = await c.admin.post('/api/v1/users', { username: 'ines', role: 'operator', pin: '1357' });
  operatorId = user.body.id;
  const t = await c.admin.post('/api/v1/tablets', { name: 'Tablet Press', machineId });
  tablet = await TabletClient.open(app.url, t.body.token);
  await tablet.ok('operator:sign-in', { userId: operatorId, pin: '1357' });
});
afterAll(async () => {
  tablet?.close();
  await app?.stop();
});

const late = { machineId: 0, machineName: 'Press', start: T('11:00'), end: T('11:20'), activityCodeId: 2, plannedSeconds: 1200 };
// Down from 08:50, 10 minutes of it inside the 09:00 shift.
const early = { machineId: 0, machineName: 'Press', start: T('08:50'), end: T('09:10'), activityCodeId: 2, plannedSeconds: 600 };
const debt = (d: typeof late) => ({ ...d, machineId });
const tabletDebt = ({ start, end, activityCodeId, plannedSeconds }: typeof late) => ({ start, end, activityCodeId, plannedSeconds });

describe('the reason queue', () => {
  it('lists the stops that owe a reason, newest first, for supervisors and on the tablet', async () => {
    expect((await c.supervisor.get(`/api/v1/reason-queue?machineId=${machineId}`)).body).toEqual({ debts: [debt(late), debt(early)] });
    expect((await c.supervisor.get('/api/v1/reason-queue?groupId=1')).body).toEqual({ debts: [] });
    expect((await c.operator.get('/api/v1/reason-queue')).status).toBe(403);
    expect(tablet.state.reasonQueue).toEqual([tabletDebt(late), tabletDebt(early)]);
  });

  it('takes the threshold from the machine, else the site', async () => {
    const queue = async () => (await c.supervisor.get(`/api/v1/reason-queue?machineId=${machineId}`)).body.debts;
    expect((await c.admin.patch(`/api/v1/machines/${machineId}`, { reasonPromptMinutes: 15 })).status).toBe(200);
    expect(await queue()).toEqual([debt(late)]);
    expect((await c.admin.patch(`/api/v1/machines/${machineId}`, { reasonPromptMinutes: null })).status).toBe(200);
    expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 120, reasonPromptMinutes: 30 })).status).toBe(200);
    expect(await queue()).toEqual([]);
    expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 120, reasonPromptMinutes: 5 })).status).toBe(200);
    expect(await queue()).toEqual([debt(late), debt(early)]);
  });

  it('takes the operator’s reason from the tablet as a correction authored by the operator', async () => {
    const next = tablet.next((s) => s.reasonQueue.length === 1);
    const refused = await tablet.send('reason:give', { from: T('11:00'), to: T('11:20'), activityCodeId: 2 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    await tablet.ok('reason:give', { from: T('11:00'), to: T('11:20'), activityCodeId: jam, eventId: 'tab-r1' });
    expect((await next).reasonQueue).toEqual([tabletDebt(early)]);
    // A replay changes nothing.
    expect(await tablet.send('reason:give', { from: T('11:00'), to: T('11:20'), activityCodeId: jam, eventId: 'tab-r1' })).toEqual({
      ok: true,
      data: { duplicate: true },
    });
    const intervals = (await c.viewer.get(`/api/v1/machines/${machineId}/timeline?from=${T('10:55')}&to=${T('11:25')}`)).body.intervals;
    expect(intervals.map((i: { start: string; activityCodeId: number }) => [i.start, i.activityCodeId])).toEqual([
      [T('10:50'), 1],
      [T('11:00'), jam],
      [T('11:20'), 1],
    ]);
    const audit = await app.dataSource.query(`SELECT "userId", note FROM audit_log WHERE action = 'timeline.correct'`);
    expect(audit).toEqual([{ userId: operatorId, note: 'Reason given after the stop' }]);
  });

  it('lets a supervisor clear one; refuses stops that owe nothing', async () => {
    const body = { machineId, from: T('08:50'), to: T('09:10'), activityCodeId: jam, eventId: 'sup-r1' };
    const first = await c.supervisor.post('/api/v1/reason-queue/reasons', body);
    expect(first.status).toBe(201);
    const again = await c.supervisor.post('/api/v1/reason-queue/reasons', body);
    expect([again.status, again.body.correction.id]).toEqual([201, first.body.correction.id]);
    expect((await c.supervisor.get(`/api/v1/reason-queue?machineId=${machineId}`)).body).toEqual({ debts: [] });
    const short = await c.supervisor.post('/api/v1/reason-queue/reasons', {
      machineId,
      from: T('10:00'),
      to: T('10:03'),
      activityCodeId: jam,
    });
    expect(short.status).toBe(409);
  });
});
