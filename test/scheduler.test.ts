import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { OffsetClock } from '../core/clock.js';
import { ApiClient } from './support/http-client.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Shift boundaries on Agenda with a clock shifted so that 17:00 (the seeded 9-5 pattern's end) is a few
 * seconds ahead: the job ends at the boundary exactly, offShift flips, and nothing happens twice.
 */
const apps: TestApp[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.stop();
});

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, seconds = 20): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function machineWithJob(admin: ApiClient, patternId: number, jobStart: string, name = 'Press') {
  const machine = (await admin.post('/api/v1/machines', { name, shiftPatternId: patternId, endJobOnShiftEnd: true })).body;
  const job = (await admin.post(`/api/v1/machines/${machine.id}/jobs`, { jobNumber: 'J-1', at: jobStart })).body.job;
  return { machineId: machine.id as number, jobId: job.id as number };
}

const jobEnd = async (admin: ApiClient, machineId: number) =>
  (await admin.get(`/api/v1/jobs?from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z&machineId=${machineId}`)).body.jobs[0]?.end as
    string | null;

/**
 * On a loaded machine the few seconds before the boundary can pass while the app starts; the precise
 * run is then scheduled for the next boundary and this one is left to the sweep. Ask for the catch-up
 * run instead, which is what the sweep would do.
 */
async function catchUpIfPassed(app: TestApp, clock: OffsetClock, boundary: string): Promise<void> {
  if (clock.now().getTime() >= Date.parse(boundary)) await app.scheduler!.runBoundariesNow();
}

describe('shift boundaries', () => {
  it('ends the running job at the boundary time exactly and flips offShift', async () => {
    const boundary = '2026-11-20T17:00:00.000Z';
    const clock = new OffsetClock(new Date(Date.parse(boundary) - 4_000));
    const app = await startTestApp({ clock });
    apps.push(app);
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const { machineId } = await machineWithJob(admin, 1, '2026-11-20T10:00:00Z');
    expect((await admin.get(`/api/v1/machines/${machineId}`)).body.state.offShift).toBe(false);
    await app.scheduler!.scheduleNextBoundary();
    await catchUpIfPassed(app, clock, boundary);

    expect(await until('the job end', () => jobEnd(admin, machineId))).toBe(boundary);
    const machine = (await admin.get(`/api/v1/machines/${machineId}`)).body;
    expect(machine.state).toMatchObject({ offShift: true, activityCodeId: 2, since: boundary, jobId: null });
    const timeline = (await admin.get(`/api/v1/machines/${machineId}/timeline?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z`)).body
      .intervals;
    expect(timeline.map((i: { start: string; end: string | null; activityCodeId: number }) => [i.start, i.end, i.activityCodeId])).toEqual([
      ['2026-11-20T10:00:00.000Z', boundary, 1],
      [boundary, null, 2],
    ]);
    // Running it again changes nothing.
    const before = await app.dataSource.query(`SELECT count(*)::int AS n FROM state_events`);
    await app.scheduler!.runBoundariesNow();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await app.dataSource.query(`SELECT count(*)::int AS n FROM state_events`)).toEqual(before);
  }, 40_000);

  it('applies each boundary once with two instances on one database', async () => {
    const boundary = '2026-11-20T17:00:00.000Z';
    const databaseUrl = await createTestDatabase();
    const clockAt = () => new OffsetClock(new Date(Date.parse(boundary) - 5_000));
    const clockA = clockAt();
    const a = await startTestApp({ databaseUrl, clock: clockA });
    apps.push(a);
    const clockB = clockAt();
    const b = await startTestApp({ databaseUrl, clock: clockB });
    apps.push(b);
    const admin = await new ApiClient(a.url).signIn('admin', ADMIN_PASSWORD);
    const { machineId } = await machineWithJob(admin, 1, '2026-11-20T09:30:00Z');
    await Promise.all([a.scheduler!.scheduleNextBoundary(), b.scheduler!.scheduleNextBoundary()]);
    await Promise.all([catchUpIfPassed(a, clockA, boundary), catchUpIfPassed(b, clockB, boundary)]);
    expect(await until('the job end', () => jobEnd(admin, machineId))).toBe(boundary);
    await Promise.all([a.scheduler!.runBoundariesNow(), b.scheduler!.runBoundariesNow()]);
    await new Promise((r) => setTimeout(r, 3_000));
    const ends = await a.dataSource.query(`SELECT count(*)::int AS n FROM state_events WHERE "eventId" LIKE 'shift-end:%'`);
    expect(ends).toEqual([{ n: 1 }]);
    const jobs = await a.dataSource.query(`SELECT "end" FROM jobs WHERE "machineId" = $1`, [machineId]);
    expect(jobs.map((j: { end: Date }) => j.end.toISOString())).toEqual([boundary]);
  }, 40_000);

  it('catches up after downtime: the job ends at the boundary it missed', async () => {
    const databaseUrl = await createTestDatabase();
    const first = await startTestApp({ databaseUrl, clock: new OffsetClock('2026-11-20T16:30:00Z') });
    const admin = await new ApiClient(first.url).signIn('admin', ADMIN_PASSWORD);
    const { machineId } = await machineWithJob(admin, 1, '2026-11-20T12:00:00Z');
    await first.stop();

    const second = await startTestApp({ databaseUrl, clock: new OffsetClock('2026-11-20T18:15:00Z') });
    apps.push(second);
    const admin2 = await new ApiClient(second.url).signIn('admin', ADMIN_PASSWORD);
    expect(await until('the caught-up job end', () => jobEnd(admin2, machineId))).toBe('2026-11-20T17:00:00.000Z');
  }, 40_000);

  it('ends a night shift over the spring DST change at the right UTC instant', async () => {
    // Europe/London, 2026-03-29: clocks go 01:00 GMT → 02:00 BST. 22:00 GMT to 06:00 BST is 7 h, ending 05:00Z.
    const databaseUrl = await createTestDatabase();
    const first = await startTestApp({ databaseUrl, clock: new OffsetClock('2026-03-28T23:00:00Z') });
    const admin = await new ApiClient(first.url).signIn('admin', ADMIN_PASSWORD);
    await admin.put('/api/v1/site', { timezone: 'Europe/London', microStopSeconds: 0 });
    const night = (
      await admin.post('/api/v1/shift-patterns', {
        name: 'Nights',
        shifts: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' }],
      })
    ).body;
    const { machineId } = await machineWithJob(admin, night.id, '2026-03-28T22:30:00Z', 'Night press');
    await first.stop();

    const second = await startTestApp({ databaseUrl, clock: new OffsetClock('2026-03-29T05:30:00Z') });
    apps.push(second);
    const admin2 = await new ApiClient(second.url).signIn('admin', ADMIN_PASSWORD);
    expect(await until('the DST job end', () => jobEnd(admin2, machineId))).toBe('2026-03-29T05:00:00.000Z');
  }, 40_000);

  it('does not reach for MongoDB without MONGODB_URL, and picks the Mongo backend with it', async () => {
    const { Scheduler } = await import('../scheduler/scheduler.js');
    const { openSchedulerPool } = await import('../db/pool-guard.js');
    const logger = pino({ level: 'silent' });
    const pool = openSchedulerPool('postgres://u:p@127.0.0.1:1/db', logger);
    const pg = await Scheduler.backendFor({ pool: pool.pool });
    expect(pg.kind).toBe('postgres');
    expect(pg.backend.constructor.name).toBe('PostgresBackend');
    await pool.close();
    const mongo = await Scheduler.backendFor({ mongodbUrl: 'mongodb://127.0.0.1:1/oee' });
    expect(mongo.kind).toBe('mongo');
    expect(mongo.backend.constructor.name).toBe('MongoBackend');
  });
});
