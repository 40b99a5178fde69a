import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnApp, waitForHealth, type AppProcess } from './support/app-process.js';
import { ApiClient } from './support/http-client.js';
import { deviceClient, startAedes, until, type TestBroker } from './support/mqtt-broker.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 21, point 1: one MQTT subscriber per cluster. Two instances on one database and one broker: exactly one
 * holds the lease and is connected; when it is killed (-9, no goodbye), the other takes over within 30 s, and the
 * message sent while nobody subscribed is waiting for it in the persistent session.
 */
const CLIENT_ID = 'oee-cluster-test';
let broker: TestBroker;
let first: AppProcess;
let second: TestApp;
let device: MqttClient;
let dataDir = '';
let databaseUrl = '';

beforeAll(async () => {
  broker = await startAedes();
  databaseUrl = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'oee-mqtt-cluster-'));
  first = spawnApp({
    PORT: String(await freePort()),
    DATABASE_URL: databaseUrl,
    OEE_DATA_DIR: dataDir,
    OEE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    OEE_SESSION_SECRET: 'k'.repeat(40),
    MQTT_URL: broker.url,
    MQTT_CLIENT_ID: CLIENT_ID,
  });
  await waitForHealth(first.url, 60);
  device = await deviceClient(broker.url, { clientId: 'cluster-device' });
});

afterAll(async () => {
  first?.child.kill('SIGKILL');
  await device?.endAsync(true);
  await second?.stop();
  await broker?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const health = async (url: string) => (await (await fetch(`${url}/api/v1/health`)).json()) as { mqtt?: string };
const events = async (app: TestApp) =>
  (await app.dataSource.query(
    `SELECT "eventId" IS NOT NULL AS "hasId", "activityCodeId" FROM state_events WHERE source = 'mqtt' ORDER BY at`,
  )) as {
    activityCodeId: number;
  }[];
const ourClients = () =>
  Object.keys((broker.broker as unknown as { clients: Record<string, unknown> }).clients).filter((id) => id === CLIENT_ID).length;

describe('one MQTT subscriber per cluster', () => {
  it('exactly one instance subscribes; the other takes over within 30 s when it is killed', async () => {
    await until(
      () => health(first.url),
      (h) => h.mqtt === 'connected',
      'the first instance subscribes',
    );
    second = await startTestApp({ databaseUrl, env: { MQTT_URL: broker.url, MQTT_CLIENT_ID: CLIENT_ID } });
    const admin = await new ApiClient(second.url).signIn('admin', ADMIN_PASSWORD);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Mill' })).body.id as number;
    expect(
      (
        await admin.post('/api/v1/mqtt/mappings', {
          name: 'Mill',
          topicFilter: 'mill/state',
          machineId,
          rules: { format: 'json', statePath: 's', stateCodes: { down: 2, closed: 3 }, timePath: 'at' },
        })
      ).status,
    ).toBe(201);
    // The first instance (the subscriber) follows the new mapping through the cluster channel.
    const now = Date.now();
    await until(
      async () => {
        await device.publishAsync('mill/state', JSON.stringify({ s: 'down', at: now - 60_000 }), { qos: 1 });
        return events(second);
      },
      (e) => e.length === 1,
      'a message through the first instance',
    );
    expect((await health(second.url)).mqtt).toBe('standby');
    expect(ourClients()).toBe(1);

    first.child.kill('SIGKILL');
    await first.exited;
    // Nobody subscribes now; the broker keeps this for the session.
    await device.publishAsync('mill/state', JSON.stringify({ s: 'closed', at: now - 30_000 }), { qos: 1 });
    const killedAt = Date.now();
    await until(
      () => health(second.url),
      (h) => h.mqtt === 'connected',
      'the second instance takes over',
      30_000,
    );
    const tookOverSeconds = (Date.now() - killedAt) / 1000;
    console.info(`MQTT subscriber failover: the standby instance connected ${tookOverSeconds.toFixed(1)} s after the kill`);
    expect(
      await until(
        () => events(second),
        (e) => e.length === 2,
        'the queued message',
      ),
    ).toEqual([
      { hasId: true, activityCodeId: 2 },
      { hasId: true, activityCodeId: 3 },
    ]);
    expect(ourClients()).toBe(1);
  }, 60_000);
});
