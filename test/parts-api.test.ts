import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';

/**
 * The part catalogue (docs/api.md "Part catalogue"): every route with success, invalid input, wrong role,
 * unknown id and conflict; what a machine and its tablet see; a job started by part number; import with an
 * exact per-row error report (all or nothing) and export round trips in CSV and xlsx.
 */
let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let lineA: number;
let lineB: number;
let press1: number;
let press2: number;
let lathe: number;
let tabletToken: string;

beforeAll(async () => {
  app = await startTestApp();
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  lineA = (await c.admin.post('/api/v1/groups', { name: 'Line A' })).body.id;
  lineB = (await c.admin.post('/api/v1/groups', { name: 'Line B' })).body.id;
  press1 = (await c.admin.post('/api/v1/machines', { name: 'Press 1', groupId: lineA })).body.id;
  press2 = (await c.admin.post('/api/v1/machines', { name: 'Press 2', groupId: lineA })).body.id;
  lathe = (await c.admin.post('/api/v1/machines', { name: 'Lathe', groupId: lineB })).body.id;
  tabletToken = (await c.admin.post('/api/v1/tablets', { name: 'Press 1 tablet', machineId: press1 })).body.token;
});
afterAll(() => app?.stop());

const entry = (partNumber: string, extra: Record<string, unknown> = {}) => ({
  partNumber,
  name: `${partNumber} name`,
  idealCycleTimeSeconds: 12.5,
  ...extra,
});
const deleteAll = async () => {
  for (const p of (await c.admin.get('/api/v1/parts')).body) expect((await c.admin.delete(`/api/v1/parts/${p.id}`)).status).toBe(204);
};
const csvImport = (content: string, dryRun = false) => c.admin.post('/api/v1/parts/import', { format: 'csv', content, dryRun });
const download = async (path: string, client: ApiClient = c.viewer) => {
  const res = await fetch(app.url + path, { headers: { authorization: `Bearer ${client.bearer}` } });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
    body: Buffer.from(await res.arrayBuffer()),
  };
};

describe('catalogue entries', () => {
  it('creates, reads, edits and deletes entries, each audited', async () => {
    const created = await c.admin.post('/api/v1/parts', entry('P-1', { machineId: press1 }));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: created.body.id,
      partNumber: 'P-1',
      name: 'P-1 name',
      idealCycleTimeSeconds: 12.5,
      machineId: press1,
      groupId: null,
    });
    const id = created.body.id;
    expect((await c.viewer.get(`/api/v1/parts/${id}`)).body).toEqual(created.body);
    expect((await c.viewer.get('/api/v1/parts')).body).toEqual([created.body]);

    const edited = await c.admin.patch(`/api/v1/parts/${id}`, {
      name: '  Bracket ',
      idealCycleTimeSeconds: 1 / 3,
      machineId: null,
      groupId: lineA,
    });
    expect(edited.status).toBe(200);
    // Times are kept to 12 significant digits (what survives any job-start unit).
    expect(edited.body).toEqual({
      id,
      partNumber: 'P-1',
      name: 'Bracket',
      idealCycleTimeSeconds: 0.333333333333,
      machineId: null,
      groupId: lineA,
    });

    expect((await c.admin.delete(`/api/v1/parts/${id}`)).status).toBe(204);
    expect((await c.viewer.get(`/api/v1/parts/${id}`)).status).toBe(404);
    const audit = await app.dataSource.query(
      `SELECT action, "machineId" FROM audit_log WHERE entity = 'part' AND "entityId" = $1 ORDER BY id`,
      [String(id)],
    );
    expect(audit).toEqual([
      { action: 'part.create', machineId: press1 },
      { action: 'part.update', machineId: null },
      { action: 'part.delete', machineId: null },
    ]);
  });

  it('refuses invalid input with 400 and an issue naming the field, and writes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [entry(''), 'partNumber'],
      [entry('P-2', { idealCycleTimeSeconds: 0 }), 'idealCycleTimeSeconds'],
      [entry('P-2', { idealCycleTimeSeconds: 31_536_001 }), 'idealCycleTimeSeconds'],
      [entry('P-2', { idealCycleTimeSeconds: '12' }), 'idealCycleTimeSeconds'],
      [entry('P-2', { name: 'x'.repeat(101) }), 'name'],
      [entry('P-2', { machineId: 999_999 }), 'machineId'],
      [entry('P-2', { groupId: 999_999 }), 'groupId'],
      [entry('P-2', { machineId: press1, groupId: lineA }), 'groupId'],
    ];
    for (const [body, field] of cases) {
      const res = await c.admin.post('/api/v1/parts', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(res.body.error.issues.map((i: { path: unknown[] }) => i.path[0])).toContain(field);
    }
    expect((await c.admin.post('/api/v1/parts', entry('P-2', { colour: 'red' }))).status).toBe(400);
    const id = (await c.admin.post('/api/v1/parts', entry('P-2', { machineId: press1 }))).body.id;
    const both = await c.admin.patch(`/api/v1/parts/${id}`, { groupId: lineA });
    expect(both.status).toBe(400);
    expect(both.body.error.issues).toEqual([{ path: ['groupId'], message: 'give machineId or groupId, not both' }]);
    expect((await c.admin.patch(`/api/v1/parts/${id}`, { idealCycleTimeSeconds: -1 })).status).toBe(400);
    expect(
      (await c.admin.get('/api/v1/parts')).body.map((p: { partNumber: string; machineId: number }) => [p.partNumber, p.machineId]),
    ).toEqual([['P-2', press1]]);
    await deleteAll();
  });

  it('answers 404 for an unknown or malformed id', async () => {
    expect((await c.viewer.get('/api/v1/parts/999999')).status).toBe(404);
    expect((await c.admin.patch('/api/v1/parts/999999', { name: 'x' })).status).toBe(404);
    expect((await c.admin.delete('/api/v1/parts/999999')).status).toBe(404);
    expect((await c.viewer.get('/api/v1/parts/abc')).status).toBe(404);
    expect((await c.viewer.get('/api/v1/machines/999999/parts')).status).toBe(404);
  });

  it('answers 409 for a second entry of one part number in one scope, and allows it in another scope', async () => {
    expect((await c.admin.post('/api/v1/parts', entry('P-3'))).status).toBe(201);
    const again = await c.admin.post('/api/v1/parts', entry('P-3', { name: 'other' }));
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'conflict', message: 'Part "P-3" already exists for every machine' });
    expect((await c.admin.post('/api/v1/parts', entry('P-3', { groupId: lineA }))).status).toBe(201);
    const onPress = await c.admin.post('/api/v1/parts', entry('P-3', { machineId: press1 }));
    expect(onPress.status).toBe(201);
    expect((await c.admin.post('/api/v1/parts', entry('P-3', { groupId: lineA }))).body.error.message).toBe(
      `Part "P-3" already exists for group ${lineA}`,
    );
    const moved = await c.admin.patch(`/api/v1/parts/${onPress.body.id}`, { machineId: null });
    expect(moved.status).toBe(409);
    expect(moved.body.error.message).toBe('Part "P-3" already exists for every machine');
    await deleteAll();
  });

  it('lets every signed-in role read, only admins write; devices and strangers get nothing', async () => {
    const id = (await c.admin.post('/api/v1/parts', entry('P-4'))).body.id;
    for (const client of [c.viewer, c.operator, c.supervisor]) {
      expect((await client.get('/api/v1/parts')).status).toBe(200);
      expect((await client.get(`/api/v1/parts/${id}`)).status).toBe(200);
      expect((await client.get(`/api/v1/machines/${press1}/parts`)).status).toBe(200);
    }
    for (const client of [c.supervisor, c.operator, c.viewer, c.device]) {
      expect((await client.post('/api/v1/parts', entry('P-5'))).status).toBe(403);
      expect((await client.patch(`/api/v1/parts/${id}`, { name: 'x' })).status).toBe(403);
      expect((await client.delete(`/api/v1/parts/${id}`)).status).toBe(403);
      expect(
        (await client.post('/api/v1/parts/import', { format: 'csv', content: 'Part number,Ideal cycle time (s)\r\nP-5,1\r\n' })).status,
      ).toBe(403);
    }
    expect((await c.device.get('/api/v1/parts')).status).toBe(403);
    expect((await c.device.get(`/api/v1/machines/${press1}/parts`)).status).toBe(403);
    expect((await download('/api/v1/parts/export.csv', c.device)).status).toBe(403);
    expect((await c.anonymous.get('/api/v1/parts')).status).toBe(401);
    expect((await c.anonymous.get(`/api/v1/machines/${press1}/parts`)).status).toBe(401);
    expect((await c.anonymous.post('/api/v1/parts', entry('P-5'))).status).toBe(401);
    expect((await c.admin.get('/api/v1/parts')).body.map((p: { partNumber: string }) => p.partNumber)).toEqual(['P-4']);
    await deleteAll();
  });
});

describe('what a machine sees', () => {
  it("gives each part number once: the machine's own entry, else its group's, else the one for every machine", async () => {
    await c.admin.post('/api/v1/parts', entry('A-1', { idealCycleTimeSeconds: 30 }));
    await c.admin.post('/api/v1/parts', entry('A-1', { idealCycleTimeSeconds: 20, groupId: lineA }));
    await c.admin.post('/api/v1/parts', entry('A-1', { idealCycleTimeSeconds: 10, machineId: press1 }));
    await c.admin.post('/api/v1/parts', entry('B-2', { idealCycleTimeSeconds: 7, groupId: lineA }));
    await c.admin.post('/api/v1/parts', entry('C-3', { idealCycleTimeSeconds: 4, machineId: lathe }));
    const seen = async (machineId: number) =>
      (
        (await c.viewer.get(`/api/v1/machines/${machineId}/parts`)).body as {
          partNumber: string;
          idealCycleTimeSeconds: number;
          scope: string;
        }[]
      ).map((p) => [p.partNumber, p.idealCycleTimeSeconds, p.scope]);
    expect(await seen(press1)).toEqual([
      ['A-1', 10, 'machine'],
      ['B-2', 7, 'group'],
    ]);
    expect(await seen(press2)).toEqual([
      ['A-1', 20, 'group'],
      ['B-2', 7, 'group'],
    ]);
    expect(await seen(lathe)).toEqual([
      ['A-1', 30, 'all'],
      ['C-3', 4, 'machine'],
    ]);
  });

  it("shows a tablet its own machine's catalogue, with its own token, and nothing else", async () => {
    const tablet = new ApiClient(app.url, tabletToken);
    const mine = await tablet.get(`/api/v1/machines/${press1}/parts`);
    expect(mine.status).toBe(200);
    expect(mine.body.map((p: { partNumber: string }) => p.partNumber)).toEqual(['A-1', 'B-2']);
    const other = await tablet.get(`/api/v1/machines/${press2}/parts`);
    expect(other.status).toBe(403);
    expect(other.body.error.message).toBe('This tablet is not paired with this machine');
    const unknown = await new ApiClient(app.url, 'tab_not-a-real-token').get(`/api/v1/machines/${press1}/parts`);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe('Unknown tablet token');
    // The tablet token opens nothing else.
    expect((await tablet.get('/api/v1/parts')).status).toBe(401);
    expect((await tablet.get(`/api/v1/machines/${press1}`)).status).toBe(401);
  });

  it('starts a job by part number with the ideal cycle time the machine sees, exactly; a given time wins', async () => {
    const start = (machineId: number, body: Record<string, unknown>) => c.device.post(`/api/v1/machines/${machineId}/jobs`, body);
    const end = (machineId: number) => c.device.post(`/api/v1/machines/${machineId}/jobs/current/end`, {});
    const byPart = await start(press2, { jobNumber: 'J-1', partNumber: 'A-1' });
    expect(byPart.status).toBe(201);
    expect(byPart.body.job.idealCycleTimeSeconds).toBe(20);
    await end(press2);
    const explicit = await start(press2, { jobNumber: 'J-2', partNumber: 'A-1', idealCycleTimeSeconds: 3.25 });
    expect(explicit.body.job.idealCycleTimeSeconds).toBe(3.25);
    await end(press2);
    expect((await start(press2, { jobNumber: 'J-3', partNumber: 'A-1', idealCycleTimeSeconds: null })).body.job.idealCycleTimeSeconds).toBe(
      20,
    );
    await end(press2);
    expect((await start(press2, { jobNumber: 'J-4' })).body.job.idealCycleTimeSeconds).toBe(null);
    await end(press2);

    const unknown = await start(press2, { jobNumber: 'J-5', partNumber: 'C-3' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues).toEqual([{ path: ['partNumber'], message: 'no part "C-3" in the catalogue for this machine' }]);
    expect((await start(999_999, { jobNumber: 'J-6', partNumber: 'A-1' })).status).toBe(404);
    expect((await start(press2, { jobNumber: 'J-7', partNumber: '' })).status).toBe(400);
    expect((await c.viewer.post(`/api/v1/machines/${press2}/jobs`, { jobNumber: 'J-8', partNumber: 'A-1' })).status).toBe(403);
    await deleteAll();
  });
});

describe('import and export', () => {
  const header = 'Part number,Part name,Ideal cycle time (s),Machine,Group,Colour';
  const bad = [
    header,
    'P-100,Bracket,12.5,,,red',
    'P-100,Bracket on press,10,Press 1,,',
    ',No number,5,,,',
    'P-200,Housing,abc,,,',
    'P-300,Lid,-3,Press 9,,',
    'P-400,Cap,7,Press 1,Line A,',
    'P-100,Again,11,,,',
    '"P-500, long","Quoted ""lid""",0.5,,line a,',
    ',,,,,',
    'P-600,Plate,0,,,',
  ].join('\r\n');

  it('reports every bad row with its row number, column and message, and imports nothing', async () => {
    const audited = () => app.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'part'`);
    const before = await audited();
    const res = await csvImport(bad);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      imported: false,
      dryRun: false,
      rows: 9,
      created: 3,
      updated: 0,
      unchanged: 0,
      ignoredColumns: ['Colour'],
      errors: [
        { row: 4, column: 'Part number', message: 'Part number is required' },
        { row: 5, column: 'Ideal cycle time (s)', message: 'Ideal cycle time (s) must be a number of seconds greater than 0, not "abc"' },
        { row: 6, column: 'Ideal cycle time (s)', message: 'Ideal cycle time (s) must be a number of seconds greater than 0, not "-3"' },
        { row: 6, column: 'Machine', message: 'There is no machine named "Press 9"' },
        { row: 7, column: 'Group', message: 'An entry is for a machine or for a group, not both: leave one empty' },
        { row: 8, column: 'Part number', message: 'Row 2 already has part "P-100" for every machine' },
        { row: 11, column: 'Ideal cycle time (s)', message: 'Ideal cycle time (s) must be a number of seconds greater than 0, not "0"' },
      ],
    });
    expect((await c.admin.get('/api/v1/parts')).body).toEqual([]);
    expect(await audited()).toEqual(before);
  });

  it('imports a corrected file whole, then matches entries by part number and scope', async () => {
    const good = [
      '\ufeffPart number;Part name;Ideal cycle time (s);Machine;Group',
      'P-100;Bracket;12,5;;',
      'P-100;Bracket on press;10;Press 1;',
      '"P-500; long";Lid;0,5;;line a',
      "'=P-700;Guarded;3;;",
    ].join('\n');
    expect((await csvImport(good, true)).body).toMatchObject({ imported: false, dryRun: true, rows: 4, created: 4, errors: [] });
    expect((await c.admin.get('/api/v1/parts')).body).toEqual([]);

    expect((await csvImport(good)).body).toEqual({
      imported: true,
      dryRun: false,
      rows: 4,
      created: 4,
      updated: 0,
      unchanged: 0,
      ignoredColumns: [],
      errors: [],
    });
    const parts = (await c.admin.get('/api/v1/parts')).body.map((p: Record<string, unknown>) => [
      p.partNumber,
      p.name,
      p.idealCycleTimeSeconds,
      p.machineId,
      p.groupId,
    ]);
    expect(parts).toEqual([
      ['=P-700', 'Guarded', 3, null, null],
      ['P-100', 'Bracket', 12.5, null, null],
      ['P-100', 'Bracket on press', 10, press1, null],
      ['P-500; long', 'Lid', 0.5, null, lineA],
    ]);
    const changed = good.replace('Bracket;12,5', 'Bracket;12,75');
    expect((await csvImport(changed)).body).toMatchObject({ imported: true, created: 0, updated: 1, unchanged: 3 });
    expect(await app.dataSource.query(`SELECT action, note FROM audit_log WHERE entity = 'part' ORDER BY id DESC LIMIT 1`)).toEqual([
      { action: 'part.update', note: 'import' },
    ]);
    expect((await c.admin.get('/api/v1/parts')).body[1].idealCycleTimeSeconds).toBe(12.75);
  });

  it('exports CSV and xlsx in the import columns, and a file exported imports unchanged', async () => {
    const csv = await download('/api/v1/parts/export.csv');
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8; header=present');
    expect(csv.disposition).toBe('attachment; filename="oee-monitor_parts.csv"');
    expect(csv.body.toString('utf8')).toBe(
      '\ufeffPart number,Part name,Ideal cycle time (s),Machine,Group\r\n' +
        "'=P-700,Guarded,3,,\r\n" +
        'P-100,Bracket,12.75,,\r\n' +
        'P-100,Bracket on press,10,Press 1,\r\n' +
        'P-500; long,Lid,0.5,,Line A\r\n',
    );
    expect((await csvImport(csv.body.toString('utf8'))).body).toMatchObject({
      imported: true,
      created: 0,
      updated: 0,
      unchanged: 4,
      errors: [],
    });
    const semicolon = await download('/api/v1/parts/export.csv?separator=semicolon');
    expect(semicolon.body.toString('utf8').split('\r\n')[2]).toBe('P-100;Bracket;12,75;;');
    expect((await csvImport(semicolon.body.toString('utf8'))).body).toMatchObject({ imported: true, unchanged: 4, errors: [] });

    const xlsx = await download('/api/v1/parts/export.xlsx');
    expect(xlsx.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.name).toBe('Parts');
    expect(sheet.getRow(1).values).toEqual([undefined, 'Part number', 'Part name', 'Ideal cycle time (s)', 'Machine', 'Group']);
    expect(sheet.getRow(4).values).toEqual([undefined, 'P-100', 'Bracket on press', 10, 'Press 1']);
    expect(sheet.getRow(5).values).toEqual([undefined, 'P-500; long', 'Lid', 0.5, undefined, 'Line A']);
    const base64 = xlsx.body.toString('base64');
    expect((await c.admin.post('/api/v1/parts/import', { format: 'xlsx', content: base64 })).body).toMatchObject({
      imported: true,
      rows: 4,
      unchanged: 4,
      errors: [],
    });

    expect((await download('/api/v1/parts/export.pdf')).status).toBe(404);
    expect((await download('/api/v1/parts/export.csv?separator=tab')).status).toBe(400);
  });

  it('reads an xlsx with number cells and reports its bad rows the same way', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Catalogue');
    sheet.addRow(['Part number', 'Ideal cycle time (s)', 'Machine']);
    sheet.addRow([4711, 2.5, 'Lathe']);
    sheet.addRow(['X-1', 'fast', null]);
    sheet.addRow(['X-2', { formula: '2*3', result: 6 }, null]);
    const content = Buffer.from(await book.xlsx.writeBuffer()).toString('base64');
    const report = (await c.admin.post('/api/v1/parts/import', { format: 'xlsx', content })).body;
    expect(report).toMatchObject({
      imported: false,
      rows: 3,
      created: 2,
      errors: [
        { row: 3, column: 'Ideal cycle time (s)', message: 'Ideal cycle time (s) must be a number of seconds greater than 0, not "fast"' },
      ],
    });
    sheet.getRow(3).getCell(2).value = 9;
    const fixed = Buffer.from(await book.xlsx.writeBuffer()).toString('base64');
    expect((await c.admin.post('/api/v1/parts/import', { format: 'xlsx', content: fixed })).body).toMatchObject({
      imported: true,
      created: 3,
    });
    expect(
      (await c.viewer.get(`/api/v1/machines/${lathe}/parts`)).body.find((p: { partNumber: string }) => p.partNumber === '4711'),
    ).toMatchObject({ idealCycleTimeSeconds: 2.5, scope: 'machine' });
  });

  it('refuses files it cannot read with 400 and a message in words', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ format: 'xlsx', content: 'bm90IGEgemlw' }, 'The content is not an xlsx workbook (send the file in base64)'],
      [{ format: 'csv', content: '\r\n\r\n' }, 'The file is empty: it needs a header row, then one row per entry'],
    ];
    for (const [body, message] of cases) {
      const res = await c.admin.post('/api/v1/parts/import', body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(message);
    }
    for (const body of [
      { format: 'pdf', content: 'x' },
      { format: 'csv', content: '' },
      { format: 'csv' },
      { format: 'csv', content: 'x', surprise: 1 },
    ]) {
      expect((await c.admin.post('/api/v1/parts/import', body)).status).toBe(400);
    }
    const noColumns = await csvImport('Part,Seconds\r\nP-1,3\r\n');
    expect(noColumns.body).toMatchObject({
      imported: false,
      ignoredColumns: ['Seconds'],
      errors: [{ row: 1, column: 'Ideal cycle time (s)', message: 'The header has no Ideal cycle time (s) column' }],
    });
    expect((await csvImport('Part number,Ideal cycle time (s)\r\n"P-1,3\r\n')).body.errors).toEqual([
      { row: 2, column: null, message: 'A quoted field is not closed: the file ends inside quotes' },
      { row: 2, column: 'Ideal cycle time (s)', message: 'Ideal cycle time (s) is required' },
    ]);
  });
});
