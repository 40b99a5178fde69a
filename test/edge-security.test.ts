import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/http-client.js';
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
  return fetch(app.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${deviceKey}`, ...headers }, body });
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
      error: { code: 'invalid_input', message: 'The body nests arrays and objects deeper than 32 levels', issues: [{ path: [], message: 'at most 32 levels of nesting' }] },
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
    expect(await tablet.json()).toEqual({ success: false, reason: 'The body nests arrays and objects deeper than 32 levels: body at most 32 levels of nesting' });
  });
});

describe('the legacy network rule behind proxies (OEE_TRUST_PROXY, X-Forwarded-For)', () => {
  let machineId: number;
  beforeAll(async () => {
    machineId = (await admin.post('/api/v1/machines', { name: 'Legacy network' })).body.id;
  });
  const fromAddress = (path: string, forwardedFor?: string, base = app.url) => fetch(base + path, forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});
  const stateChange = (forwardedFor: string) =>
    fetch(app.url + '/api/machine-state-change', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify({ machine_id: machineId, machine_state: 2 }) });

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
