import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * 1 000 wall screens on `/live` lose their server, which restarts on the same port: they all
 * reconnect at once, each gets a fresh snapshot, and the server keeps answering meanwhile.
 */
const CLIENTS = 1_000;
/** Fault tests run with every role, as production does. */
const ALL_ROLES = 'ingest,realtime,scheduler,web';
const sockets: Socket[] = [];
let app: TestApp | null = null;
afterAll(async () => {
  for (const s of sockets) s.close();
  await app?.stop();
});

describe('reconnect storm', () => {
  it('gives all 1 000 reconnecting screens a snapshot and stays responsive', async () => {
    const databaseUrl = await createTestDatabase();
    app = await startTestApp({ databaseUrl, env: { OEE_ROLES: ALL_ROLES } });
    const port = app.port;
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    for (let i = 0; i < 20; i++) await admin.post('/api/v1/machines', { name: `Storm ${i}` });
    const token = (await admin.post('/api/v1/kiosk-tokens', { name: 'storm' })).body.token as string;

    const snapshots = new Map<number, number>();
    const firstSnapshots = Array.from({ length: CLIENTS }, (_, i) => {
      const socket = io(`${app!.url}/live`, {
        transports: ['websocket'],
        forceNew: true,
        auth: { token },
        reconnectionDelay: 500,
        reconnectionDelayMax: 3_000,
      });
      sockets.push(socket);
      return new Promise<void>((resolve) =>
        socket.on('machines:snapshot', (machines: unknown[]) => {
          expect(machines).toHaveLength(20);
          snapshots.set(i, (snapshots.get(i) ?? 0) + 1);
          resolve();
        }),
      );
    });
    await Promise.all(firstSnapshots);
    expect(sockets.every((s) => s.connected)).toBe(true);

    await app.stop();
    app = null;
    const allReconnected = Promise.all(
      sockets.map((socket, i) => new Promise<void>((resolve) => socket.on('machines:snapshot', () => snapshots.get(i)! >= 2 && resolve()))),
    );
    const restarted = Date.now();
    app = await startTestApp({ databaseUrl, env: { OEE_ROLES: ALL_ROLES, PORT: String(port) } });

    // While the storm lands, health keeps answering.
    const latencies: number[] = [];
    let stormDone = false;
    const probing = (async () => {
      while (!stormDone) {
        const t = Date.now();
        const res = await fetch(`${app!.url}/api/v1/health`);
        expect(res.status).toBe(200);
        latencies.push(Date.now() - t);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await allReconnected;
    const stormSeconds = (Date.now() - restarted) / 1000;
    stormDone = true;
    await probing;
    const worst = Math.max(...latencies);
    console.log(
      `reconnect storm: ${CLIENTS} clients, all re-snapshotted ${stormSeconds.toFixed(1)} s after the restart; health probes ${latencies.length}, slowest ${worst} ms`,
    );
    expect([...snapshots.values()].every((n) => n >= 2)).toBe(true);
    expect(worst).toBeLessThan(2_000);
  }, 120_000);
});
