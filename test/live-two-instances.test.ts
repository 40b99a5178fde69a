import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/http-client.js';
import { LiveTestClient } from './support/live-client.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

let a: TestApp;
let b: TestApp;
const clients: LiveTestClient[] = [];

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  // Instances behind one address share the session secret (docs/operations.md), so a session works on both.
  const env = { OEE_SESSION_SECRET: 'two-instances-session-secret-0123456789' };
  a = await startTestApp({ databaseUrl, env });
  b = await startTestApp({ databaseUrl, env });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

async function connect(app: TestApp, token: string): Promise<LiveTestClient> {
  const client = await LiveTestClient.connect(app.url, { token });
  clients.push(client);
  return client;
}

describe('/live with two instances on one database', () => {
  it('delivers a change committed on one instance exactly once to screens on both, and nothing to another group', async () => {
    const adminA = await new ApiClient(a.url).signIn('admin', ADMIN_PASSWORD);
    const adminB = await new ApiClient(b.url).signIn('admin', ADMIN_PASSWORD);
    const line1 = (await adminA.post('/api/v1/groups', { name: 'Line 1' })).body.id as number;
    const line2 = (await adminA.post('/api/v1/groups', { name: 'Line 2' })).body.id as number;
    const press = (await adminA.post('/api/v1/machines', { name: 'Press', groupId: line1 })).body.id as number;
    const lathe = (await adminA.post('/api/v1/machines', { name: 'Lathe', groupId: line1 })).body.id as number;
    const mill = (await adminA.post('/api/v1/machines', { name: 'Mill', groupId: line2 })).body.id as number;
    const site = (await adminA.post('/api/v1/kiosk-tokens', { name: 'Hall' })).body.token as string;
    const onlyLine2 = (await adminA.post('/api/v1/kiosk-tokens', { name: 'Line 2 TV', groupId: line2 })).body.token as string;
    const deviceKey = (await adminA.post('/api/v1/api-keys', { name: 'plc', role: 'device' })).body.key as string;
    const deviceA = new ApiClient(a.url, deviceKey);
    const deviceB = new ApiClient(b.url, deviceKey);

    const onA = await connect(a, site);
    const onB = await connect(b, site);
    const line2OnB = await connect(b, onlyLine2);
    expect(
      onB
        .lastSnapshot()
        .machines.map((m) => m.name)
        .sort(),
    ).toEqual(['Lathe', 'Mill', 'Press']);

    const codes = [2, 3, 2, 3, 2];
    for (const activityCodeId of codes) {
      expect((await deviceA.post('/api/v1/events', { events: [{ machineId: press, activityCodeId }] })).status).toBe(200);
    }
    // Barriers from each instance: once a screen has both, everything sent before them has arrived.
    expect((await deviceA.post('/api/v1/events', { events: [{ machineId: lathe, activityCodeId: 2 }] })).status).toBe(200);
    expect((await deviceB.post('/api/v1/events', { events: [{ machineId: mill, activityCodeId: 2 }] })).status).toBe(200);
    for (const client of [onA, onB]) {
      await client.waitFor(() => [lathe, mill].every((id) => client.stateChanges.some((s) => s.machineId === id)), 'both barriers');
    }
    await line2OnB.waitFor(() => line2OnB.stateChanges.some((s) => s.machineId === mill), 'the barrier of line 2');

    for (const client of [onA, onB]) {
      expect(client.stateChanges.filter((s) => s.machineId === press).map((s) => s.activityCodeId)).toEqual(codes);
      expect(client.stateChanges.filter((s) => s.machineId === lathe)).toHaveLength(1);
      expect(client.stateChanges.filter((s) => s.machineId === mill)).toHaveLength(1);
    }
    expect(line2OnB.stateChanges.map((s) => s.machineId)).toEqual([mill]);

    // The OEE after a change also comes once per change burst, computed by the committing instance only.
    await onB.waitFor(() => onB.oeeUpdates.some((u) => u.machineId === press), 'the OEE of the press');
    expect(line2OnB.oeeUpdates.some((u) => u.machineId === press)).toBe(false);

    // A screen that connects to B later sees what A committed.
    const late = await connect(b, site);
    expect(late.lastSnapshot().machines.find((m) => m.machineId === press)!.state.activityCodeId).toBe(codes.at(-1));
    await adminB.delete('/api/v1/session');
  });

  it('closes a screen on one instance at once when its session is signed out on the other', async () => {
    const onB = await new ApiClient(b.url).signIn('admin', ADMIN_PASSWORD);
    const screen = await LiveTestClient.connect(a.url, { cookie: onB.cookie! });
    clients.push(screen);
    const closed = new Promise<string>((resolve) => screen.socket.once('disconnect', (reason) => resolve(reason)));
    expect((await onB.delete('/api/v1/session')).status).toBe(204);
    // Instance A re-checks every 60 s; the sign-out on B must close the screen long before that.
    expect(await closed).toBe('io server disconnect');
  });

  it('shows an alert raised on one instance on the walls of the other, live, and only in its scope', async () => {
    const admin = await new ApiClient(a.url).signIn('admin', ADMIN_PASSWORD);
    const adminB = await new ApiClient(b.url).signIn('admin', ADMIN_PASSWORD);
    const hall = (await admin.post('/api/v1/groups', { name: 'Hall A' })).body.id as number;
    const other = (await admin.post('/api/v1/groups', { name: 'Hall B' })).body.id as number;
    const saw = (await admin.post('/api/v1/machines', { name: 'Saw', groupId: hall })).body.id as number;
    const drill = (await admin.post('/api/v1/machines', { name: 'Drill', groupId: other })).body.id as number;
    const site = (await admin.post('/api/v1/kiosk-tokens', { name: 'Alerts hall' })).body.token as string;
    const onlyOther = (await admin.post('/api/v1/kiosk-tokens', { name: 'Hall B TV', groupId: other })).body.token as string;
    const rule = (
      await admin.post('/api/v1/alert-rules', { name: 'Saw stop', kind: 'stop_longer_than', machineId: saw, levels: [{ afterMinutes: 5 }] })
    ).body.id as number;
    const siteOnB = await connect(b, site);
    const otherOnB = await connect(b, onlyOther);
    expect(siteOnB.lastSnapshot().meta.alerts).toEqual([]);

    const downAt = new Date(Date.now() - 10 * 60_000).toISOString();
    expect((await admin.post('/api/v1/events', { events: [{ machineId: saw, at: downAt, activityCodeId: 2 }] })).status).toBe(200);
    await a.andon.alerts.evaluate(); // the scheduler of either instance may have raised it first: the wall shows it all the same
    const [raised] = (await admin.get(`/api/v1/alerts?machineId=${saw}`)).body as { id: number; ruleId: number }[];
    expect(raised!.ruleId).toBe(rule);
    await siteOnB.waitFor(() => siteOnB.alertChanges.some((c) => c.alertId === raised!.id && c.alert !== null), 'the raised alert');
    expect(siteOnB.alertChanges.find((c) => c.alertId === raised!.id)).toEqual({
      alertId: raised!.id,
      machineId: saw,
      alert: {
        id: raised!.id,
        machineId: saw,
        machineName: 'Saw',
        ruleName: 'Saw stop',
        kind: 'stop_longer_than',
        level: 1,
        stopStart: downAt,
        detectedAt: expect.any(String),
        acknowledgedAt: null,
        acknowledgedBy: null,
      },
    });
    // A wall that connects now gets it in its snapshot; one of another group does not.
    expect((await connect(b, site)).lastSnapshot().meta.alerts.map((x) => x.id)).toEqual([raised!.id]);
    expect((await connect(b, onlyOther)).lastSnapshot().meta.alerts).toEqual([]);

    expect((await admin.post(`/api/v1/alerts/${raised!.id}/acknowledge`, {})).status).toBe(200);
    await siteOnB.waitFor(() => siteOnB.alertChanges.some((c) => c.alert?.acknowledgedBy === 'admin'), 'the acknowledgement');
    expect((await adminB.post(`/api/v1/alerts/${raised!.id}/resolve`, {})).status).toBe(200);
    await siteOnB.waitFor(() => siteOnB.alertChanges.at(-1)?.alert === null, 'the resolution');
    expect(siteOnB.alertChanges.filter((c) => c.alertId === raised!.id).map((c) => c.alert?.acknowledgedBy ?? null)).toEqual([
      null,
      'admin',
      null,
    ]);

    // A barrier for the wall of the other group: an alert of its own machine comes after anything sent before it.
    await admin.post('/api/v1/alert-rules', {
      name: 'Drill stop',
      kind: 'stop_longer_than',
      machineId: drill,
      levels: [{ afterMinutes: 5 }],
    });
    expect((await admin.post('/api/v1/events', { events: [{ machineId: drill, at: downAt, activityCodeId: 2 }] })).status).toBe(200);
    await b.andon.alerts.evaluate();
    await otherOnB.waitFor(() => otherOnB.alertChanges.some((c) => c.machineId === drill), 'the alert of its own machine');
    expect(otherOnB.alertChanges.every((c) => c.machineId === drill)).toBe(true);
    await Promise.all([admin.delete('/api/v1/session'), adminB.delete('/api/v1/session')]);
  });
});
