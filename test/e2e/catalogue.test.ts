import { DateTime } from 'luxon';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';
import { tap, typeOnKeypad, queueEmpty } from '../support/tablet-page.js';

/**
 * The part catalogue and downtime causes in Chromium: a job started on the tablet from a part (typed,
 * scanned, chosen) gets exactly the part's ideal cycle time; the admin page adds entries and imports a file
 * with an exact error report; the loss Pareto and the Losses by cause table by cause, with exact values.
 */
let app: TestApp;
let browser: Browser;
let admin: ApiClient;

beforeAll(async () => {
  app = await startTestApp({ web: true });
  browser = await launchBrowser();
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  expect((await admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** A browser context signed in as admin (the session cookie of the JSON sign-in). */
async function adminContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const [name, value] = admin.cookie!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: app.url }]);
  return context;
}

/** Text as read: every run of white space (the en spaces between the parts of a line too) as one space. */
const squeeze = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();
const jobsOf = async (machineId: number) =>
  (await admin.get(`/api/v1/jobs?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&machineId=${machineId}`)).body.jobs as {
    jobNumber: string;
    idealCycleTimeSeconds: number | null;
  }[];

describe('part catalogue and downtime causes in Chromium', () => {
  it("starts jobs on the tablet from a part (typed, scanned, chosen) with exactly the part's ideal cycle time", async () => {
    // Minutes per part: the tablet shows 12.5 s as 0.208333 min and must still give the job 12.5 s.
    const machineId = (await admin.post('/api/v1/machines', { name: 'Mill 4', jobStartInputType: 'cycle_time_minutes' })).body.id as number;
    expect((await admin.post('/api/v1/parts', { partNumber: 'P-77', name: 'Gear', idealCycleTimeSeconds: 30 })).status).toBe(201);
    expect((await admin.post('/api/v1/parts', { partNumber: 'P-77', name: 'Gear', idealCycleTimeSeconds: 12.5, machineId })).status).toBe(
      201,
    );
    expect((await admin.post('/api/v1/parts', { partNumber: 'P-78', name: 'Shaft', idealCycleTimeSeconds: 40 })).status).toBe(201);
    const user = (await admin.post('/api/v1/users', { username: 'tina', role: 'operator', pin: '1357' })).body.id as number;
    const { token } = (await admin.post('/api/v1/tablets', { name: 'Mill 4 tablet', machineId })).body as { token: string };

    const context = await browser.newContext({ viewport: { width: 800, height: 1280 }, hasTouch: true });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/tablet?token=${encodeURIComponent(token)}`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await typeOnKeypad(page, String(user));
    await tap(page, 'Next');
    await typeOnKeypad(page, '1357');
    await tap(page, 'Sign in');
    await page.getByRole('heading', { name: 'Start a job' }).waitFor();
    const ideal = page.getByLabel('Ideal cycle time');

    // Typed (in any case): the machine's own entry fills the field in the machine's unit.
    await page.getByLabel('Job number').fill('J-1');
    await page.getByTestId('part-input').fill('p-77');
    await page.getByTestId('part-picked').waitFor();
    expect(squeeze(await page.getByTestId('part-picked').textContent())).toBe('P-77 Gear · 12.5 s per part');
    expect(await ideal.inputValue()).toBe('0.208333');
    await page.getByRole('button', { name: 'Start job' }).click();
    await page.getByTestId('job-number').filter({ hasText: 'J-1' }).waitFor();
    await queueEmpty(page);
    expect((await jobsOf(machineId)).map((j) => [j.jobNumber, j.idealCycleTimeSeconds])).toEqual([['J-1', 12.5]]);
    expect((await admin.post(`/api/v1/machines/${machineId}/jobs/current/end`, {})).status).toBe(200);

    // Scanned: the scanner types the part number and Enter, which takes the part and does not start the job.
    await page.getByRole('heading', { name: 'Start a job' }).waitFor();
    await page.getByTestId('part-input').fill('');
    await page.getByTestId('part-input').pressSequentially('P-78');
    await page.getByTestId('part-input').press('Enter');
    expect(await page.getByTestId('part-picked').textContent()).toContain('40 s per part');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('jobNumber');
    expect(await ideal.inputValue()).toBe('0.666667');
    expect(await jobsOf(machineId)).toHaveLength(1);
    await page.keyboard.type('J-2');
    await page.getByRole('button', { name: 'Start job' }).click();
    await page.getByTestId('job-number').filter({ hasText: 'J-2' }).waitFor();
    await queueEmpty(page);
    expect((await admin.post(`/api/v1/machines/${machineId}/jobs/current/end`, {})).status).toBe(200);

    // Chosen: the tablet lists the parts; one tap fills the field.
    await page.getByRole('heading', { name: 'Start a job' }).waitFor();
    const choices = page.getByRole('list', { name: 'Parts' }).getByTestId('part-choice');
    expect((await choices.allTextContents()).map(squeeze)).toEqual(['P-77 Gear 12.5 s per part', 'P-78 Shaft 40 s per part']);
    await page.getByLabel('Job number').fill('J-3');
    await choices.filter({ hasText: 'P-77' }).click();
    expect(await ideal.inputValue()).toBe('0.208333');
    await page.getByRole('button', { name: 'Start job' }).click();
    await page.getByTestId('job-number').filter({ hasText: 'J-3' }).waitFor();
    await queueEmpty(page);

    // Exact: the catalogue's seconds, not 0.208333 × 60.
    expect((await jobsOf(machineId)).map((j) => [j.jobNumber, j.idealCycleTimeSeconds])).toEqual([
      ['J-1', 12.5],
      ['J-2', 40],
      ['J-3', 12.5],
    ]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('adds a catalogue entry on the admin page and imports a file with good and bad rows, reporting each bad one', async () => {
    const group = (await admin.post('/api/v1/groups', { name: 'Line C' })).body.id as number;
    const context = await adminContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/admin/parts`);
    await page.getByRole('heading', { name: 'Parts', exact: true }).waitFor();

    await page.getByLabel('Part number').fill('H-1');
    await page.getByLabel('Name', { exact: true }).fill('Housing');
    await page.getByLabel('Ideal cycle time (s)').fill('7,5');
    await page.getByLabel('Applies to').selectOption({ label: 'Line C' });
    await page.click('[data-testid="part-form"] button[type="submit"]');
    await page.getByTestId('form-success').filter({ hasText: 'Added part “H-1”.' }).waitFor();
    const row = page.getByTestId('part-row').filter({ hasText: 'H-1' });
    expect((await row.locator('td').allTextContents()).map(squeeze)).toEqual(['H-1', 'Housing', '7.5', 'Line C (group)', 'Edit Delete']);
    expect((await admin.get('/api/v1/parts')).body.find((p: { partNumber: string }) => p.partNumber === 'H-1')).toMatchObject({
      idealCycleTimeSeconds: 7.5,
      groupId: group,
      machineId: null,
    });

    // A duplicate is refused next to the part number.
    await page.getByLabel('Part number').fill('H-1');
    await page.getByLabel('Ideal cycle time (s)').fill('8');
    await page.getByLabel('Applies to').selectOption({ label: 'Line C' });
    await page.click('[data-testid="part-form"] button[type="submit"]');
    await page
      .locator('#part-number-error')
      .filter({ hasText: `Part "H-1" already exists for group ${group}` })
      .waitFor();

    const file = (rows: string[]) => ({
      name: 'catalogue.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(['Part number,Part name,Ideal cycle time (s),Machine,Group', ...rows].join('\r\n')),
    });
    const bad = file(['S-1,Spring,2,,', 'S-2,Washer,fast,,', 'S-3,Nut,1,Mill 9,', ',Bolt,3,,Line C']);
    await page.getByTestId('import-file').setInputFiles(bad);
    await page.getByTestId('import-go').click();
    await page.getByTestId('import-summary').filter({ hasText: 'Nothing imported: 3 problems in 4 rows.' }).waitFor();
    const reported = await page
      .getByTestId('import-errors')
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(reported).toEqual([
      ['3', 'Ideal cycle time (s)', 'Ideal cycle time (s) must be a number of seconds greater than 0, not "fast"'],
      ['4', 'Machine', 'There is no machine named "Mill 9"'],
      ['5', 'Part number', 'Part number is required'],
    ]);
    expect(await page.getByTestId('part-row').count()).toBe(4);

    await page.getByTestId('import-file').setInputFiles(file(['S-1,Spring,2,,', 'S-2,Washer,0.25,Mill 4,', 'S-3,Nut,1,,Line C']));
    await page.getByTestId('import-go').click();
    await page.getByTestId('import-summary').filter({ hasText: '✓ Imported 3 rows: 3 new, 0 changed, 0 unchanged.' }).waitFor();
    await page.getByTestId('part-row').filter({ hasText: 'S-3' }).waitFor();
    expect((await page.getByTestId('part-row').locator('td:first-child').allTextContents()).map(squeeze)).toEqual([
      'H-1',
      'P-77',
      'P-77',
      'P-78',
      'S-1',
      'S-2',
      'S-3',
    ]);
    expect(await page.getByTestId('part-row').filter({ hasText: 'S-2' }).getByTestId('part-seconds').textContent()).toBe('0.25');
    // The duplicate's 409, on purpose; nothing else.
    expect(errors).toEqual(['console: Failed to load resource: the server responded with a status of 409 (Conflict)']);
    await context.close();
  });

  it('shows the loss Pareto by downtime cause and the Losses by cause table with exact values', async () => {
    const jam = (
      await admin.post('/api/v1/activity-codes', {
        shortDescription: 'Jam',
        category: 'unplanned_stop',
        cause: 'machine',
        colour: '#C62828',
      })
    ).body.id;
    const starved = (
      await admin.post('/api/v1/activity-codes', {
        shortDescription: 'No material',
        category: 'unplanned_stop',
        cause: 'material',
        colour: '#EF6C00',
      })
    ).body.id;
    const tooling = (
      await admin.post('/api/v1/activity-codes', {
        shortDescription: 'Tool change',
        category: 'planned_stop',
        cause: 'machine',
        colour: '#F9A825',
      })
    ).body.id;
    const machineId = (await admin.post('/api/v1/machines', { name: 'Press 12' })).body.id as number;
    const day = DateTime.utc().minus({ days: 1 }).toISODate()!;
    const at = (hhmm: string) => `${day}T${hhmm}:00Z`;
    expect((await admin.post(`/api/v1/machines/${machineId}/jobs`, { jobNumber: 'L-1', at: at('08:00') })).status).toBe(201);
    const events = [
      ['09:00', jam],
      ['09:10', 1],
      ['09:30', starved],
      ['09:50', tooling],
      ['09:55', 1],
      ['10:00', 2],
      ['10:30', 3],
    ].map(([t, code]) => ({ machineId, at: at(t as string), activityCodeId: code }));
    expect((await admin.post('/api/v1/events', { events })).status).toBe(200);

    const context = await adminContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/machines/${machineId}?from=${day}&to=${day}`);
    await page.waitForSelector('[data-testid="loss-pareto"] svg .lc-bar');
    const values = () =>
      page
        .getByTestId('pareto-values')
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent)));
    // By code (the default): every stop code, longest first.
    expect(await values()).toEqual([
      ['Down', '30 min', '46.2%', '1'],
      ['No material', '20 min', '30.8%', '1'],
      ['Jam', '10 min', '15.4%', '1'],
      ['Tool change', '5 min', '7.7%', '1'],
    ]);
    // By cause: Jam and Tool change are both the machine's; Down is other.
    await page.getByTestId('pareto-by-cause').click();
    await page.locator('[data-testid="pareto-values"][data-grouping="cause"]').waitFor();
    expect(await values()).toEqual([
      ['Other', '30 min', '46.2%', '1'],
      ['Material', '20 min', '30.8%', '1'],
      ['Machine', '15 min', '23.1%', '2'],
    ]);
    expect(await page.locator('[data-testid="loss-pareto"] svg .lc-bar').count()).toBe(6);
    // One cause's codes only.
    await page.getByTestId('pareto-by-code').click();
    await page.getByTestId('pareto-cause').selectOption('machine');
    await page.locator('[data-testid="pareto-values"] tbody tr').nth(1).filter({ hasText: 'Tool change' }).waitFor();
    expect(await values()).toEqual([
      ['Jam', '10 min', '66.7%', '1'],
      ['Tool change', '5 min', '33.3%', '1'],
    ]);

    await page.goto(`${app.url}/tables?table=losses-cause&from=${day}&to=${day}`);
    const table = page.getByTestId('report-table');
    await table.locator('tbody tr').filter({ hasText: 'Press 12' }).waitFor();
    const headers = (await table.locator('thead th').allTextContents()).map((h) => squeeze(h.replace(/[↕↑↓]/g, '')));
    expect(headers).toEqual(['Machine', 'Machine', 'Operator', 'Material', 'Quality', 'Other', 'Total']);
    const cells = await table.locator('tbody tr').filter({ hasText: 'Press 12' }).locator('td, th').allTextContents();
    expect(cells.map((c) => c.trim())).toEqual(['Press 12', '0:15', '0:00', '0:20', '0:00', '0:30', '1:05']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
