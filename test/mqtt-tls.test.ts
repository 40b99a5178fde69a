import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/http-client.js';
import { deviceClient, startAedes, until, type TestBroker } from './support/mqtt-broker.js';
import { ADMIN_PASSWORD, startTestApp } from './support/test-app.js';

/**
 * Issue 21 point 4: the subscriber connects over mqtts:// (a private CA: MQTT_CA_FILE), with a client
 * certificate the broker requires (MQTT_CERT_FILE, MQTT_KEY_FILE), over ws:// and over wss://, and takes a
 * message on each. One aedes broker listens on all of them; the devices publish over plain TCP. The
 * certificates are test-only files made once (test/fixtures/mqtt-tls/README.md).
 */
const tlsDir = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'mqtt-tls');
const file = (name: string) => join(tlsDir, name);
const pem = (name: string) => readFileSync(file(name));

let broker: TestBroker;
const servers: (HttpServer | TlsServer)[] = [];
const ports = { mqtts: 0, mqttsClientCert: 0, ws: 0, wss: 0 };

async function listen<S extends HttpServer | TlsServer>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** MQTT over WebSocket on an HTTP(S) server: each connection's stream handed to aedes. */
function websocketBroker(server: HttpServer): HttpServer {
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => broker.broker.handle(createWebSocketStream(socket) as never));
  return server;
}

beforeAll(async () => {
  broker = await startAedes();
  const tls = { key: pem('server-key.pem'), cert: pem('server.pem') };
  ports.mqtts = await listen(createTlsServer(tls, (socket) => broker.broker.handle(socket)));
  ports.mqttsClientCert = await listen(
    createTlsServer({ ...tls, ca: pem('ca.pem'), requestCert: true, rejectUnauthorized: true }, (socket) => broker.broker.handle(socket)),
  );
  ports.ws = await listen(websocketBroker(createHttpServer()));
  ports.wss = await listen(websocketBroker(createHttpsServer(tls)));
});

afterAll(async () => {
  for (const s of servers) await new Promise((resolve) => s.close(resolve));
  await broker?.stop();
});

/** Starts the app subscribed through `env`, checks it connects and commits a device's message, and stops it. */
async function ingestsThrough(env: Record<string, string>, name: string): Promise<void> {
  const app = await startTestApp({ env: { MQTT_CLIENT_ID: `oee-${name}`, ...env } });
  const device = await deviceClient(broker.url, { clientId: `device-${name}` });
  try {
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const machineId = (await admin.post('/api/v1/machines', { name })).body.id as number;
    const mapping = await admin.post('/api/v1/mqtt/mappings', {
      name,
      topicFilter: `${name}/state`,
      machineId,
      rules: { format: 'json', statePath: 's', stateCodes: { STOP: 2 } },
    });
    expect(mapping.status).toBe(201);
    expect(
      await until(
        async () => (await admin.get('/api/v1/health')).body.mqtt,
        (s) => s === 'connected',
        `${name} connected`,
      ),
    ).toBe('connected');
    const events = async () =>
      (await app.dataSource.query(`SELECT "activityCodeId", source FROM state_events WHERE "machineId" = $1`, [machineId])) as {
        activityCodeId: number;
        source: string;
      }[];
    // Published until the subscription (made on connect and on the mapping's change) takes it.
    expect(
      await until(
        async () => {
          await device.publishAsync(`${name}/state`, JSON.stringify({ s: 'STOP' }), { qos: 1 });
          return events();
        },
        (rows) => rows.length === 1,
        `${name} message committed`,
      ),
    ).toEqual([{ activityCodeId: 2, source: 'mqtt' }]);
  } finally {
    await device.endAsync();
    await app.stop();
  }
}

describe('MQTT connection variants', () => {
  it('mqtts:// with the broker certificate from a private CA (MQTT_CA_FILE)', async () => {
    await ingestsThrough({ MQTT_URL: `mqtts://127.0.0.1:${ports.mqtts}`, MQTT_CA_FILE: file('ca.pem') }, 'tls');
  });

  it('mqtts:// to a broker that requires a client certificate (MQTT_CERT_FILE, MQTT_KEY_FILE); without one it is refused', async () => {
    const url = `mqtts://127.0.0.1:${ports.mqttsClientCert}`;
    await expect(connectAsync(url, { ca: pem('ca.pem'), reconnectPeriod: 0, connectTimeout: 5_000 })).rejects.toThrow(
      'certificate required',
    );
    await ingestsThrough(
      { MQTT_URL: url, MQTT_CA_FILE: file('ca.pem'), MQTT_CERT_FILE: file('client.pem'), MQTT_KEY_FILE: file('client-key.pem') },
      'clientcert',
    );
  });

  it('ws://', async () => {
    await ingestsThrough({ MQTT_URL: `ws://127.0.0.1:${ports.ws}/mqtt` }, 'ws');
  });

  it('wss:// with the private CA', async () => {
    await ingestsThrough({ MQTT_URL: `wss://127.0.0.1:${ports.wss}/mqtt`, MQTT_CA_FILE: file('ca.pem') }, 'wss');
  });

  it('mqtts:// without the CA is refused: the broker certificate is checked', async () => {
    await expect(connectAsync(`mqtts://127.0.0.1:${ports.mqtts}`, { reconnectPeriod: 0, connectTimeout: 5_000 })).rejects.toThrow(
      'unable to verify the first certificate',
    );
  });
});
