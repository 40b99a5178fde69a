import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLET_UNKNOWN_TOKEN } from '../core/realtime/tablet-events.js';
import { clientsForRoles } from './support/http-client.js';
import { TabletClient } from './support/tablet-client.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

// Two instances on one database: the token is re-issued on one, the tablet is connected to the other.
let a: TestApp;
let b: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
const open: TabletClient[] = [];

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  const env = { OEE_SESSION_SECRET: 'tablet-token-session-secret-0123456789' };
  a = await startTestApp({ databaseUrl, env });
  b = await startTestApp({ databaseUrl, env });
  c = await clientsForRoles(a.url, ADMIN_PASSWORD);
});
afterAll(async () => {
  for (const client of open) client.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('POST /api/v1/tablets/{id}/token', () => {
  it('issues a new token once, stored hashed and audited; the old one stops working at once on every instance', async () => {
    const m = await c.admin.post('/api/v1/machines', { name: 'Lathe' });
    const created = await c.admin.post('/api/v1/tablets', { name: 'Lathe tablet', machineId: m.body.id });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const old = created.body.token as string;
    const tablet = await TabletClient.open(b.url, old);
    open.push(tablet);
    const gone = new Promise<string>((resolve) => tablet.socket.once('disconnect', (reason) => resolve(reason)));

    const res = await c.admin.post(`/api/v1/tablets/${id}/token`, {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, token: expect.stringMatching(/^tab_/) });
    const fresh = res.body.token as string;
    expect(fresh).not.toBe(old);

    // The socket on the other instance is closed by the change feed, not by its next re-check.
    expect(await gone).toBe('io server disconnect');
    expect(await TabletClient.refusal(b.url, old)).toBe(TABLET_UNKNOWN_TOKEN);
    expect(await TabletClient.refusal(a.url, old)).toBe(TABLET_UNKNOWN_TOKEN);
    const again = await TabletClient.open(b.url, fresh);
    open.push(again);
    expect(again.state.tablet).toMatchObject({ id, name: 'Lathe tablet' });

    // Stored as a hash only; the list never shows it; the pairing is kept.
    const [row] = await a.dataSource.query(`SELECT "tokenHash", "machineId" FROM tablets WHERE id = $1`, [id]);
    expect(row.tokenHash).not.toContain(fresh);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.machineId).toBe(m.body.id);
    expect(JSON.stringify((await c.admin.get('/api/v1/tablets')).body)).not.toContain(fresh);
    const audit = await a.dataSource.query(
      `SELECT action, "userId", before, after FROM audit_log WHERE entity = 'tablet' AND "entityId" = $1 ORDER BY id`,
      [id],
    );
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['tablet.create', 'tablet.token-reissue']);
    expect(audit[1].userId).not.toBeNull();
    expect(JSON.stringify(audit[1])).not.toContain(fresh);
  });

  it('refuses other roles, an unknown tablet and a bad id', async () => {
    const t = await c.admin.post('/api/v1/tablets', { name: 'Spare tablet' });
    for (const client of [c.supervisor, c.operator, c.viewer, c.device]) {
      expect((await client.post(`/api/v1/tablets/${t.body.id}/token`, {})).status).toBe(403);
    }
    expect((await c.anonymous.post(`/api/v1/tablets/${t.body.id}/token`, {})).status).toBe(401);
    // The refused calls changed nothing: the first token still opens the tablet.
    const still = await TabletClient.open(a.url, t.body.token);
    open.push(still);

    const unknown = await c.admin.post('/api/v1/tablets/999999/token', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/Tablet/);
    // A path id that is not one names no tablet (404, as everywhere in the API); a body that is not JSON is refused.
    expect((await c.admin.post('/api/v1/tablets/abc/token', {})).status).toBe(404);
    expect((await c.admin.post('/api/v1/tablets/99999999999/token', {})).status).toBe(404);
    expect((await c.admin.request('POST', `/api/v1/tablets/${t.body.id}/token`, undefined, { raw: 'nope' })).status).toBe(400);
  });
});
