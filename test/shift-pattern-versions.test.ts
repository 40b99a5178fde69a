import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { clientsForRoles } from './support/http-client.js';
import { insertJobs, insertProduction, insertTimeline } from './support/oee-fixtures.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Versioned shift patterns (docs/oee.md#shift-pattern-versions) against the real app and Postgres: an
 * edit from a date leaves every day before it exactly as it was (its OEE and its stored roll-ups) and
 * changes the days from it on to the expected values; the routes of the versions and of the impact
 * preview, with their refusals.
 */
const UP = 1;
const DOWN = 2;
const CLOSED = 3;
const DAYS = ['2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07', '2026-05-08']; // Monday to Friday
const t = (day: string, hhmm: string) => `${day}T${hhmm}:00Z`;
const clock = new FixedClock(new Date(t('2026-05-08', '18:00'))); // "today" is Friday 8 May, site zone UTC
const NINE_TO_FIVE = [{ days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' }];
const TEN_TO_TWELVE = [{ days: [1, 2, 3, 4, 5, 6, 7], start: '10:00', end: '12:00' }];

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let pattern: number;
let machine: number;

const week = () => c.viewer.get(`/api/v1/oee?machineId=${machine}&from=${t(DAYS[0]!, '00:00')}&to=${t('2026-05-09', '00:00')}&bucket=day`);
const byDay = (body: { buckets: Record<string, unknown>[] }) => Object.fromEntries(body.buckets.map((b, i) => [DAYS[i]!, b]));
/** The machine's stored roll-ups (hours and days, with their losses), oldest first. */
async function storedRows(): Promise<{ start: string; hours: number; row: unknown }[]> {
  await app.flushRollups(); // computed hours are stored after the answer
  const rows: { hourStart: Date; hours: number; row: unknown }[] = await app.dataSource.query(
    `SELECT h."hourStart", h.hours, to_jsonb(h) - 'machineId' AS row,
            (SELECT jsonb_agg(to_jsonb(l) ORDER BY l."activityCodeId") FROM oee_hourly_losses l WHERE l."machineId" = h."machineId" AND l."hourStart" = h."hourStart" AND l.hours = h.hours) AS losses
       FROM oee_hourly h WHERE h."machineId" = $1 ORDER BY h."hourStart", h.hours`,
    [machine],
  );
  return rows.map((r) => ({ start: r.hourStart.toISOString(), hours: r.hours, row: r }));
}

/** docs/oee.md's worked example on each day: Closed until 09:00, Down 09–10, Up 10–12 (90 good, 10 rejects at 60 s a part), Closed after. */
async function writeWeek(machineId: number): Promise<void> {
  const jobs = await insertJobs(
    app.dataSource,
    machineId,
    DAYS.map((day) => ({ start: t(day, '10:00'), end: t(day, '12:00'), idealCycleTimeSeconds: 60 })),
  );
  await insertTimeline(
    app.dataSource,
    machineId,
    DAYS.flatMap((day, i) => [
      { start: t(day, '00:00'), end: t(day, '09:00'), activityCodeId: CLOSED },
      { start: t(day, '09:00'), end: t(day, '10:00'), activityCodeId: DOWN },
      { start: t(day, '10:00'), end: t(day, '12:00'), activityCodeId: UP, jobId: jobs[i]! },
      { start: t(day, '12:00'), end: i === DAYS.length - 1 ? null : t(DAYS[i + 1]!, '00:00'), activityCodeId: CLOSED },
    ]),
  );
  await insertProduction(
    app.dataSource,
    machineId,
    DAYS.map((day, i) => ({ from: t(day, '10:00'), to: t(day, '12:00'), good: 90, rejects: 10, jobId: jobs[i]! })),
  );
}

/** A day under 09:00–17:00: the worked example (OEE 0.5). */
function expectNineToFive(day: Record<string, any>, calendarSeconds: number): void {
  expect(day).toMatchObject({
    calendarSeconds,
    plannedWindowSeconds: 28_800,
    plannedShutdownSeconds: 18_000,
    plannedProductionSeconds: 10_800,
    runSeconds: 7_200,
    unplannedStopSeconds: 3_600,
    unplannedStopCount: 1,
    idealSeconds: 6_000,
    goodCount: 90,
    rejectCount: 10,
    losses: [{ activityCodeId: DOWN, category: 'unplanned_stop', seconds: 3_600, occurrences: 1 }],
  });
  expect(day.availability).toBeCloseTo(7_200 / 10_800, 12);
  expect(day.oee).toBeCloseTo(0.5, 12);
}

/** A day under 10:00–12:00: the Down hour and the Closed time lie outside planned time (OEE 0.75). */
function expectTenToTwelve(day: Record<string, any>, calendarSeconds: number): void {
  expect(day).toMatchObject({
    calendarSeconds,
    plannedWindowSeconds: 7_200,
    plannedShutdownSeconds: 0,
    plannedProductionSeconds: 7_200,
    runSeconds: 7_200,
    unplannedStopSeconds: 0,
    unplannedStopCount: 0,
    idealSeconds: 6_000,
    goodCount: 90,
    losses: [],
    availability: 1,
  });
  expect(day.performance).toBeCloseTo(6_000 / 7_200, 12);
  expect(day.oee).toBeCloseTo(0.75, 12);
}

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(200);
  pattern = (await c.admin.post('/api/v1/shift-patterns', { name: 'Versioned 9-5', shifts: NINE_TO_FIVE })).body.id;
  machine = (await c.admin.post('/api/v1/machines', { name: 'Versioned', groupId: 1, shiftPatternId: pattern })).body.id;
  await writeWeek(machine);
});
afterAll(() => app.stop());

describe('an edit from a date', () => {
  it('leaves every day before it as it was, stored roll-ups included, and changes the days from it on', async () => {
    const before = await week();
    expect(before.status).toBe(200);
    const old = byDay(before.body);
    for (const day of DAYS.slice(0, 4)) expectNineToFive(old[day]!, 86_400);
    expectNineToFive(old['2026-05-08']!, 64_800);
    const storedBefore = await storedRows();
    expect(storedBefore.filter((r) => r.hours > 1).map((r) => r.start)).toEqual(
      DAYS.slice(0, 4).map((day) => t(day, '00:00').replace('Z', '.000Z')),
    );

    const edit = await c.admin.patch(`/api/v1/shift-patterns/${pattern}`, { shifts: TEN_TO_TWELVE, effectiveFrom: '2026-05-06' });
    expect(edit.status).toBe(200);
    expect(edit.body).toEqual({ id: pattern, name: 'Versioned 9-5', shifts: TEN_TO_TWELVE, exceptions: [], effectiveFrom: '2026-05-06' });

    // Only the rows from the effective date on were dropped; the rows before it are untouched.
    const cut = t('2026-05-06', '00:00').replace('Z', '.000Z');
    expect(await storedRows()).toEqual(storedBefore.filter((r) => r.start < cut));

    const after = byDay((await week()).body);
    expect(after['2026-05-04']).toEqual(old['2026-05-04']);
    expect(after['2026-05-05']).toEqual(old['2026-05-05']);
    expectTenToTwelve(after['2026-05-06']!, 86_400);
    expectTenToTwelve(after['2026-05-07']!, 86_400);
    expectTenToTwelve(after['2026-05-08']!, 64_800);

    expect((await c.viewer.get(`/api/v1/shift-patterns/${pattern}/versions`)).body).toEqual([
      { from: null, until: '2026-05-06', shifts: NINE_TO_FIVE, exceptions: [] },
      { from: '2026-05-06', until: null, shifts: TEN_TO_TWELVE, exceptions: [] },
    ]);
  });

  it('takes effect today (site time) without a date, and keeps the versions before', async () => {
    const old = byDay((await week()).body);
    const edit = await c.admin.patch(`/api/v1/shift-patterns/${pattern}`, { shifts: NINE_TO_FIVE });
    expect(edit.body.effectiveFrom).toBe('2026-05-08');
    const after = byDay((await week()).body);
    for (const day of DAYS.slice(0, 4)) expect(after[day], day).toEqual(old[day]);
    expectTenToTwelve(after['2026-05-07']!, 86_400);
    expectNineToFive(after['2026-05-08']!, 64_800);
    expect(
      (await c.viewer.get(`/api/v1/shift-patterns/${pattern}/versions`)).body.map((v: { from: string | null; until: string | null }) => [
        v.from,
        v.until,
      ]),
    ).toEqual([
      [null, '2026-05-06'],
      ['2026-05-06', '2026-05-08'],
      ['2026-05-08', null],
    ]);
  });

  it('a rename keeps the versions and the OEE', async () => {
    const old = (await week()).body;
    const renamed = await c.admin.patch(`/api/v1/shift-patterns/${pattern}`, { name: 'Versioned days', effectiveFrom: '2026-05-01' });
    expect(renamed.body).toMatchObject({ name: 'Versioned days', shifts: NINE_TO_FIVE, effectiveFrom: '2026-05-08' });
    expect((await week()).body).toEqual(old);
    expect((await c.admin.patch(`/api/v1/shift-patterns/${pattern}`, { name: 'Versioned 9-5' })).status).toBe(200);
  });

  it('refuses a bad effective date with 400 and changes nothing', async () => {
    const before = (await c.admin.get(`/api/v1/shift-patterns/${pattern}/versions`)).body;
    for (const effectiveFrom of ['2026-02-30', '8 May', 20260508]) {
      const res = await c.admin.patch(`/api/v1/shift-patterns/${pattern}`, { shifts: TEN_TO_TWELVE, effectiveFrom });
      expect(res.status).toBe(400);
      expect(res.body.error.issues.map((i: { path: string[] }) => i.path)).toEqual([['effectiveFrom']]);
    }
    expect((await c.admin.get(`/api/v1/shift-patterns/${pattern}/versions`)).body).toEqual(before);
  });
});

describe('POST /api/v1/shift-patterns/{id}/impact', () => {
  const impact = (body: Record<string, unknown>, id = pattern) => c.admin.post(`/api/v1/shift-patterns/${id}/impact`, body);

  it('counts the days with history from the effective date to today whose planned time moves, and names the machines', async () => {
    const versions = (await c.admin.get(`/api/v1/shift-patterns/${pattern}/versions`)).body;
    // From before the machine's first data: its five days (the 6th and 7th had 10–12, the others 9–17).
    expect(
      (await impact({ shifts: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '06:00', end: '14:00' }], effectiveFrom: '2026-05-01' })).body,
    ).toEqual({
      effectiveFrom: '2026-05-01',
      today: '2026-05-08',
      days: 5,
      firstDay: '2026-05-04',
      lastDay: '2026-05-08',
      machines: [{ id: machine, name: 'Versioned' }],
    });
    // 9–17 again from the 4th changes only the days that had 10–12.
    expect((await impact({ shifts: NINE_TO_FIVE, effectiveFrom: '2026-05-04' })).body).toMatchObject({
      days: 2,
      firstDay: '2026-05-06',
      lastDay: '2026-05-07',
    });
    // Today by default; the same shifts change nothing; a date after today touches no day yet.
    expect((await impact({ shifts: TEN_TO_TWELVE })).body).toMatchObject({ effectiveFrom: '2026-05-08', days: 1, firstDay: '2026-05-08' });
    expect((await impact({ shifts: NINE_TO_FIVE })).body).toMatchObject({ days: 0, firstDay: null, lastDay: null });
    expect((await impact({ shifts: TEN_TO_TWELVE, effectiveFrom: '2026-06-01' })).body).toMatchObject({
      days: 0,
      machines: [{ id: machine, name: 'Versioned' }],
    });
    // A holiday on the 5th, from the 5th: the latest shifts (9–17) also replace the 6th's and 7th's 10–12.
    expect((await impact({ exceptions: [{ date: '2026-05-05', shifts: [] }], effectiveFrom: '2026-05-05' })).body).toMatchObject({
      days: 3,
      firstDay: '2026-05-05',
      lastDay: '2026-05-07',
    });
    expect((await impact({ exceptions: [{ date: '2026-05-08', shifts: [] }], effectiveFrom: '2026-05-08' })).body).toMatchObject({
      days: 1,
      firstDay: '2026-05-08',
    });
    // Nothing was saved.
    expect((await c.admin.get(`/api/v1/shift-patterns/${pattern}/versions`)).body).toEqual(versions);
  });

  it('a pattern no machine uses touches no day', async () => {
    const unused = (await c.admin.post('/api/v1/shift-patterns', { name: 'Unused', shifts: NINE_TO_FIVE })).body.id;
    expect((await impact({ shifts: [], effectiveFrom: '2026-01-01' }, unused)).body).toEqual({
      effectiveFrom: '2026-01-01',
      today: '2026-05-08',
      days: 0,
      firstDay: null,
      lastDay: null,
      machines: [],
    });
  });

  it('400 for invalid input, naming the field', async () => {
    for (const [body, field] of [
      [{ effectiveFrom: '2026-13-01' }, 'effectiveFrom'],
      [{ shifts: [{ days: [8], start: '06:00', end: '14:00' }] }, 'shifts'],
      [{ name: '' }, 'name'],
      [{ surprise: 1 }, ''],
    ] as const) {
      const res = await impact(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      if (field) expect(res.body.error.issues.some((i: { path: string[] }) => i.path[0] === field)).toBe(true);
    }
    expect(
      (await c.admin.request('POST', `/api/v1/shift-patterns/${pattern}/impact`, undefined, { raw: '{"shifts": ' })).body.error.code,
    ).toBe('malformed_json');
  });

  it('401 without credentials, 403 below admin', async () => {
    expect((await c.anonymous.post(`/api/v1/shift-patterns/${pattern}/impact`, {})).status).toBe(401);
    for (const client of [c.supervisor, c.operator, c.viewer, c.device]) {
      const res = await client.post(`/api/v1/shift-patterns/${pattern}/impact`, {});
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  it('404 for an unknown id', async () => {
    expect((await impact({ shifts: [] }, 999_999)).status).toBe(404);
    expect((await c.admin.post('/api/v1/shift-patterns/not-a-number/impact', { shifts: [] })).status).toBe(404);
  });

  it('409 for a name another pattern has, as saving would answer', async () => {
    const res = await impact({ name: '9-5', shifts: [] });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'conflict', message: 'A shift pattern named "9-5" already exists' });
    expect((await c.admin.patch(`/api/v1/shift-patterns/${pattern}`, { name: '9-5' })).status).toBe(409);
  });
});

describe('GET /api/v1/shift-patterns/{id}/versions', () => {
  it('a pattern never edited has one version, since always', async () => {
    expect((await c.viewer.get('/api/v1/shift-patterns/1/versions')).body).toEqual([
      { from: null, until: null, shifts: NINE_TO_FIVE, exceptions: [] },
    ]);
  });

  it('401 without credentials, 403 for a device key, 404 for an unknown or malformed id', async () => {
    expect((await c.anonymous.get(`/api/v1/shift-patterns/${pattern}/versions`)).status).toBe(401);
    expect((await c.device.get(`/api/v1/shift-patterns/${pattern}/versions`)).status).toBe(403);
    expect((await c.viewer.get('/api/v1/shift-patterns/999999/versions')).status).toBe(404);
    expect((await c.viewer.get('/api/v1/shift-patterns/x/versions')).status).toBe(404);
  });
});
