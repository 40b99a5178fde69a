import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { DateTime, IANAZone } from 'luxon';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { COLUMNS, OEE_NUMBER_KEYS } from '../core/export-columns.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Exports (issues 8 and 18): every dataset in both formats against the API's numbers, in a site time
 * zone with a summer offset; xlsx read back with exceljs (date cells, number formats, the daily grid);
 * CSV with a byte-order mark and the `;` option; and the memory of a child-process app while it streams 200 000 rows as xlsx.
 */
const ZONE = 'Europe/London'; // +01:00 in July
const UP = 1;
const DOWN = 2;
const CLOSED = 3;
const FROM = '2026-07-01T00:00:00+01:00';
const TO = '2026-07-04T00:00:00+01:00';
const WINDOW = `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`;
const FORMULA_JOB = '=HYPERLINK("http://x.example","click")';
const TIME_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?[+-]\d{2}:\d{2}$/;

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let lineA: number;
let m1: number;
let m2: number;
let m3: number;
let m4: number;
let olga: number;
let omar: number;
const clock = new FixedClock(new Date('2026-07-10T12:00:00Z'));

type Plain = string | number | Date | null;
type Row = Record<string, Plain>;
interface Download {
  status: number;
  contentType: string | null;
  disposition: string | null;
  /** The X-Export-Rows header. */
  rowCount: string | null;
  /** The header row, in words. */
  header: string[];
  /** Rows by column key (core/export-columns.ts). */
  rows: Row[];
  raw: Buffer;
  sheet: ExcelJS.Worksheet | null;
}

function parseCsv(text: string, separator: string): string[][] {
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
    } else if (ch === '\n' || ch === '\r') throw new Error(`bare line break outside quotes at ${i}`);
    else field += ch;
  }
  if (field !== '' || row.length) throw new Error('the last record does not end with CRLF');
  return rows;
}

const KEY_OF_HEADER = new Map<string, string>(Object.values(COLUMNS).map((c) => [c.header, c.key]));

async function download(path: string, client: ApiClient = c.viewer): Promise<Download> {
  const res = await fetch(app.url + path, { headers: { authorization: `Bearer ${client.bearer}` } });
  const raw = Buffer.from(await res.arrayBuffer());
  const base = {
    status: res.status,
    contentType: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
    rowCount: res.headers.get('x-export-rows'),
    raw,
  };
  if (res.status !== 200) return { ...base, header: [], rows: [], sheet: null };
  let table: Plain[][];
  let sheet: ExcelJS.Worksheet | null = null;
  if (path.includes('.csv')) {
    const text = raw.toString('utf8');
    expect(text.charCodeAt(0), 'a UTF-8 byte-order mark').toBe(0xfeff);
    table = parseCsv(text.slice(1), path.includes('separator=semicolon') ? ';' : ',').map((r) => r.map((v) => (v === '' ? null : v)));
  } else {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(raw as unknown as ArrayBuffer);
    sheet = workbook.worksheets[0]!;
    const width = sheet.getRow(1).cellCount;
    table = [];
    sheet.eachRow({ includeEmpty: true }, (row) => {
      table.push(
        Array.from({ length: width }, (_, i) => {
          const v = row.getCell(i + 1).value;
          if (v !== null && typeof v === 'object' && !(v instanceof Date))
            throw new Error(`cell ${row.number}/${i + 1} is not a plain value: ${JSON.stringify(v)}`);
          return (v ?? null) as Plain;
        }),
      );
    });
  }
  const [header, ...body] = table;
  const keys = (header as string[]).map((h) => KEY_OF_HEADER.get(h) ?? h);
  return { ...base, header: header as string[], rows: body.map((r) => Object.fromEntries(keys.map((k, i) => [k, r[i] ?? null]))), sheet };
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const ms = (v: unknown) => (v === null || v === undefined ? null : Date.parse(String(v)));
/** A time cell as an instant: CSV text with the offset the site zone has then; xlsx a date cell showing the site's wall clock. */
function instant(v: Plain | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return DateTime.fromISO(v.toISOString().slice(0, 23), { zone: ZONE }).toMillis();
  expectLocalTime(v);
  return Date.parse(String(v));
}
/** Days from Excel's day 0 (1899-12-30) to 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25_569;
/**
 * A duration cell in seconds: xlsx days under a time format (which exceljs reads back as a Date
 * counted from Excel's day 0), CSV hours (text).
 */
function secondsOf(v: Plain | undefined): number | null {
  if (v === null || v === undefined) return null;
  const seconds =
    v instanceof Date ? v.getTime() / 1000 + EXCEL_EPOCH_DAYS * 86_400 : typeof v === 'number' ? v * 86_400 : Number(v) * 3_600;
  return Math.round(seconds * 1000) / 1000;
}
/** A percent cell as a ratio: xlsx the ratio, CSV percent. */
const ratioOf = (v: Plain | undefined) => (v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v) / 100);
/** A time cell: text with its offset, the offset the site zone has at that instant. */
function expectLocalTime(v: unknown): void {
  if (v === null) return;
  expect(v).toMatch(TIME_TEXT);
  const offset = IANAZone.create(ZONE).offset(Date.parse(String(v)));
  const sign = offset < 0 ? '-' : '+';
  const text = `${sign}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
  expect(String(v).endsWith(text), `${v} should end with ${text}`).toBe(true);
}

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  expect((await c.admin.put('/api/v1/site', { timezone: ZONE, microStopSeconds: 0 })).status).toBe(200);
  const jam = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' }))
    .body.id;
  lineA = (await c.admin.post('/api/v1/groups', { name: 'Line A' })).body.id;
  m1 = (await c.admin.post('/api/v1/machines', { name: 'Press "A", 1', groupId: lineA })).body.id;
  m2 = (await c.admin.post('/api/v1/machines', { name: 'Lathe 2', groupId: lineA, shiftPatternId: 1 })).body.id;
  m3 = (await c.admin.post('/api/v1/machines', { name: 'Saw 3' })).body.id;
  m4 = (await c.admin.post('/api/v1/machines', { name: 'Mill 4' })).body.id;
  olga = (await c.admin.post('/api/v1/users', { username: 'olga', password: 'operator password 1', role: 'operator' })).body.id;
  omar = (await c.admin.post('/api/v1/users', { username: 'omar', password: 'operator password 2', role: 'operator' })).body.id;

  const ok = (res: { status: number; body: unknown }) => {
    if (res.status >= 300) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  const event = (machineId: number, at: string, activityCodeId: number) =>
    c.device.post('/api/v1/events', { events: [{ machineId, at, activityCodeId }] }).then(ok);
  await event(m1, '2026-06-30T22:00:00Z', DOWN);
  ok(await c.device.post(`/api/v1/machines/${m1}/jobs`, { jobNumber: FORMULA_JOB, idealCycleTimeSeconds: 30, at: '2026-07-01T07:00:00Z' }));
  await event(m1, '2026-07-01T08:00:00Z', jam);
  await event(m1, '2026-07-01T08:30:00Z', UP);
  ok(
    await c.device.post(`/api/v1/machines/${m1}/production`, {
      good: 200,
      rejects: 10,
      from: '2026-07-01T07:00:00Z',
      to: '2026-07-01T09:00:00Z',
    }),
  );
  ok(await c.device.post(`/api/v1/machines/${m1}/jobs/current/end`, { good: 50, rejects: 5, at: '2026-07-01T10:00:00Z' }));
  ok(await c.device.post(`/api/v1/machines/${m1}/jobs`, { jobNumber: 'J-2', idealCycleTimeSeconds: 20, at: '2026-07-02T20:00:00Z' }));
  // Spans the local midnight of 3 July (23:00 UTC): half of it belongs to each day.
  ok(
    await c.device.post(`/api/v1/machines/${m1}/production`, {
      good: 100,
      rejects: 0,
      from: '2026-07-02T22:00:00Z',
      to: '2026-07-03T00:00:00Z',
    }),
  );
  ok(await c.device.post(`/api/v1/machines/${m1}/jobs/current/end`, { at: '2026-07-02T23:30:00Z' }));
  ok(await c.device.post(`/api/v1/machines/${m1}/production`, { good: 7, rejects: 1, at: '2026-07-03T05:00:00Z' }));
  await event(m1, '2026-07-03T12:00:00Z', CLOSED);
  ok(
    await c.supervisor.post(`/api/v1/machines/${m1}/corrections`, {
      from: '2026-07-01T10:30:00Z',
      to: '2026-07-01T11:00:00Z',
      activityCodeId: CLOSED,
    }),
  );

  await event(m2, '2026-06-30T20:00:00Z', DOWN);
  await event(m2, '2026-07-01T12:00:00Z', CLOSED);
  await event(m2, '2026-07-02T10:00:00.250Z', DOWN);
  await event(m2, '2026-07-05T00:00:00Z', CLOSED);
  await event(m3, '2026-07-02T09:00:00Z', DOWN);

  // Operators on a timeline: written directly (a tablet sign-in is the real way in).
  await app.dataSource.query(
    `INSERT INTO timeline_intervals ("machineId", start, "end", "activityCodeId", "operatorId")
     SELECT $1, s, e, a, o FROM unnest($2::timestamptz[], $3::timestamptz[], $4::int[], $5::int[]) AS t(s, e, a, o)`,
    [
      m4,
      ['2026-07-01T09:00:00Z', '2026-07-01T10:00:00Z', '2026-07-01T11:00:00Z', '2026-07-01T12:00:00Z'],
      ['2026-07-01T10:00:00Z', '2026-07-01T11:00:00Z', '2026-07-01T12:00:00Z', null],
      [UP, DOWN, DOWN, CLOSED],
      [olga, omar, null, olga],
    ],
  );
}, 120_000);
afterAll(() => app?.stop());

const TIMELINE_HEADER = [
  'Machine ID',
  'Machine',
  'Start',
  'End',
  'Duration (h)',
  'Activity code ID',
  'Activity',
  'Category',
  'Cause',
  'Job ID',
  'Job number',
  'Operator ID',
  'Operator',
];

describe('GET /api/v1/export/<dataset>.<csv|xlsx>', () => {
  for (const format of ['csv', 'xlsx'] as const) {
    it(`timeline.${format}: the timeline API's intervals, machine by machine, times in the site zone`, async () => {
      const file = await download(`/api/v1/export/timeline.${format}?${WINDOW}&groupId=${lineA}`);
      expect(file.status).toBe(200);
      expect(file.contentType).toBe(
        format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      expect(file.disposition).toBe(`attachment; filename="oee-monitor_timeline_Line-A_2026-07-01_2026-07-04.${format}"`);
      expect(file.header).toEqual(TIMELINE_HEADER);
      const api: Row[] = [];
      for (const machineId of [m1, m2]) {
        const res = await c.viewer.get(`/api/v1/machines/${machineId}/timeline?${WINDOW}`);
        api.push(...res.body.intervals.map((i: Row) => ({ machineId, ...i })));
      }
      expect(file.rows.length).toBe(api.length);
      expect(file.rowCount).toBe(String(api.length));
      expect(file.rows.length).toBeGreaterThan(10);
      file.rows.forEach((row, k) => {
        const a = api[k]!;
        expect([
          num(row.machineId),
          instant(row.start),
          instant(row.end),
          num(row.activityCodeId),
          row.category,
          num(row.jobId),
          num(row.operatorId),
        ]).toEqual([a.machineId, ms(a.start), ms(a.end), a.activityCodeId, a.category, a.jobId, a.operatorId]);
        expect(secondsOf(row.duration)).toBe(a.end === null ? null : (ms(a.end)! - ms(a.start)!) / 1000);
      });
      // Summer time in London: CSV times carry +01:00 (milliseconds when there are some); xlsx date cells show the wall clock.
      expect(file.rows[0]).toMatchObject({ machine: 'Press "A", 1', activityCode: 'Down' });
      expect(file.rows[0]!.start).toEqual(format === 'csv' ? '2026-06-30T23:00:00+01:00' : new Date('2026-06-30T23:00:00Z'));
      expect(file.rows.some((r) => instant(r.start) === Date.parse('2026-07-02T10:00:00.250Z'))).toBe(true);
      if (format === 'csv') expect(file.rows.some((r) => r.start === '2026-07-02T11:00:00.250+01:00')).toBe(true);
      // The open interval (still running now) has no end; one ending after the window keeps its end.
      expect(file.rows.filter((r) => r.end === null)).toMatchObject([{ machine: 'Press "A", 1', activityCode: 'Closed', duration: null }]);
      expect(instant(file.rows.filter((r) => r.end === null)[0]!.start)).toBe(Date.parse('2026-07-03T12:00:00Z'));
      expect(file.rows.at(-1)).toMatchObject({ machine: 'Lathe 2' });
      expect(instant(file.rows.at(-1)!.end)).toBe(Date.parse('2026-07-05T00:00:00Z'));
      // The 30-minute jam: half an hour.
      const jam = file.rows.find((r) => r.activityCode === 'Jam')!;
      expect(secondsOf(jam.duration)).toBe(1_800);
      if (format === 'csv') expect(jam.duration).toBe('0.5');
      const formula = file.rows.find((r) => r.jobNumber !== null)!;
      // CSV guards against formula injection with a leading quote; xlsx keeps it as text (never a formula).
      expect(formula.jobNumber).toBe(format === 'csv' ? `'${FORMULA_JOB}` : FORMULA_JOB);
    });

    it(`jobs.${format}: GET /api/v1/jobs row for row`, async () => {
      const file = await download(`/api/v1/export/jobs.${format}?${WINDOW}`);
      expect(file.disposition).toBe(`attachment; filename="oee-monitor_jobs_site_2026-07-01_2026-07-04.${format}"`);
      expect(file.header).toEqual([
        'Job ID',
        'Machine ID',
        'Machine',
        'Job number',
        'Start',
        'End',
        'Duration (h)',
        'Ideal cycle time (s)',
        'Good (parts)',
        'Rejects (parts)',
        'Operator ID',
        'Operator',
      ]);
      const api = (await c.viewer.get(`/api/v1/jobs?${WINDOW}`)).body.jobs as Row[];
      expect(api.length).toBe(2);
      expect(file.rowCount).toBe('2');
      expect(
        file.rows.map((r) => [
          num(r.jobId),
          num(r.machineId),
          String(r.jobNumber).replace(/^'=/, '='),
          instant(r.start),
          instant(r.end),
          num(r.idealCycleTimeSeconds),
          num(r.good),
          num(r.rejects),
        ]),
      ).toEqual(api.map((j) => [j.id, j.machineId, j.jobNumber, ms(j.start), ms(j.end), j.idealCycleTimeSeconds, j.good, j.rejects]));
      expect(file.rows.map((r) => [num(r.good), num(r.rejects), secondsOf(r.duration)])).toEqual([
        [250, 15, 3 * 3_600],
        [100, 0, 3.5 * 3_600],
      ]);
    });

    it(`production.${format}: GET /api/v1/production row for row`, async () => {
      const file = await download(`/api/v1/export/production.${format}?${WINDOW}&machineId=${m1}`);
      expect(file.disposition).toBe(`attachment; filename="oee-monitor_production_Press-A-1_2026-07-01_2026-07-04.${format}"`);
      expect(file.header).toEqual([
        'Production record ID',
        'Machine ID',
        'Machine',
        'Job ID',
        'Job number',
        'From',
        'To',
        'Good (parts)',
        'Rejects (parts)',
        'Source',
        'Sent by',
        'Device event ID',
        'Recorded at',
      ]);
      const api = (await c.viewer.get(`/api/v1/production?${WINDOW}&machineId=${m1}`)).body.records as Row[];
      expect(api.length).toBe(4);
      expect(file.rowCount).toBe('4');
      expect(
        file.rows.map((r) => [
          num(r.productionRecordId),
          num(r.machineId),
          num(r.jobId),
          instant(r.from),
          instant(r.to),
          num(r.good),
          num(r.rejects),
          r.source,
        ]),
      ).toEqual(api.map((p) => [p.id, p.machineId, p.jobId, ms(p.from), ms(p.to), p.good, p.rejects, p.source]));
      for (const r of file.rows) expect(instant(r.createdAt)).toBeGreaterThan(0);
      // Who sent each record (the device key posted them all).
      for (const r of file.rows) expect(String(r.sender)).toMatch(/^api-key:\d+$/);
    });

    it(`events.${format}: the state events of the window, corrections included`, async () => {
      const file = await download(`/api/v1/export/events.${format}?${WINDOW}`);
      const stored: {
        id: string;
        machineId: number;
        at: Date;
        until: Date | null;
        activityCodeId: number;
        source: string;
        eventId: string | null;
      }[] = await app.dataSource.query(
        `SELECT id, "machineId", at, until, "activityCodeId", source, "eventId" FROM state_events WHERE at >= $1 AND at < $2 ORDER BY "machineId", at, id`,
        [new Date(FROM), new Date(TO)],
      );
      expect(stored.length).toBeGreaterThan(8);
      expect(file.rowCount).toBe(String(stored.length));
      expect(
        file.rows.map((r) => [
          num(r.eventRecordId),
          num(r.machineId),
          instant(r.at),
          instant(r.until),
          num(r.activityCodeId),
          r.source,
          r.eventId,
        ]),
      ).toEqual(
        stored.map((e) => [Number(e.id), e.machineId, e.at.getTime(), e.until?.getTime() ?? null, e.activityCodeId, e.source, e.eventId]),
      );
      const corrections = file.rows.filter((r) => r.source === 'correction');
      expect(corrections.map((r) => [instant(r.at), instant(r.until), r.activityCode])).toEqual([
        [Date.parse('2026-07-01T10:30:00Z'), Date.parse('2026-07-01T11:00:00Z'), 'Closed'],
      ]);
      for (const r of file.rows) instant(r.receivedAt);
    });

    it(`oee.${format}: the OEE API by bucket, every number of the waterfall, per machine`, async () => {
      const file = await download(`/api/v1/export/oee.${format}?${WINDOW}&groupId=${lineA}`);
      expect(file.header.slice(0, 4)).toEqual(['Machine ID', 'Machine', 'From', 'To']);
      expect(file.header).toEqual(
        expect.arrayContaining([
          'Run time (h)',
          'Planned production time (h)',
          'Good count (parts)',
          'Availability (%)',
          'OEE (%)',
          'TEEP (%)',
          'MTBF (h)',
        ]),
      );
      expect(file.header.at(-1)).toBe('Warnings');
      const expected: Row[] = [];
      for (const machineId of [m1, m2]) {
        const res = await c.viewer.get(`/api/v1/oee?machineId=${machineId}&${WINDOW}&bucket=day`);
        expected.push(...res.body.buckets.map((b: Row) => ({ machineId, ...b })));
      }
      expect(file.rows.length).toBe(6);
      expect(file.rowCount).toBe('6');
      file.rows.forEach((row, k) => {
        const b = expected[k]!;
        expect(num(row.machineId)).toBe(b.machineId);
        expect([instant(row.from), instant(row.to)]).toEqual([ms(b.from), ms(b.to)]);
        for (const key of OEE_NUMBER_KEYS) {
          const kind = COLUMNS[key].kind;
          const value = kind === 'duration' ? secondsOf(row[key]) : kind === 'percent' ? ratioOf(row[key]) : num(row[key]);
          const want = b[key] as number | null;
          if (want === null) expect(value, `${k} ${key}`).toBeNull();
          // CSV rounds: hours to 9 decimals, percent to 4, counts to 3.
          else expect(value, `${k} ${key}`).toBeCloseTo(want, kind === 'percent' ? 6 : 2);
        }
      });
      // Counts pro-rated by the OEE calculation (a span over the local midnight is split in two).
      const round = (v: Plain | undefined) => Math.round(num(v)! * 1e6) / 1e6;
      expect(file.rows.slice(0, 3).map((r) => [round(r.goodCount), round(r.rejectCount)])).toEqual([
        [250, 15],
        [50, 0],
        [57, 1],
      ]);
      const weeks = await download(`/api/v1/export/oee.${format}?${WINDOW}&machineId=${m1}&bucket=week`);
      const weekBuckets = (await c.viewer.get(`/api/v1/oee?machineId=${m1}&${WINDOW}&bucket=week`)).body.buckets as Row[];
      expect(weeks.rows.map((r) => [instant(r.from), instant(r.to)])).toEqual(weekBuckets.map((b) => [ms(b.from), ms(b.to)]));
    });

    it(`oee-daily.${format}: the Daily OEE grid of the tables page, a machine a row and a day a column`, async () => {
      const file = await download(`/api/v1/export/oee-daily.${format}?${WINDOW}&groupId=${lineA}`);
      expect(file.disposition).toBe(`attachment; filename="oee-monitor_oee-daily_Line-A_2026-07-01_2026-07-04.${format}"`);
      expect(file.header).toEqual(['Machine', '2026-07-01 OEE (%)', '2026-07-02 OEE (%)', '2026-07-03 OEE (%)', 'Whole range OEE (%)']);
      expect(file.rowCount).toBe('2');
      const grid = file.rows.map((r) => file.header.map((h) => r[KEY_OF_HEADER.get(h) ?? h] ?? null));
      const expected: (string | number | null)[][] = [];
      for (const [machineId, name] of [
        [m1, 'Press "A", 1'],
        [m2, 'Lathe 2'],
      ] as const) {
        const days = (await c.viewer.get(`/api/v1/oee?machineId=${machineId}&${WINDOW}&bucket=day`)).body.buckets as Row[];
        const whole = (await c.viewer.get(`/api/v1/oee?machineId=${machineId}&${WINDOW}`)).body as Row;
        expected.push([name, ...days.map((d) => d.oee as number | null), whole.oee as number | null]);
      }
      expect(grid.map((r) => r[0])).toEqual(expected.map((r) => r[0]));
      grid.forEach((row, i) =>
        row.slice(1).forEach((v, j) => {
          const want = expected[i]![j + 1]!;
          if (want === null) expect(v).toBeNull();
          else expect(ratioOf(v)).toBeCloseTo(want as number, 6);
        }),
      );
      expect(expected.flat().filter((v) => typeof v === 'number' && v > 0).length).toBeGreaterThan(2);
    });
  }

  it('xlsx: date cells with a format, number formats by kind, a bold frozen header with an autofilter, column widths', async () => {
    const timeline = await download(`/api/v1/export/timeline.xlsx?${WINDOW}&machineId=${m1}`);
    const sheet = timeline.sheet!;
    expect(sheet.name).toBe('Timeline');
    expect(sheet.views).toMatchObject([{ state: 'frozen', ySplit: 1 }]);
    expect(sheet.autoFilter).toBe('A1:M1'); // 13 columns: the timeline's with Cause
    expect(sheet.getRow(1).getCell(1).font).toMatchObject({ bold: true });
    const row = sheet.getRow(2);
    expect(row.getCell(3).value).toEqual(new Date('2026-06-30T23:00:00Z'));
    expect(row.getCell(3).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(row.getCell(5).numFmt).toBe('[h]:mm:ss');
    expect(row.getCell(1).numFmt).toBe('0');
    expect(row.getCell(2).numFmt).toBeUndefined();
    expect(sheet.getColumn(2).width).toBe(22);
    expect(sheet.getColumn(3).width).toBe(20);

    const oee = (await download(`/api/v1/export/oee.xlsx?${WINDOW}&machineId=${m1}`)).sheet!;
    const header = (oee.getRow(1).values as (string | undefined)[]).slice(1);
    const cellOf = (name: string) => oee.getRow(2).getCell(header.indexOf(name) + 1);
    expect(oee.autoFilter).toBe(`A1:${oee.getColumn(header.length).letter}1`);
    expect([cellOf('OEE (%)').numFmt, cellOf('Run time (h)').numFmt, cellOf('Good count (parts)').numFmt, cellOf('From').numFmt]).toEqual([
      '0.0%',
      '[h]:mm:ss',
      '#,##0',
      'yyyy-mm-dd hh:mm:ss',
    ]);
    // A duration is a number of days under [h]:mm:ss (exceljs reads it back as a Date from Excel's day 0), not seconds.
    const run = (await c.viewer.get(`/api/v1/oee?machineId=${m1}&${WINDOW}&bucket=day`)).body.buckets[0].runSeconds as number;
    expect(run).toBeGreaterThan(0);
    expect(secondsOf(cellOf('Run time (h)').value as Date)).toBeCloseTo(run, 2);

    const grid = (await download(`/api/v1/export/oee-daily.xlsx?${WINDOW}&groupId=${lineA}`)).sheet!;
    expect(grid.name).toBe('Daily OEE');
    expect([grid.rowCount, grid.getRow(1).cellCount]).toEqual([3, 5]);
    expect(grid.getRow(2).getCell(2).numFmt).toBe('0.0%');
    expect(grid.views).toMatchObject([{ state: 'frozen', ySplit: 1 }]);
    expect(grid.autoFilter).toBe('A1:E1');
  });

  it('CSV with separator=semicolon: ; between fields and a decimal comma, the same columns', async () => {
    const file = await download(`/api/v1/export/timeline.csv?${WINDOW}&machineId=${m1}&separator=semicolon`);
    expect(file.raw.toString('utf8')).toMatch(
      /^\ufeffMachine ID;Machine;Start;End;Duration \(h\);Activity code ID;Activity;Category;Cause;Job ID;Job number;Operator ID;Operator\r\n/,
    );
    expect(file.raw.toString('utf8')).toContain(`;"Press ""A"", 1";2026-06-30T23:00:00+01:00;`);
    expect(file.rows.find((r) => r.activityCode === 'Jam')!.duration).toBe('0,5');
    const comma = await download(`/api/v1/export/timeline.csv?${WINDOW}&machineId=${m1}`);
    expect(file.rows).toEqual(
      comma.rows.map((r) => ({ ...r, duration: r.duration === null ? null : String(r.duration).replace('.', ',') })),
    );
    const oee = await download(`/api/v1/export/oee.csv?${WINDOW}&machineId=${m1}&separator=semicolon`);
    const oeeComma = await download(`/api/v1/export/oee.csv?${WINDOW}&machineId=${m1}`);
    expect(oee.header).toEqual(oeeComma.header);
    expect(oee.rows.map((r) => r.availability)).toEqual(
      oeeComma.rows.map((r) => (r.availability === null ? null : String(r.availability).replace('.', ','))),
    );
    expect(oee.rows.some((r) => String(r.availability).includes(','))).toBe(true);
  });

  it('an empty window is a header row alone', async () => {
    const file = await download(`/api/v1/export/timeline.csv?from=2020-01-01T00:00:00Z&to=2020-01-02T06:30:00Z`);
    expect(file.status).toBe(200);
    expect(file.rows).toEqual([]);
    expect(file.rowCount).toBe('0');
    expect(file.raw.toString()).toBe(`\ufeff${TIMELINE_HEADER.join(',')}\r\n`);
    expect(file.disposition).toBe('attachment; filename="oee-monitor_timeline_site_2020-01-01_2020-01-02T0630.csv"');
  });

  it('answers bad requests with clear errors before any file starts', async () => {
    const errors: [string, number, string][] = [
      [`/api/v1/export/things.csv?${WINDOW}`, 404, 'timeline, events, jobs, production, oee, oee-daily'],
      [`/api/v1/export/timeline.pdf?${WINDOW}`, 404, 'csv, xlsx'],
      ['/api/v1/export/timeline.csv?from=2026-07-01T00:00:00Z', 400, 'Invalid query'],
      ['/api/v1/export/timeline.csv?from=2026-07-02T00:00:00Z&to=2026-07-01T00:00:00Z', 400, 'Invalid query'],
      [`/api/v1/export/timeline.csv?${WINDOW}&machineId=${m1}&groupId=${lineA}`, 400, 'Invalid query'],
      [`/api/v1/export/timeline.csv?${WINDOW}&separator=tab`, 400, 'Invalid query'],
      [`/api/v1/export/oee.csv?${WINDOW}&bucket=year`, 400, 'Invalid query'],
      [`/api/v1/export/timeline.csv?${WINDOW}&machineId=999999`, 404, 'Machine'],
      [`/api/v1/export/jobs.xlsx?${WINDOW}&groupId=999999`, 404, 'Group'],
      ['/api/v1/export/oee-daily.csv?from=1990-01-01T00:00:00Z&to=2026-07-01T00:00:00Z', 400, 'too long'],
      ['/api/v1/export/oee.xlsx?from=2020-01-01T00:00:00Z&to=2026-07-01T00:00:00Z&bucket=hour', 400, 'Too many buckets'],
    ];
    for (const [path, status, message] of errors) {
      const res = await c.viewer.get(path);
      expect([path, res.status]).toEqual([path, status]);
      expect(res.body.error.message).toContain(message);
      expect(res.headers.get('content-disposition')).toBeNull();
    }
    expect((await c.anonymous.get(`/api/v1/export/timeline.csv?${WINDOW}`)).status).toBe(401);
    expect((await c.device.get(`/api/v1/export/timeline.csv?${WINDOW}`)).status).toBe(403);
    const spec = (await c.viewer.get('/api/v1/openapi.json')).body;
    expect(spec.paths['/api/v1/export/{dataset}.{format}'].get.summary).toContain('oee-daily');
  });
});

describe('read APIs of the analysis pages', () => {
  /** A local day of July (London summer time). */
  const day = (date: string) => {
    const next = new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    return `from=${encodeURIComponent(`${date}T00:00:00+01:00`)}&to=${encodeURIComponent(`${next}T00:00:00+01:00`)}`;
  };

  it('activity durations per machine equal the legacy /api/activity-durations (the OEE service) for a day', async () => {
    for (const date of ['2026-07-01', '2026-07-02', '2026-07-03']) {
      const mine = (await c.viewer.get(`/api/v1/activity-durations?${day(date)}&groupBy=machine`)).body;
      expect(mine.rows.map((r: Row) => r.machineId)).toEqual([m1, m2, m3, m4]);
      for (const row of mine.rows) {
        const legacy = (await c.anonymous.get(`/api/activity-durations?machine_id=${row.machineId}&date=${date}`)).body as Record<
          string,
          number
        >;
        const nonZero = Object.entries(legacy)
          .filter(([, s]) => s > 0)
          .map(([id, seconds]) => ({ activityCodeId: Number(id), seconds }));
        expect(row.durations).toEqual(nonZero);
        expect(row.totalSeconds).toBe(nonZero.reduce((s, d) => s + d.seconds, 0));
      }
    }
  });

  it('activity durations per operator', async () => {
    const res = await c.viewer.get(`/api/v1/activity-durations?${day('2026-07-01')}&groupBy=operator&machineId=${m4}`);
    expect(res.status).toBe(200);
    expect(res.body.rows).toEqual([
      { operatorId: null, name: null, totalSeconds: 3_600, durations: [{ activityCodeId: DOWN, seconds: 3_600 }] },
      {
        operatorId: olga,
        name: 'olga',
        totalSeconds: 3_600 + 11 * 3_600,
        durations: [
          { activityCodeId: UP, seconds: 3_600 },
          { activityCodeId: CLOSED, seconds: 11 * 3_600 },
        ],
      },
      { operatorId: omar, name: 'omar', totalSeconds: 3_600, durations: [{ activityCodeId: DOWN, seconds: 3_600 }] },
    ]);
    expect((await c.viewer.get(`/api/v1/activity-durations?${day('2026-07-01')}&groupBy=shift`)).status).toBe(400);
  });

  it('daily production and daily OEE per machine per local day, as the OEE API buckets them', async () => {
    const production = (await c.viewer.get(`/api/v1/reports/daily-production?${WINDOW}&machineId=${m1}`)).body.rows;
    const round = (v: unknown) => Math.round(Number(v) * 1e9) / 1e9;
    expect(production.map((r: Row) => [r.date, round(r.goodCount), round(r.rejectCount), round(r.totalCount)])).toEqual([
      ['2026-07-01', 250, 15, 265],
      ['2026-07-02', 50, 0, 50],
      ['2026-07-03', 57, 1, 58],
    ]);
    const m1Days = (await c.viewer.get(`/api/v1/oee?machineId=${m1}&${WINDOW}&bucket=day`)).body.buckets;
    expect(production.map((r: Row) => [r.goodCount, r.rejectCount, r.totalCount])).toEqual(
      m1Days.map((b: Row) => [b.goodCount, b.rejectCount, b.totalCount]),
    );
    const daily = (await c.viewer.get(`/api/v1/reports/daily-oee?${WINDOW}&groupId=${lineA}`)).body.rows;
    const m1Buckets = (await c.viewer.get(`/api/v1/oee?machineId=${m1}&${WINDOW}&bucket=day`)).body.buckets;
    expect(daily.filter((r: Row) => r.machineId === m1).map(({ machineId: _m, date: _d, ...rest }: Row) => rest)).toEqual(m1Buckets);
  });

  it('production records of a window', async () => {
    const res = await c.viewer.get(`/api/v1/production?${WINDOW}&groupId=${lineA}`);
    expect(res.body.records.map((r: Row) => [r.good, r.rejects, r.from, r.to])).toEqual([
      [200, 10, '2026-07-01T07:00:00.000Z', '2026-07-01T09:00:00.000Z'],
      [50, 5, '2026-07-01T07:00:00.000Z', '2026-07-01T10:00:00.000Z'],
      [100, 0, '2026-07-02T22:00:00.000Z', '2026-07-03T00:00:00.000Z'],
      [7, 1, '2026-07-03T05:00:00.000Z', '2026-07-03T05:00:00.000Z'],
    ]);
    expect((await c.anonymous.get(`/api/v1/production?${WINDOW}`)).status).toBe(401);
  });
});

// memory of a streamed 200 000-row export, measured on a child process

const ROWS = 200_000;
const children: ChildProcess[] = [];
let childDir: string | undefined;
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (childDir) await rm(childDir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
}

describe('a 200 000-row xlsx export', () => {
  it('keeps the app within 100 MB of its idle memory (RSS of a child-process app)', async () => {
    const databaseUrl = await createTestDatabase();
    childDir = await mkdtemp(join(tmpdir(), 'oee-export-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      OEE_DATA_DIR: childDir,
      OEE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      // The HTTP API alone: no scheduler computing roll-ups of the 200 000 intervals meanwhile.
      OEE_ROLES: 'ingest',
    };
    for (const key of ['INFLUX_URL', 'MONGODB_URL', 'OEE_SESSION_SECRET']) delete env[key];
    const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the app exited: ${output}`);
      const ok = await fetch(`${url}/api/v1/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() - started > 60_000) throw new Error(`no health in 60 s: ${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const admin = await new ApiClient(url).signIn('admin', ADMIN_PASSWORD);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Big' })).body.id as number;
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      // One minute each, alternating Up and Down; the last one is open.
      await db.query(
        `INSERT INTO timeline_intervals ("machineId", start, "end", "activityCodeId")
         SELECT $1, timestamptz '2025-01-01T00:00:00Z' + g * interval '1 minute',
                CASE WHEN g = $2 - 1 THEN NULL ELSE timestamptz '2025-01-01T00:00:00Z' + (g + 1) * interval '1 minute' END,
                1 + g % 2
           FROM generate_series(0, $2 - 1) AS g`,
        [machineId, ROWS],
      );
    } finally {
      await db.end();
    }
    const path = `/api/v1/export/timeline.xlsx?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&machineId=${machineId}`;
    const get = (p: string) => fetch(url + p, { headers: { cookie: admin.cookie! } });

    await new Promise((r) => setTimeout(r, 1_000));
    const idleCold = await rssKb(child.pid!);
    // Warm up once with a small export (loads exceljs), then settle.
    const warm = await get(`/api/v1/export/timeline.xlsx?from=2025-01-01T00:00:00Z&to=2025-01-01T01:00:00Z&machineId=${machineId}`);
    expect(warm.status).toBe(200);
    await warm.arrayBuffer();
    await new Promise((r) => setTimeout(r, 1_000));
    const idle = await rssKb(child.pid!);

    let peak = idle;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rssKb(child.pid!).catch(() => 0));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const t0 = Date.now();
    const res = await get(path);
    expect(res.status).toBe(200);
    const file = join(childDir, 'big.xlsx');
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(Buffer.from(chunk));
      bytes += chunk.byteLength;
    }
    const seconds = (Date.now() - t0) / 1000;
    sampling = false;
    await sampler;
    await writeFile(file, Buffer.concat(chunks));
    chunks.length = 0;

    // Every row arrived: count them with exceljs's streaming reader.
    let rows = 0;
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(createReadStream(file), {});
    for await (const sheet of reader) for await (const _row of sheet) rows++;
    expect(rows).toBe(ROWS + 1);

    const mb = (kb: number) => Math.round(kb / 102.4) / 10;
    console.log(
      `xlsx export of ${ROWS} intervals: ${mb(bytes / 1024)} MB in ${seconds.toFixed(1)} s; app RSS idle ${mb(idleCold)} MB (cold), ${mb(idle)} MB (after a small export), ` +
        `peak ${mb(peak)} MB during the download: +${mb(peak - idleCold)} MB over cold idle, +${mb(peak - idle)} MB over warm idle`,
    );
    expect(peak - idleCold).toBeLessThan(100 * 1024);
    child.kill('SIGTERM');
  }, 300_000);
});
