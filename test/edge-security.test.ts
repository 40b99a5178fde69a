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
    expect((await deep.json()).error.message).toBe('The body nests arrays and objects deeper than 32 levels');
  });

  it('answers depth 33 with a clear 400 and lets depth 32 through to validation', async () => {
    const tooDeep = await postRaw('/api/v1/events', JSON.stringify({ events: JSON.parse(nested(32)) }));
    expect(tooDeep.status).toBe(400);
    expect(await tooDeep.json()).toEqual({
      error: { code: 'invalid_input', message: 'The body nests arrays and objects deeper than 32 levels', issues: [{ path: [], message: 'at most 32 levels of nesting' }] },
    });
    const deepEnough = await postRaw('/api/v1/events', JSON.stringify({ events: JSON.parse(nested(31)) }));
    expect(deepEnough.status).toBe(400);
    expect((await deepEnough.json()).error.message).toBe('Invalid body');
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
