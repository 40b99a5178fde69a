import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ApiClient } from './support/http-client.js';
import { startMosquitto, type Mosquitto } from './support/mosquitto.js';
import { deviceClient, until } from './support/mqtt-broker.js';
import { MOSQUITTO, optionalPrerequisite } from './support/prerequisites.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 21: against Debian's mosquitto, which keeps sessions and queued messages on disk across a restart.
 * The subscriber is away, messages are queued for its persistent session, the broker restarts, the subscriber
 * comes back: every queued message arrives once, and sending them again changes nothing.
 */
const present = optionalPrerequisite(MOSQUITTO);
const t = (hhmm: string) => `2026-11-24T${hhmm}:00.000Z`;
const clock = new FixedClock(new Date(t('12:00')));
const env = (url: string) => ({ MQTT_URL: url, MQTT_CLIENT_ID: 'oee-mosquitto-test' });

let broker: Mosquitto;
let app: TestApp;
let databaseUrl: string;
let device: MqttClient;

beforeAll(async () => {
  if (!present) return;
  broker = await startMosquitto();
  databaseUrl = await createTestDatabase();
  app = await startTestApp({ databaseUrl, clock, env: env(broker.url) });
});

afterAll(async () => {
  await device?.endAsync(true);
  await app?.stop();
  await broker?.stop();
});

describe.skipIf(!present)('MQTT against mosquitto', () => {
  it('a broker restart loses nothing it kept, and a redelivery counts nothing twice', async () => {
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Oven' })).body.id as number;
    await admin.post('/api/v1/mqtt/mappings', {
      name: 'Oven',
      topicFilter: 'oven/data',
      machineId,
      rules: { format: 'json', statePath: 'st', stateCodes: { '0': 2, '3': 3 }, timePath: 'ts', goodPath: 'n', counts: 'counter' },
    });
    device = await deviceClient(broker.url, { clientId: 'oven' });
    const counts = () =>
      app.dataSource.query(`SELECT good FROM production_records WHERE "machineId" = $1 ORDER BY "to"`, [machineId]) as Promise<
        { good: number }[]
      >;
    const events = async () =>
      (await app.dataSource.query(`SELECT "activityCodeId" AS code FROM state_events WHERE "machineId" = $1 ORDER BY at`, [machineId])).map(
        (e: { code: number }) => e.code,
      );
    await until(
      async () => {
        await device.publishAsync('oven/data', JSON.stringify({ st: 0, ts: t('08:00'), n: 10 }), { qos: 1 });
        return events();
      },
      (e) => e.length === 1,
      'subscribed',
    );

    await app.stop();
    const queued = [
      { st: 3, ts: t('08:10'), n: 14 },
      { st: 0, ts: t('08:20'), n: 20 },
    ];
    for (const body of queued) await device.publishAsync('oven/data', JSON.stringify(body), { qos: 1 });
    await device.endAsync(true);
    await broker.restart();
    app = await startTestApp({ databaseUrl, clock, env: env(broker.url) });
    await until(events, (e) => e.length === 3, 'the queued messages');
    expect(await events()).toEqual([2, 3, 2]);
    // A message's state is written before its counts: wait for those too.
    expect(await until(counts, (c) => c.length === 2, 'the queued counts')).toEqual([{ good: 4 }, { good: 6 }]);

    device = await deviceClient(broker.url, { clientId: 'oven' });
    for (const body of queued) await device.publishAsync('oven/data', JSON.stringify(body), { qos: 1, dup: true });
    await device.publishAsync('oven/data', JSON.stringify({ st: 3, ts: t('08:30'), n: 21 }), { qos: 1 });
    await until(events, (e) => e.length === 4, 'the marker');
    expect(await events()).toEqual([2, 3, 2, 3]);
    expect(await until(counts, (c) => c.length === 3, 'the counts')).toEqual([{ good: 4 }, { good: 6 }, { good: 1 }]);
  });
});
