import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ApiClient } from './support/http-client.js';
import { TabletClient } from './support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/** Issue 15's edge hardening: body depth, legacy network rule and browser checks, CSRF, headers, sessions. */
let app: TestApp;
let admin: ApiClient;
let deviceKey: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  deviceKey = (await admin.post('/api/v1/api-keys', { name: 'edge device', role: 'device' })).body.key;
});
afterAll(() => app.stop());

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

function postRaw(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(app.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${deviceKey}`, ...headers },
    body,
  });
}

describe('nested JSON bodies', () => {
  it('refuses a 1.9 MB deeply nested body with a 400 while health keeps answering', async () => {
    const body = nested(950_000);
    expect(body.length).toBe(1_900_000);
    const [deep, health] = await Promise.all([postRaw('/api/v1/events', body), fetch(app.url + '/api/v1/health')]);
    expect(health.status).toBe(200);
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as any).error.message).toBe('The body nests arrays and objects deeper than 32 levels');
  });

  it('answers depth 33 with a clear 400 and lets depth 32 through to validation', async () => {
    const tooDeep = await postRaw('/api/v1/events', JSON.stringify({ events: JSON.parse(nested(32)) }));
    expect(tooDeep.status).toBe(400);
    expect(await tooDeep.json()).toEqual({
      error: {
        code: 'invalid_input',
        message: 'The body nests arrays and objects deeper than 32 levels',
        issues: [{ path: [], message: 'at most 32 levels of nesting' }],
      },
    });
    const deepEnough = await postRaw('/api/v1/events', JSON.stringify({ events: JSON.parse(nested(31)) }));
    expect(deepEnough.status).toBe(400);
    expect(((await deepEnough.json()) as any).error.message).toBe('Invalid body');
  });

  it('answers depth 100 000 with a 400, not a 500, on the API and on the DigitME2 tablet routes', async () => {
    const res = await postRaw('/api/v1/events', nested(100_000));
    expect(res.status).toBe(400);
    // The tablet routes take 16 kB: 8 000 levels fit.
    const tablet = await postRaw('/android-login', nested(8_000));
    expect(tablet.status).toBe(200);
    expect(await tablet.json()).toEqual({
      success: false,
      reason: 'The body nests arrays and objects deeper than 32 levels: body at most 32 levels of nesting',
    });
  });
});

describe('the legacy network rule behind proxies (OEE_TRUST_PROXY, X-Forwarded-For)', () => {
  let machineId: number;
  beforeAll(async () => {
    machineId = (await admin.post('/api/v1/machines', { name: 'Legacy network' })).body.id;
  });
  const fromAddress = (path: string, forwardedFor?: string, base = app.url) =>
    fetch(base + path, forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});
  const stateChange = (forwardedFor: string) =>
    fetch(app.url + '/api/machine-state-change', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ machine_id: machineId, machine_state: 2 }),
    });

  it('legacy GET /api/oee and /api/activity-durations answer anonymous callers on the local network only', async () => {
    const oee = `/api/oee?machine_id=${machineId}&date=2026-05-01`;
    const durations = `/api/activity-durations?machine_id=${machineId}&date=2026-05-01`;
    expect((await fromAddress(oee)).status).toBe(200);
    expect((await fromAddress(durations)).status).toBe(200);
    // The test connects from loopback, a trusted proxy by default: the forwarded address is the caller.
    expect((await fromAddress(oee, '8.8.8.8')).status).toBe(401);
    expect((await fromAddress(durations, '8.8.8.8')).status).toBe(401);
    expect((await fromAddress(oee, '10.1.2.3')).status).toBe(200);
    const viewer = (await admin.post('/api/v1/api-keys', { name: 'legacy reader', role: 'viewer' })).body.key;
    expect((await fetch(app.url + oee, { headers: { 'x-forwarded-for': '8.8.8.8', authorization: `Bearer ${viewer}` } })).status).toBe(200);
  });

  it('a forwarded address that is not an IP literal is not private', async () => {
    expect((await stateChange('fdnotanip')).status).toBe(401);
    expect((await stateChange('fc')).status).toBe(401);
    expect((await stateChange('fd12::1')).status).toBe(200);
    expect((await stateChange('10.0.0.7, fdnotanip')).status).toBe(401);
  });

  it('with OEE_TRUST_PROXY=false X-Forwarded-For is ignored and the socket address is judged', async () => {
    const direct = await startTestApp({ env: { OEE_TRUST_PROXY: 'false' } });
    try {
      // Admitted (not 401): the empty database has no machine 1, so the answer is the legacy 400.
      expect((await fromAddress(`/api/oee?machine_id=1&date=2026-05-01`, '8.8.8.8', direct.url)).status).toBe(400);
      expect((await fromAddress(`/api/oee?machine_id=1&date=2026-05-01`, 'fdnotanip', direct.url)).status).toBe(400);
    } finally {
      await direct.stop();
    }
  });
});

describe('legacy routes refuse browsers of other sites and unknown Host names (DNS rebinding)', () => {
  const tabletsNamed = async () => ((await admin.get('/api/v1/tablets')).body as { name: string }[]).length;

  it('GET /check-state from a page of another site is 403 and registers no tablet', async () => {
    const before = await tabletsNamed();
    const foreign: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ];
    for (const headers of foreign) {
      const res = await fetch(`${app.url}/check-state?device_uuid=browser-${Object.values(headers)[0]}`, { headers });
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('forbidden');
    }
    expect(await tabletsNamed()).toBe(before);
    // The DigitME2 app sends neither header: it still registers on GET, as legacy-api.md says.
    const tablet = await fetch(`${app.url}/check-state?device_uuid=real-tablet-1`);
    expect(tablet.status).toBe(200);
    expect(await tabletsNamed()).toBe(before + 1);
  });

  it('refuses a Host that is not an IP literal, localhost or in OEE_ALLOWED_HOSTS, on every legacy route', async () => {
    const port = new URL(app.url).port;
    const rebound = { host: `attacker.example:${port}` };
    const { request } = await import('node:http');
    const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body ? { 'content-type': 'text/plain' } : {}) } },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    expect(await send('POST', '/api/machine-state-change', rebound, '{"machine_id": 1, "machine_state": 1}')).toBe(403);
    expect(await send('POST', '/android-update', rebound, '{"device_uuid": "real-tablet-1", "activity_code_id": 2}')).toBe(403);
    expect(await send('GET', '/api/oee?machine_id=1&date=2026-05-01', rebound)).toBe(403);
    expect(await send('GET', '/api/activity-durations?machine_id=1&date=2026-05-01', rebound)).toBe(403);
    expect(await send('GET', '/check-state?device_uuid=real-tablet-1', { host: `localhost:${port}` })).toBe(200);
    expect(await send('GET', '/check-state?device_uuid=real-tablet-1', { host: `[::1]:${port}` })).toBe(200);
    // Same-origin pages of the app itself are not foreign.
    expect(
      await send('GET', '/check-state?device_uuid=real-tablet-1', { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` }),
    ).toBe(200);

    // The DigitME2 tablet websocket too (a page's WebSocket always carries its Origin).
    const { WebSocket } = await import('ws');
    const upgrade = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/input-device-updates`, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
      });
    expect(await upgrade({ origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade({ host: `attacker.example:${port}` })).toBe(403);
    expect(await upgrade({})).toBe(101);

    const named = await startTestApp({ env: { OEE_ALLOWED_HOSTS: 'oee.plant.example, Other.Example' } });
    try {
      const namedPort = new URL(named.url).port;
      const at = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            { host: '127.0.0.1', port: namedPort, path: '/check-state?device_uuid=named-1', headers: { host } },
            (res) => {
              res.resume();
              resolve(res.statusCode!);
            },
          );
          req.on('error', reject);
          req.end();
        });
      expect([await at('oee.plant.example'), await at(`other.example:${namedPort}`), await at('attacker.example')]).toEqual([
        200, 200, 403,
      ]);
    } finally {
      await named.stop();
    }
  });
});

describe('CSRF: writes from pages of other sites, JSON-only writes', () => {
  it('refuses a cookie-authenticated write whose Origin or Referer is another site', async () => {
    const session = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const foreign = await session.request('POST', '/api/v1/machines', { name: 'CSRF' }, { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toBe('Cross-site request refused: this request did not come from a page of this app');
    expect(
      (await session.request('DELETE', '/api/v1/session', undefined, { headers: { referer: 'http://evil.example/page' } })).status,
    ).toBe(403);
    const own = await session.request('POST', '/api/v1/machines', { name: 'Same origin' }, { headers: { origin: app.url } });
    expect(own.status).toBe(201);
    // An API key is not sent by browsers on their own: no Origin check.
    const key = (await session.post('/api/v1/api-keys', { name: 'csrf admin', role: 'admin' })).body.key;
    expect(
      (
        await new ApiClient(app.url, key).request(
          'POST',
          '/api/v1/machines',
          { name: 'Scripted' },
          { headers: { origin: 'http://evil.example' } },
        )
      ).status,
    ).toBe(201);
  });

  it('answers 415 to a write without Content-Type: application/json, bodyless ones included', async () => {
    const session = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const machine = (await session.post('/api/v1/machines', { name: 'To delete' })).body.id;
    const plain = await fetch(`${app.url}/api/v1/machines/${machine}`, { method: 'DELETE', headers: { cookie: session.cookie! } });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as any).error.code).toBe('unsupported_media_type');
    const form = await fetch(`${app.url}/api/v1/machines`, {
      method: 'POST',
      headers: { cookie: session.cookie!, 'content-type': 'text/plain' },
      body: '{"name": "form"}',
    });
    expect(form.status).toBe(415);
    expect((await session.delete(`/api/v1/machines/${machine}`)).status).toBe(204);
  });

  it('the sign-in and sign-out forms refuse other origins', async () => {
    const form = (origin: string, path = '/login') =>
      fetch(app.url + path, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: `username=admin&password=${ADMIN_PASSWORD}`,
      });
    const foreign = await form('http://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    expect((await form('http://evil.example', '/logout')).status).toBe(403);
    const own = await form(app.url);
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toBe('/');
  });
});

describe('security headers', () => {
  it('one framing rule in both headers, and HSTS only over HTTPS', async () => {
    const plain = await fetch(app.url + '/api/v1/health');
    expect(plain.headers.get('x-frame-options')).toBe('DENY');
    expect(plain.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    // The app's own pages must send their real Origin (under `no-referrer` browsers send `Origin: null`).
    expect(plain.headers.get('referrer-policy')).toBe('same-origin');
    // Through the (trusted, loopback) HTTPS proxy the request is secure: HSTS applies.
    const proxied = await fetch(app.url + '/api/v1/health', { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('sessions', () => {
  it('end after 12 hours without a request, besides the 7-day lifetime', async () => {
    const clock = new FixedClock(new Date('2026-11-02T08:00:00Z'));
    const timed = await startTestApp({ clock, env: { OEE_ROLES: 'ingest' } });
    try {
      const user = await new ApiClient(timed.url).signIn('admin', ADMIN_PASSWORD);
      clock.advance(11 * 3600 + 59 * 60);
      expect((await user.get('/api/v1/session')).status).toBe(200);
      clock.advance(11 * 3600 + 59 * 60);
      expect((await user.get('/api/v1/session')).status).toBe(200);
      clock.advance(12 * 3600 + 60);
      expect((await user.get('/api/v1/session')).status).toBe(401);

      // Used every 11 hours, a session still ends 7 days after sign-in.
      const steady = await new ApiClient(timed.url).signIn('admin', ADMIN_PASSWORD);
      for (let hours = 11; hours < 7 * 24; hours += 11) {
        clock.advance(11 * 3600);
        expect((await steady.get('/api/v1/session')).status).toBe(200);
      }
      clock.advance(11 * 3600);
      expect((await steady.get('/api/v1/session')).status).toBe(401);
    } finally {
      await timed.stop();
    }
  });

  it('use the __Host- cookie prefix over HTTPS', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    const res = await fetch(app.url + '/api/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...https },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^__Host-oee_session=[^;]+; Max-Age=604800; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);
    const value = setCookie.split(';')[0]!.split('=').slice(1).join('=');
    const asUser = (cookie: string, headers: Record<string, string> = https) =>
      fetch(app.url + '/api/v1/session', { headers: { cookie, ...headers } });
    expect((await asUser(`__Host-oee_session=${value}`)).status).toBe(200);
    // Over HTTPS only the prefixed name counts: a planted plain cookie is ignored.
    expect((await asUser(`oee_session=${value}`)).status).toBe(401);
    // Over plain HTTP the plain name is the cookie.
    expect((await asUser(`oee_session=${value}`, {})).status).toBe(200);
  });
});

describe('socket payloads and legacy operators', () => {
  it('refuses NUL, broken Unicode and deep nesting in tablet commands as invalid_input (not internal), storing nothing', async () => {
    const machineId = (await admin.post('/api/v1/machines', { name: 'Socket guard' })).body.id;
    const tablet = await admin.post('/api/v1/tablets', { name: 'Socket guard tablet', machineId });
    const operator = (await admin.post('/api/v1/users', { username: 'socket-guard', role: 'operator', pin: '4711' })).body.id;
    const client = await TabletClient.open(app.url, tablet.body.token);
    try {
      expect((await client.send('operator:sign-in', { userId: operator, pin: '4711' })).ok).toBe(true);
      const nul = await client.send('job:start', { jobNumber: 'A\u0000B' });
      expect(nul).toEqual({
        ok: false,
        error: {
          code: 'invalid_input',
          message: 'The payload contains text that cannot be stored at jobNumber: contains a NUL character or broken Unicode',
        },
      });
      const surrogate = await client.send('job:start', { jobNumber: 'J\uD800' });
      expect(surrogate.ok === false && surrogate.error.code).toBe('invalid_input');
      let deep: unknown = 1;
      // socket.io-client itself recurses through a payload: 200 levels are deep enough here.
      for (let i = 0; i < 200; i++) deep = [deep];
      const nested = await client.send('job:start', { jobNumber: 'J1', input: deep });
      expect(nested.ok === false && nested.error.code).toBe('invalid_input');
      expect(await app.dataSource.query('SELECT count(*)::int AS n FROM jobs WHERE "machineId" = $1', [machineId])).toEqual([{ n: 0 }]);
    } finally {
      client.close();
    }
  });

  it('a DigitME2 device naming a user that does not exist gets a 400, and nothing is stored', async () => {
    const machineId = (await admin.post('/api/v1/machines', { name: 'Legacy operator' })).body.id;
    const anon = new ApiClient(app.url);
    const res = await anon.post('/api/machine-state-change', { machine_id: machineId, machine_state: 2, user_id: 999_999 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Unknown user 999999');
    const operator = (await admin.post('/api/v1/users', { username: 'legacy-operator', role: 'operator', pin: '1234' })).body.id;
    expect((await anon.post('/api/machine-state-change', { machine_id: machineId, machine_state: 2, user_id: operator })).status).toBe(200);
  });
});
