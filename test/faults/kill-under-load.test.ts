import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../db/data-source.js';
import { freePort, spawnApp, waitForHealth, type AppProcess } from '../support/app-process.js';
import { assertTiles } from '../support/db-snapshot.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, createTestDatabase } from '../support/test-app.js';

/**
 * Writers post events with ids; the app is killed with -9 mid-stream and restarted. Every event that
 * got a 200 must be in the event log, every machine's timeline must still tile, and retrying the
 * unanswered ones afterwards must not duplicate anything.
 */
const apps: AppProcess[] = [];
let dataDir = '';
afterAll(async () => {
  for (const app of apps) app.child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('kill -9 under load', () => {
  it('loses no acknowledged event and leaves every timeline consistent', async () => {
    const databaseUrl = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'oee-kill-'));
    const port = await freePort();
    const env = {
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      OEE_DATA_DIR: dataDir,
      OEE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      OEE_SESSION_SECRET: 'k'.repeat(40),
    };
    const first = spawnApp(env);
    apps.push(first);
    await waitForHealth(first.url, 60);
    const admin = await new ApiClient(first.url).signIn('admin', ADMIN_PASSWORD);
    const machines: number[] = [];
    for (let i = 0; i < 5; i++) machines.push((await admin.post('/api/v1/machines', { name: `Kill ${i}` })).body.id);
    const key = (await admin.post('/api/v1/api-keys', { name: 'writer', role: 'device' })).body.key as string;

    const acked = new Set<string>();
    const unanswered: { eventId: string; machineId: number; at: string; activityCodeId: number }[] = [];
    let sent = 0;
    let stop = false;
    const base = Date.parse('2026-11-20T00:00:00Z');
    const writer = async (w: number) => {
      for (let i = 0; !stop && i < 100_000; i++) {
        const event = {
          eventId: `k-${w}-${i}`,
          machineId: machines[(w + i) % machines.length]!,
          at: new Date(base + (i * 8 + w) * 1000).toISOString(),
          activityCodeId: i % 2 ? 2 : 3,
        };
        sent++;
        try {
          const res = await fetch(`${first.url}/api/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body: JSON.stringify({ events: [event] }),
            signal: AbortSignal.timeout(5000),
          });
          if (res.status === 200) acked.add(event.eventId);
          else unanswered.push(event);
        } catch {
          unanswered.push(event);
          return; // the server is gone
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    // Kill once the load is flowing.
    while (acked.size < 300) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    await first.exited;
    stop = true;
    await Promise.all(writers);

    const second = spawnApp(env);
    apps.push(second);
    await waitForHealth(second.url, 60);
    // Devices retry what got no answer: nothing may be stored twice.
    const retry = new ApiClient(second.url, key);
    for (const event of unanswered) expect((await retry.post('/api/v1/events', { events: [event] })).status).toBe(200);

    const ds = createDataSource({ url: databaseUrl, poolSize: 2 });
    await ds.initialize();
    try {
      const rows: { eventId: string }[] = await ds.query(`SELECT "eventId" FROM state_events WHERE "eventId" LIKE 'k-%'`);
      const stored = new Set(rows.map((r) => r.eventId));
      const lost = [...acked].filter((id) => !stored.has(id));
      console.log(
        `kill -9 under load: sent ${sent}, acknowledged ${acked.size}, unanswered and retried ${unanswered.length}, stored ${stored.size}, lost ${lost.length}`,
      );
      expect(lost).toEqual([]);
      expect(stored.size).toBe(rows.length); // no duplicates
      expect(stored.size).toBe(acked.size + unanswered.length);
      for (const machineId of machines) await assertTiles(ds, machineId);
    } finally {
      await ds.destroy();
    }
    second.child.kill('SIGTERM');
    await second.exited;
  }, 180_000);
});
