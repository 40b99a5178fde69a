import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ChangeFeed } from '../services/change-feed.js';
import { PgClusterChannel } from '../db/cluster-channel.js';
import { createRepositories } from '../db/repositories/index.js';
import { OeeService } from '../services/oee/oee.service.js';
import { ApiClient } from './support/http-client.js';
import { LiveTestClient } from './support/live-client.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';
import { gateHistory } from './support/gated-history.js';

/**
 * Issue 14, point 4: every instance sees every committed change it caches or derives from, through
 * the cluster channel (core/cluster, db/cluster-channel.ts). Three instances on one database: A and
 * B serve screens; S (ingest only, so nothing on it computes OEE for screens) writes the history
 * before the late event, which keeps the per-machine OEE throttle of the screens out of the way.
 */
const DAY = '2026-05-04';
const t = (hhmm: string) => `${DAY}T${hhmm}:00.000Z`;
const DOWN = 2;
const clock = new FixedClock(new Date(t('12:00')));

let a: TestApp;
let b: TestApp;
let s: TestApp;
const clients: LiveTestClient[] = [];

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  // Instances behind one load balancer share the session secret.
  const env = { OEE_SESSION_SECRET: 'a shared secret of at least 32 characters' };
  a = await startTestApp({ databaseUrl, clock, env });
  [b, s] = await Promise.all([
    startTestApp({ databaseUrl, clock, env }),
    startTestApp({ databaseUrl, clock, env: { ...env, OEE_ROLES: 'ingest' } }),
  ]);
});

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all([a?.stop(), b?.stop(), s?.stop()]);
});

/** Polls `read` until `done` holds for its value, failing after `deadlineMs`. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, deadlineMs: number): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${deadlineMs} ms; last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('several instances on one database', () => {
  it('a late event posted to A changes the shift OEE that B serves over HTTP and pushes on /live, within 1 s', async () => {
    const admin = await new ApiClient(a.url).signIn('admin', ADMIN_PASSWORD);
    const site = (await admin.get('/api/v1/site')).body;
    expect((await admin.put('/api/v1/site', { ...site, timezone: 'UTC' })).status).toBe(200);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Press' })).body.id as number; // 24/7: the shift is the day
    const key = (await admin.post('/api/v1/api-keys', { name: 'plc', role: 'device' })).body.key as string;
    const kiosk = (await admin.post('/api/v1/kiosk-tokens', { name: 'Hall' })).body.token as string;
    const viewerB = new ApiClient(b.url, (await admin.post('/api/v1/api-keys', { name: 'screen', role: 'viewer' })).body.key as string);

    // 08:00 job (Up), 11:00 Down, 11:30 Up; now 12:00: 3.5 h running, 0.5 h stopped.
    const onS = new ApiClient(s.url, key);
    expect((await onS.post(`/api/v1/machines/${machineId}/jobs`, { jobNumber: 'J-1', at: t('08:00') })).status).toBe(201);
    expect(
      (
        await onS.post('/api/v1/events', {
          events: [
            { machineId, at: t('11:00'), activityCodeId: DOWN },
            { machineId, at: t('11:30'), state: 'up' },
          ],
        })
      ).status,
    ).toBe(200);

    const shiftOnB = async () =>
      (await viewerB.get(`/api/v1/oee?machineId=${machineId}&from=${t('00:00')}&to=2026-05-05T00:00:00.000Z`)).body;
    expect(await shiftOnB()).toMatchObject({ runSeconds: 12_600, unplannedStopSeconds: 1_800, unplannedStopCount: 1 });
    const screen = await LiveTestClient.connect(b.url, { token: kiosk });
    clients.push(screen);
    expect(screen.lastSnapshot().machines.find((m) => m.machineId === machineId)!.oee).toMatchObject({ runSeconds: 12_600 });

    // A Down at 09:00 arrives late (buffered by the device): down 09:00–11:30, Up from 11:30.
    expect(
      (await new ApiClient(a.url, key).post('/api/v1/events', { events: [{ machineId, at: t('09:00'), activityCodeId: DOWN }] })).status,
    ).toBe(200);
    const pushed = screen.waitFor(
      () => screen.oeeUpdates.some((u) => u.machineId === machineId && u.shift.runSeconds === 5_400),
      'the new shift OEE on B',
      1_000,
    );
    const served = await until(shiftOnB, (r) => r.runSeconds === 5_400, 'the new shift OEE over HTTP on B', 1_000);
    await pushed;
    expect(served).toMatchObject({ runSeconds: 5_400, unplannedStopSeconds: 9_000, unplannedStopCount: 1 });
    const update = screen.oeeUpdates.filter((u) => u.machineId === machineId).at(-1)!;
    expect(update.shift).toMatchObject({
      runSeconds: 5_400,
      unplannedStopSeconds: 9_000,
      availability: served.availability,
      oee: served.oee,
    });
  });

  it('a roll-up computation on one instance that overlaps a change committed on another stores no stale hours', async () => {
    const admin = await new ApiClient(a.url).signIn('admin', ADMIN_PASSWORD);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Lathe' })).body.id as number;
    const key = (await admin.post('/api/v1/api-keys', { name: 'lathe plc', role: 'device' })).body.key as string;
    const mill = (await admin.post('/api/v1/machines', { name: 'Mill' })).body.id as number;
    for (const [id, jobNumber] of [
      [machineId, 'L-1'],
      [mill, 'M-1'],
    ] as const) {
      expect((await new ApiClient(s.url, key).post(`/api/v1/machines/${id}/jobs`, { jobNumber, at: t('08:00') })).status).toBe(201);
    }

    // "Instance C": roll-ups on its own change feed and cluster channel, its raw loads held at a gate
    // once it has the data in hand (before the change below).
    const channel = new PgClusterChannel(a.databaseUrl, a.logger);
    await channel.start();
    const feed = new ChangeFeed();
    feed.attach(channel);
    const repos = createRepositories(a.dataSource);
    const { dataInHand, release } = gateHistory(repos);
    const c = new OeeService(repos, clock, undefined, { rawMaxSeconds: 0 });
    const stopListening = c.listen(feed);
    const heard = new Promise<void>((resolve) =>
      feed.subscribe(
        (change, origin) => origin === 'remote' && change.kind === 'machine-state' && change.machineId === machineId && resolve(),
        { remote: true },
      ),
    );
    try {
      const storing = c.storeClosed(new Date(t('00:00')), new Date(t('12:00')));
      await dataInHand;
      // A late Down at 09:00, committed on A while C computes 08:00–12:00 as running.
      expect(
        (await new ApiClient(a.url, key).post('/api/v1/events', { events: [{ machineId, at: t('09:00'), activityCodeId: DOWN }] })).status,
      ).toBe(200);
      await heard;
      // A long window of another machine on A runs A's pending deletes first (and stores only that
      // machine's hours): whatever C stores for the lathe after this stays.
      expect((await admin.get(`/api/v1/oee?machineId=${mill}&from=2026-05-01T00:00:00.000Z&to=${t('12:00')}`)).status).toBe(200);
      release();
      await storing;
    } finally {
      stopListening();
      feed.detachChannel();
      await channel.close();
    }
    // The stored hours (rawMaxSeconds 0 reads them) agree with the raw history: 1 h running, 3 h down.
    const fromStored = await new OeeService(createRepositories(a.dataSource), clock, undefined, { rawMaxSeconds: 0 }).machineOee(
      machineId,
      new Date(t('00:00')),
      new Date(t('12:00')),
    );
    const fromRaw = await new OeeService(createRepositories(a.dataSource), clock).machineOee(
      machineId,
      new Date(t('00:00')),
      new Date(t('12:00')),
    );
    expect([fromRaw.runSeconds, fromRaw.unplannedStopSeconds]).toEqual([3_600, 10_800]);
    expect([fromStored.runSeconds, fromStored.unplannedStopSeconds]).toEqual([3_600, 10_800]);
  });

  it('an API key revoked on A is refused by B at once, a kiosk token revoked on A closes its screens on B, a session signed out on A is refused by B', async () => {
    const admin = await new ApiClient(a.url).signIn('admin', ADMIN_PASSWORD);
    const created = (await admin.post('/api/v1/api-keys', { name: 'to revoke', role: 'viewer' })).body as { id: number; key: string };
    const onB = new ApiClient(b.url, created.key);
    // B has looked the key up, so without the channel it would serve it from its cache for 5 s.
    expect((await onB.get('/api/v1/machines')).status).toBe(200);
    expect((await onB.get('/api/v1/machines')).status).toBe(200);
    expect((await admin.delete(`/api/v1/api-keys/${created.id}`)).status).toBe(204);
    expect((await onB.get('/api/v1/machines')).status).toBe(401);

    // A wall screen on B whose kiosk token is revoked on A is closed now (it was within a minute).
    const kiosk = (await admin.post('/api/v1/kiosk-tokens', { name: 'Temporary' })).body as { id: number; token: string };
    const screen = await LiveTestClient.connect(b.url, { token: kiosk.token });
    clients.push(screen);
    const closed = new Promise<string>((resolve) => screen.socket.once('disconnect', (reason) => resolve(reason)));
    const deadline = new Promise<string>((resolve) => setTimeout(() => resolve('still open after 1 s'), 1_000).unref());
    expect((await admin.delete(`/api/v1/kiosk-tokens/${kiosk.id}`)).status).toBe(204);
    expect(await Promise.race([closed, deadline])).toBe('io server disconnect');

    const person = await new ApiClient(a.url).signIn('admin', ADMIN_PASSWORD);
    const personOnB = new ApiClient(b.url);
    personOnB.cookie = person.cookie;
    expect((await personOnB.get('/api/v1/session')).status).toBe(200);
    expect((await person.delete('/api/v1/session')).status).toBeLessThan(300);
    expect((await personOnB.get('/api/v1/session')).status).toBe(401);
  });
});
