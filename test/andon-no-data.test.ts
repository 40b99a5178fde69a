import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ApiClient } from './support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * No data (issue 20 point 1, docs/oee.md "No data") with an injected clock: a machine with a heartbeat
 * interval that stays silent goes into No data from its last contact, and back when data returns.
 * The watcher is the scheduler's (Agenda also runs it every 5 s: with a fixed clock every run decides the same).
 */
const apps: TestApp[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.stop();
});

const T = (hms: string) => `2026-11-20T${hms}.000Z`;
type Interval = { start: string; end: string | null; activityCodeId: number };

async function setUp(clock: FixedClock) {
  const app = await startTestApp({ clock });
  apps.push(app);
  const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  const machine = (await admin.post('/api/v1/machines', { name: 'Press', heartbeatSeconds: 60 })).body;
  const key = (await admin.post('/api/v1/api-keys', { name: 'press plc', role: 'device' })).body;
  const device = new ApiClient(app.url, key.key as string);
  const noData = (await admin.get('/api/v1/activity-codes')).body.find(
    (c: { shortDescription: string }) => c.shortDescription === 'No data',
  );
  const timeline = async () =>
    (
      (await admin.get(`/api/v1/machines/${machine.id}/timeline?from=${T('00:00:00')}&to=${T('23:00:00')}`)).body.intervals as Interval[]
    ).map((i) => [i.start, i.end, i.activityCodeId]);
  const watch = () => app.scheduler!.watchSilenceNow();
  const heartbeat = async (at: string) => {
    clock.set(at);
    expect((await device.post(`/api/v1/machines/${machine.id}/heartbeat`)).status).toBe(204);
  };
  return { app, admin, device, machineId: machine.id as number, keyId: key.id as number, noData, timeline, watch, heartbeat };
}

describe('No data', () => {
  it('is seeded as a built-in unplanned stop flagged no signal', async () => {
    const { noData } = await setUp(new FixedClock(new Date(T('10:00:00'))));
    expect(noData).toMatchObject({ id: 5, shortDescription: 'No data', category: 'unplanned_stop', cause: 'other', active: true });
  });

  it('starts at the last contact once the heartbeat interval (+5 s) has passed, and ends when data returns', async () => {
    const clock = new FixedClock(new Date(T('10:00:00')));
    const { admin, device, machineId, keyId, timeline, watch, heartbeat } = await setUp(clock);
    expect((await device.post('/api/v1/events', { events: [{ machineId, state: 'down' }] })).status).toBe(200);
    await heartbeat(T('10:00:30'));

    clock.set(T('10:01:35'));
    await watch();
    expect(await timeline()).toEqual([[T('10:00:00'), null, 2]]);

    clock.set(T('10:01:36'));
    await watch();
    expect(await timeline()).toEqual([
      [T('10:00:00'), T('10:00:30'), 2],
      [T('10:00:30'), null, 5],
    ]);
    expect((await admin.get(`/api/v1/machines/${machineId}`)).body.state).toMatchObject({
      activityCodeId: 5,
      category: 'unplanned_stop',
      since: T('10:00:30'),
    });

    // Still silent: nothing more.
    clock.set(T('10:03:00'));
    await watch();
    expect(await timeline()).toEqual([
      [T('10:00:00'), T('10:00:30'), 2],
      [T('10:00:30'), null, 5],
    ]);

    // Heartbeats again: back to the state it reported (Down) from the first contact after the silence.
    await heartbeat(T('10:05:00'));
    await heartbeat(T('10:05:10'));
    clock.set(T('10:05:20'));
    await watch();
    const expected = [
      [T('10:00:00'), T('10:00:30'), 2],
      [T('10:00:30'), T('10:05:00'), 5],
      [T('10:05:00'), null, 2],
    ];
    expect(await timeline()).toEqual(expected);
    await watch();
    expect(await timeline()).toEqual(expected);

    // Counted as an unplanned stop of its own code.
    clock.set(T('10:06:00'));
    const oee = (await admin.get(`/api/v1/oee?machineId=${machineId}&from=${T('10:00:00')}&to=${T('10:06:00')}`)).body;
    expect(oee).toMatchObject({ unplannedStopSeconds: 360, runSeconds: 0, unplannedStopCount: 3 });
    expect(oee.losses).toEqual([
      { activityCodeId: 5, category: 'unplanned_stop', seconds: 270, occurrences: 1 },
      { activityCodeId: 2, category: 'unplanned_stop', seconds: 90, occurrences: 2 },
    ]);

    // The admin's list of sources, and the machine's last contact.
    expect((await admin.get('/api/v1/data-sources')).body).toEqual({
      sources: [
        {
          sender: `api-key:${keyId}`,
          kind: 'api-key',
          name: 'press plc',
          machineId,
          machineName: 'Press',
          lastContactAt: T('10:05:10'),
          heartbeatSeconds: 60,
        },
      ],
    });
    expect((await admin.get(`/api/v1/machines/${machineId}`)).body.lastContactAt).toBe(T('10:05:10'));
  }, 60_000);

  it('returns to Up with the running job, and buffered events replace No data from their time on', async () => {
    const clock = new FixedClock(new Date(T('10:00:00')));
    const { device, machineId, timeline, watch, heartbeat } = await setUp(clock);
    expect((await device.post(`/api/v1/machines/${machineId}/jobs`, { jobNumber: 'J-1' })).status).toBe(201);
    await heartbeat(T('10:00:20'));
    clock.set(T('10:02:00'));
    await watch();
    await heartbeat(T('10:04:00'));
    clock.set(T('10:04:10'));
    await watch();
    await heartbeat(T('10:04:30'));
    clock.set(T('10:06:00'));
    await watch();
    expect(await timeline()).toEqual([
      [T('10:00:00'), T('10:00:20'), 1],
      [T('10:00:20'), T('10:04:00'), 5],
      [T('10:04:00'), T('10:04:30'), 1],
      [T('10:04:30'), null, 5],
    ]);
    // The device comes back with what it buffered: Down from 10:05.
    clock.set(T('10:07:00'));
    expect(
      (await device.post('/api/v1/events', { events: [{ machineId, state: 'down', at: T('10:05:00'), eventId: 'b-1' }] })).status,
    ).toBe(200);
    await watch();
    expect(await timeline()).toEqual([
      [T('10:00:00'), T('10:00:20'), 1],
      [T('10:00:20'), T('10:04:00'), 5],
      [T('10:04:00'), T('10:04:30'), 1],
      [T('10:04:30'), T('10:05:00'), 5],
      [T('10:05:00'), null, 2],
    ]);
  }, 60_000);

  it('leaves machines without a heartbeat interval alone, and answers 404 for an unknown machine', async () => {
    const clock = new FixedClock(new Date(T('10:00:00')));
    const { admin, device, watch } = await setUp(clock);
    const quiet = (await admin.post('/api/v1/machines', { name: 'Quiet' })).body;
    expect((await device.post('/api/v1/events', { events: [{ machineId: quiet.id, state: 'down' }] })).status).toBe(200);
    clock.set(T('12:00:00'));
    await watch();
    expect((await admin.get(`/api/v1/machines/${quiet.id}`)).body.state).toMatchObject({ activityCodeId: 2, since: T('10:00:00') });
    expect((await device.post('/api/v1/machines/999/heartbeat')).status).toBe(404);
  }, 60_000);
});
