import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { TabletClient } from './support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * DigitME2 tablets' push channel and discovery (docs/digitme2.md, issue 9): the plain websocket
 * `/api/input-device-updates` beside Socket.IO on the HTTP port, and the UDP discovery responder,
 * each with a real client.
 */

let app: TestApp;
let discoveryPort: number;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let tabletHttp: ApiClient;
let operator: { id: number; pin: string };
let jam: number;
const sockets: WebSocket[] = [];
const udp: dgram.Socket[] = [];
const apps: TestApp[] = [];

/** A UDP port nobody uses right now. */
async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  discoveryPort = await freeUdpPort();
  app = await startTestApp({ env: { OEE_DISCOVERY_PORT: String(discoveryPort) } });
  apps.push(app);
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  tabletHttp = new ApiClient(app.url);
  jam = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' })).body.id;
  const user = await c.admin.post('/api/v1/users', { username: 'olga', role: 'operator', pin: '1234' });
  operator = { id: user.body.id, pin: '1234' };
});
afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  for (const s of udp) s.close();
  // The extra instances (UDP only) first.
  for (const a of apps.reverse()) await a.stop();
});

/** A websocket client that keeps every frame (as text) and the close code. */
class Frames {
  readonly frames: string[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(data.toString());
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => undefined);
  }

  static async open(path = '/api/input-device-updates'): Promise<Frames> {
    const ws = new WebSocket(app.url.replace(/^http/, 'ws') + path);
    sockets.push(ws);
    const frames = new Frames(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return frames;
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until the condition holds (re-checked on every frame and on close). */
  async until<T>(check: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames)}, closed: ${JSON.stringify(this.closed)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  frame(n: number): Promise<string> {
    return this.until(() => this.frames[n], `frame ${n}`);
  }

  closedWith(): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed ?? undefined, 'close');
  }
}

async function pairedTablet(name: string) {
  const machine = await c.admin.post('/api/v1/machines', { name });
  const uuid = randomUUID();
  await tabletHttp.get(`/check-state?device_uuid=${uuid}`);
  const tablet = ((await c.admin.get('/api/v1/tablets')).body as { id: number; deviceUuid: string | null }[]).find(
    (t) => t.deviceUuid === uuid,
  )!;
  expect((await c.admin.patch(`/api/v1/tablets/${tablet.id}`, { machineId: machine.body.id })).status).toBe(200);
  return { uuid, tabletId: tablet.id, machineId: machine.body.id as number };
}

describe('websocket /api/input-device-updates', () => {
  it('sends the current code as a bare frame, then activity_change for changes from any source, and logout on a forced logout', async () => {
    const { uuid, tabletId, machineId } = await pairedTablet('WS machine');
    expect(
      (await tabletHttp.post('/android-login', { user_id: String(operator.id), password: operator.pin, device_uuid: uuid })).body,
    ).toEqual({ success: true });
    expect((await tabletHttp.post('/android-start-job', { job_number: 'W-1', ideal_cycle_time: '10', device_uuid: uuid })).body).toEqual({
      success: true,
    });

    const ws = await Frames.open();
    ws.ws.send(JSON.stringify({ device_uuid: uuid }));
    expect(await ws.frame(0)).toBe('1');

    // A change posted over HTTP by a device.
    expect((await c.device.post('/api/v1/events', { events: [{ machineId, activityCodeId: jam }] })).status).toBe(200);
    expect(JSON.parse(await ws.frame(1))).toEqual({ action: 'activity_change', activity_code_id: jam });

    // … and one from the tablet's own route.
    expect((await tabletHttp.post('/android-update', { device_uuid: uuid, activity_code_id: 1 })).body).toEqual({ success: true });
    expect(JSON.parse(await ws.frame(2))).toEqual({ action: 'activity_change', activity_code_id: 1 });

    // The legacy device route too.
    expect((await tabletHttp.post('/api/machine-state-change', { machine_id: machineId, machine_state: 0 })).status).toBe(200);
    expect(JSON.parse(await ws.frame(3))).toEqual({ action: 'activity_change', activity_code_id: 2 });

    expect((await c.admin.post(`/api/v1/tablets/${tabletId}/logout`)).status).toBe(200);
    expect(JSON.parse(await ws.frame(4))).toEqual({ action: 'logout' });
    expect(ws.closed).toBeNull();
    expect((await tabletHttp.get(`/check-state?device_uuid=${uuid}`)).body).toMatchObject({ state: 'no_user' });
  });

  it('follows a re-paired tablet and closes for an unknown, unpaired or deleted one', async () => {
    const unknown = await Frames.open();
    unknown.ws.send(JSON.stringify({ device_uuid: randomUUID() }));
    expect(await unknown.closedWith()).toEqual({ code: 4004, reason: 'Unknown tablet' });

    const garbage = await Frames.open();
    garbage.ws.send('hello');
    expect((await garbage.closedWith()).code).toBe(1008);

    const uuid = randomUUID();
    await tabletHttp.get(`/check-state?device_uuid=${uuid}`);
    const unpaired = await Frames.open();
    unpaired.ws.send(JSON.stringify({ device_uuid: uuid }));
    expect(await unpaired.closedWith()).toEqual({ code: 4009, reason: 'Tablet not paired with a machine' });

    const { uuid: moved, tabletId } = await pairedTablet('Before re-pairing');
    const ws = await Frames.open();
    ws.ws.send(JSON.stringify({ device_uuid: moved }));
    expect(await ws.frame(0)).toBe('2'); // a machine without events shows Down
    const other = await c.admin.post('/api/v1/machines', { name: 'After re-pairing' });
    await c.device.post(`/api/v1/machines/${other.body.id}/jobs`, { jobNumber: 'J' });
    expect((await c.admin.patch(`/api/v1/tablets/${tabletId}`, { machineId: other.body.id })).status).toBe(200);
    expect(JSON.parse(await ws.frame(1))).toEqual({ action: 'activity_change', activity_code_id: 1 });
    expect((await c.admin.delete(`/api/v1/tablets/${tabletId}`)).status).toBe(204);
    expect(await ws.closedWith()).toEqual({ code: 4004, reason: 'Tablet removed' });
  });

  it('hears changes and forced logouts made on another instance sharing the database', async () => {
    const other = await startTestApp({ databaseUrl: app.databaseUrl, env: { OEE_ROLES: 'ingest,realtime' } });
    apps.push(other);
    const { uuid, tabletId, machineId } = await pairedTablet('Two instances');
    expect(
      (await tabletHttp.post('/android-login', { user_id: String(operator.id), password: operator.pin, device_uuid: uuid })).body,
    ).toEqual({ success: true });
    const ws = await Frames.open();
    ws.ws.send(JSON.stringify({ device_uuid: uuid }));
    expect(await ws.frame(0)).toBe('2');

    const device = new ApiClient(other.url, c.device.bearer);
    expect((await device.post('/api/v1/events', { events: [{ machineId, activityCodeId: jam }] })).status).toBe(200);
    expect(JSON.parse(await ws.frame(1))).toEqual({ action: 'activity_change', activity_code_id: jam });

    const admin = await new ApiClient(other.url).signIn('admin', ADMIN_PASSWORD);
    expect((await admin.post(`/api/v1/tablets/${tabletId}/logout`)).status).toBe(200);
    expect(JSON.parse(await ws.frame(2))).toEqual({ action: 'logout' });
  });

  it('lives beside Socket.IO on the same port, and answers no other upgrade path', async () => {
    const machine = await c.admin.post('/api/v1/machines', { name: 'Socket.IO beside' });
    const created = await c.admin.post('/api/v1/tablets', { name: 'Web tablet', machineId: machine.body.id });
    const web = await TabletClient.open(app.url, created.body.token);
    try {
      expect(web.state.machine).toEqual({ id: machine.body.id, name: 'Socket.IO beside' });
    } finally {
      web.close();
    }
    const refused = new WebSocket(app.url.replace(/^http/, 'ws') + '/api/not-a-socket');
    sockets.push(refused);
    const outcome = await new Promise<string>((resolve) => {
      refused.once('open', () => resolve('open'));
      refused.once('error', () => resolve('error'));
      refused.once('unexpected-response', () => resolve('refused'));
    });
    expect(outcome).not.toBe('open');
  });
});

describe('UDP discovery', () => {
  async function client(): Promise<{
    socket: dgram.Socket;
    replies: { text: string; from: string }[];
    next: (n: number) => Promise<void>;
  }> {
    const socket = dgram.createSocket('udp4');
    udp.push(socket);
    const replies: { text: string; from: string }[] = [];
    let wake: (() => void) | null = null;
    socket.on('message', (msg, rinfo) => {
      replies.push({ text: msg.toString(), from: rinfo.address });
      wake?.();
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    /** Resolves once `n` replies have come (woken by each reply), or fails after 5 s. */
    const next = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${n} replies, got ${replies.length}`)), 5_000);
        wake = () => {
          if (replies.length < n) return;
          clearTimeout(timer);
          wake = null;
          resolve();
        };
        wake();
      });
    return { socket, replies, next };
  }
  const send = (socket: dgram.Socket, text: string, port = discoveryPort) =>
    new Promise<void>((resolve, reject) => socket.send(Buffer.from(text), port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));

  it('answers DISCOVER_OEE_SERVER_REQUEST with the HTTP port, from the address it reached, and ignores anything else', async () => {
    const { socket, replies, next } = await client();
    await send(socket, 'HELLO');
    await send(socket, 'DISCOVER_OEE_SERVER_RESPONSE:80');
    await send(socket, 'DISCOVER_OEE_SERVER_REQUESTS');
    await send(socket, 'DISCOVER_OEE_SERVER_REQUEST');
    await next(1);
    expect(replies[0]).toEqual({ text: `DISCOVER_OEE_SERVER_RESPONSE:${app.port}`, from: '127.0.0.1' });
    // Had any of the three others been answered, their replies (sent first) would be here by now.
    await send(socket, 'DISCOVER_OEE_SERVER_REQUEST');
    await next(2);
    expect(replies).toEqual([
      { text: `DISCOVER_OEE_SERVER_RESPONSE:${app.port}`, from: '127.0.0.1' },
      { text: `DISCOVER_OEE_SERVER_RESPONSE:${app.port}`, from: '127.0.0.1' },
    ]);
  });

  it('announces OEE_PUBLIC_PORT behind a proxy; a port in use only logs a warning', async () => {
    const port = await freeUdpPort();
    const proxied = await startTestApp({
      databaseUrl: app.databaseUrl,
      env: { OEE_ROLES: 'ingest', OEE_DISCOVERY_PORT: String(port), OEE_PUBLIC_PORT: '8443' },
    });
    apps.push(proxied);
    const { socket, replies, next } = await client();
    await send(socket, 'DISCOVER_OEE_SERVER_REQUEST', port);
    await next(1);
    expect(replies[0]).toEqual({ text: 'DISCOVER_OEE_SERVER_RESPONSE:8443', from: '127.0.0.1' });

    // Another program holds the port (without SO_REUSEADDR): the app still starts and serves HTTP.
    const holder = dgram.createSocket('udp4');
    udp.push(holder);
    const busy = await new Promise<number>((resolve) => holder.bind(0, '0.0.0.0', () => resolve(holder.address().port)));
    const blocked = await startTestApp({ databaseUrl: app.databaseUrl, env: { OEE_ROLES: 'ingest', OEE_DISCOVERY_PORT: String(busy) } });
    apps.push(blocked);
    expect((await new ApiClient(blocked.url).get('/api/v1/health')).status).toBe(200);
  });
});
