import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { insertJobs, insertProduction, insertTimeline } from './support/oee-fixtures.js';
import { TabletClient } from './support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 15, points 2 and 8: how far back a write may reach (the site's live window, an absolute
 * floor), who sent every event, the audit entry of a supervisor's back-dated write, and OEE over
 * history that starts in 1970 or year 1 costing what the asked window costs.
 */
const UP = 1;
const DOWN = 2;
const CLOSED = 3;
const NOW = '2026-06-15T12:00:00.000Z';
const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.parse(NOW) - days * DAY_MS).toISOString();

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
const clock = new FixedClock(new Date(NOW));
const keyIds: Record<string, number> = {};
let adminId: number;
const open: TabletClient[] = [];

async function machine(name: string, shiftPatternId: number | null = null): Promise<number> {
  const res = await c.admin.post('/api/v1/machines', { name, shiftPatternId });
  expect(res.status).toBe(201);
  return res.body.id;
}

const stored = (machineId: number) =>
  app.dataSource.query(`SELECT at, source, sender, "eventId" FROM state_events WHERE "machineId" = $1 ORDER BY at, id`, [
    machineId,
  ]) as Promise<{ at: Date; source: string; sender: string | null; eventId: string | null }[]>;
const audit = async (machineId: number, action: string) => {
  const res = await c.supervisor.get(`/api/v1/audit?machineId=${machineId}`);
  expect(res.status).toBe(200);
  return (res.body.entries as { action: string; userId: number | null; apiKeyId: number | null; after: any }[]).filter(
    (e) => e.action === action,
  );
};

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  for (const k of (await c.admin.get('/api/v1/api-keys')).body as { id: number; name: string }[]) keyIds[k.name] = k.id;
  adminId = (await c.admin.get('/api/v1/session')).body.user.id;
});
afterAll(async () => {
  for (const t of open) t.close();
  await app?.stop();
});

describe('the live window on POST /api/v1/events', () => {
  it('refuses a device or operator key writing before the window (403, with the event in issues), and stores nothing', async () => {
    const m = await machine('Press back-dated');
    for (const client of [c.device, c.operator]) {
      const res = await client.post('/api/v1/events', {
        events: [
          { machineId: m, at: daysAgo(1), state: 'down' },
          { machineId: m, at: daysAgo(32), state: 'down' },
        ],
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.issues).toEqual([{ path: ['events', 1, 'at'], message: "more than 31 days back (the site's live window)" }]);
    }
    expect(await stored(m)).toEqual([]);
  });

  it('lets a device write inside the window, and stores who sent it (visible in the events export)', async () => {
    const m = await machine('Press buffered');
    const res = await c.device.post('/api/v1/events', {
      events: [{ machineId: m, at: daysAgo(30), state: 'down', eventId: 'buffered-1' }],
    });
    expect(res.status).toBe(200);
    expect(await stored(m)).toEqual([
      { at: new Date(daysAgo(30)), source: 'api', sender: `api-key:${keyIds['key-device']}`, eventId: 'buffered-1' },
    ]);
    expect(await audit(m, 'events.backdate')).toEqual([]);
    const csv = await c.viewer.get(`/api/v1/export/events.csv?from=${daysAgo(40)}&to=${NOW}&machineId=${m}`);
    expect(csv.status).toBe(200);
    const [header, row] = (csv.body as string).trim().split(/\r?\n/);
    const columns = header!.replace(/^\uFEFF/, '').split(',');
    expect(row!.split(',')[columns.indexOf('Sent by')]).toBe(`api-key:${keyIds['key-device']}`);
  });

  it('answers a retry of an event stored inside the window as a duplicate, even once the window has moved past it', async () => {
    const m = await machine('Press retried');
    const event = { machineId: m, at: daysAgo(30), state: 'down', eventId: 'retried-1' };
    expect((await c.device.post('/api/v1/events', { events: [event] })).body).toEqual({ accepted: 1, duplicates: 0 });
    clock.set(new Date(Date.parse(NOW) + 5 * DAY_MS));
    try {
      expect((await c.device.post('/api/v1/events', { events: [event] })).body).toEqual({ accepted: 0, duplicates: 1 });
      expect((await c.device.post('/api/v1/events', { events: [{ ...event, eventId: 'retried-2' }] })).status).toBe(403);
    } finally {
      clock.set(new Date(NOW));
    }
    expect((await stored(m)).map((e) => e.eventId)).toEqual(['retried-1']);
  });

  it('lets a supervisor key or user write older history, each write audited with who; a retry is not audited twice', async () => {
    const m = await machine('Press history');
    const batch = {
      events: [
        { machineId: m, at: daysAgo(200), state: 'down', eventId: 'old-1' },
        { machineId: m, at: daysAgo(100), activityCodeId: CLOSED, eventId: 'old-2' },
      ],
    };
    expect((await c.supervisor.post('/api/v1/events', batch)).body).toEqual({ accepted: 2, duplicates: 0 });
    expect((await c.supervisor.post('/api/v1/events', batch)).body).toEqual({ accepted: 0, duplicates: 2 });
    const session = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    expect((await session.post('/api/v1/events', { events: [{ machineId: m, at: daysAgo(50), state: 'down' }] })).status).toBe(200);

    expect((await stored(m)).map((e) => e.sender)).toEqual([
      `api-key:${keyIds['key-supervisor']}`,
      `api-key:${keyIds['key-supervisor']}`,
      `user:${adminId}`,
    ]);
    const entries = await audit(m, 'events.backdate');
    expect(entries).toMatchObject([
      {
        userId: null,
        apiKeyId: keyIds['key-supervisor'],
        after: {
          sender: `api-key:${keyIds['key-supervisor']}`,
          writes: [
            { at: daysAgo(200), activityCodeId: DOWN, eventId: 'old-1' },
            { at: daysAgo(100), activityCodeId: CLOSED, eventId: 'old-2' },
          ],
        },
      },
      {
        userId: adminId,
        apiKeyId: null,
        after: { sender: `user:${adminId}`, writes: [{ at: daysAgo(50), activityCodeId: DOWN, eventId: null }] },
      },
    ]);
    expect(entries).toHaveLength(2);
  });

  it('refuses anyone, supervisors included, before 2000-01-01 (400)', async () => {
    const m = await machine('Press flat battery');
    for (const at of ['1970-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '1999-12-31T23:59:59Z']) {
      for (const client of [c.supervisor, c.device]) {
        const res = await client.post('/api/v1/events', { events: [{ machineId: m, at, state: 'down' }] });
        expect(res.status, `${at}`).toBe(400);
        expect(res.body.error.issues).toEqual([{ path: ['events', 0, 'at'], message: 'must not be before 2000-01-01T00:00:00.000Z' }]);
      }
    }
    expect(await stored(m)).toEqual([]);
  });
});

describe("supervisors' history edits before 2000-01-01", () => {
  it('refuses a correction, a job moved, or a production record added or moved there (400)', async () => {
    const m = await machine('Imported press');
    // Imported history that already begins in 1990.
    await insertTimeline(app.dataSource, m, [
      { start: '1990-01-01T00:00:00Z', end: '2026-06-01T00:00:00Z', activityCodeId: DOWN },
      { start: '2026-06-01T00:00:00Z', end: null, activityCodeId: CLOSED },
    ]);
    const floor = { message: 'must not be before 2000-01-01T00:00:00.000Z' };
    const correction = await c.supervisor.post(`/api/v1/machines/${m}/corrections`, {
      from: '1995-01-01T00:00:00Z',
      to: '1996-01-01T00:00:00Z',
      activityCodeId: CLOSED,
    });
    expect(correction.status).toBe(400);
    expect(correction.body.error.issues).toEqual([{ path: ['from'], ...floor }]);
    const job = await c.supervisor.post(`/api/v1/machines/${m}/jobs`, { jobNumber: 'J-old', at: daysAgo(10) });
    expect(job.status).toBe(201);
    await c.supervisor.post(`/api/v1/machines/${m}/jobs/current/end`, { at: daysAgo(9) });
    const moved = await c.supervisor.patch(`/api/v1/jobs/${job.body.job.id}`, { start: '1999-12-31T00:00:00Z', note: 'typo' });
    expect(moved.status).toBe(400);
    expect(moved.body.error.issues).toEqual([{ path: ['start'], ...floor }]);
    const added = await c.supervisor.post('/api/v1/production', {
      machineId: m,
      good: 1,
      rejects: 0,
      from: '1999-01-01T00:00:00Z',
      to: daysAgo(9),
      note: 'import',
    });
    expect(added.status).toBe(400);
    expect(added.body.error.issues).toEqual([{ path: ['from'], ...floor }]);
    const record = await c.supervisor.post('/api/v1/production', { machineId: m, good: 1, rejects: 0, at: daysAgo(9), note: 'count' });
    expect(record.status).toBe(201);
    const movedRecord = await c.supervisor.patch(`/api/v1/production/${record.body.record.id}`, {
      from: '1999-01-01T00:00:00Z',
      note: 'typo',
    });
    expect(movedRecord.status).toBe(400);
    expect(movedRecord.body.error.issues).toEqual([{ path: ['from'], ...floor }]);
  });
});

describe('the live window on jobs, production, the site setting, legacy devices and tablets', () => {
  it('applies to job starts and production records too; a supervisor back-dated count is audited', async () => {
    const m = await machine('Lathe jobs');
    const start = await c.device.post(`/api/v1/machines/${m}/jobs`, { jobNumber: 'J1', at: daysAgo(40) });
    expect(start.status).toBe(403);
    expect((await c.device.post(`/api/v1/machines/${m}/jobs`, { jobNumber: 'J1', at: daysAgo(20) })).status).toBe(201);
    const span = await c.device.post(`/api/v1/machines/${m}/production`, { good: 5, rejects: 0, from: daysAgo(40), to: daysAgo(1) });
    expect(span.status).toBe(403);
    expect(span.body.error.issues).toEqual([{ path: ['from'], message: "more than 31 days back (the site's live window)" }]);
    expect((await c.supervisor.post(`/api/v1/machines/${m}/production`, { good: 5, rejects: 1, at: daysAgo(40) })).status).toBe(201);
    const counts = await app.dataSource.query(`SELECT good, sender FROM production_records WHERE "machineId" = $1`, [m]);
    expect(counts).toEqual([{ good: 5, sender: `api-key:${keyIds['key-supervisor']}` }]);
    expect(await audit(m, 'production.backdate')).toMatchObject([
      { apiKeyId: keyIds['key-supervisor'], after: { writes: [{ at: daysAgo(40), good: 5, rejects: 1 }] } },
    ]);
    // Ending the job counts over the job's whole span (from 20 days back): judged by the end's own time.
    expect((await c.device.post(`/api/v1/machines/${m}/jobs/current/end`, { good: 3, rejects: 0 })).status).toBe(200);
    expect((await stored(m)).map((e) => e.sender)).toEqual([`api-key:${keyIds['key-device']}`, `api-key:${keyIds['key-device']}`]);
  });

  it('is a site setting (liveWindowDays, default 31; a PUT without it keeps it)', async () => {
    const site = await c.viewer.get('/api/v1/site');
    expect(site.body.liveWindowDays).toBe(31);
    const m = await machine('Mill window');
    expect((await c.device.post('/api/v1/events', { events: [{ machineId: m, at: daysAgo(45), state: 'down' }] })).status).toBe(403);
    expect((await c.admin.put('/api/v1/site', { timezone: site.body.timezone, microStopSeconds: 0, liveWindowDays: 60 })).status).toBe(200);
    expect((await c.admin.put('/api/v1/site', { timezone: site.body.timezone, microStopSeconds: 0 })).body.liveWindowDays).toBe(60);
    expect((await c.admin.put('/api/v1/site', { timezone: site.body.timezone, microStopSeconds: 0, liveWindowDays: 0 })).status).toBe(400);
    expect((await c.device.post('/api/v1/events', { events: [{ machineId: m, at: daysAgo(45), state: 'down' }] })).status).toBe(200);
    expect((await c.admin.put('/api/v1/site', { timezone: site.body.timezone, microStopSeconds: 0, liveWindowDays: 31 })).status).toBe(200);
  });

  it('records the legacy device route as `legacy-device` (or its key)', async () => {
    const m = await machine('Legacy press');
    expect((await new ApiClient(app.url).post('/api/machine-state-change', { machine_id: m, machine_state: 2 })).status).toBe(200);
    expect((await c.device.post('/api/machine-state-change', { machine_id: m, activity_code_id: CLOSED })).status).toBe(200);
    expect((await stored(m)).map((e) => [e.source, e.sender])).toEqual([
      ['legacy', 'legacy-device'],
      ['legacy', `api-key:${keyIds['key-device']}`],
    ]);
  });

  it('refuses a tablet command back-dated before the window, and records the tablet as sender', async () => {
    const m = await machine('Tablet press');
    const t = await c.admin.post('/api/v1/tablets', { name: 'Tablet press', machineId: m });
    const user = await c.admin.post('/api/v1/users', { username: 'nina', role: 'operator', pin: '4711' });
    const tablet = await TabletClient.open(app.url, t.body.token);
    open.push(tablet);
    await tablet.ok('operator:sign-in', { userId: user.body.id, pin: '4711' });
    const refused = await tablet.send('activity:set', { activityCodeId: DOWN, at: daysAgo(32) });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await tablet.ok('activity:set', { activityCodeId: DOWN, at: daysAgo(2) });
    expect(await stored(m)).toEqual([{ at: new Date(daysAgo(2)), source: 'tablet', sender: `tablet:${t.body.id}`, eventId: null }]);
  });
});

describe('OEE over history that begins in year 1 or 1970', () => {
  // Planned 09:00–17:00 every day (seeded pattern 1), site time zone UTC. Rows written as legacy data
  // might hold them: a Down from year 1, a PLC clock reset to 1970 staying Down until today 10:00.
  let m: number;
  beforeAll(async () => {
    expect((await c.viewer.get('/api/v1/site')).body.timezone).toBe('UTC');
    m = await machine('Ancient', 1);
    const [job] = await insertJobs(app.dataSource, m, [
      { start: '2026-06-15T10:00:00Z', end: '2026-06-15T11:00:00Z', idealCycleTimeSeconds: 60 },
    ]);
    await insertTimeline(app.dataSource, m, [
      { start: '0001-01-01T00:00:00Z', end: '1970-01-01T00:00:00Z', activityCodeId: DOWN },
      { start: '1970-01-01T00:00:00Z', end: '2026-06-15T10:00:00Z', activityCodeId: DOWN },
      { start: '2026-06-15T10:00:00Z', end: '2026-06-15T11:00:00Z', activityCodeId: UP, jobId: job! },
      { start: '2026-06-15T11:00:00Z', end: null, activityCodeId: CLOSED },
    ]);
    await insertProduction(app.dataSource, m, [
      { from: '2026-06-15T10:00:00Z', to: '2026-06-15T11:00:00Z', good: 50, rejects: 10, jobId: job! },
    ]);
  });

  it('answers the legacy GET /api/oee for today exactly, storing nothing', async () => {
    // Planned 09:00–12:00 (now); Closed 11:00–12:00 is planned shutdown: 7 200 s planned production.
    // Fully productive: 50 good × 60 s = 3 000 s. The stop from 1970 had its first planned second long ago: no occurrence today.
    const res = await new ApiClient(app.url).get(`/api/oee?machine_id=${m}&date=2026-06-15`);
    expect(res.status).toBe(200);
    expect(res.body).toBeCloseTo(3_000 / 7_200, 12);
    const today = await c.viewer.get(`/api/v1/oee?machineId=${m}&from=2026-06-15T00:00:00Z&to=2026-06-16T00:00:00Z`);
    expect(today.body).toMatchObject({
      plannedWindowSeconds: 10_800,
      plannedShutdownSeconds: 3_600,
      unplannedStopSeconds: 3_600,
      runSeconds: 3_600,
      unplannedStopCount: 0,
    });
    const durations = await new ApiClient(app.url).get(`/api/activity-durations?machine_id=${m}&date=2026-06-15`);
    expect(durations.body).toMatchObject({ [UP]: 3_600, [DOWN]: 36_000, [CLOSED]: 3_600 });
    expect(await app.dataSource.query(`SELECT count(*)::int AS n FROM oee_hourly WHERE "machineId" = $1`, [m])).toEqual([{ n: 0 }]);
  });

  it('answers a one-year window exactly, and stores roll-ups only inside it', async () => {
    const from = '2025-06-15T12:00:00Z';
    const res = await c.viewer.get(`/api/v1/oee?machineId=${m}&from=${from}&to=${NOW}`);
    expect(res.status).toBe(200);
    // Down until today 10:00: 5 h on the first day, 364 whole days of 8 h, 1 h today = 2 918 h unplanned.
    const downSeconds = 2_918 * 3_600;
    expect(res.body).toMatchObject({
      calendarSeconds: 365 * 86_400,
      plannedWindowSeconds: downSeconds + 7_200,
      plannedShutdownSeconds: 3_600,
      plannedProductionSeconds: downSeconds + 3_600,
      runSeconds: 3_600,
      unplannedStopSeconds: downSeconds,
      unplannedStopCount: 0,
      goodCount: 50,
      rejectCount: 10,
      fullyProductiveSeconds: 3_000,
      losses: [{ activityCodeId: DOWN, category: 'unplanned_stop', seconds: downSeconds, occurrences: 0 }],
    });
    // The cost is the window's: rows for exactly its 8 760 closed hours and its 364 whole days, none reaching back to 1970
    // (stored after the answer by the roll-up writer).
    await app.flushRollups();
    const rows = await app.dataSource.query(
      `SELECT hours = 1 AS hour, count(*)::int AS n, min("hourStart") AS first, max("hourStart" + make_interval(hours => hours)) AS last
         FROM oee_hourly WHERE "machineId" = $1 GROUP BY hours = 1 ORDER BY 1`,
      [m],
    );
    expect(rows).toEqual([
      { hour: false, n: 364, first: new Date('2025-06-16T00:00:00Z'), last: new Date('2026-06-15T00:00:00Z') },
      { hour: true, n: 8_760, first: new Date(from), last: new Date(NOW) },
    ]);
  });
});
