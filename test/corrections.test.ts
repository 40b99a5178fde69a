import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { assertTiles, snapshot } from './support/db-snapshot.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Corrections of past data (issue 8): a code over a past span, job edits, production records added,
 * edited and deleted by hand. Each is checked in the timeline, in OEE (exact seconds) and in the
 * audit log; refusals store nothing; retries change nothing.
 */
const DOWN = 2;
const CLOSED = 3;
const UP = 1;
let JAM: number;
const t = (hhmm: string) => `2026-03-10T${hhmm}:00.000Z`;

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let sue: ApiClient; // a supervisor signed in with a session: the audit log names her
let sueId: number;
let m: number;
let jobJ: number;
let recordId: number;
const clock = new FixedClock(new Date(t('18:00')));

const timeline = async (from = t('00:00'), to = t('18:00')) =>
  (await c.viewer.get(`/api/v1/machines/${m}/timeline?from=${from}&to=${to}`)).body.intervals as {
    start: string;
    end: string | null;
    activityCodeId: number;
    jobId: number | null;
  }[];
const oee = async (from: string, to: string) => (await c.viewer.get(`/api/v1/oee?machineId=${m}&from=${from}&to=${to}`)).body;
const audit = async () =>
  (await sue.get(`/api/v1/audit?machineId=${m}`)).body.entries as {
    at: string;
    userId: number | null;
    action: string;
    before: any;
    after: any;
    note: string | null;
  }[];
const auditCount = async () => Number((await app.dataSource.query(`SELECT count(*)::int AS n FROM audit_log`))[0].n);
/** The numbers docs/oee.md defines, for a window [08:00, 13:00) of this machine (24/7 planned, no shutdown in it). */
const SHORT = [t('08:00'), t('13:00')] as const;
/** A window long enough that the OEE service uses (and must invalidate) its stored hours. */
const LONG = ['2026-03-06T00:00:00.000Z', t('13:00')] as const;

async function expectOee(expected: Record<string, number | null>): Promise<void> {
  for (const [from, to] of [SHORT, LONG]) {
    const body = await oee(from, to);
    expect(body, `${from}..${to}`).toMatchObject(expected);
  }
}

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  JAM = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' })).body.id;
  sueId = (await c.admin.post('/api/v1/users', { username: 'sue', password: 'supervisor password 1', role: 'supervisor' })).body.id;
  sue = await new ApiClient(app.url).signIn('sue', 'supervisor password 1');
  m = (await c.admin.post('/api/v1/machines', { name: 'Press 1' })).body.id; // no shift pattern: planned 24/7

  // 08 Down, 09 job J (Up), 12 J ends (Down), 13 Closed, 14 job K (Up), 15 K ends (Down), 16 Closed (open).
  await c.device.post('/api/v1/events', { events: [{ machineId: m, at: t('08:00'), activityCodeId: DOWN }] });
  jobJ = (await c.device.post(`/api/v1/machines/${m}/jobs`, { jobNumber: 'J', idealCycleTimeSeconds: 30, at: t('09:00') })).body.job.id;
  recordId = (await c.device.post(`/api/v1/machines/${m}/production`, { good: 150, rejects: 30, from: t('09:00'), to: t('12:00') })).body
    .record.id;
  await c.device.post(`/api/v1/machines/${m}/jobs/current/end`, { at: t('12:00') });
  await c.device.post('/api/v1/events', { events: [{ machineId: m, at: t('13:00'), activityCodeId: CLOSED }] });
  await c.device.post(`/api/v1/machines/${m}/jobs`, { jobNumber: 'K', at: t('14:00') });
  await c.device.post(`/api/v1/machines/${m}/jobs/current/end`, { at: t('15:00') });
  await c.device.post('/api/v1/events', { events: [{ machineId: m, at: t('16:00'), activityCodeId: CLOSED }] });
});
afterAll(() => app.stop());

describe('POST /api/v1/machines/:id/corrections', () => {
  it('sets a code over a past span: timeline, OEE and audit follow exactly', async () => {
    // Before: 3 h running, 2 h down in two stops. Asked once before the correction so stored hours exist.
    await expectOee({
      calendarSeconds: 18_000,
      plannedProductionSeconds: 18_000,
      runSeconds: 10_800,
      unplannedStopSeconds: 7_200,
      unplannedStopCount: 2,
      availability: 10_800 / 18_000,
    });

    const res = await sue.post(`/api/v1/machines/${m}/corrections`, {
      from: t('10:00'),
      to: t('11:00'),
      activityCodeId: JAM,
      note: 'the jam was not logged',
      eventId: 'corr-1',
    });
    expect(res.status).toBe(201);
    const before = [{ start: t('10:00'), end: t('11:00'), activityCodeId: UP, jobId: jobJ, operatorId: null }];
    const after = [{ start: t('10:00'), end: t('11:00'), activityCodeId: JAM, jobId: jobJ, operatorId: null }];
    expect(res.body).toEqual({
      correction: {
        id: expect.any(Number),
        machineId: m,
        from: t('10:00'),
        to: t('11:00'),
        activityCodeId: JAM,
        note: 'the jam was not logged',
      },
      before,
      after,
    });

    expect((await timeline(t('00:00'), t('13:00'))).map((i) => [i.start, i.end, i.activityCodeId, i.jobId])).toEqual([
      [t('08:00'), t('09:00'), DOWN, null],
      [t('09:00'), t('10:00'), UP, jobJ],
      [t('10:00'), t('11:00'), JAM, jobJ],
      [t('11:00'), t('12:00'), UP, jobJ],
      [t('12:00'), t('13:00'), DOWN, null],
    ]);
    await assertTiles(app.dataSource, m);

    // After: run 2 h, three unplanned stops of 1 h; counts and the job's ideal cycle time unchanged.
    await expectOee({
      calendarSeconds: 18_000,
      plannedWindowSeconds: 18_000,
      plannedShutdownSeconds: 0,
      plannedProductionSeconds: 18_000,
      runSeconds: 7_200,
      unplannedStopSeconds: 10_800,
      plannedStopSeconds: 0,
      ratedRunSeconds: 7_200,
      idealSeconds: 30 * 180,
      totalCount: 180,
      goodCount: 150,
      rejectCount: 30,
      unplannedStopCount: 3,
      mtbfSeconds: 2_400,
      mttrSeconds: 3_600,
      availability: 7_200 / 18_000,
      performance: (30 * 180) / 7_200,
      quality: 150 / 180,
    });
    const losses = (await oee(...SHORT)).losses;
    expect(losses).toEqual([
      { activityCodeId: DOWN, category: 'unplanned_stop', seconds: 7_200, occurrences: 2 },
      { activityCodeId: JAM, category: 'unplanned_stop', seconds: 3_600, occurrences: 1 },
    ]);

    const entries = (await audit()).filter((e) => e.action === 'timeline.correct');
    expect(entries).toEqual([
      {
        id: expect.any(Number),
        at: expect.any(String),
        userId: sueId,
        apiKeyId: null,
        action: 'timeline.correct',
        entity: 'timeline',
        entityId: String(res.body.correction.id),
        machineId: m,
        before,
        after,
        note: 'the jam was not logged',
      },
    ]);
  });

  it('is harmless to repeat: the same eventId, or the same correction again, changes nothing', async () => {
    const before = await snapshot(app.dataSource);
    const entries = await auditCount();
    const replay = await sue.post(`/api/v1/machines/${m}/corrections`, {
      from: t('10:00'),
      to: t('11:00'),
      activityCodeId: JAM,
      note: 'the jam was not logged',
      eventId: 'corr-1',
    });
    expect(replay.status).toBe(201);
    expect(replay.body.after).toEqual([{ start: t('10:00'), end: t('11:00'), activityCodeId: JAM, jobId: jobJ, operatorId: null }]);
    expect(replay.body.before[0].activityCodeId).toBe(UP);
    const again = await sue.post(`/api/v1/machines/${m}/corrections`, { from: t('10:00'), to: t('11:00'), activityCodeId: JAM });
    expect(again.status).toBe(201);
    expect(again.body.correction.id).toBe(replay.body.correction.id);
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(entries);
    // The eventId names that correction: using it for another one is a conflict.
    expect(
      (await sue.post(`/api/v1/machines/${m}/corrections`, { from: t('10:00'), to: t('10:30'), activityCodeId: DOWN, eventId: 'corr-1' }))
        .status,
    ).toBe(409);
  });

  it('refuses a span reaching into the open interval, reversing time, in the future or before the history (400), storing nothing', async () => {
    const before = await snapshot(app.dataSource);
    const entries = await auditCount();
    const cases: [Record<string, unknown>, number, string][] = [
      [{ from: t('15:30'), to: t('16:30'), activityCodeId: DOWN }, 400, 'current state'], // the open interval began at 16:00
      [{ from: t('16:30'), to: t('17:00'), activityCodeId: DOWN }, 400, 'current state'],
      [{ from: t('11:00'), to: t('10:00'), activityCodeId: DOWN }, 400, 'Invalid body'],
      [{ from: t('10:00'), to: t('10:00'), activityCodeId: DOWN }, 400, 'Invalid body'],
      [{ from: t('17:00'), to: '2026-03-10T19:00:00Z', activityCodeId: DOWN }, 400, 'future'],
      [{ from: t('07:00'), to: t('09:00'), activityCodeId: DOWN }, 400, 'history begins'],
      [{ from: t('10:00'), to: t('11:00'), activityCodeId: 999 }, 400, 'activity code'],
      [{ from: t('10:00'), to: t('11:00') }, 400, 'Invalid body'],
      [{ from: 'yesterday', to: t('11:00'), activityCodeId: DOWN }, 400, 'Invalid body'],
    ];
    for (const [body, status, message] of cases) {
      const res = await sue.post(`/api/v1/machines/${m}/corrections`, body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), status]);
      expect(res.body.error.message).toContain(message);
    }
    expect((await sue.post('/api/v1/machines/999999/corrections', { from: t('10:00'), to: t('11:00'), activityCodeId: DOWN })).status).toBe(
      404,
    );
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(entries);
  });

  it('refuses a running code over a span where no job was active (409), as the live path refuses, storing nothing', async () => {
    const RUN_SLOW = (
      await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Slow run', category: 'running', colour: '#00AA00' })
    ).body.id as number;
    const cases: [Record<string, unknown>, string][] = [
      // Up over 08:00–09:00, before job J: no job at all.
      [{ from: t('08:00'), to: t('09:00'), activityCodeId: UP }, `no job was active from ${t('08:00')} to ${t('09:00')}`],
      // From inside job J past its end at 12:00: partly without a job.
      [{ from: t('11:00'), to: t('12:30'), activityCodeId: UP }, `no job was active from ${t('12:00')} to ${t('12:30')}`],
      // Any running code, not only Up.
      [{ from: t('12:00'), to: t('13:00'), activityCodeId: RUN_SLOW }, `no job was active from ${t('12:00')} to ${t('13:00')}`],
    ];
    const before = await snapshot(app.dataSource);
    const entries = await auditCount();
    for (const [body, message] of cases) {
      const res = await sue.post(`/api/v1/machines/${m}/corrections`, body);
      expect([JSON.stringify(body), res.status, res.body.error.code]).toEqual([JSON.stringify(body), 409, 'conflict']);
      expect(res.body.error.message).toBe(
        `Cannot set a machine to up when there is no active job: ${message}; start or extend a job there first`,
      );
    }
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(entries);
  });

  it('is for supervisors and admins only', async () => {
    const before = await snapshot(app.dataSource);
    const body = { from: t('09:00'), to: t('09:30'), activityCodeId: DOWN };
    expect((await c.operator.post(`/api/v1/machines/${m}/corrections`, body)).status).toBe(403);
    expect((await c.viewer.post(`/api/v1/machines/${m}/corrections`, body)).status).toBe(403);
    expect((await c.device.post(`/api/v1/machines/${m}/corrections`, body)).status).toBe(403);
    expect((await c.anonymous.post(`/api/v1/machines/${m}/corrections`, body)).status).toBe(401);
    for (const client of [c.operator, c.viewer, c.device]) {
      expect((await client.patch(`/api/v1/jobs/${jobJ}`, { jobNumber: 'X' })).status).toBe(403);
      expect((await client.patch(`/api/v1/production/${recordId}`, { good: 1 })).status).toBe(403);
      expect((await client.delete(`/api/v1/production/${recordId}`)).status).toBe(403);
      expect((await client.post('/api/v1/production', { machineId: m, good: 1, rejects: 0, at: t('10:00') })).status).toBe(403);
      expect((await client.get('/api/v1/audit')).status).toBe(403);
    }
    expect((await c.anonymous.get('/api/v1/audit')).status).toBe(401);
    expect((await c.anonymous.patch(`/api/v1/jobs/${jobJ}`, { jobNumber: 'X' })).status).toBe(401);
    expect(await snapshot(app.dataSource)).toEqual(before);
  });
});

describe('PATCH /api/v1/jobs/:id', () => {
  it("moves a past job's times and ideal cycle time: jobs, timeline, OEE and audit follow", async () => {
    // 08:00 is where the stop before it began: the stop stays one interval, now inside the job.
    const res = await sue.patch(`/api/v1/jobs/${jobJ}`, {
      start: t('08:00'),
      idealCycleTimeSeconds: 40,
      jobNumber: 'J-1',
      note: 'started early',
    });
    expect(res.status).toBe(200);
    expect(res.body.job).toEqual({
      id: jobJ,
      machineId: m,
      jobNumber: 'J-1',
      start: t('08:00'),
      end: t('12:00'),
      idealCycleTimeSeconds: 40,
      good: 150,
      rejects: 30,
    });
    const jobs = (await c.viewer.get(`/api/v1/jobs?from=${t('00:00')}&to=${t('18:00')}&machineId=${m}`)).body.jobs;
    expect(jobs[0]).toEqual(res.body.job);
    expect((await timeline(t('00:00'), t('13:00'))).map((i) => [i.start, i.end, i.activityCodeId, i.jobId])).toEqual([
      [t('08:00'), t('09:00'), DOWN, jobJ],
      [t('09:00'), t('10:00'), UP, jobJ],
      [t('10:00'), t('11:00'), JAM, jobJ],
      [t('11:00'), t('12:00'), UP, jobJ],
      [t('12:00'), t('13:00'), DOWN, null],
    ]);
    await assertTiles(app.dataSource, m);
    // Ideal cycle time 40 s × 180 parts over 2 h of rated run time.
    await expectOee({
      runSeconds: 7_200,
      ratedRunSeconds: 7_200,
      idealSeconds: 7_200,
      fullyProductiveSeconds: 6_000,
      performance: 1,
      unplannedStopCount: 3,
    });
    const entry = (await audit()).filter((e) => e.action === 'job.update').at(-1)!;
    expect(entry).toMatchObject({
      userId: sueId,
      before: { jobNumber: 'J', start: t('09:00'), end: t('12:00'), idealCycleTimeSeconds: 30 },
      after: { jobNumber: 'J-1', start: t('08:00'), end: t('12:00'), idealCycleTimeSeconds: 40 },
      note: 'started early',
    });

    // The same edit again changes nothing.
    const before = await snapshot(app.dataSource);
    const entries = await auditCount();
    expect((await sue.patch(`/api/v1/jobs/${jobJ}`, { start: t('08:00'), idealCycleTimeSeconds: 40, jobNumber: 'J-1' })).status).toBe(200);
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(entries);
  });

  it('re-assigns production records when a job no longer covers them', async () => {
    const point = (await c.device.post(`/api/v1/machines/${m}/production`, { good: 5, rejects: 0, at: t('11:30') })).body.record;
    expect(point.jobId).toBe(jobJ);
    expect((await sue.patch(`/api/v1/jobs/${jobJ}`, { end: t('11:00') })).body.job).toMatchObject({
      end: t('11:00'),
      good: 150,
      rejects: 30,
    });
    const records = (await c.viewer.get(`/api/v1/production?from=${t('00:00')}&to=${t('18:00')}&machineId=${m}`)).body.records;
    expect(records.find((r: { id: number }) => r.id === point.id).jobId).toBeNull();
    expect((await timeline(t('11:00'), t('12:00')))[0]).toMatchObject({ start: t('11:00'), activityCodeId: UP, jobId: null });
    const entry = (await audit()).filter((e) => e.action === 'job.update').at(-1)!;
    expect(entry.after.productionReassigned).toEqual([{ id: point.id, jobIdBefore: jobJ, jobIdAfter: null }]);
    // Back to 12:00: the point record belongs to J again.
    await sue.patch(`/api/v1/jobs/${jobJ}`, { end: t('12:00') });
    expect((await c.viewer.get(`/api/v1/jobs?from=${t('00:00')}&to=${t('18:00')}&machineId=${m}`)).body.jobs[0]).toMatchObject({
      good: 155,
    });
    await sue.delete(`/api/v1/production/${point.id}`);
  });

  it('refuses an overlap with another job (409) and an end before the start (400), storing nothing', async () => {
    const before = await snapshot(app.dataSource);
    const entries = await auditCount();
    const overlap = await sue.patch(`/api/v1/jobs/${jobJ}`, { end: t('14:30') });
    expect(overlap.status).toBe(409);
    expect((await sue.patch(`/api/v1/jobs/${jobJ}`, { end: t('07:30') })).status).toBe(400);
    expect((await sue.patch(`/api/v1/jobs/${jobJ}`, { start: t('13:00'), end: t('12:00') })).status).toBe(400);
    expect((await sue.patch(`/api/v1/jobs/${jobJ}`, { start: '2026-03-11T09:00:00Z' })).status).toBe(400);
    expect((await sue.patch('/api/v1/jobs/999999', { jobNumber: 'X' })).status).toBe(404);
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(entries);
  });
});

describe('production records by hand', () => {
  it('edits a record: jobs, OEE and audit follow', async () => {
    const res = await sue.patch(`/api/v1/production/${recordId}`, { good: 120, note: 'recount' });
    expect(res.status).toBe(200);
    expect(res.body.record).toEqual({ id: recordId, machineId: m, jobId: jobJ, from: t('09:00'), to: t('12:00'), good: 120, rejects: 30 });
    expect((await c.viewer.get(`/api/v1/jobs?from=${t('00:00')}&to=${t('18:00')}&machineId=${m}`)).body.jobs[0]).toMatchObject({
      good: 120,
      rejects: 30,
    });
    await expectOee({
      goodCount: 120,
      rejectCount: 30,
      totalCount: 150,
      quality: 120 / 150,
      idealSeconds: 40 * 150,
      fullyProductiveSeconds: 40 * 120,
    });
    expect((await audit()).filter((e) => e.action === 'production.update').at(-1)).toMatchObject({
      userId: sueId,
      before: { id: recordId, good: 150, rejects: 30, from: t('09:00'), to: t('12:00') },
      after: { id: recordId, good: 120, rejects: 30 },
      note: 'recount',
    });
    // Half of the span moved out of the window: OEE counts the half left in it (pro-rata).
    await sue.patch(`/api/v1/production/${recordId}`, { from: t('11:00'), to: t('15:00') });
    expect(await oee(...SHORT)).toMatchObject({ goodCount: 60, rejectCount: 15 });
    await sue.patch(`/api/v1/production/${recordId}`, { from: t('09:00'), to: t('12:00') });
    expect((await sue.patch(`/api/v1/production/${recordId}`, { from: t('13:00') })).status).toBe(400);
    expect((await sue.patch('/api/v1/production/999999', { good: 1 })).status).toBe(404);
  });

  it('adds a record by hand (once per eventId) and deletes records (a repeated delete is harmless)', async () => {
    const body = { machineId: m, good: 10, rejects: 2, from: t('09:00'), to: t('10:00'), note: 'paper log', eventId: 'manual-1' };
    const added = await sue.post('/api/v1/production', body);
    expect(added.status).toBe(201);
    expect(added.body.record).toEqual({
      id: expect.any(Number),
      machineId: m,
      jobId: jobJ,
      from: t('09:00'),
      to: t('10:00'),
      good: 10,
      rejects: 2,
    });
    const entries = await auditCount();
    expect((await sue.post('/api/v1/production', body)).body.record).toEqual(added.body.record);
    expect(await auditCount()).toBe(entries);
    expect(await oee(...SHORT)).toMatchObject({ goodCount: 130, rejectCount: 32 });
    expect((await audit()).filter((e) => e.action === 'production.create').at(-1)).toMatchObject({
      userId: sueId,
      before: null,
      after: added.body.record,
      note: 'paper log',
    });

    expect((await sue.delete(`/api/v1/production/${recordId}`)).status).toBe(204);
    expect((await c.viewer.get(`/api/v1/jobs?from=${t('00:00')}&to=${t('18:00')}&machineId=${m}`)).body.jobs[0]).toMatchObject({
      good: 10,
      rejects: 2,
    });
    await expectOee({ goodCount: 10, rejectCount: 2, totalCount: 12 });
    expect((await audit()).filter((e) => e.action === 'production.delete').at(-1)).toMatchObject({
      userId: sueId,
      before: { id: recordId, good: 120, rejects: 30 },
      after: null,
    });
    const before = await snapshot(app.dataSource);
    const count = await auditCount();
    expect((await sue.delete(`/api/v1/production/${recordId}`)).status).toBe(204);
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(count);
    expect((await sue.delete('/api/v1/production/999999')).status).toBe(404);
  });
});

describe('GET /api/v1/audit', () => {
  it('lists every change with who, when, before, after and note, filtered by machine and time', async () => {
    const entries = await audit();
    expect(entries.map((e) => e.action)).toEqual([
      'machine.create',
      'timeline.correct',
      'job.update',
      'job.update',
      'job.update',
      'production.delete',
      'production.update',
      'production.update',
      'production.update',
      'production.create',
      'production.delete',
    ]);
    for (const e of entries) expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    const all = (await sue.get('/api/v1/audit')).body.entries;
    expect(all.length).toBeGreaterThan(entries.length); // set-up changes of other entities too
    expect((await sue.get(`/api/v1/audit?machineId=${m}&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`)).body.entries).toEqual([]);
    expect((await sue.get('/api/v1/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(400);
  });
});
