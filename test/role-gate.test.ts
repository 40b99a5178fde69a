import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/http-client.js';
import { LiveTestClient } from './support/live-client.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 16 point 6: OEE_ROLES gates the HTTP API as it gates Socket.IO, the scheduler and the pages
 * (docs/operations.md, "Several instances"). Three real instances on one database, over real HTTP:
 * `ingest` serves the API and nothing else, `realtime` its sockets and `web` the sign-in forms (the
 * pages themselves need web/build, left out here); every one answers the health check.
 */
let ingest: TestApp;
let realtime: TestApp;
let web: TestApp;
let admin: ApiClient;
let machineId: number;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  // Instances behind one load balancer share the session secret.
  const env = { OEE_SESSION_SECRET: 'a shared secret of at least 32 characters' };
  // The first runs the migrations and the seed; the others find them done.
  ingest = await startTestApp({ databaseUrl, env: { ...env, OEE_ROLES: 'ingest' } });
  [realtime, web] = await Promise.all([
    startTestApp({ databaseUrl, env: { ...env, OEE_ROLES: 'realtime' } }),
    startTestApp({ databaseUrl, env: { ...env, OEE_ROLES: 'web' } }),
  ]);
  admin = await new ApiClient(ingest.url).signIn('admin', ADMIN_PASSWORD);
  machineId = (await admin.post('/api/v1/machines', { name: 'Press 1' })).body.id;
});

afterAll(async () => {
  await Promise.all([ingest?.stop(), realtime?.stop(), web?.stop()]);
});

/** The same session on another instance (the cookie is valid on every one). */
const signedIn = (app: TestApp) => {
  const client = new ApiClient(app.url);
  client.cookie = admin.cookie;
  return client;
};

/** The engine.io handshake Socket.IO answers when it is attached. */
const socketHandshake = (app: TestApp) => fetch(`${app.url}/socket.io/?EIO=4&transport=polling`);

/** The sign-in form of the pages, with a wrong password: a redirect back to /login when it is served. */
const loginForm = (app: TestApp) =>
  fetch(`${app.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=admin&password=wrong',
    redirect: 'manual',
  });

const refusedAsNotServed = (res: { status: number; body: any }) => {
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('not_found');
  expect(res.body.error.message).toContain('ingest role');
};

describe('OEE_ROLES over HTTP', () => {
  it('answers the health check on every instance, whatever its roles', async () => {
    for (const app of [ingest, realtime, web]) {
      const res = await new ApiClient(app.url).get('/api/v1/health');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ok');
    }
  });

  it('serves the API, the DigitME2 routes and no sockets or forms on an ingest instance', async () => {
    expect((await admin.get('/api/v1/machines')).status).toBe(200);
    expect((await admin.get('/api/v1/openapi.json')).status).toBe(200);
    expect((await new ApiClient(ingest.url).post('/api/machine-state-change', { machine_id: machineId, machine_state: 2 })).status).toBe(
      200,
    );
    expect((await socketHandshake(ingest)).status).toBe(404);
    expect((await loginForm(ingest)).status).toBe(404);
  });

  it('refuses the whole API on a realtime instance, whose sockets work', async () => {
    const rt = signedIn(realtime);
    refusedAsNotServed(await rt.get('/api/v1/machines'));
    refusedAsNotServed(await rt.get('/api/v1/openapi.json'));
    refusedAsNotServed(
      await rt.get(`/api/v1/export/timeline.csv?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&machineId=${machineId}`),
    );
    refusedAsNotServed(await rt.post('/api/v1/machines', { name: 'Not here' }));
    refusedAsNotServed(await new ApiClient(realtime.url).post('/api/v1/session', { username: 'admin', password: ADMIN_PASSWORD }));
    // Ingest: the device routes, as Express would route them (any case, a trailing slash).
    refusedAsNotServed(await new ApiClient(realtime.url).post('/api/machine-state-change', { machine_id: machineId, machine_state: 0 }));
    refusedAsNotServed(await new ApiClient(realtime.url).post('/API/Machine-State-Change/', { machine_id: machineId, machine_state: 0 }));
    refusedAsNotServed(await new ApiClient(realtime.url).get('/check-state'));
    refusedAsNotServed(await new ApiClient(realtime.url).get('/Check-State/'));
    refusedAsNotServed(await new ApiClient(realtime.url).get('/api'));
    refusedAsNotServed(await rt.post('/api/v1/health', {}));
    expect((await loginForm(realtime)).status).toBe(404);
    // What the role is for: a wall screen signed in on another instance gets its snapshot here.
    expect((await socketHandshake(realtime)).status).toBe(200);
    const screen = await LiveTestClient.connect(realtime.url, { cookie: admin.cookie! });
    try {
      // Down (2), as the device post on the ingest instance set it.
      expect(screen.lastSnapshot().machines.find((m) => m.machineId === machineId)!.state.activityCodeId).toBe(2);
    } finally {
      screen.close();
    }
    // The device posts refused above changed nothing.
    expect((await admin.get(`/api/v1/machines/${machineId}`)).body.state.activityCodeId).toBe(2);
  });

  it('serves the sign-in forms but not the API on a web instance', async () => {
    const form = await loginForm(web);
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toContain('/login?error=1');
    refusedAsNotServed(await signedIn(web).get('/api/v1/machines'));
    expect((await socketHandshake(web)).status).toBe(404);
  });
});
