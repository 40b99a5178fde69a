import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ApiClient } from './support/http-client.js';
import { deviceClient, startAedes, until, type TestBroker } from './support/mqtt-broker.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/** Issue 21, point 3: states on change and the shift OEE, retained, under MQTT_PUBLISH_PREFIX/<group>/<machine>/. */
const clock = new FixedClock(new Date('2026-11-24T12:00:00Z'));
let broker: TestBroker;
let app: TestApp;

beforeAll(async () => {
  broker = await startAedes();
  app = await startTestApp({ clock, env: { MQTT_URL: broker.url, MQTT_CLIENT_ID: 'oee-publish-test', MQTT_PUBLISH_PREFIX: 'site/oee/' } });
});

afterAll(async () => {
  await app?.stop();
  await broker?.stop();
});

describe('MQTT publishing', () => {
  it('publishes a state change and the shift OEE, retained, as JSON', async () => {
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const site = (await admin.get('/api/v1/site')).body;
    expect((await admin.put('/api/v1/site', { ...site, timezone: 'UTC' })).status).toBe(200);
    const groupId = (await admin.post('/api/v1/groups', { name: 'Hall A' })).body.id as number;
    const machineId = (await admin.post('/api/v1/machines', { name: 'Press 9', groupId })).body.id as number;
    await until(
      async () => app.mqtt?.status,
      (s) => s === 'connected',
      'connected',
    );
    expect(
      (await admin.post('/api/v1/events', { events: [{ machineId, state: 'down', at: '2026-11-24T11:00:00Z', eventId: 'e1' }] })).status,
    ).toBe(200);
    await app.mqtt!.publishOee();

    // A client that comes later gets both, retained.
    const reader = await deviceClient(broker.url, { clientId: 'reader' });
    const got = new Map<string, { payload: unknown; retain: boolean }>();
    reader.on('message', (topic, payload, packet) => got.set(topic, { payload: JSON.parse(String(payload)), retain: packet.retain }));
    await reader.subscribeAsync('site/oee/#', { qos: 1 });
    await until(
      async () => got.size,
      (n) => n === 2,
      'both retained messages',
    );
    await reader.endAsync();
    expect(got.get('site/oee/Hall A/Press 9/state')).toEqual({
      retain: true,
      payload: {
        machineId,
        machine: 'Press 9',
        group: 'Hall A',
        activityCodeId: 2,
        code: 'Down',
        category: 'unplanned_stop',
        since: '2026-11-24T11:00:00.000Z',
        jobId: null,
        operatorId: null,
      },
    });
    const oee = got.get('site/oee/Hall A/Press 9/oee')!;
    expect(oee.retain).toBe(true);
    expect(oee.payload).toEqual({
      machineId,
      machine: 'Press 9',
      group: 'Hall A',
      from: '2026-11-24T00:00:00.000Z',
      // No shift pattern: the shift is the local day; an hour down and nothing made, so no performance and no OEE.
      to: '2026-11-25T00:00:00.000Z',
      shiftName: null,
      oee: null,
      availability: 0,
      performance: null,
      quality: null,
      goodCount: 0,
      rejectCount: 0,
      totalCount: 0,
    });
  });
});
