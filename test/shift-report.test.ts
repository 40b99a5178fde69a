import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The shift report (docs/alerts.md "Shift reports") through a real SMTP server in this process: at the end
 * of the seeded 09:00–17:00 shift, one e-mail to the group's subscribers with the shift's OEE, its top
 * losses, the group's open reason debt and the `oee` export as xlsx (with the debt on a second sheet); with two instances, downtime over the shift end and a restart, still
 * exactly one.
 */
interface Mail {
  recipients: string[];
  raw: string;
}
const mails: Mail[] = [];
let smtp: SMTPServer;
let smtpPort: number;
const apps: TestApp[] = [];
const clock = new FixedClock(new Date('2026-11-20T16:59:00Z'));
const t = (hhmm: string) => `2026-11-20T${hhmm}:00.000Z`;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        mails.push({ recipients: session.envelope.rcptTo.map((r) => r.address).sort(), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  while (apps.length) await apps.pop()!.stop();
  await new Promise<void>((resolve) => smtp.close(resolve));
});

async function instance(databaseUrl: string): Promise<TestApp> {
  const app = await startTestApp({
    databaseUrl,
    clock,
    env: { OEE_ROLES: 'ingest,realtime', SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, SMTP_FROM: 'oee@example.test' },
  });
  apps.push(app);
  return app;
}

async function stop(app: TestApp): Promise<void> {
  apps.splice(apps.indexOf(app), 1);
  await app.stop();
}

/** A MIME message's parts (nodemailer's multipart/mixed): headers lower-cased, bodies decoded. */
function parts(raw: string): { headers: Record<string, string>; body: Buffer }[] {
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)![1]!;
  return raw
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => {
      const [head, ...rest] = chunk.replace(/^\r\n/, '').split('\r\n\r\n');
      const headers: Record<string, string> = {};
      for (const line of head!.replace(/\r\n\s+/g, ' ').split('\r\n')) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      const text = rest.join('\r\n\r\n').replace(/\r\n$/, '');
      const encoding = headers['content-transfer-encoding'];
      const body =
        encoding === 'base64'
          ? Buffer.from(text.replace(/\s+/g, ''), 'base64')
          : encoding === 'quoted-printable'
            ? Buffer.from(
                text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
                'latin1',
              )
            : Buffer.from(text);
      return { headers, body };
    });
}

const qDecode = (text: string) =>
  text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/** The Subject header, unfolded and decoded (RFC 2047 Q-encoded words in UTF-8). */
function subject(raw: string): string {
  const header = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(raw)![1]!.replace(/\r\n[ \t]+/g, ' ');
  const bytes = header.replace(/\?= =\?UTF-8\?Q\?/g, '').replace(/=\?UTF-8\?Q\?(.*?)\?=/g, (_, word: string) => qDecode(word));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

describe('shift report', () => {
  it('sends one report per group and shift across two instances, downtime over the shift end and a restart', async () => {
    const databaseUrl = await createTestDatabase();
    const a = await instance(databaseUrl);
    const b = await instance(databaseUrl);
    const c = await clientsForRoles(a.url, ADMIN_PASSWORD);
    await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 });
    const group = (await c.admin.post('/api/v1/groups', { name: 'Line A' })).body;
    // The seeded pattern 1: Monday to Friday 09:00–17:00 (2026-11-20 is a Friday).
    const machine = (await c.admin.post('/api/v1/machines', { name: 'Press 1', groupId: group.id, shiftPatternId: 1 })).body;
    await c.device.post('/api/v1/events', { events: [{ machineId: machine.id, at: t('09:00'), activityCodeId: 2 }] });
    await c.device.post(`/api/v1/machines/${machine.id}/jobs`, { jobNumber: 'J-1', idealCycleTimeSeconds: 30, at: t('10:00') });
    await c.device.post(`/api/v1/machines/${machine.id}/production`, { good: 600, rejects: 0, from: t('10:00'), to: t('16:00') });
    await c.device.post(`/api/v1/machines/${machine.id}/jobs/current/end`, { at: t('16:00') });
    const supervisor = c.supervisor;
    for (const email of ['lead@example.test', 'Manager@example.test', 'lead@example.test']) {
      expect((await supervisor.post('/api/v1/report-subscriptions', { groupId: group.id, email })).status).toBe(201);
    }
    expect((await supervisor.get(`/api/v1/report-subscriptions?groupId=${group.id}`)).body.map((s: { email: string }) => s.email)).toEqual([
      'lead@example.test',
      'manager@example.test',
    ]);

    // Before the shift end: nothing.
    expect(await Promise.all([a.andon.shiftReports.run(), b.andon.shiftReports.run()])).toEqual([
      { planned: 0, sent: 0 },
      { planned: 0, sent: 0 },
    ]);
    // Both instances are down over the shift end; two start again at 18:15 and catch up together.
    await stop(a);
    await stop(b);
    clock.set('2026-11-20T18:15:00Z');
    const [d, e] = await Promise.all([instance(databaseUrl), instance(databaseUrl)]);
    const runs = await Promise.all([d.andon.shiftReports.run(), e.andon.shiftReports.run(), d.andon.shiftReports.run()]);
    expect(runs.reduce((n, r) => n + r.planned, 0)).toBe(1);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(1);
    // A restart and more runs: still one.
    await stop(d);
    clock.set('2026-11-20T18:16:00Z');
    const f = await instance(databaseUrl);
    expect(await Promise.all([e.andon.shiftReports.run(), f.andon.shiftReports.run()])).toEqual([
      { planned: 0, sent: 0 },
      { planned: 0, sent: 0 },
    ]);
    expect(mails).toHaveLength(1);
    const rows = await f.dataSource.query(
      `SELECT "groupId", "shiftStart", "shiftEnd", status, attempts, recipients, "sentAt" FROM shift_reports`,
    );
    expect(rows).toEqual([
      {
        groupId: group.id,
        shiftStart: new Date(t('09:00')),
        shiftEnd: new Date(t('17:00')),
        status: 'sent',
        attempts: 1,
        recipients: ['lead@example.test', 'manager@example.test'],
        sentAt: new Date('2026-11-20T18:15:00Z'),
      },
    ]);

    const mail = mails[0]!;
    expect(mail.recipients).toEqual(['lead@example.test', 'manager@example.test']);
    expect(subject(mail.raw)).toBe('[OEE shift report] Line A: 2026-11-20 09:00 – 2026-11-20 17:00');
    const [text, attachment] = parts(mail.raw);
    // 8 h planned: 6 h run, 2 h Down (09–10 and 16–17); 600 good at 30 s ideal = 5 h over 6 h run.
    // Down 09–10 owes a reason (60 planned minutes); Down from 16:00 is still going, so it owes none yet.
    expect(text!.body.toString('utf8').split(/\r?\n/)).toEqual([
      'Shift report Line A: 2026-11-20 09:00 – 2026-11-20 17:00',
      '',
      'Group OEE 62.5 %',
      '',
      'OEE per machine:',
      '  Press 1: OEE 62.5 % (availability 75.0 %, performance 83.3 %, quality 100.0 %), good 600, reject 0',
      '',
      'Top losses:',
      '  Down: 2 h 0 min, 2 stop(s)',
      '',
      'Open reason debt: 1 stop(s) without a reason',
      '  Press 1: 2026-11-20 09:00 – 2026-11-20 10:00, 60 min planned, Down',
      '',
    ]);
    expect(attachment!.headers['content-type']).toContain('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(attachment!.headers['content-disposition']).toContain('oee-monitor_oee_Line-A_2026-11-20T0900_2026-11-20T1700.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(attachment!.body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const row = (sheet.getRow(2).values as unknown[]).slice(1);
    const cell = (name: string) => row[header.indexOf(name)];
    expect(sheet.rowCount).toBe(2);
    expect(cell('Machine')).toBe('Press 1');
    expect(cell('OEE (%)')).toBeCloseTo(0.625, 10);
    expect(workbook.worksheets.map((w) => w.name)).toEqual([sheet.name, 'Reason debt']);
    const debtSheet = workbook.getWorksheet('Reason debt')!;
    expect(
      debtSheet
        .getSheetValues()
        .slice(1)
        .map((r) => (r as unknown[]).slice(1)),
    ).toEqual([
      ['Machine', 'Stop start', 'Stop end', 'Planned (min)', 'Code'],
      ['Press 1', '2026-11-20 09:00', '2026-11-20 10:00', 60, 'Down'],
    ]);
  }, 120_000);

  it('is off without SMTP settings', async () => {
    const app = await startTestApp({ clock, env: { OEE_ROLES: 'ingest,realtime' } });
    apps.push(app);
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const group = (await admin.post('/api/v1/groups', { name: 'Line Z' })).body;
    await admin.post('/api/v1/report-subscriptions', { groupId: group.id, email: 'z@example.test' });
    expect(await app.andon.shiftReports.run()).toEqual({ planned: 0, sent: 0 });
  }, 60_000);
});
