import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../db/embedded-postgres.js';
import { freePort } from '../support/app-process.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The database is stopped and started under load, on its own PostgreSQL: requests during the outage
 * fail fast with 503, the app recovers by itself, and devices' retries succeed with no duplicates.
 */
let pgDir = '';
let pg: EmbeddedDatabase | null = null;
let app: TestApp | null = null;
afterAll(async () => {
  await app?.stop();
  await pg?.stop();
  if (pgDir) await rm(pgDir, { recursive: true, force: true });
});

describe('PostgreSQL restart under load', () => {
  it('answers 503 fast during the outage and recovers without duplicates', async () => {
    pgDir = await mkdtemp(join(tmpdir(), 'oee-pg-restart-'));
    const pgPort = await freePort();
    const logger = pino({ level: 'warn' });
    pg = await startEmbeddedPostgres(pgDir, logger, { port: pgPort });
    app = await startTestApp({ databaseUrl: pg.url, env: { OEE_ROLES: 'ingest,realtime' } });
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Restart' })).body.id as number;
    const device = new ApiClient(app.url, (await admin.post('/api/v1/api-keys', { name: 'dev', role: 'device' })).body.key);

    const post = (i: number) =>
      device.post('/api/v1/events', { events: [{ eventId: `r-${i}`, machineId, at: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 1000).toISOString(), activityCodeId: i % 2 ? 2 : 3 }] });
    let i = 0;
    for (; i < 50; i++) expect((await post(i)).status).toBe(200);

    await pg.stop();
    const outage: { status: number; ms: number }[] = [];
    const failed: number[] = [];
    for (let k = 0; k < 10; k++, i++) {
      const started = Date.now();
      const res = await post(i).catch(() => ({ status: 0 }));
      outage.push({ status: res.status, ms: Date.now() - started });
      if (res.status !== 200) failed.push(i);
    }
    const health = await admin.get('/api/v1/health');
    pg = await startEmbeddedPostgres(pgDir, logger, { port: pgPort });

    // The pool reconnects by itself; devices retry what failed.
    const deadline = Date.now() + 30_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      recovered = (await post(failed[0]!)).status === 200;
      if (!recovered) await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered).toBe(true);
    for (const k of failed) expect((await post(k)).status).toBe(200);
    for (let k = 0; k < 20; k++, i++) expect((await post(i)).status).toBe(200);

    const [row] = await app.dataSource.query(`SELECT count(*)::int AS n, count(DISTINCT "eventId")::int AS d FROM state_events WHERE "eventId" LIKE 'r-%'`);
    const slowest = Math.max(...outage.map((o) => o.ms));
    const fiveOhThrees = outage.filter((o) => o.status === 503).length;
    console.log(`postgres restart: ${outage.length} requests during the outage, ${fiveOhThrees} × 503, slowest ${slowest} ms; health during outage: ${health.status} ${JSON.stringify(health.body)}; stored ${row.n} events, ${row.d} distinct, expected ${i}`);
    expect(outage.every((o) => o.status === 503)).toBe(true);
    expect(slowest).toBeLessThan(5_000);
    expect(health.body.status).toBe('degraded');
    expect(row).toEqual({ n: i, d: i });
  }, 120_000);
});
