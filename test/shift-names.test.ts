import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { clientsForRoles } from './support/http-client.js';
import { insertTimeline } from './support/oee-fixtures.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Named shifts and the planned windows timelines shade (docs/oee.md#planned-windows), against the real
 * app and Postgres: names validated and stored on a pattern's shifts, carried by `shift` buckets and the
 * `oee` export's Shift column, kept per version; `GET /machines/{id}/planned-windows` with its refusals.
 */
const UP = 1;
const DOWN = 2;
const clock = new FixedClock(new Date('2026-05-08T18:00:00Z')); // "today" is Friday 8 May, site zone UTC
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const SHIFTS = [
  { days: EVERY_DAY, start: '06:00', end: '14:00', name: 'Early' },
  { days: EVERY_DAY, start: '14:00', end: '22:00', name: 'Late' },
];

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let pattern: number;
let machine: number;
let always: number;

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(200);
  const created = await c.admin.post('/api/v1/shift-patterns', { name: 'Two shifts', shifts: SHIFTS });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ name: 'Two shifts', shifts: SHIFTS, exceptions: [] });
  pattern = created.body.id;
  machine = (await c.admin.post('/api/v1/machines', { name: 'Named', groupId: 1, shiftPatternId: pattern })).body.id;
  always = (await c.admin.post('/api/v1/machines', { name: 'Always on', groupId: 1 })).body.id;
  // Thursday 7 May: Down until 07:21 (1 h 21 min of it in the Early shift), Up from then to midnight.
  await insertTimeline(app.dataSource, machine, [
    { start: '2026-05-07T00:00:00Z', end: '2026-05-07T07:21:00Z', activityCodeId: DOWN },
    { start: '2026-05-07T07:21:00Z', end: '2026-05-08T00:00:00Z', activityCodeId: UP },
  ]);
});
afterAll(() => app.stop());

const thursday = 'from=2026-05-07T00:00:00Z&to=2026-05-08T00:00:00Z';

describe('shift names', () => {
  it('are stored on the shifts and listed with the pattern and its versions', async () => {
    const listed = (await c.viewer.get('/api/v1/shift-patterns')).body.find((p: { id: number }) => p.id === pattern);
    expect(listed.shifts).toEqual(SHIFTS);
    expect((await c.viewer.get(`/api/v1/shift-patterns/${pattern}/versions`)).body).toEqual([
      { from: null, until: null, shifts: SHIFTS, exceptions: [] },
    ]);
  });

  it('400 for an empty, too long or non-text name, on shifts and on exception shifts, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'Bad 1', shifts: [{ days: [1], start: '06:00', end: '14:00', name: '  ' }] }, 'shifts.0.name'],
      [{ name: 'Bad 2', shifts: [{ days: [1], start: '06:00', end: '14:00', name: 'x'.repeat(41) }] }, 'shifts.0.name'],
      [{ name: 'Bad 3', shifts: [{ days: [1], start: '06:00', end: '14:00', name: 7 }] }, 'shifts.0.name'],
      [
        { name: 'Bad 4', shifts: [], exceptions: [{ date: '2026-05-09', shifts: [{ start: '06:00', end: '10:00', name: '' }] }] },
        'exceptions.0.shifts.0.name',
      ],
    ];
    for (const [body, path] of cases) {
      const res = await c.admin.post('/api/v1/shift-patterns', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(res.body.error.issues.map((d: { path: (string | number)[] }) => d.path.join('.'))).toContain(path);
    }
    expect((await c.viewer.get('/api/v1/shift-patterns')).body.map((p: { name: string }) => p.name)).not.toContain('Bad 1');
  });

  it('name the shift buckets of the OEE, with their exact numbers', async () => {
    const res = await c.viewer.get(`/api/v1/oee?machineId=${machine}&${thursday}&bucket=shift`);
    expect(res.status).toBe(200);
    expect(res.body.buckets).toHaveLength(2);
    expect(res.body.buckets[0]).toMatchObject({
      from: '2026-05-07T06:00:00.000Z',
      to: '2026-05-07T14:00:00.000Z',
      shiftName: 'Early',
      plannedWindowSeconds: 28_800,
      runSeconds: 23_940, // 07:21–14:00
      unplannedStopSeconds: 4_860, // 06:00–07:21
    });
    expect(res.body.buckets[1]).toMatchObject({
      from: '2026-05-07T14:00:00.000Z',
      to: '2026-05-07T22:00:00.000Z',
      shiftName: 'Late',
      plannedWindowSeconds: 28_800,
      runSeconds: 28_800,
      unplannedStopSeconds: 0,
    });
    // Day buckets are not shifts: no name.
    const days = await c.viewer.get(`/api/v1/oee?machineId=${machine}&${thursday}&bucket=day`);
    expect(days.body.buckets[0].shiftName).toBeUndefined();
  });

  it('fill the Shift column of the oee export', async () => {
    const res = await c.viewer.get(`/api/v1/export/oee.csv?machineId=${machine}&${thursday}&bucket=shift`);
    expect(res.status).toBe(200);
    const lines = String(res.body)
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    const header = lines[0]!.split(',');
    expect(header.slice(0, 5)).toEqual(['Machine ID', 'Machine', 'From', 'To', 'Shift']);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).concat(l.split(',')[4]!))).toEqual([
      [String(machine), 'Named', 'Early'],
      [String(machine), 'Named', 'Late'],
    ]);
  });

  it('renamed from a date: the days before keep the old name, the days from it on have the new one', async () => {
    const renamed = [{ ...SHIFTS[0]!, name: 'Morning' }, SHIFTS[1]!];
    const res = await c.admin.patch(`/api/v1/shift-patterns/${pattern}`, { shifts: renamed, effectiveFrom: '2026-05-08' });
    expect(res.status).toBe(200);
    expect(res.body.shifts).toEqual(renamed);
    const names = async (from: string, to: string) =>
      (await c.viewer.get(`/api/v1/oee?machineId=${machine}&from=${from}&to=${to}&bucket=shift`)).body.buckets.map(
        (b: { shiftName?: string }) => b.shiftName,
      );
    expect(await names('2026-05-07T00:00:00Z', '2026-05-08T00:00:00Z')).toEqual(['Early', 'Late']);
    expect(await names('2026-05-08T00:00:00Z', '2026-05-08T18:00:00Z')).toEqual(['Morning', 'Late']);
    expect((await c.viewer.get(`/api/v1/shift-patterns/${pattern}/versions`)).body).toEqual([
      { from: null, until: '2026-05-08', shifts: SHIFTS, exceptions: [] },
      { from: '2026-05-08', until: null, shifts: renamed, exceptions: [] },
    ]);
  });
});

describe('GET /api/v1/machines/{id}/planned-windows', () => {
  it('the planned windows of the range, clipped, each with its shift date and name', async () => {
    const res = await c.viewer.get(`/api/v1/machines/${machine}/planned-windows?from=2026-05-07T10:00:00Z&to=2026-05-08T00:00:00Z`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      always: false,
      windows: [
        { start: '2026-05-07T10:00:00.000Z', end: '2026-05-07T14:00:00.000Z', shiftDate: '2026-05-07', name: 'Early' },
        { start: '2026-05-07T14:00:00.000Z', end: '2026-05-07T22:00:00.000Z', shiftDate: '2026-05-07', name: 'Late' },
      ],
    });
  });

  it('a machine without a pattern is planned 24/7: always, a window per local day', async () => {
    const res = await c.viewer.get(`/api/v1/machines/${always}/planned-windows?from=2026-05-07T12:00:00Z&to=2026-05-08T12:00:00Z`);
    expect(res.body).toEqual({
      always: true,
      windows: [
        { start: '2026-05-07T12:00:00.000Z', end: '2026-05-08T00:00:00.000Z', shiftDate: '2026-05-07' },
        { start: '2026-05-08T00:00:00.000Z', end: '2026-05-08T12:00:00.000Z', shiftDate: '2026-05-08' },
      ],
    });
  });

  it('400 for a missing or reversed range and for more than 400 days', async () => {
    const path = `/api/v1/machines/${machine}/planned-windows`;
    for (const query of [
      '',
      '?from=2026-05-07T00:00:00Z',
      '?from=2026-05-08T00:00:00Z&to=2026-05-07T00:00:00Z',
      '?from=yesterday&to=2026-05-07T00:00:00Z',
    ]) {
      const res = await c.viewer.get(`${path}${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
    const long = await c.viewer.get(`${path}?from=2025-01-01T00:00:00Z&to=2026-05-08T00:00:00Z`);
    expect(long.status).toBe(400);
    expect(long.body.error.issues).toEqual([expect.objectContaining({ path: ['to'], message: 'at most 400 days' })]);
  });

  it('401 without credentials, 403 for a device key', async () => {
    expect((await c.anonymous.get(`/api/v1/machines/${machine}/planned-windows?${thursday}`)).status).toBe(401);
    const res = await c.device.get(`/api/v1/machines/${machine}/planned-windows?${thursday}`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('404 for an unknown or malformed machine id', async () => {
    expect((await c.viewer.get(`/api/v1/machines/999999/planned-windows?${thursday}`)).status).toBe(404);
    expect((await c.viewer.get(`/api/v1/machines/x/planned-windows?${thursday}`)).status).toBe(404);
  });
});
