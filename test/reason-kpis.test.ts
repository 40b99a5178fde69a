import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { COLUMNS, DATASET_COLUMNS } from '../core/export-columns.js';
import type { ReasonKpiRow } from '../core/schemas/reason-kpis.schema.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { TabletClient } from './support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The reason KPIs (issue 20 point 2, docs/oee.md "Reason KPIs"): a seeded day of two machines on an
 * Early/Late pattern, stops with Down and No data, reasons given later on the tablet and by a supervisor at
 * known clock times; the API's rows, and the reasons export as CSV and xlsx. The clock is pinned.
 */
const T = (hm: string) => `2026-11-24T${hm}:00.000Z`;
const WINDOW = `from=${T('00:00')}&to=2026-11-25T00:00:00.000Z`;
const clock = new FixedClock(new Date(T('22:30')));
const UP = 1;
const DOWN = 2;

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let press: number;
let lathe: number;
let jam: number;
let changeover: number;
let noData: number;
let tablet: TabletClient;

const events = (machineId: number, list: [string, number][]) =>
  c.device.post('/api/v1/events', { events: list.map(([hm, activityCodeId]) => ({ machineId, at: T(hm), activityCodeId })) });

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 120, reasonPromptMinutes: 5 })).status).toBe(200);
  const codes = async (body: object) => (await c.admin.post('/api/v1/activity-codes', body)).body.id as number;
  jam = await codes({ shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' });
  changeover = await codes({ shortDescription: 'Changeover', category: 'planned_stop', colour: '#0000AA' });
  noData = (await c.admin.get('/api/v1/activity-codes')).body.find(
    (a: { shortDescription: string }) => a.shortDescription === 'No data',
  ).id;
  const all = [1, 2, 3, 4, 5, 6, 7];
  const pattern = (
    await c.admin.post('/api/v1/shift-patterns', {
      name: 'Two shifts',
      shifts: [
        { days: all, start: '06:00', end: '14:00', name: 'Early' },
        { days: all, start: '14:00', end: '22:00', name: 'Late' },
      ],
    })
  ).body.id;
  press = (await c.admin.post('/api/v1/machines', { name: 'Press', shiftPatternId: pattern })).body.id;
  lathe = (await c.admin.post('/api/v1/machines', { name: 'Lathe', shiftPatternId: pattern })).body.id;
  for (const m of [press, lathe])
    expect((await c.device.post(`/api/v1/machines/${m}/jobs`, { jobNumber: `J-${m}`, at: T('05:40') })).status).toBe(201);
  expect(
    (
      await events(press, [
        ['07:00', DOWN], // 20 min: owes; the operator gives Jam on the tablet at 22:40
        ['07:20', UP],
        ['08:00', jam], // its reason came with the event: latency 0
        ['08:10', UP],
        ['09:00', DOWN], // 1 min between running: a micro-stop, left out
        ['09:01', UP],
        ['10:00', DOWN], // 3 min: unexplained time, too short to owe a reason
        ['10:03', UP],
        ['13:50', DOWN], // 10 min Early + 20 min Late, counted in Early; a supervisor gives Jam at 23:00
        ['14:20', UP],
        ['15:00', DOWN], // 30 min Late, never explained
        ['15:30', UP],
        ['21:50', DOWN], // 10 min in Late, then outside planned time
        ['22:10', UP],
      ])
    ).status,
  ).toBe(200);
  expect(
    (
      await events(lathe, [
        ['06:30', DOWN], // 1 h: a supervisor gives Jam at 22:45
        ['07:30', UP],
        ['16:00', changeover], // a specific code from the start
        ['16:45', UP],
        ['17:00', DOWN], // unexplained
        ['17:10', UP],
        ['18:00', noData], // No data is generic too
        ['18:20', UP],
      ])
    ).status,
  ).toBe(200);
  const user = await c.admin.post('/api/v1/users', { username: 'ines', role: 'operator', pin: '1357' });
  const t = await c.admin.post('/api/v1/tablets', { name: 'Tablet Press', machineId: press });
  tablet = await TabletClient.open(app.url, t.body.token);
  await tablet.ok('operator:sign-in', { userId: user.body.id, pin: '1357' });

  clock.set(T('22:40'));
  await tablet.ok('reason:give', { from: T('07:00'), to: T('07:20'), activityCodeId: jam, eventId: 'tab-1' });
  clock.set(T('22:45'));
  const give = (machineId: number, from: string, to: string) =>
    c.supervisor.post('/api/v1/reason-queue/reasons', { machineId, from: T(from), to: T(to), activityCodeId: jam });
  expect((await give(lathe, '06:30', '07:30')).status).toBe(201);
  clock.set(T('23:00'));
  expect((await give(press, '13:50', '14:20')).status).toBe(201);
  clock.set(T('23:30'));
});
afterAll(async () => {
  tablet?.close();
  await app?.stop();
});

const H = 3600;
type Given = Omit<ReasonKpiRow, 'explainedSeconds' | 'stopsExplained' | `latency${string}`>;
const row = (over: Given & Partial<ReasonKpiRow>): ReasonKpiRow => ({
  explainedSeconds: 0,
  stopsExplained: 0,
  latencyMedianSeconds: null,
  latencyP90Seconds: null,
  latencyMeanSeconds: null,
  ...over,
});
const expected = () => [
  row({
    machineId: press,
    machineName: 'Press',
    shift: 'Early',
    // 07:00 Down→Jam 20 min, 08:00 Jam 10 min, 10:00 Down 3 min, 13:50 Down→Jam 10 min (the micro-stop left out).
    stopSeconds: 2580,
    explainedSeconds: 2400,
    unexplainedSeconds: 180,
    explainedPercent: (2400 / 2580) * 100,
    stopsOwing: 3,
    stopsExplained: 3,
    stopsUnexplained: 0,
    // 0 (live), 23:00 − 14:20 and 22:40 − 07:20.
    latencyMedianSeconds: 8 * H + 40 * 60,
    latencyP90Seconds: 15 * H + 20 * 60,
    latencyMeanSeconds: (0 + 31_200 + 55_200) / 3,
  }),
  row({
    machineId: press,
    machineName: 'Press',
    shift: 'Late',
    stopSeconds: 1200 + 1800 + 600,
    explainedSeconds: 1200,
    unexplainedSeconds: 2400,
    explainedPercent: (1200 / 3600) * 100,
    stopsOwing: 2,
    stopsUnexplained: 2,
  }),
  row({
    machineId: lathe,
    machineName: 'Lathe',
    shift: 'Early',
    stopSeconds: 3600,
    explainedSeconds: 3600,
    unexplainedSeconds: 0,
    explainedPercent: 100,
    stopsOwing: 1,
    stopsExplained: 1,
    stopsUnexplained: 0,
    // 22:45 − 07:30
    latencyMedianSeconds: 15 * H + 15 * 60,
    latencyP90Seconds: 15 * H + 15 * 60,
    latencyMeanSeconds: 15 * H + 15 * 60,
  }),
  row({
    machineId: lathe,
    machineName: 'Lathe',
    shift: 'Late',
    stopSeconds: 2700 + 600 + 1200,
    explainedSeconds: 2700,
    unexplainedSeconds: 1800,
    explainedPercent: 60,
    stopsOwing: 3,
    stopsExplained: 1,
    stopsUnexplained: 2,
    latencyMedianSeconds: 0,
    latencyP90Seconds: 0,
    latencyMeanSeconds: 0,
  }),
];

describe('reason KPIs per machine and shift', () => {
  it('stores when each reason was given, by the app clock', async () => {
    const rows = await app.dataSource.query(
      `SELECT "machineId", at, "correctedAt" FROM state_events WHERE until IS NOT NULL ORDER BY "correctedAt"`,
    );
    expect(rows).toEqual([
      { machineId: press, at: new Date(T('07:00')), correctedAt: new Date(T('22:40')) },
      { machineId: lathe, at: new Date(T('06:30')), correctedAt: new Date(T('22:45')) },
      { machineId: press, at: new Date(T('13:50')), correctedAt: new Date(T('23:00')) },
    ]);
  });

  it('answers GET /api/v1/reports/reasons with exact figures, for any signed-in user', async () => {
    const res = await c.viewer.get(`/api/v1/reports/reasons?${WINDOW}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ rows: expected() });
    const one = await c.viewer.get(`/api/v1/reports/reasons?${WINDOW}&machineId=${lathe}`);
    expect(one.body.rows).toEqual(expected().slice(2));
    expect((await new ApiClient(app.url).get(`/api/v1/reports/reasons?${WINDOW}`)).status).toBe(401);
  });

  it('refuses a bad window with a 400', async () => {
    const bad = await c.viewer.get(`/api/v1/reports/reasons?from=${T('12:00')}&to=${T('11:00')}`);
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_input']);
    for (const q of ['from=xx&to=2026-11-25T00:00:00Z', 'from=2026-11-24T00:00:00Z&to=2026-13-45', 'from=2026-11-24T00:00:00Z']) {
      const res = await c.viewer.get(`/api/v1/reports/reasons?${q}`);
      expect([res.status, res.body.error.code], q).toEqual([400, 'invalid_input']);
    }
    const long = await c.viewer.get(`/api/v1/reports/reasons?from=2025-01-01T00:00:00Z&to=2026-03-01T00:00:00Z`);
    expect(long.status).toBe(400);
    expect((await c.viewer.get(`/api/v1/reports/reasons?${WINDOW}&machineId=${press}&groupId=1`)).status).toBe(400);
    expect((await c.viewer.get(`/api/v1/reports/reasons?${WINDOW}&machineId=99999`)).status).toBe(404);
  });

  it('exports the rows as CSV', async () => {
    const res = await fetch(`${app.url}/api/v1/export/reasons.csv?${WINDOW}`, { headers: { authorization: `Bearer ${c.viewer.bearer}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-export-rows')).toBe('4');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="oee-monitor_reasons_site_2026-11-24_2026-11-25.csv"');
    const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
    expect(text.charCodeAt(0), 'a UTF-8 byte-order mark').toBe(0xfeff);
    const lines = text.slice(1).split('\r\n');
    expect(lines.pop()).toBe('');
    const csv = lines.map((l) => l.split(','));
    expect(csv[0]).toEqual(DATASET_COLUMNS.reasons.map((k) => COLUMNS[k].header));
    const hours = (s: number | null) => (s === null ? '' : String(Math.round((s / 3600) * 1e9) / 1e9));
    const pct = (p: number | null) => (p === null ? '' : String(Math.round(p * 1e4) / 1e4));
    expect(csv.slice(1)).toEqual(
      expected().map((r) => [
        String(r.machineId),
        r.machineName,
        r.shift,
        hours(r.stopSeconds),
        hours(r.explainedSeconds),
        hours(r.unexplainedSeconds),
        pct(r.explainedPercent),
        String(r.stopsOwing),
        String(r.stopsExplained),
        String(r.stopsUnexplained),
        hours(r.latencyMedianSeconds),
        hours(r.latencyP90Seconds),
        hours(r.latencyMeanSeconds),
      ]),
    );
    expect(csv[1]!.slice(3, 7)).toEqual(['0.716666667', '0.666666667', '0.05', '93.0233']);
  });

  it('exports the rows as an xlsx sheet "Reasons" with durations and a share', async () => {
    const res = await fetch(`${app.url}/api/v1/export/reasons.xlsx?${WINDOW}&groupId=1`, {
      headers: { authorization: `Bearer ${c.viewer.bearer}` },
    });
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await res.arrayBuffer()) as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('Reasons');
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual(DATASET_COLUMNS.reasons.map((k) => COLUMNS[k].header));
    // The group of the default machines holds neither machine: a header row alone.
    expect(sheet.rowCount).toBe(1);
    const site = await fetch(`${app.url}/api/v1/export/reasons.xlsx?${WINDOW}`, {
      headers: { authorization: `Bearer ${c.viewer.bearer}` },
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await site.arrayBuffer()) as ArrayBuffer);
    const s = book.worksheets[0]!;
    // exceljs reads a cell under [h]:mm:ss back as a date from Excel's day 0: its seconds since then.
    const excelDayZero = Date.UTC(1899, 11, 30);
    const cells = (n: number) =>
      (s.getRow(n).values as unknown[]).slice(1).map((v) => (v instanceof Date ? Math.round(v.getTime() - excelDayZero) / 1000 : v));
    expect(cells(2)).toEqual([press, 'Press', 'Early', 2580, 2400, 180, ((2400 / 2580) * 100) / 100, 3, 3, 0, 31_200, 55_200, 28_800]);
    expect(cells(3)).toEqual([press, 'Press', 'Late', 3600, 1200, 2400, ((1200 / 3600) * 100) / 100, 2, 0, 2]);
    expect(cells(5)).toEqual([lathe, 'Lathe', 'Late', 4500, 2700, 1800, 0.6, 3, 1, 2, 0, 0, 0]);
    expect(s.getRow(2).getCell(7).numFmt).toBe('0.0%');
    expect(s.getRow(2).getCell(11).numFmt).toBe('[h]:mm:ss');
    expect(s.rowCount).toBe(5);
  });
});
