import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { TabletClient } from './support/tablet-client.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 15 points 4, 5 and 9: sign-in attempts are reserved before the hash in a count every instance
 * shares; lockouts are per (user, address) with growing delays and an admin unlock; audit entries carry
 * no credentials. Addresses are set with X-Forwarded-For (the test app trusts its loopback proxy).
 */

const clock = new FixedClock(new Date('2026-11-20T08:00:00Z'));
let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
const open: TabletClient[] = [];

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
});
afterAll(async () => {
  for (const tablet of open) tablet.close();
  await app?.stop();
});

const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
const login = (base: string, username: string, password: string, address: string) =>
  new ApiClient(base).request('POST', '/api/v1/session', { username, password }, from(address));

async function newUser(username: string, extra: Record<string, unknown> = { password: 'the right password' }) {
  const res = await c.admin.post('/api/v1/users', { username, role: 'supervisor', ...extra });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

describe('password attempts', () => {
  it('lets exactly 5 of 40 parallel wrong passwords reach the hash; the rest get 429', async () => {
    await newUser('raced');
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => login(app.url, 'raced', `guess ${i}`, '10.1.0.1')));
    expect(tally(answers.map((a) => a.status))).toEqual({ 401: 5, 429: 35 });
  });

  it('doubles the wait from the 6th failure on and stops at 10 per window', async () => {
    await newUser('slowed');
    const attempt = async () => (await login(app.url, 'slowed', 'wrong', '10.1.0.2')).status;
    for (let i = 0; i < 5; i++) expect(await attempt()).toBe(401);
    expect(await attempt()).toBe(429);
    clock.advance(1);
    expect(await attempt()).toBe(401); // 6th: waited 1 s
    clock.advance(1);
    expect(await attempt()).toBe(429); // 7th needs 2 s
    clock.advance(1);
    expect(await attempt()).toBe(401);
    clock.advance(4);
    expect(await attempt()).toBe(401); // 8th
    clock.advance(8);
    expect(await attempt()).toBe(401); // 9th
    clock.advance(16);
    expect(await attempt()).toBe(401); // 10th
    clock.advance(60);
    expect(await attempt()).toBe(429); // the limit of the window, whatever the wait
    clock.advance(15 * 60);
    expect(await attempt()).toBe(401); // a new window
    const res = await login(app.url, 'slowed', 'the right password', '10.1.0.2');
    expect(res.status).toBe(200);
  });

  it('does not lock the user out from another address', async () => {
    await newUser('target');
    for (let i = 0; i < 12; i++) {
      clock.advance(61);
      await login(app.url, 'target', `guess ${i}`, '10.2.0.1');
    }
    expect((await login(app.url, 'target', 'the right password', '10.2.0.1')).status).toBe(429);
    expect((await login(app.url, 'target', 'the right password', '10.2.0.2')).status).toBe(200);
    // The seeded admin too: the review's case.
    for (let i = 0; i < 10; i++) await login(app.url, 'admin', `guess ${i}`, '10.2.0.3');
    expect((await login(app.url, 'admin', ADMIN_PASSWORD, '10.2.0.3')).status).toBe(429);
    expect((await login(app.url, 'admin', ADMIN_PASSWORD, '10.2.0.4')).status).toBe(200);
  });

  it('keeps a coarse limit of 50 per address across usernames', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => login(app.url, `nobody${i}`, 'guess', '10.3.0.1')));
    expect(tally(answers.map((a) => a.status))).toEqual({ 401: 50, 429: 10 });
    expect((await login(app.url, 'nobody-else', 'guess', '10.3.0.2')).status).toBe(401);
  });

  it('lets an admin unlock a user, audited; only an admin', async () => {
    const id = await newUser('locked');
    for (let i = 0; i < 6; i++) await login(app.url, 'LOCKED', `guess ${i}`, '10.4.0.1');
    expect((await login(app.url, 'locked', 'the right password', '10.4.0.1')).status).toBe(429);

    expect((await c.supervisor.post(`/api/v1/users/${id}/unlock`)).status).toBe(403);
    expect((await c.anonymous.post(`/api/v1/users/${id}/unlock`)).status).toBe(401);
    expect((await c.admin.post('/api/v1/users/999999/unlock')).status).toBe(404);
    const unlocked = await c.admin.post(`/api/v1/users/${id}/unlock`);
    expect(unlocked).toMatchObject({ status: 200, body: { cleared: 1 } });
    // A retry is harmless.
    expect((await c.admin.post(`/api/v1/users/${id}/unlock`)).body).toEqual({ cleared: 0 });
    expect((await login(app.url, 'locked', 'the right password', '10.4.0.1')).status).toBe(200);

    const audit = (await c.admin.get('/api/v1/audit')).body.entries.filter((e: { action: string }) => e.action === 'user.unlock');
    expect(audit.map((e: { entityId: string; after: unknown }) => [e.entityId, e.after])).toEqual([
      [String(id), { username: 'locked', cleared: 1 }],
      [String(id), { username: 'locked', cleared: 0 }],
    ]);
    const doc = (await c.anonymous.get('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/v1/users/{id}/unlock'])).toEqual(['post']);
  });
});

describe('PIN attempts', () => {
  it('lets exactly 5 of 40 wrong PINs over 40 sockets of one tablet reach the hash', async () => {
    const userId = await newUser('pinned', { pin: '2468', role: 'operator' });
    const machine = await c.admin.post('/api/v1/machines', { name: 'PIN race' });
    const tablet = await c.admin.post('/api/v1/tablets', { name: 'PIN race', machineId: machine.body.id });
    const sockets = await Promise.all(Array.from({ length: 40 }, () => TabletClient.open(app.url, tablet.body.token)));
    open.push(...sockets);
    const acks = await Promise.all(sockets.map((s, i) => s.send('operator:sign-in', { userId, pin: String(1000 + i) })));
    expect(
      tally(acks.map((a) => (a.ok ? 200 : a.error.code === 'unauthenticated' ? 401 : a.error.code === 'rate_limited' ? 429 : 0))),
    ).toEqual({ 401: 5, 429: 35 });
    // The user can still sign in on another tablet.
    const other = await c.admin.post('/api/v1/tablets', { name: 'PIN other', machineId: machine.body.id });
    const elsewhere = await TabletClient.open(app.url, other.body.token);
    open.push(elsewhere);
    await elsewhere.ok('operator:sign-in', { userId, pin: '2468' });
  });

  it('counts DigitME2 logins in the same store as the socket tablets', async () => {
    const userId = await newUser('digit', { pin: '1357', role: 'operator' });
    const machine = await c.admin.post('/api/v1/machines', { name: 'DigitME2 PIN' });
    const uuid = randomUUID();
    const http = new ApiClient(app.url);
    expect((await http.get(`/check-state?device_uuid=${uuid}`)).status).toBe(200);
    const tabletId = ((await c.admin.get('/api/v1/tablets')).body as { id: number; deviceUuid: string | null }[]).find(
      (t) => t.deviceUuid === uuid,
    )!.id;
    await c.admin.patch(`/api/v1/tablets/${tabletId}`, { machineId: machine.body.id });
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        http.post('/android-login', { user_id: String(userId), password: String(2000 + i), device_uuid: uuid }),
      ),
    );
    const reasons = replies.map((r) => ((r.body.reason as string).startsWith('Too many') ? 'limited' : r.body.reason));
    expect(tally(reasons.map((r) => (r === 'limited' ? 429 : 401)))).toEqual({ 401: 5, 429: 15 });
    const rows = await app.dataSource.query(`SELECT kind, subject, address, count FROM auth_attempts WHERE kind = 'pin' AND subject = $1`, [
      String(userId),
    ]);
    expect(rows).toEqual([{ kind: 'pin', subject: String(userId), address: `tablet:${tabletId}`, count: 5 }]);
  });
});

describe('two instances on one database', () => {
  it('share the count: 40 parallel wrong passwords over both reach the hash 5 times', async () => {
    const databaseUrl = await createTestDatabase();
    // One pinned clock for both: on real time, guesses more than 1 s after the 5th would rightly pass.
    const shared = new FixedClock(new Date('2026-11-20T08:00:00Z'));
    const a = await startTestApp({ databaseUrl, clock: shared });
    const b = await startTestApp({ databaseUrl, clock: shared });
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => login(i % 2 ? a.url : b.url, 'admin', `guess ${i}`, '10.9.0.1')),
      );
      expect(tally(answers.map((r) => r.status))).toEqual({ 401: 5, 429: 35 });
      expect((await login(b.url, 'admin', ADMIN_PASSWORD, '10.9.0.2')).status).toBe(200);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('audit entries', () => {
  it('never show a DigitME2 device uuid, new rows or old', async () => {
    const uuid = randomUUID();
    expect((await new ApiClient(app.url).get(`/check-state?device_uuid=${uuid}`)).status).toBe(200);
    // A row written before the redaction knew the field.
    await app.dataSource.query(`INSERT INTO audit_log (action, entity, "entityId", after) VALUES ('tablet.register', 'tablet', '1', $1)`, [
      JSON.stringify({
        name: 'Old',
        deviceUuid: 'old-secret-uuid',
        device_uuid: 'old-secret-uuid',
        tokenHash: 'abc',
        nested: { apiKey: 'k', pinHash: 'h' },
      }),
    ]);
    const res = await c.supervisor.get('/api/v1/audit');
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(uuid);
    expect(text).not.toContain('old-secret-uuid');
    const old = res.body.entries.find((e: { after: { name?: string } | null }) => e.after?.name === 'Old');
    expect(old.after).toEqual({ name: 'Old', nested: {} });
    const registered = res.body.entries.filter((e: { action: string }) => e.action === 'tablet.register').at(-2);
    expect(Object.keys(registered.after).sort()).toEqual(['autoPaired', 'machineId', 'name']);
  });
});
