import { readFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { insertTimeline } from '../support/oee-fixtures.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Planned time on the machine page's timeline in Chromium (docs/oee.md#planned-windows): the shifts
 * are marked, the time outside them washed out, the legend splits each code's time in and outside
 * planned time; named shifts label the OEE trend and the wall tile.
 */
const DAY = '2026-05-07';
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const UP = 1;
const DOWN = 2;

let app: TestApp;
let browser: Browser;
let admin: ApiClient;
let machine: number;

beforeAll(async () => {
  app = await startTestApp({ web: true });
  browser = await launchBrowser();
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  expect((await admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(200);
  const pattern = await admin.post('/api/v1/shift-patterns', {
    name: 'Two shifts',
    shifts: [
      { days: EVERY_DAY, start: '06:00', end: '14:00', name: 'Early' },
      { days: EVERY_DAY, start: '14:00', end: '22:00', name: 'Late' },
    ],
  });
  expect(pattern.status).toBe(201);
  machine = (await admin.post('/api/v1/machines', { name: 'Shaded', groupId: 1, shiftPatternId: pattern.body.id })).body.id;
  // Down until 07:21 (1 h 21 min of it in the Early shift, 6 h before it), Up from then to midnight.
  await insertTimeline(app.dataSource, machine, [
    { start: `${DAY}T00:00:00Z`, end: `${DAY}T07:21:00Z`, activityCodeId: DOWN },
    { start: `${DAY}T07:21:00Z`, end: '2026-05-08T00:00:00Z', activityCodeId: UP },
  ]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('shift shading in Chromium', () => {
  it('marks the planned windows on the timeline, washes out the rest, splits the legend and names the shifts', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const [name, value] = admin.cookie!.split('=') as [string, string];
    await context.addCookies([{ name, value, url: app.url }]);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/machines/${machine}?from=${DAY}&to=${DAY}&bucket=shift`);
    await page.waitForSelector('[data-testid="gantt-planned"]');

    const spans = (testid: string) =>
      page.$$eval(`[data-testid="${testid}"]`, (els) =>
        els.map((el) => [el.getAttribute('data-start'), el.getAttribute('data-end'), el.getAttribute('data-name')]),
      );
    expect(await spans('gantt-planned')).toEqual([
      [`${DAY}T06:00:00.000Z`, `${DAY}T14:00:00.000Z`, 'Early'],
      [`${DAY}T14:00:00.000Z`, `${DAY}T22:00:00.000Z`, 'Late'],
    ]);
    expect(await spans('gantt-unplanned')).toEqual([
      [`${DAY}T00:00:00.000Z`, `${DAY}T06:00:00.000Z`, null],
      [`${DAY}T22:00:00.000Z`, '2026-05-08T00:00:00.000Z', null],
    ]);
    // The wash covers exactly its share of the day: 6 h of 24 and 2 h of 24 of the plot's width.
    const plot = (await page.locator('.plot-bg').boundingBox())!;
    const washes = await page
      .locator('[data-testid="gantt-unplanned"]')
      .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width));
    expect(washes[0]! / plot.width).toBeCloseTo(6 / 24, 2);
    expect(washes[1]! / plot.width).toBeCloseTo(2 / 24, 2);
    expect(await page.$eval('[data-testid="gantt-unplanned"]', (el) => getComputedStyle(el).fill)).toBe('rgba(255, 255, 255, 0.6)');

    const legend = await page.$$eval('[data-testid="legend-item"]', (els) => els.map((el) => el.textContent!.replace(/\s+/g, ' ').trim()));
    expect(legend).toEqual(['Up 14 h 39 min in planned time, 2 h outside', 'Down 1 h 21 min in planned time, 6 h outside']);

    // The OEE trend's shift buckets carry the shift names.
    const trend = await page.locator('section[aria-labelledby="trend-title"]').textContent();
    expect(trend).toContain('7 May Early');
    expect(trend).toContain('7 May Late');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('/tables?table=shift-oee: a row per machine and named shift, with its exact numbers, and its CSV', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const [name, value] = admin.cookie!.split('=') as [string, string];
    await context.addCookies([{ name, value, url: app.url }]);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/tables?table=shift-oee&from=${DAY}&to=${DAY}`);
    await page.waitForSelector('[data-testid="table-panel"][data-table="shift-oee"] [data-testid="report-table"] tbody td a');
    const cells = (selector: string) =>
      page.$$eval(selector, (rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent!.trim())));
    expect((await cells('[data-testid="report-table"] thead tr'))[0]).toEqual([
      'Machine ↕',
      'Shift ↕',
      'Start ↕',
      'Run time (h) ↕',
      'Unplanned stops (h) ↕',
      'Good count (parts) ↕',
      'Reject count (parts) ↕',
      'Availability (%) ↕',
      'Performance (%) ↕',
      'Quality (%) ↕',
      'OEE (%) ↕',
    ]);
    // Early: run 23 940 s (07:21–14:00), unplanned stop 4 860 s (06:00–07:21), availability 23 940 / 28 800; no parts, so no
    // performance, quality or OEE. Late: run the whole 28 800 s. The 6 h before Early and the 2 h after Late are unplanned: no rows.
    expect(await cells('[data-testid="report-table"] tbody tr')).toEqual([
      ['Shaded', 'Early', '2026-05-07 06:00', '6:39', '1:21', '0', '0', '83.1%', '—', '—', '—'],
      ['Shaded', 'Late', '2026-05-07 14:00', '8:00', '0:00', '0', '0', '100.0%', '—', '—', '—'],
    ]);

    // The table's own CSV: the rows on screen, minutes and percent as numbers.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-csv"]')]);
    expect(csv.suggestedFilename()).toBe(`shift-oee_site_${DAY}_${DAY}.csv`);
    const lines = (await readFile((await csv.path())!, 'utf8'))
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines.slice(1)).toEqual(['Shaded,Early,2026-05-07 06:00,399,81,0,0,83.1,,,', 'Shaded,Late,2026-05-07 14:00,480,0,0,0,100,,,']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the wall tile names the current shift', async () => {
    const token = (await admin.post('/api/v1/kiosk-tokens', { name: 'Shift TV', groupId: 1 })).body.token as string;
    // The tile shows the shift in progress, or the one that ended last (the real clock: 06–14 Early, else Late).
    const hour = new Date().getUTCHours();
    const current = hour >= 6 && hour < 14 ? 'Early' : 'Late';
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/wall?token=${encodeURIComponent(token)}`);
    const label = page.locator(`[data-testid="machine-tile"][data-machine-id="${machine}"] [data-testid="tile-oee-label"]`);
    await label.waitFor();
    await expect.poll(() => label.textContent()).toBe(`OEE · ${current}`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the shift-pattern editor says how many days and machines an edit from a date touches, then saves it as a new version', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const [name, value] = admin.cookie!.split('=') as [string, string];
    await context.addCookies([{ name, value, url: app.url }]);
    const page = await context.newPage();
    const errors = watchErrors(page);
    // The real clock: "today" is the site's (UTC) date; the machine has history since 7 May.
    const today = DateTime.utc().startOf('day');
    const from = today.minus({ days: 2 });
    const long = (d: DateTime) => d.toFormat('ccc d LLL yyyy');
    await page.goto(`${app.url}/admin/shift-patterns`);
    await page.click('button[aria-label="Edit Two shifts"]');
    await page.waitForSelector('[data-testid="pattern-impact"]:has-text("No change to shifts")');
    await page.fill('#sp-shift-0-start', '07:00');
    await page.fill('#sp-effective-from', from.toISODate()!);
    const impact = page.locator('[data-testid="pattern-impact"]');
    await expect
      .poll(() => impact.textContent())
      .toContain(
        `Planned time changes on 3 days with history (${long(from)} – ${long(today)}) on 1 machine (Shaded); their OEE is recomputed.`,
      );
    expect(await impact.textContent()).toContain(`Days before ${long(from)} keep their shifts and OEE.`);

    await page.click('[data-testid="pattern-form"] button[type="submit"]');
    await page.waitForFunction(
      (text) => document.querySelector('[data-testid="pattern-form"] [data-testid="form-success"]')?.textContent?.includes(text),
      `Saved shift pattern “Two shifts”; the new shifts apply from ${long(from)}.`,
    );
    await page.waitForSelector('[data-testid="pattern-versions"] li >> nth=1');
    const versions = await page.$$eval('[data-testid="pattern-versions"] li', (els) =>
      els.map((el) => [...el.querySelectorAll('.span, .chip')].map((part) => part.textContent!.trim())),
    );
    expect(versions).toEqual([
      [`Until ${long(from.minus({ days: 1 }))}`, 'Early Mon–Sun 06:00–14:00', 'Late Mon–Sun 14:00–22:00'],
      [`From ${long(from)}`, 'Early Mon–Sun 07:00–14:00', 'Late Mon–Sun 14:00–22:00'],
    ]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
