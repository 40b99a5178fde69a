import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { insertTimeline } from '../support/oee-fixtures.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The Reasons table of /tables in Chromium (docs/oee.md "Reason KPIs"): a row per machine and shift with its
 * exact figures, and its download from the reasons export. The day is stored directly: a Down stop never
 * explained, and a stop whose reason a correction gave an hour after it ended.
 */
const DAY = '2026-05-07';
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const UP = 1;
const DOWN = 2;
const at = (hm: string) => `${DAY}T${hm}:00Z`;

let app: TestApp;
let browser: Browser;
let admin: ApiClient;

beforeAll(async () => {
  app = await startTestApp({ web: true });
  browser = await launchBrowser();
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  expect((await admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0, reasonPromptMinutes: 5 })).status).toBe(200);
  const jam = (await admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' })).body
    .id as number;
  const pattern = await admin.post('/api/v1/shift-patterns', {
    name: 'Two shifts',
    shifts: [
      { days: EVERY_DAY, start: '06:00', end: '14:00', name: 'Early' },
      { days: EVERY_DAY, start: '14:00', end: '22:00', name: 'Late' },
    ],
  });
  const machine = (await admin.post('/api/v1/machines', { name: 'Press', groupId: 1, shiftPatternId: pattern.body.id })).body.id as number;
  await insertTimeline(app.dataSource, machine, [
    { start: at('06:00'), end: at('06:30'), activityCodeId: DOWN },
    { start: at('06:30'), end: at('08:00'), activityCodeId: UP },
    { start: at('08:00'), end: at('08:20'), activityCodeId: jam },
    { start: at('08:20'), end: '2026-05-08T00:00:00Z', activityCodeId: UP },
  ]);
  // The correction that gave 08:00–08:20 its reason, made at 09:20.
  await app.dataSource.query(
    `INSERT INTO state_events ("machineId", at, until, "activityCodeId", source, "correctedAt") VALUES ($1, $2, $3, $4, 'correction', $5)`,
    [machine, at('08:00'), at('08:20'), jam, at('09:20')],
  );
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the Reasons table', () => {
  it('/tables?table=reasons: a row per machine and shift with exact figures, and its CSV from the export', async () => {
    const context = await browser.newContext({ viewport: { width: 1800, height: 1000 } });
    const [name, value] = admin.cookie!.split('=') as [string, string];
    await context.addCookies([{ name, value, url: app.url }]);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/tables?table=reasons&from=${DAY}&to=${DAY}`);
    await page.waitForSelector('[data-testid="table-panel"][data-table="reasons"] [data-testid="report-table"] tbody td a');
    const cells = (selector: string) =>
      page.$$eval(selector, (rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent!.trim())));
    expect((await cells('[data-testid="report-table"] thead tr'))[0]).toEqual([
      'Machine ↕',
      'Shift ↕',
      'Stop time (h) ↕',
      'Explained stop time (h) ↕',
      'Explained stop time (%) ↕',
      'Unexplained stop time (h) ↕',
      'Stops owing a reason (count) ↕',
      'Stops explained (count) ↕',
      'Stops still unexplained (count) ↕',
      'Median reason latency ↕',
      'P90 reason latency ↕',
      'Mean reason latency ↕',
    ]);
    // Early: 30 min Down and 20 min Jam (its reason an hour after its end); Late: no stop.
    expect(await cells('[data-testid="report-table"] tbody tr')).toEqual([
      ['Press', 'Early', '0:50', '0:20', '40.0%', '0:30', '2', '1', '1', '1 h', '1 h', '1 h'],
      ['Press', 'Late', '0:00', '0:00', '—', '0:00', '0', '0', '0', '—', '—', '—'],
    ]);

    // Its CSV is the reasons export over the page's range.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-csv"]')]);
    expect(csv.suggestedFilename()).toBe(`oee-monitor_reasons_site_${DAY}_2026-05-08.csv`);
    const lines = (await readFile((await csv.path())!, 'utf8'))
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines.slice(1).map((l) => l.split(',').slice(1))).toEqual([
      ['Press', 'Early', '0.833333333', '0.333333333', '0.5', '40', '2', '1', '1', '1', '1', '1'],
      ['Press', 'Late', '0', '0', '0', '', '0', '0', '0', '', '', ''],
    ]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
