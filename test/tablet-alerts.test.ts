import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import type { TabletState } from '../core/realtime/tablet-events.js';
import { clientsForRoles } from './support/http-client.js';
import { TabletClient } from './support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Alerts over the `/tablet` socket (docs/alerts.md "The tablet"): `tablet:state.alerts` follows the
 * machine's open alerts as they are raised, escalated, acknowledged and resolved; `alert:acknowledge` and
 * `alert:resolve` act on the machine's own alerts only, keep a queued tap's time, and a replay changes
 * nothing. The clock is pinned; the test runs the evaluation.
 */
const T = (hm: string) => `2026-11-24T${hm}:00.000Z`;
const clock = new FixedClock(new Date(T('10:00')));
const DOWN = 2;

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let tablet: TabletClient;
let operatorId: number;

beforeAll(async () => {
  app = await startTestApp({ clock, env: { OEE_ROLES: 'ingest,realtime,web' } });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  operatorId = (await c.admin.post('/api/v1/users', { username: 'ines', role: 'operator', pin: '1357' })).body.id;
});
afterAll(async () => {
  tablet?.close();
  await app?.stop();
});

const alertsIn = (s: TabletState) => s.alerts;

describe('alerts on the tablet socket', () => {
  it('pushes its machine’s alerts live and takes acknowledge and resolve, once, for its own machine only', async () => {
    const machineId = (await c.admin.post('/api/v1/machines', { name: 'Press A' })).body.id as number;
    const otherId = (await c.admin.post('/api/v1/machines', { name: 'Press B' })).body.id as number;
    expect(
      (
        await c.device.post('/api/v1/events', {
          events: [
            { machineId, at: T('10:00'), activityCodeId: DOWN },
            { machineId: otherId, at: T('10:00'), activityCodeId: DOWN },
          ],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await c.supervisor.post('/api/v1/alert-rules', {
          name: 'Stopped',
          kind: 'stop_longer_than',
          levels: [{ afterMinutes: 3 }, { afterMinutes: 10 }],
        })
      ).status,
    ).toBe(201);
    const t = await c.admin.post('/api/v1/tablets', { name: 'Tablet A', machineId });
    tablet = await TabletClient.open(app.url, t.body.token);
    expect(tablet.state.alerts).toEqual([]);

    // Raised: pushed without asking, only this machine's.
    clock.set(new Date(T('10:05')));
    const raisedState = tablet.next((s) => s.alerts.length > 0);
    expect((await app.andon.alerts.evaluate()).raised).toHaveLength(2);
    const open = (await c.viewer.get('/api/v1/alerts')).body as { id: number; machineId: number }[];
    const mine = open.find((a) => a.machineId === machineId)!.id;
    const other = open.find((a) => a.machineId === otherId)!.id;
    const raised = { id: mine, ruleName: 'Stopped', level: 1, since: T('10:00'), acknowledgedAt: null, acknowledgedBy: null };
    expect(alertsIn(await raisedState)).toEqual([raised]);

    // Escalated: pushed too.
    clock.set(new Date(T('10:11')));
    const escalatedState = tablet.next((s) => s.alerts[0]?.level === 2);
    expect((await app.andon.alerts.evaluate()).escalated).toEqual(expect.arrayContaining([mine, other]));
    expect(alertsIn(await escalatedState)).toEqual([{ ...raised, level: 2 }]);

    // Bad payloads and another machine's alert are refused and change nothing.
    clock.set(new Date(T('10:12')));
    expect(await tablet.send('alert:acknowledge', { alertId: String(mine) })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await tablet.send('alert:acknowledge', { alertId: mine, extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await tablet.send('alert:resolve', { alertId: other })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await tablet.send('alert:resolve', { alertId: 2_000_000 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await c.viewer.get(`/api/v1/alerts/${other}`)).body).toMatchObject({ acknowledgedAt: null, resolvedAt: null });

    // A tap queued at 10:09 (nobody signed in) lands at 10:09 as the tablet; its replay changes nothing.
    const tap = { alertId: mine, eventId: 'ack-1', at: T('10:09') };
    expect(await tablet.send('alert:acknowledge', tap)).toEqual({ ok: true, data: { duplicate: false } });
    const acknowledged = { ...raised, level: 2, acknowledgedAt: T('10:09'), acknowledgedBy: 'tablet:Tablet A' };
    expect(tablet.state.alerts).toEqual([acknowledged]);
    clock.set(new Date(T('10:13')));
    expect(await tablet.send('alert:acknowledge', tap)).toEqual({ ok: true, data: { duplicate: true } });
    expect(await tablet.send('alert:acknowledge', { alertId: mine })).toEqual({ ok: true, data: { duplicate: true } });
    expect((await c.viewer.get(`/api/v1/alerts/${mine}`)).body).toMatchObject({
      acknowledgedAt: T('10:09'),
      acknowledgedBy: 'tablet:Tablet A',
    });

    // Resolved with the operator signed in: recorded with the operator's name; a time before the alert
    // was detected is not taken (the moment it arrives counts).
    await tablet.ok('operator:sign-in', { userId: operatorId, pin: '1357' });
    clock.set(new Date(T('10:14')));
    expect(await tablet.send('alert:resolve', { alertId: mine, at: T('09:00'), note: 'cleared the jam' })).toEqual({
      ok: true,
      data: { duplicate: false },
    });
    expect(tablet.state.alerts).toEqual([]);
    expect((await c.viewer.get(`/api/v1/alerts/${mine}`)).body).toMatchObject({
      acknowledgedAt: T('10:09'),
      acknowledgedBy: 'tablet:Tablet A',
      resolvedAt: T('10:14'),
      resolvedBy: 'tablet:Tablet A (ines)',
    });
    expect(await tablet.send('alert:resolve', { alertId: mine })).toEqual({ ok: true, data: { duplicate: true } });

    // The other machine's alert is still open and never reached this tablet.
    expect((await c.viewer.get(`/api/v1/alerts/${other}`)).body).toMatchObject({ resolvedAt: null });
    expect(tablet.states.flatMap((s) => s.alerts.map((a) => a.id)).filter((id) => id !== mine)).toEqual([]);
  }, 60_000);
});
