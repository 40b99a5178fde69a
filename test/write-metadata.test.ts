import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommittedChange } from '../services/change-feed.js';
import { ApiClient } from './support/http-client.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The write path checks every event against machines and activity codes held in memory
 * (services/write-metadata.ts). They must follow set-up edits at once on the instance that made
 * them, and as soon as the change arrives over the cluster channel on the others.
 */
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  const env = { OEE_SESSION_SECRET: 'a shared secret of at least 32 characters' };
  a = await startTestApp({ databaseUrl, env });
  b = await startTestApp({ databaseUrl, env: { ...env, OEE_ROLES: 'ingest' } });
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

/** Resolves when `app` hears a set-up change of `entity` committed on another instance. */
function heardRemote(app: TestApp, entity: string): Promise<void> {
  return new Promise((resolve) => {
    const off = app.feed.subscribe(
      (change: CommittedChange, origin) => {
        if (origin === 'remote' && change.kind === 'setup' && change.entity === entity) {
          off();
          resolve();
        }
      },
      { remote: true },
    );
  });
}

describe('machines and activity codes on the write path', () => {
  it('follow creations and category edits on this instance and on another one', async () => {
    const admin = await new ApiClient(a.url).signIn('admin', ADMIN_PASSWORD);
    const key = (await admin.post('/api/v1/api-keys', { name: 'device', role: 'device' })).body.key as string;
    const deviceA = new ApiClient(a.url, key);
    const deviceB = new ApiClient(b.url, key);
    const post = (device: ApiClient, machineId: number, activityCodeId: number) =>
      device.post('/api/v1/events', { events: [{ machineId, activityCodeId }] });

    const first = (await admin.post('/api/v1/machines', { name: 'Lathe' })).body.id as number;
    // Both instances have loaded the tables now.
    expect((await post(deviceA, first, 2)).status).toBe(200);
    expect((await post(deviceB, first, 2)).status).toBe(200);

    // A machine created a moment ago is known everywhere at once (a miss is read from the database).
    const second = (await admin.post('/api/v1/machines', { name: 'Mill' })).body.id as number;
    expect((await post(deviceA, second, 2)).body).toEqual({ accepted: 1, duplicates: 0 });
    expect((await post(deviceB, second, 2)).body).toEqual({ accepted: 1, duplicates: 0 });
    expect((await post(deviceB, second + 1000, 2)).status).toBe(404);

    // A stop code becomes a running one: without a job it is refused from then on, on both instances.
    const code = (
      await admin.post('/api/v1/activity-codes', { shortDescription: 'Warm-up', category: 'unplanned_stop', colour: '#123456' })
    ).body.id as number;
    expect((await post(deviceA, first, code)).status).toBe(200);
    expect((await post(deviceB, first, code)).status).toBe(200);
    const remote = heardRemote(b, 'activity-code');
    expect((await admin.patch(`/api/v1/activity-codes/${code}`, { category: 'running' })).status).toBe(200);
    const refusedA = await post(deviceA, first, code);
    expect(refusedA.status).toBe(409);
    expect(refusedA.body.error.message).toBe('Cannot set a machine to up when there is no active job');
    await remote;
    expect((await post(deviceB, first, code)).status).toBe(409);
  });
});
