import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { clientsForRoles } from './support/http-client.js';
import { snapshot } from './support/db-snapshot.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The verifier (docs/timeline-truth.md): rows corrupted by hand in timeline_intervals, oee_hourly and
 * oee_hourly_losses are each reported (machine, time, stored vs recomputed), and a repair restores
 * the projection; through the admin route, `npm run verify` and the scheduler's nightly run.
 */
const UP = 1;
const DOWN = 2;
const CLOSED = 3;
let JAM: number;
const DAY = '2026-07-14';
const t = (hhmm: string) => `${DAY}T${hhmm}:00.000Z`;
const RANGE = { from: t('00:00'), to: '2026-07-15T00:00:00.000Z' };
const LONG = `from=2026-07-11T00:00:00Z&to=2026-07-15T06:00:00Z`; // > 2 days: read from stored roll-ups

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let m1: number;
let m2: number;
let m3: number;
let job: number;
const clock = new FixedClock(new Date('2026-07-15T06:00:00.000Z'));

const verify = async (body: Record<string, unknown>) => {
  const res = await c.admin.post('/api/v1/admin/verify', body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const timeline = async (m: number) =>
  (
    (await c.viewer.get(`/api/v1/machines/${m}/timeline?from=${RANGE.from}&to=${RANGE.to}`)).body.intervals as {
      start: string;
      end: string | null;
      activityCodeId: number;
      jobId: number | null;
    }[]
  ).map((i) => [i.start, i.end, i.activityCodeId, i.jobId]);
const longOee = async (m: number) => (await c.viewer.get(`/api/v1/oee?machineId=${m}&${LONG}`)).body;
const state = (activityCodeId: number, jobId: number | null = null) => ({ activityCodeId, jobId, operatorId: null });
const hourRow = async (m: number, hourStart: string, hours = 1) =>
  (
    await app.dataSource.query(`SELECT * FROM oee_hourly WHERE "machineId" = $1 AND "hourStart" = $2 AND hours = $3`, [m, hourStart, hours])
  )[0];

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, DATABASE_URL: app.databaseUrl, OEE_DATA_DIR: app.env.OEE_DATA_DIR, LOG_LEVEL: 'silent' };
  try {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'scripts/verify.ts', ...args], { env, cwd: process.cwd() });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  JAM = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' })).body.id;
  m1 = (await c.admin.post('/api/v1/machines', { name: 'M1' })).body.id;
  m2 = (await c.admin.post('/api/v1/machines', { name: 'M2' })).body.id;
  m3 = (await c.admin.post('/api/v1/machines', { name: 'M3' })).body.id;
  const events = (m: number, list: [string, number][]) =>
    c.device.post('/api/v1/events', { events: list.map(([at, code]) => ({ machineId: m, at: t(at), activityCodeId: code })) });
  await events(m1, [['06:00', DOWN]]);
  job = (await c.device.post(`/api/v1/machines/${m1}/jobs`, { jobNumber: 'J', idealCycleTimeSeconds: 30, at: t('08:00') })).body.job.id;
  await events(m1, [
    ['10:00', JAM],
    ['11:00', UP],
  ]);
  await c.device.post(`/api/v1/machines/${m1}/jobs/current/end`, { at: t('12:00'), good: 200, rejects: 10 });
  await events(m1, [['14:00', CLOSED]]);
  await events(m2, [
    ['06:00', DOWN],
    ['09:00', CLOSED],
    ['13:00', DOWN],
  ]);
  // M3 began the day before, so its whole day is stored as a day row too.
  await c.device.post('/api/v1/events', { events: [{ machineId: m3, at: '2026-07-13T20:00:00Z', activityCodeId: DOWN }] });
  await events(m3, [
    ['08:00', JAM],
    ['09:00', DOWN],
  ]);
  for (const m of [m1, m2, m3]) expect((await longOee(m)).calendarSeconds).toBeGreaterThan(0); // stores the hours and days
  await app.flushRollups();
});
afterAll(() => app.stop());

describe('the verifier', () => {
  it('finds nothing in a history written through the API, and changes nothing', async () => {
    const before = await snapshot(app.dataSource);
    const report = await verify(RANGE);
    expect(report).toMatchObject({ from: RANGE.from, to: RANGE.to, machinesChecked: 3, timeline: [], rollups: [], repaired: null });
    expect(report.rollupsChecked).toBeGreaterThan(40);
    expect(await snapshot(app.dataSource)).toEqual(before);
  });

  it('is for admins only, and refuses a bad range with 400', async () => {
    expect((await c.supervisor.post('/api/v1/admin/verify', RANGE)).status).toBe(403);
    expect((await c.admin.post('/api/v1/admin/verify', { from: RANGE.to, to: RANGE.from })).status).toBe(400);
    expect((await c.admin.post('/api/v1/admin/verify', { from: 'yesterday', to: RANGE.to })).status).toBe(400);
    expect((await c.admin.post('/api/v1/admin/verify', { from: '2020-01-01T00:00:00Z', to: RANGE.to })).status).toBe(400);
  });

  it('reports each hand-corrupted row, and a repair restores the projection in one audited transaction', async () => {
    const truth = { m1: await timeline(m1), m2: await timeline(m2) };
    const oeeBefore = { m1: await longOee(m1), m2: await longOee(m2), m3: await longOee(m3) };
    await app.flushRollups();
    const hour07 = await hourRow(m2, t('07:00'));
    const [m3Day] = await app.dataSource.query(`SELECT "hourStart", hours FROM oee_hourly WHERE "machineId" = $1 AND hours > 1`, [m3]);
    const [m3Jam] = await app.dataSource.query(
      `SELECT seconds FROM oee_hourly_losses WHERE "machineId" = $1 AND "hourStart" = $2 AND hours = $3 AND "activityCodeId" = $4`,
      [m3, m3Day.hourStart, m3Day.hours, JAM],
    );
    expect(Number(m3Jam.seconds)).toBe(3_600);

    // 1. a wrong code; 2. a boundary moved by 10 minutes; 3. a deleted interval (a gap);
    // 4. a stored hour's stop seconds; 5. a stored day's loss seconds.
    await app.dataSource.query(`UPDATE timeline_intervals SET "activityCodeId" = $3 WHERE "machineId" = $1 AND start = $2`, [
      m1,
      t('10:00'),
      DOWN,
    ]);
    await app.dataSource.query(`UPDATE timeline_intervals SET start = $3 WHERE "machineId" = $1 AND start = $2`, [
      m1,
      t('12:00'),
      t('12:10'),
    ]);
    await app.dataSource.query(`UPDATE timeline_intervals SET "end" = $3 WHERE "machineId" = $1 AND "end" = $2`, [
      m1,
      t('12:00'),
      t('12:10'),
    ]);
    await app.dataSource.query(`DELETE FROM timeline_intervals WHERE "machineId" = $1 AND start = $2`, [m2, t('09:00')]);
    await app.dataSource.query(
      `UPDATE oee_hourly SET "unplannedStopSeconds" = 1234 WHERE "machineId" = $1 AND "hourStart" = $2 AND hours = 1`,
      [m2, t('07:00')],
    );
    await app.dataSource.query(
      `UPDATE oee_hourly_losses SET seconds = 3000 WHERE "machineId" = $1 AND "hourStart" = $2 AND hours = $3 AND "activityCodeId" = $4`,
      [m3, m3Day.hourStart, m3Day.hours, JAM],
    );

    const expectedTimeline = [
      { machineId: m1, from: t('10:00'), to: t('11:00'), stored: state(DOWN, job), recomputed: state(JAM, job) },
      { machineId: m1, from: t('12:00'), to: t('12:10'), stored: state(UP, job), recomputed: state(DOWN) },
      { machineId: m2, from: t('09:00'), to: t('13:00'), stored: null, recomputed: state(CLOSED) },
    ];
    const expectedRollups = [
      { machineId: m2, hourStart: t('07:00'), hours: 1, field: 'unplannedStopSeconds', stored: 1234, recomputed: 3_600 },
      {
        machineId: m3,
        hourStart: new Date(m3Day.hourStart).toISOString(),
        hours: m3Day.hours,
        field: `losses.${JAM}.seconds`,
        stored: 3_000,
        recomputed: 3_600,
      },
    ];
    expect(Number(hour07.unplannedStopSeconds)).toBe(3_600);
    const found = await verify(RANGE);
    expect(found.timeline).toEqual(expectedTimeline);
    expect(found.rollups).toEqual(expectedRollups);
    expect(found.repaired).toBeNull();

    // The same through `npm run verify`: every difference on its own line, exit 1 while unrepaired.
    const run = await cli(['--from', RANGE.from, '--to', RANGE.to]);
    expect(run.code, run.out).toBe(1);
    expect(run.out).toContain(
      `timeline machine ${m1} ${t('10:00')} .. ${t('11:00')}: stored code ${DOWN} job ${job} operator -, recomputed code ${JAM} job ${job} operator -`,
    );
    expect(run.out).toContain(
      `timeline machine ${m2} ${t('09:00')} .. ${t('13:00')}: stored no interval, recomputed code ${CLOSED} job - operator -`,
    );
    expect(run.out).toContain(`roll-up machine ${m2} ${t('07:00')} (1 h) unplannedStopSeconds: stored 1234, recomputed 3600`);
    expect(run.out).toContain('3 timeline and 2 roll-up differences');
    expect((await cli(['--from', RANGE.to, '--to', RANGE.from])).code).toBe(2);

    const auditBefore = Number(
      (await app.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'timeline.verify-repair'`))[0].n,
    );
    const repaired = await verify({ ...RANGE, repair: true });
    expect(repaired.timeline).toEqual(expectedTimeline);
    expect(repaired.rollups).toEqual(expectedRollups);
    expect(repaired.repaired.timelines).toBe(2);
    expect(repaired.repaired.rollups).toBeGreaterThanOrEqual(2);

    expect(await timeline(m1)).toEqual(truth.m1);
    expect(await timeline(m2)).toEqual(truth.m2);
    expect(await hourRow(m2, t('07:00'))).toBeUndefined(); // dropped; recomputed on the next read
    for (const m of ['m1', 'm2', 'm3'] as const) expect(await longOee({ m1, m2, m3 }[m])).toEqual(oeeBefore[m]);
    await app.flushRollups();
    expect(Number((await hourRow(m2, t('07:00'))).unplannedStopSeconds)).toBe(3_600);
    expect(await verify(RANGE)).toMatchObject({ timeline: [], rollups: [], repaired: null });

    const audit = await app.dataSource.query(
      `SELECT "machineId", before, after, note FROM audit_log WHERE action = 'timeline.verify-repair' ORDER BY id`,
    );
    expect(audit.length - auditBefore).toBe(3);
    expect(audit.slice(auditBefore).map((a: { machineId: number }) => a.machineId)).toEqual([m1, m2, m3]);
    expect(audit.slice(auditBefore)[0]).toEqual({
      machineId: m1,
      before: { timeline: expectedTimeline.slice(0, 2), rollups: [] },
      after: { reprojectedFrom: t('10:00') },
      note: `verify ${RANGE.from}..${RANGE.to}`,
    });
  });

  it('repairs through `npm run verify -- --repair` and the nightly scheduler run, which counts its repairs', async () => {
    const truth = await timeline(m3);
    await app.dataSource.query(`UPDATE timeline_intervals SET "activityCodeId" = $3 WHERE "machineId" = $1 AND start = $2`, [
      m3,
      t('08:00'),
      CLOSED,
    ]);
    const run = await cli(['--from', RANGE.from, '--to', RANGE.to, '--repair']);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain(
      `timeline machine ${m3} ${t('08:00')} .. ${t('09:00')}: stored code ${CLOSED} job - operator -, recomputed code ${JAM} job - operator -`,
    );
    expect(run.out).toContain('repaired: 1 timelines re-projected');
    expect(await timeline(m3)).toEqual(truth);

    // The scheduler verifies the previous day (the clock says 2026-07-15 06:00, site time zone UTC here).
    await app.dataSource.query(`UPDATE timeline_intervals SET "activityCodeId" = $3 WHERE "machineId" = $1 AND start = $2`, [
      m3,
      t('08:00'),
      DOWN,
    ]);
    const nightly = await app.scheduler!.verifyPreviousDay();
    expect(nightly.from).toBe(RANGE.from);
    expect(nightly.timeline).toEqual([{ machineId: m3, from: t('08:00'), to: t('09:00'), stored: state(DOWN), recomputed: state(JAM) }]);
    expect(nightly.repaired).toMatchObject({ timelines: 1 });
    expect(await timeline(m3)).toEqual(truth);
    expect((await app.scheduler!.verifyPreviousDay()).timeline).toEqual([]);
  });
});

describe('a dense day', () => {
  it('is served from its stored rows, and the verifier compares those with the raw history, not with themselves', async () => {
    const m4 = (await c.admin.post('/api/v1/machines', { name: 'M4 dense' })).body.id as number;
    const day = Date.parse('2026-07-12T00:00:00Z');
    // 720 state changes, one every 2 minutes (Up, Down, Jam in turn): above the 500 intervals from
    // which a short window's closed hours come from the stored rows.
    const events = Array.from({ length: 720 }, (_, i) => ({
      machineId: m4,
      at: new Date(day + i * 120_000).toISOString(),
      activityCodeId: [UP, DOWN, JAM][i % 3]!,
    }));
    const jobAt = { jobNumber: 'DENSE', idealCycleTimeSeconds: 30, at: new Date(day).toISOString() };
    expect((await c.device.post(`/api/v1/machines/${m4}/jobs`, jobAt)).status).toBe(201);
    for (let i = 0; i < events.length; i += 240) {
      const res = await c.device.post('/api/v1/events', { events: events.slice(i, i + 240) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const range = { from: new Date(day).toISOString(), to: new Date(day + 86_400_000).toISOString() };
    expect((await c.device.post(`/api/v1/machines/${m4}/jobs/current/end`, { at: range.to, good: 500, rejects: 5 })).status).toBe(200);
    const dayOee = async () => (await c.viewer.get(`/api/v1/oee?machineId=${m4}&from=${range.from}&to=${range.to}`)).body;
    expect((await dayOee()).runSeconds).toBe(240 * 120);
    await app.flushRollups();
    const [row] = await app.dataSource.query(`SELECT "hourStart", hours FROM oee_hourly WHERE "machineId" = $1 AND hours > 1`, [m4]);
    expect(row.hours).toBe(24);
    await app.dataSource.query(`UPDATE oee_hourly SET "runSeconds" = 1 WHERE "machineId" = $1 AND hours = 24`, [m4]);
    expect((await dayOee()).runSeconds).toBe(1); // the day comes from its stored row
    const found = await verify(range);
    expect(found.rollups).toEqual([
      { machineId: m4, hourStart: range.from, hours: 24, field: 'runSeconds', stored: 1, recomputed: 240 * 120 },
    ]);
    expect((await verify({ ...range, repair: true })).repaired.rollups).toBe(1);
    expect((await dayOee()).runSeconds).toBe(240 * 120);
  });
});
