import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';

/**
 * Every set-up route of docs/api.md: success, each invalid field (400 with code and issues), malformed
 * JSON (400), unknown id (404), duplicate name (409), no credentials (401), too weak a role (403).
 */
let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;

beforeAll(async () => {
  app = await startTestApp();
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
});
afterAll(() => app.stop());

interface ResourceSpec {
  name: string;
  path: string;
  valid: () => Record<string, unknown>;
  /** field → a value that must be refused */
  invalid: Record<string, unknown>;
  /** a PATCH body for the update check, and what the read must then show */
  update?: Record<string, unknown>;
  uniqueField?: string;
  deletable: boolean;
  patchable: boolean;
  /** the answer of POST carries a secret instead of the resource */
  secretField?: string;
}

let seq = 0;
const unique = (p: string) => `${p} ${++seq}`;

const resources: ResourceSpec[] = [
  {
    name: 'groups',
    path: '/api/v1/groups',
    valid: () => ({ name: unique('Line') }),
    invalid: { name: '' },
    update: { name: 'Renamed group' },
    uniqueField: 'name',
    deletable: true,
    patchable: true,
  },
  {
    name: 'activity codes',
    path: '/api/v1/activity-codes',
    valid: () => ({ shortDescription: unique('Jam'), longDescription: 'Material jam', category: 'unplanned_stop', colour: '#AA3300' }),
    invalid: { shortDescription: 42, category: 'broken', colour: 'red', active: 'yes' },
    update: { colour: '#123456', active: false },
    uniqueField: 'shortDescription',
    deletable: false,
    patchable: true,
  },
  {
    name: 'shift patterns',
    path: '/api/v1/shift-patterns',
    valid: () => ({
      name: unique('Days'),
      shifts: [{ days: [1, 2, 3, 4, 5], start: '06:00', end: '14:00' }],
      exceptions: [{ date: '2026-12-25', shifts: [] }],
    }),
    invalid: { name: '', shifts: [{ days: [8], start: '06:00', end: '14:00' }], exceptions: [{ date: '2026-13-40', shifts: [] }] },
    update: { shifts: [{ days: [1], start: '22:00', end: '06:00' }] },
    uniqueField: 'name',
    deletable: true,
    patchable: true,
  },
  {
    name: 'machines',
    path: '/api/v1/machines',
    valid: () => ({
      name: unique('Press'),
      groupId: 1,
      shiftPatternId: 1,
      workflowType: 'pausable',
      jobStartInputType: 'parts_per_hour',
      jobNumberInputType: 'number',
      jobStartActivityCodeId: 1,
      endJobOnShiftEnd: false,
    }),
    invalid: {
      name: '',
      groupId: 999_999,
      shiftPatternId: 'x',
      workflowType: 'fast',
      jobStartInputType: 'guess',
      jobNumberInputType: 'roman',
      jobStartActivityCodeId: 999_999,
      endJobOnShiftEnd: 'no',
      excludedActivityCodeIds: [999_999],
    },
    update: { workflowType: 'running_total', active: false },
    uniqueField: 'name',
    deletable: true,
    patchable: true,
  },
  {
    name: 'users',
    path: '/api/v1/users',
    valid: () => ({ username: unique('op').replace(' ', ''), password: 'a long password 1', role: 'operator', pin: '1234' }),
    invalid: { username: '', password: 'short', role: 'boss', pin: '12ab' },
    update: { role: 'supervisor' },
    uniqueField: 'username',
    deletable: true,
    patchable: true,
  },
  {
    name: 'tablets',
    path: '/api/v1/tablets',
    valid: () => ({ name: unique('Tablet'), machineId: null }),
    invalid: { name: '', machineId: 999_999 },
    update: { name: 'Renamed tablet' },
    uniqueField: 'name',
    deletable: true,
    patchable: true,
    secretField: 'token',
  },
  {
    name: 'kiosk tokens',
    path: '/api/v1/kiosk-tokens',
    valid: () => ({ name: unique('Wall'), groupId: 1 }),
    invalid: { name: '', groupId: 999_999 },
    uniqueField: 'name',
    deletable: true,
    patchable: false,
    secretField: 'token',
  },
  {
    name: 'API keys',
    path: '/api/v1/api-keys',
    valid: () => ({ name: unique('Device key'), role: 'device' }),
    invalid: { name: '', role: 'root' },
    uniqueField: 'name',
    deletable: true,
    patchable: false,
    secretField: 'key',
  },
];

describe.each(resources)('$name', (spec) => {
  it('creates, reads, updates and deletes', async () => {
    const body = spec.valid();
    const created = await c.admin.post(spec.path, body);
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect(id).toBeGreaterThan(0);
    if (spec.secretField) {
      expect(typeof created.body[spec.secretField]).toBe('string');
      expect(created.body[spec.secretField].length).toBeGreaterThan(40);
    }
    const list = await c.admin.get(spec.path);
    expect(list.status).toBe(200);
    const row = list.body.find((r: { id: number }) => r.id === id);
    expect(row).toBeDefined();
    for (const [k, v] of Object.entries(body)) {
      if (['password', 'pin'].includes(k)) continue;
      expect(row[k]).toEqual(v);
    }
    expect(JSON.stringify(list.body)).not.toMatch(/"(passwordHash|pinHash|tokenHash|keyHash|password|pin|token|key)"/);

    if (spec.patchable && spec.update) {
      const updated = await c.admin.patch(`${spec.path}/${id}`, spec.update);
      expect(updated.status).toBe(200);
      for (const [k, v] of Object.entries(spec.update)) expect(updated.body[k]).toEqual(v);
    }
    if (spec.deletable) {
      expect((await c.admin.delete(`${spec.path}/${id}`)).status).toBe(204);
      expect((await c.admin.get(spec.path)).body.some((r: { id: number }) => r.id === id)).toBe(false);
      expect((await c.admin.delete(`${spec.path}/${id}`)).status).toBe(404);
    } else {
      expect((await c.admin.delete(`${spec.path}/${id}`)).status).toBe(404); // no such route
    }
  });

  it.each(Object.entries(spec.invalid))('refuses an invalid %s with 400 and an issue naming it', async (field, value) => {
    const before = await c.admin.get(spec.path);
    const res = await c.admin.post(spec.path, { ...spec.valid(), [field]: value });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.issues.some((i: { path: unknown[] }) => i.path[0] === field)).toBe(true);
    expect((await c.admin.get(spec.path)).body).toEqual(before.body);
  });

  it('refuses unknown fields and malformed JSON with 400', async () => {
    const extra = await c.admin.post(spec.path, { ...spec.valid(), surprise: 1 });
    expect(extra.status).toBe(400);
    const res = await c.admin.request('POST', spec.path, undefined, { raw: '{"name": ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_json');
  });

  it('answers 404 for an unknown id', async () => {
    if (spec.patchable) expect((await c.admin.patch(`${spec.path}/999999`, spec.update ?? {})).status).toBe(404);
    if (spec.deletable) expect((await c.admin.delete(`${spec.path}/999999`)).status).toBe(404);
    if (spec.patchable) expect((await c.admin.patch(`${spec.path}/not-a-number`, spec.update ?? {})).status).toBe(404);
  });

  it('answers 409 for a duplicate name', async () => {
    const body = spec.valid();
    expect((await c.admin.post(spec.path, body)).status).toBe(201);
    const again = await c.admin.post(spec.path, body);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect(again.body.error.message).toContain(String(body[spec.uniqueField!]));
  });

  it('answers 401 without credentials and 403 for a role below admin', async () => {
    expect((await c.anonymous.post(spec.path, spec.valid())).status).toBe(401);
    expect((await c.anonymous.get(spec.path)).status).toBe(401);
    for (const client of [c.supervisor, c.operator, c.viewer, c.device]) {
      const res = await client.post(spec.path, spec.valid());
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });
});

describe('reads', () => {
  it('lets every signed-in human role read set-up data, but not a device key', async () => {
    for (const client of [c.viewer, c.operator, c.supervisor]) expect((await client.get('/api/v1/machines')).status).toBe(200);
    expect((await c.device.get('/api/v1/machines')).status).toBe(403);
  });
});

describe('seed', () => {
  it('has the built-in codes, group 1 and the 9-5 pattern', async () => {
    const codes = (await c.admin.get('/api/v1/activity-codes')).body.slice(0, 4);
    expect(codes.map((x: any) => [x.id, x.shortDescription, x.category])).toEqual([
      [1, 'Up', 'running'],
      [2, 'Down', 'unplanned_stop'],
      [3, 'Closed', 'planned_shutdown'],
      [4, 'Overtime', 'running'],
    ]);
    expect((await c.admin.get('/api/v1/groups')).body[0]).toEqual({ id: 1, name: 'Group 1', oeeTarget: null });
    expect((await c.admin.get('/api/v1/shift-patterns')).body[0]).toEqual({
      id: 1,
      name: '9-5',
      shifts: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' }],
      exceptions: [],
    });
  });
});

describe('site', () => {
  it('reads and replaces the settings; refuses a bad zone', async () => {
    expect((await c.admin.put('/api/v1/site', { timezone: 'Europe/London', microStopSeconds: 30 })).body).toEqual({
      timezone: 'Europe/London',
      microStopSeconds: 30,
      liveWindowDays: 31,
      longStopMinutes: { unplanned_stop: 15, planned_stop: 30 },
      publicUrl: null,
      dateFormat: 'YYYY-MM-DD',
      reasonPromptMinutes: 5,
      oeeTarget: 0.85,
    });
    expect((await c.viewer.get('/api/v1/site')).body).toEqual({
      timezone: 'Europe/London',
      microStopSeconds: 30,
      liveWindowDays: 31,
      longStopMinutes: { unplanned_stop: 15, planned_stop: 30 },
      publicUrl: null,
      dateFormat: 'YYYY-MM-DD',
      reasonPromptMinutes: 5,
      oeeTarget: 0.85,
    });
    const bad = await c.admin.put('/api/v1/site', { timezone: 'Mars/Olympus', microStopSeconds: 30 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toEqual(['timezone']);
    expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: -1 })).status).toBe(400);
    expect((await c.supervisor.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(403);
    expect((await c.anonymous.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(401);
    expect((await c.admin.request('PUT', '/api/v1/site', undefined, { raw: 'nope' })).status).toBe(400);
  });

  it('keeps long-stop thresholds per category (minutes, null = never); omitted = unchanged; refuses bad ones and non-admins', async () => {
    const base = { timezone: 'UTC', microStopSeconds: 0 };
    const set = await c.admin.put('/api/v1/site', {
      ...base,
      longStopMinutes: { unplanned_stop: 20, planned_stop: null, planned_shutdown: 600 },
    });
    expect(set.status).toBe(200);
    expect(set.body.longStopMinutes).toEqual({ unplanned_stop: 20, planned_stop: null, planned_shutdown: 600 });
    expect((await c.viewer.get('/api/v1/site')).body.longStopMinutes).toEqual({
      unplanned_stop: 20,
      planned_stop: null,
      planned_shutdown: 600,
    });
    expect((await c.admin.put('/api/v1/site', base)).body.longStopMinutes).toEqual({
      unplanned_stop: 20,
      planned_stop: null,
      planned_shutdown: 600,
    });

    for (const longStopMinutes of [
      { unplanned_stop: 0 },
      { unplanned_stop: 1.5 },
      { unplanned_stop: 10_081 },
      { breakdown: 5 },
      { unplanned_stop: '15' },
      [15],
    ]) {
      const bad = await c.admin.put('/api/v1/site', { ...base, longStopMinutes });
      expect(bad.status, JSON.stringify(longStopMinutes)).toBe(400);
      expect(bad.body.error.issues[0].path[0]).toBe('longStopMinutes');
    }
    expect((await c.supervisor.put('/api/v1/site', { ...base, longStopMinutes: { unplanned_stop: 5 } })).status).toBe(403);
    expect((await c.viewer.put('/api/v1/site', { ...base, longStopMinutes: { unplanned_stop: 5 } })).status).toBe(403);
    expect((await c.anonymous.put('/api/v1/site', { ...base, longStopMinutes: { unplanned_stop: 5 } })).status).toBe(401);
    expect((await c.viewer.get('/api/v1/site')).body.longStopMinutes).toEqual({
      unplanned_stop: 20,
      planned_stop: null,
      planned_shutdown: 600,
    });
    await c.admin.put('/api/v1/site', { ...base, longStopMinutes: { unplanned_stop: 15, planned_stop: 30 } });
  });

  it('keeps a public address for pairing links: absolute http(s) only, kept when omitted, cleared with null', async () => {
    const put = (body: object) => c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0, ...body });
    const saved = await put({ publicUrl: ' https://oee.example.com/ ' });
    expect(saved.status).toBe(200);
    expect(saved.body.publicUrl).toBe('https://oee.example.com');
    expect((await put({})).body.publicUrl).toBe('https://oee.example.com');
    expect((await c.viewer.get('/api/v1/site')).body.publicUrl).toBe('https://oee.example.com');
    expect((await put({ publicUrl: 'http://10.0.0.5:3000' })).body.publicUrl).toBe('http://10.0.0.5:3000');
    for (const bad of ['oee.example.com', 'ftp://oee.example.com', '/tablet', 'https://oee.example.com/?a=1', 42]) {
      const res = await put({ publicUrl: bad });
      expect(res.status, String(bad)).toBe(400);
      expect(res.body.error.issues[0].path).toEqual(['publicUrl']);
    }
    expect((await c.supervisor.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0, publicUrl: null })).status).toBe(403);
    expect((await put({ publicUrl: null })).body.publicUrl).toBeNull();
    const audit = await app.dataSource.query(`SELECT before, after FROM audit_log WHERE action = 'site.update' ORDER BY id DESC LIMIT 1`);
    expect(audit[0].before.publicUrl).toBe('http://10.0.0.5:3000');
    expect(audit[0].after.publicUrl).toBeNull();
  });

  it('keeps a date format (ISO by default): one of four, kept when omitted, audited; refuses others and non-admins', async () => {
    const put = (body: object) => c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0, ...body });
    expect((await c.viewer.get('/api/v1/site')).body.dateFormat).toBe('YYYY-MM-DD');
    for (const dateFormat of ['DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY']) {
      const saved = await put({ dateFormat });
      expect(saved.status).toBe(200);
      expect(saved.body.dateFormat).toBe(dateFormat);
    }
    expect((await put({})).body.dateFormat).toBe('DD.MM.YYYY');
    expect((await c.viewer.get('/api/v1/site')).body.dateFormat).toBe('DD.MM.YYYY');
    for (const bad of ['dd/mm/yyyy', 'YYYY/MM/DD', '', null, 1]) {
      const res = await put({ dateFormat: bad });
      expect(res.status, String(bad)).toBe(400);
      expect(res.body.error.issues[0].path).toEqual(['dateFormat']);
    }
    expect((await c.supervisor.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0, dateFormat: 'DD/MM/YYYY' })).status).toBe(403);
    expect((await put({ dateFormat: 'YYYY-MM-DD' })).body.dateFormat).toBe('YYYY-MM-DD');
    const audit = await app.dataSource.query(`SELECT before, after FROM audit_log WHERE action = 'site.update' ORDER BY id DESC LIMIT 1`);
    expect([audit[0].before.dateFormat, audit[0].after.dateFormat]).toEqual(['DD.MM.YYYY', 'YYYY-MM-DD']);
  });
});

describe('deleting what is in use', () => {
  it('answers 409 naming the machines that use a group or a shift pattern', async () => {
    const group = (await c.admin.post('/api/v1/groups', { name: 'Busy group' })).body;
    const pattern = (await c.admin.post('/api/v1/shift-patterns', { name: 'Busy pattern', shifts: [] })).body;
    await c.admin.post('/api/v1/machines', { name: 'Lathe 7', groupId: group.id, shiftPatternId: pattern.id });
    const g = await c.admin.delete(`/api/v1/groups/${group.id}`);
    expect(g.status).toBe(409);
    expect(g.body.error.message).toBe('Group "Busy group" is used by 1 machine (Lathe 7)');
    const p = await c.admin.delete(`/api/v1/shift-patterns/${pattern.id}`);
    expect(p.status).toBe(409);
    expect(p.body.error.message).toBe('Shift pattern "Busy pattern" is used by 1 machine (Lathe 7)');
  });

  it('keeps the last admin', async () => {
    const users = (await c.admin.get('/api/v1/users')).body;
    const admin = users.find((u: any) => u.username === 'admin');
    expect((await c.admin.patch(`/api/v1/users/${admin.id}`, { role: 'viewer' })).status).toBe(409);
    expect((await c.admin.delete(`/api/v1/users/${admin.id}`)).status).toBe(409);
  });
});

describe('sessions and keys', () => {
  it('signs in, reads the session, signs out', async () => {
    const client = new ApiClient(app.url);
    const bad = await client.post('/api/v1/session', { username: 'admin', password: 'wrong password' });
    expect(bad.status).toBe(401);
    await client.signIn('admin', ADMIN_PASSWORD);
    const me = await client.get('/api/v1/session');
    expect(me.body).toEqual({ user: { id: 1, username: 'admin', role: 'admin' }, role: 'admin', via: 'session' });
    expect(me.headers.get('set-cookie')).toBeNull();
    expect((await client.delete('/api/v1/session')).status).toBe(204);
    expect((await client.get('/api/v1/session')).status).toBe(401);
  });

  it('sets an HttpOnly SameSite=Lax cookie and security headers', async () => {
    const res = await fetch(`${app.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('revokes an API key', async () => {
    const created = (await c.admin.post('/api/v1/api-keys', { name: 'temporary', role: 'viewer' })).body;
    const client = new ApiClient(app.url, created.key);
    expect((await client.get('/api/v1/groups')).status).toBe(200);
    expect((await c.admin.delete(`/api/v1/api-keys/${created.id}`)).status).toBe(204);
    expect((await client.get('/api/v1/groups')).status).toBe(401);
  });

  it('lets a retired user sign in no more', async () => {
    const user = (await c.admin.post('/api/v1/users', { username: 'leaver', password: 'a long password 2', role: 'viewer' })).body;
    const client = await new ApiClient(app.url).signIn('leaver', 'a long password 2');
    expect((await c.admin.delete(`/api/v1/users/${user.id}`)).status).toBe(204);
    expect((await client.get('/api/v1/groups')).status).toBe(401);
    expect((await new ApiClient(app.url).post('/api/v1/session', { username: 'leaver', password: 'a long password 2' })).status).toBe(401);
  });

  it('rate-limits a burst of failed sign-ins with 429 (limits and delays in detail: security-auth.test.ts)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        new ApiClient(app.url).post('/api/v1/session', { username: 'ratelimited', password: `guess ${i}` }),
      ),
    );
    // Counted before the hash: at most 10 of a burst reach it, whatever the timing.
    expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(10);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(2);
    expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true);
  });
});

describe('openapi and health', () => {
  it('serves health and an OpenAPI document listing every set-up route', async () => {
    expect((await c.anonymous.get('/api/v1/health')).body).toEqual({ status: 'ok', database: 'ok', influx: 'disabled' });
    const doc = (await c.anonymous.get('/api/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.0.3');
    for (const r of resources) expect(Object.keys(doc.paths[r.path])).toContain('post');
    expect(doc.paths['/api/v1/machines/{id}'].patch.requestBody.content['application/json'].schema.properties.workflowType.enum).toEqual([
      'default',
      'pausable',
      'running_total',
    ]);
  });
});
