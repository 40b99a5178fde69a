import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, startEmbeddedPostgres, type EmbeddedDatabase } from '../../db/embedded-postgres.js';
import { freePort, spawnApp, waitForHealth, type AppProcess } from '../support/app-process.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD } from '../support/test-app.js';

/**
 * The database is stopped cleanly (57P01 to every connection) and then killed with -9, under the
 * real process with every role. Requests during each outage fail fast with 503 and health says
 * degraded; the process stays up, recovers by itself, devices' retries succeed with no duplicates,
 * and the scheduler resumes: a shift end that passed during the outage ends the running job at the
 * boundary once the database is back.
 */
let pgDir = '';
let pgPort = 0;
let database: EmbeddedDatabase | null = null;
let app: AppProcess | null = null;
const pgLogger = pino({ level: 'warn' });

afterAll(async () => {
  if (app && app.child.exitCode === null) {
    app.child.kill('SIGTERM');
    await app.exited;
  }
  await database?.stop();
  if (pgDir) await rm(pgDir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, seconds: number): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A postgres killed with -9 leaves backends that exit on their own a moment later; until then its shared memory is taken. */
async function startPostgresAgain(): Promise<EmbeddedDatabase> {
  return until('PostgreSQL to start again', () => startEmbeddedPostgres(pgDir, pgLogger, { port: pgPort }), 60);
}

async function killPostgres(): Promise<void> {
  const pid = Number((await readFile(join(pgDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  process.kill(pid, 'SIGKILL');
  await until('postgres to die', async () => !isAlive(pid), 30);
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** Waits until the wall clock is early in a minute, so that a job started now ends at the next minute mark. */
async function earlyInAMinute(): Promise<void> {
  const second = () => new Date().getUTCSeconds();
  if (second() >= 3 && second() <= 35) return;
  const wait = ((60 - second() + 3) % 60) * 1000;
  await new Promise((r) => setTimeout(r, wait));
}

describe('PostgreSQL restart under the full-role process', () => {
  it('rides out a clean stop and a kill -9: 503 fast, recovers, no duplicates, scheduler catches up', async () => {
    pgDir = await mkdtemp(join(tmpdir(), 'oee-pg-restart-'));
    pgPort = await freePort();
    database = await startEmbeddedPostgres(pgDir, pgLogger, { port: pgPort });
    const dataDir = await mkdtemp(join(pgDir, 'app-'));
    const port = await freePort();
    // OEE_ROLES unset: every role (ingest, realtime, scheduler, web), as in production.
    app = spawnApp({
      PORT: String(port),
      DATABASE_URL: database.url,
      OEE_DATA_DIR: dataDir,
      OEE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      OEE_SESSION_SECRET: 'r'.repeat(40),
      TZ: 'UTC',
    });
    await waitForHealth(app.url, 90);
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);

    // One-minute shifts back to back for the next hour (site time zone UTC): a boundary every minute.
    const minute = 60_000;
    const firstMinute = Math.floor(Date.now() / minute) * minute - minute;
    const shifts = Array.from({ length: 62 }, (_, k) => ({
      days: [1, 2, 3, 4, 5, 6, 7],
      start: hhmm(firstMinute + k * minute),
      end: hhmm(firstMinute + (k + 1) * minute),
    }));
    const pattern = (await admin.post('/api/v1/shift-patterns', { name: 'Every minute', shifts })).body;
    expect(pattern.id).toBeTypeOf('number');
    const machineId = (await admin.post('/api/v1/machines', { name: 'Restart', shiftPatternId: pattern.id, endJobOnShiftEnd: true })).body
      .id as number;
    const device = new ApiClient(app.url, (await admin.post('/api/v1/api-keys', { name: 'dev', role: 'device' })).body.key);

    const post = (i: number) =>
      device.post('/api/v1/events', {
        events: [
          {
            eventId: `r-${i}`,
            machineId: 1,
            at: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 1000).toISOString(),
            activityCodeId: i % 2 ? 2 : 3,
          },
        ],
      });
    let i = 0;
    for (; i < 20; i++) expect((await post(i)).status).toBe(200);

    for (const outage of ['clean stop', 'kill -9'] as const) {
      await earlyInAMinute();
      const started = (await admin.post(`/api/v1/machines/${machineId}/jobs`, { jobNumber: `J-${outage}`, at: new Date().toISOString() }))
        .body.job;
      expect(started.end).toBe(null);
      const boundary = new Date(Math.ceil(Date.parse(started.start) / minute) * minute).toISOString();

      if (outage === 'clean stop') await database.stop();
      else await killPostgres();
      database = null;

      const answers: number[] = [];
      const failed: number[] = [];
      for (let k = 0; k < 5; k++, i++) {
        const res = await post(i).catch(() => ({ status: 0 }));
        answers.push(res.status);
        if (res.status !== 200) failed.push(i);
      }
      const health = await admin.get('/api/v1/health');
      expect(answers).toEqual([503, 503, 503, 503, 503]);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'degraded', database: 'unavailable' });

      // The shift end passes while the database is away.
      const wait = Date.parse(boundary) + 2_000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      expect(app.child.exitCode).toBe(null);

      database = outage === 'clean stop' ? await startEmbeddedPostgres(pgDir, pgLogger, { port: pgPort }) : await startPostgresAgain();
      await until('health to recover', async () => (await admin.get('/api/v1/health')).body.status === 'ok', 60);
      // Devices retry what failed: it is stored once.
      for (const k of failed) expect((await post(k)).status).toBe(200);
      for (let k = 0; k < 5; k++, i++) expect((await post(i)).status).toBe(200);

      const jobEnd = await until(
        `the scheduler to end the job at ${boundary} after the ${outage}`,
        async () =>
          (await admin.get(`/api/v1/jobs?from=${started.start}&to=2100-01-01T00:00:00Z&machineId=${machineId}`)).body.jobs.find(
            (j: { id: number }) => j.id === started.id,
          )?.end as string | null,
        90,
      );
      expect(jobEnd).toBe(boundary);
      expect(app.child.exitCode).toBe(null);
    }

    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    const { rows } = await client.query(
      `SELECT count(*)::int AS n, count(DISTINCT "eventId")::int AS d FROM state_events WHERE "eventId" LIKE 'r-%'`,
    );
    await client.end();
    expect(rows[0]).toEqual({ n: i, d: i });
    expect(app.output()).not.toMatch(/Unhandled 'error' event/);

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  }, 360_000);
});
