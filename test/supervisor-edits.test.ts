import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_COLUMNS } from '../core/audit-columns.js';
import { FixedClock } from '../core/clock.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { assertTiles, snapshot } from './support/db-snapshot.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The supervisors' machine page and audit screen (issue 17, points 2–4), through the API they use:
 * adding a past job, a job's counts, a job started and ended at times in the past, the correction
 * preview (a dry run of the correction itself) and the audit log's filters and CSV. Every new route
 * is checked for success, invalid input, wrong role, unknown id and conflict; refusals store nothing.
 */
const UP = 1;
const DOWN = 2;
const CLOSED = 3;
let SETUP: number;
const t = (hhmm: string) => `2026-03-10T${hhmm}:00.000Z`;

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let sue: ApiClient; // a supervisor with a session: the audit log names her
let sueId: number;
let m: number;
let p1: number;
let p2: number;
const clock = new FixedClock(new Date(t('18:00')));

const timeline = async (from = t('06:00'), to = t('18:00')) =>
  (
    (await c.viewer.get(`/api/v1/machines/${m}/timeline?from=${from}&to=${to}`)).body.intervals as {
      start: string;
      end: string | null;
      activityCodeId: number;
      jobId: number | null;
    }[]
  ).map((i) => [i.start, i.end, i.activityCodeId, i.jobId]);
/** The window [06:00, 16:00) of a machine planned 24/7: 10 h of planned production time. */
const oee = async () => (await c.viewer.get(`/api/v1/oee?machineId=${m}&from=${t('06:00')}&to=${t('16:00')}`)).body;
const job = async (id: number) =>
  ((await c.viewer.get(`/api/v1/jobs?from=${t('00:00')}&to=${t('18:00')}&machineId=${m}`)).body.jobs as { id: number }[]).find(
    (j) => j.id === id,
  );
const production = async () =>
  (await c.viewer.get(`/api/v1/production?from=${t('00:00')}&to=${t('18:00')}&machineId=${m}`)).body.records as {
    id: number;
    jobId: number | null;
    from: string;
    to: string;
    good: number;
    rejects: number;
  }[];
const auditCount = async () => Number((await app.dataSource.query(`SELECT count(*)::int AS n FROM audit_log`))[0].n);
const audit = async (query = '') =>
  (await sue.get(`/api/v1/audit?machineId=${m}${query}`)).body.entries as {
    id: number;
    userId: number | null;
    action: string;
    entityId: string | null;
    before: any;
    after: any;
    note: string | null;
  }[];

/** Every client below supervisor is refused, and nothing changes. */
async function expectSupervisorOnly(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<void> {
  const before = await snapshot(app.dataSource);
  const entries = await auditCount();
  for (const client of [c.operator, c.viewer, c.device])
    expect([path, (await client.request(method, path, body ?? (method === 'GET' ? undefined : {}))).status]).toEqual([path, 403]);
  expect((await c.anonymous.request(method, path, body ?? (method === 'GET' ? undefined : {}))).status).toBe(401);
  expect(await snapshot(app.dataSource)).toEqual(before);
  expect(await auditCount()).toBe(entries);
}

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  SETUP = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Setup', category: 'planned_stop', colour: '#3355FF' })).body
    .id;
  sueId = (await c.admin.post('/api/v1/users', { username: 'sue', password: 'supervisor password 1', role: 'supervisor' })).body.id;
  sue = await new ApiClient(app.url).signIn('sue', 'supervisor password 1');
  m = (await c.admin.post('/api/v1/machines', { name: 'Lathe 4' })).body.id; // no shift pattern: planned 24/7
  // A machine without a tablet: Down from 06:00 (nobody said why), Closed from 16:00 (open).
  await c.device.post('/api/v1/events', { events: [{ machineId: m, at: t('06:00'), activityCodeId: DOWN }] });
  await c.device.post('/api/v1/events', { events: [{ machineId: m, at: t('16:00'), activityCodeId: CLOSED }] });
});
afterAll(() => app?.stop());

describe('POST /api/v1/jobs (a past job)', () => {
  it('adds a job that ran 08:00–10:00 with its counts and what the machine did: timeline, jobs, OEE and audit follow exactly', async () => {
    expect(await oee()).toMatchObject({ plannedProductionSeconds: 36_000, runSeconds: 0, totalCount: 0, availability: 0 });
    const body = {
      machineId: m,
      jobNumber: 'P-1',
      start: t('08:00'),
      end: t('10:00'),
      idealCycleTimeSeconds: 60,
      good: 90,
      rejects: 10,
      activityCodeId: UP,
      note: 'from the paper log',
    };
    const res = await sue.post('/api/v1/jobs', body);
    expect(res.status).toBe(201);
    p1 = res.body.job.id;
    expect(res.body.job).toEqual({
      id: p1,
      machineId: m,
      jobNumber: 'P-1',
      start: t('08:00'),
      end: t('10:00'),
      idealCycleTimeSeconds: 60,
      good: 90,
      rejects: 10,
    });
    expect(await job(p1)).toEqual(res.body.job);
    expect(await timeline()).toEqual([
      [t('06:00'), t('08:00'), DOWN, null],
      [t('08:00'), t('10:00'), UP, p1],
      [t('10:00'), t('16:00'), DOWN, null],
      [t('16:00'), null, CLOSED, null],
    ]);
    await assertTiles(app.dataSource, m);
    expect(await production()).toEqual([
      { id: expect.any(Number), machineId: m, jobId: p1, from: t('08:00'), to: t('10:00'), good: 90, rejects: 10, source: 'correction' },
    ]);
    // 2 h run of 10 h planned; 100 parts at 60 s = 6 000 s ideal over 7 200 s run; 90 of 100 good.
    expect(await oee()).toMatchObject({
      plannedProductionSeconds: 36_000,
      runSeconds: 7_200,
      idealSeconds: 6_000,
      totalCount: 100,
      goodCount: 90,
      availability: 0.2,
      performance: 6_000 / 7_200,
      quality: 0.9,
      oee: 0.2 * (6_000 / 7_200) * 0.9,
    });
    const entries = await audit();
    expect(entries.map((e) => e.action)).toEqual(['machine.create', 'job.create', 'timeline.correct']);
    expect(entries[1]).toMatchObject({
      userId: sueId,
      entityId: String(p1),
      before: null,
      after: {
        jobNumber: 'P-1',
        start: t('08:00'),
        end: t('10:00'),
        idealCycleTimeSeconds: 60,
        production: { jobId: p1, good: 90, rejects: 10, from: t('08:00'), to: t('10:00') },
      },
      note: 'from the paper log',
    });
    expect(entries[2]).toMatchObject({
      userId: sueId,
      before: [{ start: t('08:00'), end: t('10:00'), activityCodeId: DOWN, jobId: p1, operatorId: null }],
      after: [{ start: t('08:00'), end: t('10:00'), activityCodeId: UP, jobId: p1, operatorId: null }],
      note: 'from the paper log',
    });

    // The same job again (a retry): the stored one, nothing changes.
    const before = await snapshot(app.dataSource);
    const count = await auditCount();
    const again = await sue.post('/api/v1/jobs', body);
    expect([again.status, again.body.job]).toEqual([201, res.body.job]);
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(count);
  });

  it('adds a job without counts or code: only the job changes (the intervals of its span become its own)', async () => {
    const res = await sue.post('/api/v1/jobs', { machineId: m, jobNumber: 'P-2', start: t('11:00'), end: t('12:00') });
    expect(res.status).toBe(201);
    p2 = res.body.job.id;
    expect(res.body.job).toEqual({
      id: p2,
      machineId: m,
      jobNumber: 'P-2',
      start: t('11:00'),
      end: t('12:00'),
      idealCycleTimeSeconds: null,
      good: 0,
      rejects: 0,
    });
    expect(await timeline()).toEqual([
      [t('06:00'), t('08:00'), DOWN, null],
      [t('08:00'), t('10:00'), UP, p1],
      [t('10:00'), t('11:00'), DOWN, null],
      [t('11:00'), t('12:00'), DOWN, p2],
      [t('12:00'), t('16:00'), DOWN, null],
      [t('16:00'), null, CLOSED, null],
    ]);
    expect((await audit()).at(-1)).toMatchObject({
      action: 'job.create',
      entityId: String(p2),
      after: { jobNumber: 'P-2', idealCycleTimeSeconds: null },
    });
  });

  it('refuses invalid input (400), an unknown machine (404) and an overlap (409), storing nothing', async () => {
    const before = await snapshot(app.dataSource);
    const entries = await auditCount();
    const base = { machineId: m, jobNumber: 'X', start: t('13:00'), end: t('14:00') };
    const invalid: [Record<string, unknown>, string][] = [
      [{ ...base, end: t('13:00') }, 'Invalid body'],
      [{ ...base, end: t('12:30') }, 'Invalid body'],
      [{ ...base, jobNumber: '' }, 'Invalid body'],
      [{ ...base, start: undefined }, 'Invalid body'],
      [{ ...base, good: -1 }, 'Invalid body'],
      [{ ...base, idealCycleTimeSeconds: 0 }, 'Invalid body'],
      [{ ...base, colour: 'red' }, 'Invalid body'],
      [{ ...base, start: '1999-12-31T00:00:00Z' }, 'lies before'],
      [{ ...base, end: '2026-03-10T19:00:00Z' }, 'future'],
      [{ ...base, activityCodeId: 999 }, 'Unknown activity code'],
      // The code over the span is a correction: it may not start before the machine's history (06:00).
      [{ ...base, start: t('05:00'), end: t('07:00'), activityCodeId: UP }, "The machine's history begins at"],
    ];
    for (const [body, message] of invalid) {
      const res = await sue.post('/api/v1/jobs', body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect(res.body.error.message).toContain(message);
    }
    expect((await sue.post('/api/v1/jobs', { ...base, machineId: 999_999 })).status).toBe(404);
    const overlap = await sue.post('/api/v1/jobs', { ...base, start: t('09:00'), end: t('11:00') });
    expect([overlap.status, overlap.body.error.code]).toEqual([409, 'conflict']);
    // Same span as P-1 but another number: not a retry, an overlap.
    expect((await sue.post('/api/v1/jobs', { ...base, jobNumber: 'P-1b', start: t('08:00'), end: t('10:00') })).status).toBe(409);
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(entries);
  });

  it('is for supervisors and admins only', async () => {
    // Admins may too (test/faults/role-matrix.test.ts checks every route for every role).
    await expectSupervisorOnly('POST', '/api/v1/jobs', { machineId: m, jobNumber: 'R', start: t('13:00'), end: t('14:00') });
  });
});

describe('POST /api/v1/machines/:id/corrections/preview', () => {
  it('says what a correction moves between codes, stores nothing, and agrees with the correction when it is applied', async () => {
    const before = await snapshot(app.dataSource);
    const entries = await auditCount();
    const body = { from: t('10:00'), to: t('11:20'), activityCodeId: SETUP, note: 'changeover' };
    const res = await sue.post(`/api/v1/machines/${m}/corrections/preview`, body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      before: [
        { start: t('10:00'), end: t('11:00'), activityCodeId: DOWN, jobId: null, operatorId: null },
        { start: t('11:00'), end: t('11:20'), activityCodeId: DOWN, jobId: p2, operatorId: null },
      ],
      after: [
        { start: t('10:00'), end: t('11:00'), activityCodeId: SETUP, jobId: null, operatorId: null },
        { start: t('11:00'), end: t('11:20'), activityCodeId: SETUP, jobId: p2, operatorId: null },
      ],
      // 1 h 20 min from Down (unplanned stop) to Setup (planned stop).
      moves: [
        { fromActivityCodeId: DOWN, fromCategory: 'unplanned_stop', toActivityCodeId: SETUP, toCategory: 'planned_stop', seconds: 4_800 },
      ],
    });
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(entries);

    const applied = await sue.post(`/api/v1/machines/${m}/corrections`, body);
    expect(applied.status).toBe(201);
    expect(applied.body.before).toEqual(res.body.before);
    expect(applied.body.after).toEqual(res.body.after);
    expect(await oee()).toMatchObject({ unplannedStopSeconds: 36_000 - 7_200 - 4_800, plannedStopSeconds: 4_800 });
    // Now in force: the preview moves nothing.
    expect((await sue.post(`/api/v1/machines/${m}/corrections/preview`, body)).body.moves).toEqual([]);
  });

  it('moves several codes at once, the largest first', async () => {
    const res = await sue.post(`/api/v1/machines/${m}/corrections/preview`, { from: t('09:30'), to: t('12:30'), activityCodeId: DOWN });
    expect(res.status).toBe(200);
    expect(res.body.moves).toEqual([
      { fromActivityCodeId: SETUP, fromCategory: 'planned_stop', toActivityCodeId: DOWN, toCategory: 'unplanned_stop', seconds: 4_800 },
      { fromActivityCodeId: UP, fromCategory: 'running', toActivityCodeId: DOWN, toCategory: 'unplanned_stop', seconds: 1_800 },
    ]);
  });

  it('refuses what the correction refuses: invalid input (400), an unknown machine (404), a running code without a job (409)', async () => {
    const before = await snapshot(app.dataSource);
    const entries = await auditCount();
    const invalid: [Record<string, unknown>, string][] = [
      [{ from: t('11:00'), to: t('10:00'), activityCodeId: DOWN }, 'Invalid body'],
      [{ from: t('10:00'), to: t('11:00') }, 'Invalid body'],
      [{ from: t('10:00'), to: t('11:00'), activityCodeId: 999 }, 'Unknown activity code'],
      [{ from: t('15:00'), to: t('17:00'), activityCodeId: DOWN }, 'current state'],
      [{ from: t('05:00'), to: t('07:00'), activityCodeId: DOWN }, 'history begins'],
    ];
    for (const [body, message] of invalid) {
      const res = await sue.post(`/api/v1/machines/${m}/corrections/preview`, body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect(res.body.error.message).toContain(message);
    }
    expect(
      (await sue.post('/api/v1/machines/999999/corrections/preview', { from: t('10:00'), to: t('11:00'), activityCodeId: DOWN })).status,
    ).toBe(404);
    const running = await sue.post(`/api/v1/machines/${m}/corrections/preview`, { from: t('12:00'), to: t('13:00'), activityCodeId: UP });
    expect([running.status, running.body.error.code]).toEqual([409, 'conflict']);
    expect(running.body.error.message).toContain(`no job was active from ${t('12:00')} to ${t('13:00')}`);
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(entries);
  });

  it('is for supervisors and admins only', async () => {
    await expectSupervisorOnly('POST', `/api/v1/machines/${m}/corrections/preview`, {
      from: t('10:00'),
      to: t('11:00'),
      activityCodeId: DOWN,
    });
  });
});

describe("PATCH /api/v1/jobs/:id: a job's counts", () => {
  it("sets the counts on the job's one record, or on a new record over a job without any; OEE and audit follow", async () => {
    const [record] = (await production()).filter((r) => r.jobId === p1);
    const res = await sue.patch(`/api/v1/jobs/${p1}`, { good: 95, note: 'recounted' });
    expect(res.status).toBe(200);
    expect(res.body.job).toMatchObject({ id: p1, good: 95, rejects: 10 });
    expect((await production()).filter((r) => r.jobId === p1)).toEqual([{ ...record, good: 95 }]);
    expect(await oee()).toMatchObject({
      totalCount: 105,
      goodCount: 95,
      idealSeconds: 6_300,
      performance: 6_300 / 7_200,
      quality: 95 / 105,
    });
    expect((await audit()).at(-1)).toMatchObject({
      action: 'job.update',
      userId: sueId,
      before: { jobNumber: 'P-1', good: 90, rejects: 10 },
      after: { jobNumber: 'P-1', good: 95, rejects: 10, productionRecordId: record!.id },
      note: 'recounted',
    });

    // A mistyped ideal cycle time: 48 s, not 60 s. Performance follows: 105 parts × 48 s over 2 h.
    expect((await sue.patch(`/api/v1/jobs/${p1}`, { idealCycleTimeSeconds: 48 })).body.job).toMatchObject({
      idealCycleTimeSeconds: 48,
      good: 95,
    });
    expect(await oee()).toMatchObject({ idealSeconds: 5_040, performance: 0.7 });

    const created = await sue.patch(`/api/v1/jobs/${p2}`, { good: 30, rejects: 0 });
    expect(created.body.job).toMatchObject({ id: p2, good: 30, rejects: 0 });
    const p2Records = (await production()).filter((r) => r.jobId === p2);
    expect(p2Records).toEqual([
      { id: expect.any(Number), machineId: m, jobId: p2, from: t('11:00'), to: t('12:00'), good: 30, rejects: 0, source: 'correction' },
    ]);
    expect((await audit()).at(-1)).toMatchObject({
      before: { good: 0, rejects: 0 },
      after: { good: 30, rejects: 0, productionRecordId: p2Records[0]!.id },
    });

    // The same counts again change nothing.
    const before = await snapshot(app.dataSource);
    const entries = await auditCount();
    expect((await sue.patch(`/api/v1/jobs/${p2}`, { good: 30 })).status).toBe(200);
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(entries);
  });

  it('refuses counts for a job with several records (409), negative counts (400) and an unknown job (404), storing nothing', async () => {
    await sue.post('/api/v1/production', { machineId: m, good: 5, rejects: 0, from: t('09:00'), to: t('09:30') });
    const before = await snapshot(app.dataSource);
    const entries = await auditCount();
    const several = await sue.patch(`/api/v1/jobs/${p1}`, { good: 1, jobNumber: 'P-1x' });
    expect([several.status, several.body.error.code]).toEqual([409, 'conflict']);
    expect(several.body.error.message).toContain('has 2 production records');
    expect((await sue.patch(`/api/v1/jobs/${p1}`, { good: -1 })).status).toBe(400);
    expect((await sue.patch(`/api/v1/jobs/${p1}`, { rejects: 1.5 })).status).toBe(400);
    expect((await sue.patch('/api/v1/jobs/999999', { good: 1 })).status).toBe(404);
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await auditCount()).toBe(entries);
  });

  it('is for supervisors and admins only', async () => {
    await expectSupervisorOnly('PATCH', `/api/v1/jobs/${p1}`, { good: 1 });
  });
});

describe('a job started and ended at times in the past (POST /machines/:id/jobs, …/jobs/current/end with at)', () => {
  it('counts recorded in between belong to the job; counts after its end do not', async () => {
    const early = (await c.device.post(`/api/v1/machines/${m}/production`, { good: 3, rejects: 0, at: t('17:00') })).body.record;
    const late = (await c.device.post(`/api/v1/machines/${m}/production`, { good: 4, rejects: 1, at: t('17:45') })).body.record;
    expect([early.jobId, late.jobId]).toEqual([null, null]);

    const started = await sue.post(`/api/v1/machines/${m}/jobs`, { jobNumber: 'L-1', idealCycleTimeSeconds: 20, at: t('16:30') });
    expect(started.status).toBe(201);
    const l1 = started.body.job.id;
    expect(started.body.job).toMatchObject({ start: t('16:30'), end: null, good: 7, rejects: 1 });
    expect((await production()).filter((r) => r.id === early.id || r.id === late.id).map((r) => r.jobId)).toEqual([l1, l1]);

    const ended = await sue.post(`/api/v1/machines/${m}/jobs/current/end`, { at: t('17:30') });
    expect(ended.body.job).toMatchObject({ id: l1, start: t('16:30'), end: t('17:30'), good: 3, rejects: 0 });
    expect((await production()).filter((r) => r.id === early.id || r.id === late.id).map((r) => r.jobId)).toEqual([l1, null]);
    expect(await timeline(t('16:00'), t('18:00'))).toEqual([
      [t('16:00'), t('16:30'), CLOSED, null],
      [t('16:30'), t('17:30'), UP, l1],
      [t('17:30'), null, DOWN, null],
    ]);
    await assertTiles(app.dataSource, m);
  });
});

describe('GET /api/v1/audit: filters', () => {
  it('filters by user and machine, orders newest first and says when the limit cut the list', async () => {
    const mine = (await sue.get(`/api/v1/audit?userId=${sueId}`)).body;
    expect(mine.truncated).toBe(false);
    expect(mine.entries.length).toBeGreaterThan(5);
    expect(mine.entries.every((e: { userId: number }) => e.userId === sueId)).toBe(true);
    // The admin's set-up changes are not hers.
    expect(
      (await sue.get(`/api/v1/audit?userId=${sueId}`)).body.entries.some((e: { action: string }) => e.action === 'machine.create'),
    ).toBe(false);

    const newest = (await sue.get(`/api/v1/audit?machineId=${m}&userId=${sueId}&order=desc&limit=2`)).body;
    expect(newest.truncated).toBe(true);
    const all = await audit(`&userId=${sueId}`);
    expect(newest.entries).toEqual(all.slice(-2).reverse());
    expect((await sue.get(`/api/v1/audit?machineId=${m}&userId=${sueId}&limit=${all.length}`)).body.truncated).toBe(false);
  });

  it('refuses bad filters (400); an unknown machine or user has no entries', async () => {
    for (const query of [
      'userId=abc',
      'order=sideways',
      'limit=0',
      'machineId=-1',
      'from=2026-03-11T00:00:00Z&to=2026-03-10T00:00:00Z',
      'colour=red',
    ]) {
      expect([query, (await sue.get(`/api/v1/audit?${query}`)).status]).toEqual([query, 400]);
    }
    expect((await sue.get('/api/v1/audit?machineId=999999')).body).toEqual({ entries: [], truncated: false });
    expect((await sue.get('/api/v1/audit?userId=999999')).body).toEqual({ entries: [], truncated: false });
  });

  it('is for supervisors and admins only', async () => {
    await expectSupervisorOnly('GET', `/api/v1/audit?userId=${sueId}`);
  });
});

describe('GET /api/v1/audit.csv', () => {
  /** RFC 4180 rows of a small CSV (quoted fields with commas, quotes and line breaks). */
  function parseCsv(text: string, separator = ','): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else field += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === separator) {
        row.push(field);
        field = '';
      } else if (ch === '\r' && text[i + 1] === '\n') {
        row.push(field);
        rows.push(row);
        row = [];
        field = '';
        i++;
      } else field += ch;
    }
    return rows;
  }

  /** The file as bytes and text (fetch's text() would drop the byte-order mark). */
  async function csv(client: ApiClient, query: string) {
    const res = await fetch(`${app.url}/api/v1/audit.csv?${query}`, { headers: client.cookie ? { cookie: client.cookie } : {} });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
  }

  it('exports the filtered log with names, times in the site zone and before/after as JSON', async () => {
    const site = (await c.admin.get('/api/v1/site')).body;
    expect((await c.admin.put('/api/v1/site', { ...site, timezone: 'Europe/Berlin' })).status).toBe(200);
    const json = await audit(`&userId=${sueId}`);
    const res = await csv(sue, `machineId=${m}&userId=${sueId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="oee-monitor_audit_machine-${m}.csv"`);
    expect(res.headers.get('x-export-rows')).toBe(String(json.length));
    expect(res.headers.get('x-export-truncated')).toBe('false');
    expect([...res.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(res.text.slice(1));
    expect(header).toEqual(AUDIT_COLUMNS.map((col) => col.header));
    expect(rows.map((r) => [Number(r[0]), r[2], r[3], r[5], r[8], r[9]])).toEqual(
      json.map((e) => [e.id, 'sue', String(sueId), e.action, String(m), 'Lathe 4']),
    );
    const created = rows.find((r) => r[5] === 'job.create' && r[7] === String(p1))!;
    expect(JSON.parse(created[11]!)).toEqual(json.find((e) => e.action === 'job.create' && e.entityId === String(p1))!.after);
    expect(created[12]).toBe('from the paper log');
    // In the site's zone (Berlin: UTC+1, or +2 in summer), with the offset.
    expect(created[1]).toMatch(/^2\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+0[12]:00$/);

    const semicolon = await csv(sue, `machineId=${m}&separator=semicolon&limit=1`);
    expect(parseCsv(semicolon.text.slice(1), ';')[0]).toEqual(AUDIT_COLUMNS.map((col) => col.header));
    expect(semicolon.headers.get('x-export-truncated')).toBe('true');
  });

  it('refuses bad filters (400, as JSON); an unknown machine gives a file with the header only', async () => {
    for (const query of ['separator=tab', 'from=2026-03-11T00:00:00Z&to=2026-03-10T00:00:00Z', 'userId=0']) {
      const res = await sue.request('GET', `/api/v1/audit.csv?${query}`);
      expect([query, res.status, res.body.error?.code]).toEqual([query, 400, 'invalid_input']);
    }
    const empty = await csv(sue, 'machineId=999999');
    expect([empty.status, empty.headers.get('x-export-rows'), parseCsv(empty.text.slice(1)).length]).toEqual([200, '0', 1]);
  });

  it('is for supervisors and admins only', async () => {
    await expectSupervisorOnly('GET', '/api/v1/audit.csv');
  });
});
