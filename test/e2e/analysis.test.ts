import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPlant, type SeededPlant } from '../support/analysis-fixtures.js';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The analysis pages in Chromium against a plant seeded through the HTTP API: a site in
 * Europe/Berlin (not the browser's zone), five machines in two groups, and yesterday (site-local)
 * full of states, jobs and counts.
 */
const ZONE = 'Europe/Berlin';
const SCREENSHOTS = { machine: '/tmp/analysis-machine.png', analytics: '/tmp/analysis-analytics.png' };

let app: TestApp;
let browser: Browser;
let admin: ApiClient;
let plant: SeededPlant;
let day: string;
let window: { from: string; to: string };
const passwords = { sam: 'supervisor-password-1', vic: 'viewer-password-1' };

beforeAll(async () => {
  app = await startTestApp({ web: true });
  browser = await launchBrowser();
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  day = DateTime.now().setZone(ZONE).minus({ days: 1 }).toISODate()!;
  plant = await seedPlant(admin, { timezone: ZONE, day, machines: 5 });
  window = {
    from: DateTime.fromISO(day, { zone: ZONE }).toUTC().toISO()!,
    to: DateTime.fromISO(day, { zone: ZONE }).plus({ days: 1 }).toUTC().toISO()!,
  };
  for (const [username, role] of [
    ['sam', 'supervisor'],
    ['vic', 'viewer'],
  ] as const) {
    const res = await admin.post('/api/v1/users', { username, password: passwords[username], role });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** A browser context signed in as `username` (the session cookie of the JSON sign-in). */
async function signedIn(username: string, password: string, viewport = { width: 1600, height: 1000 }): Promise<BrowserContext> {
  const client = await new ApiClient(app.url).signIn(username, password);
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const [name, value] = client.cookie!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: app.url }]);
  return context;
}

const q = (extra = '') => `from=${day}&to=${day}${extra}`;
const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const timeline = async (machineId: number) =>
  (await admin.get(`/api/v1/machines/${machineId}/timeline?from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}`))
    .body.intervals as { start: string; end: string | null; activityCodeId: number }[];
const localMs = (hhmm: string) => DateTime.fromISO(`${day}T${hhmm}`, { zone: ZONE }).toMillis();

/** The page x of a site-local time on a Gantt (its plot spans the whole day). */
async function ganttX(page: Page, hhmm: string): Promise<number> {
  const box = (await page.locator('[data-testid="gantt"] .plot-bg').boundingBox())!;
  const from = localMs('00:00');
  const to = DateTime.fromISO(day, { zone: ZONE }).plus({ days: 1 }).toMillis();
  return box.x + (box.width * (localMs(hhmm) - from)) / (to - from);
}

describe('analysis pages in Chromium', () => {
  it('sends visitors who are not signed in to the sign-in page, and back afterwards', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/analytics?${q()}`);
    await page.waitForURL(/\/login\?next=/);
    expect(decodeURIComponent(new URL(page.url()).searchParams.get('next')!)).toBe(`/analytics?${q()}`);
    await page.fill('input[name="username"]', 'admin');
    await page.fill('input[name="password"]', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(/\/analytics\?/), page.click('button[type="submit"]')]);
    await page.waitForSelector('[data-testid="gantt-bar"]');
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    await context.close();
  });

  it('/machines/:id shows live state, the timeline, OEE tiles, trend, waterfall, Pareto and jobs from the API', async () => {
    const machine = plant.machines[0]!;
    const context = await signedIn('admin', ADMIN_PASSWORD);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/machines/${machine.id}?${q('&bucket=hour')}`);
    await page.waitForSelector('[data-testid="gantt-bar"]');

    // One Gantt rect per interval of the API's timeline, in the code's colour.
    const intervals = await timeline(machine.id);
    expect(intervals.length).toBe(machine.segments.length);
    await expect.poll(() => page.locator('[data-testid="gantt-bar"]').count()).toBe(intervals.length);
    const firstColour = await page.locator('[data-testid="gantt-bar"]').first().getAttribute('fill');
    const codes = (await admin.get('/api/v1/activity-codes')).body as { id: number; colour: string; shortDescription: string }[];
    expect(firstColour?.toLowerCase()).toBe(codes.find((c) => c.id === intervals[0]!.activityCodeId)!.colour.toLowerCase());

    // Tooltip: code, times, duration and job.
    const running = intervals.findIndex((i) => i.activityCodeId === plant.codes.up);
    await page.locator('[data-testid="gantt-bar"]').nth(running).hover();
    const tip = await page.locator('[data-testid="gantt-tooltip"]').textContent();
    expect(tip).toContain('Up');
    expect(tip).toContain(machine.jobs[0]!.jobNumber);
    expect(tip).toMatch(/Duration\s*\d/);

    // Tiles are the API's ratios, formatted.
    const oee = (
      await admin.get(
        `/api/v1/oee?machineId=${machine.id}&from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}&bucket=hour`,
      )
    ).body;
    expect(oee.oee).toBeGreaterThan(0);
    for (const key of ['oee', 'availability', 'performance', 'quality', 'teep'] as const) {
      expect(await page.locator(`[data-testid="kpi-${key}"] .value`).textContent()).toContain(percent(oee[key]));
    }

    // Charts have data: a bar per hour with data, the waterfall's steps, a Pareto bar per loss code (time and occurrences).
    const withData = (oee.buckets as { oee: number | null }[]).filter((b) => b.oee !== null).length;
    expect(withData).toBeGreaterThan(10);
    expect(Number(await page.getAttribute('[data-testid="oee-trend"]', 'data-points'))).toBe(withData);
    expect(await page.locator('[data-testid="oee-trend"] svg .lc-bar').count()).toBe(24);
    // Calendar → planned window → planned production → run → ideal → fully productive, with the losses between (no overtime here).
    expect(await page.locator('[data-testid="waterfall"] svg .lc-bar').count()).toBe(11);
    const lossCodes = new Set((oee.losses as { activityCodeId: number }[]).map((l) => l.activityCodeId));
    expect(lossCodes.size).toBeGreaterThan(1);
    expect(await page.locator('[data-testid="loss-pareto"] svg .lc-bar').count()).toBe(lossCodes.size * 2);

    // Jobs with their counts.
    const rows = page.locator('[data-testid="jobs-table"] tbody tr');
    await expect.poll(() => rows.count()).toBe(machine.jobs.length);
    const firstJob = machine.jobs[0]!;
    const text = await rows.first().textContent();
    expect(text).toContain(firstJob.jobNumber);
    expect(text).toContain(firstJob.good.toLocaleString('en-GB'));

    // Live state: the machine is in Closed since 22:00.
    expect(await page.getAttribute('[data-testid="live-state"]', 'data-activity-code-id')).toBe(String(plant.codes.closed));

    // The bucket picker and the range live in the URL.
    await page.selectOption('#range-bucket', 'shift');
    await page.waitForURL(/bucket=shift/);
    await expect.poll(() => page.locator('[data-testid="oee-trend"] svg .lc-bar').count()).toBe(2);
    expect(page.url()).toContain(`from=${day}`);

    // An admin is a supervisor too: the correction tools are there.
    expect(await page.locator('[data-testid="correction-panel"]').count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a supervisor corrects a span by dragging on the timeline; the timeline API shows the corrected interval', async () => {
    const machine = plant.machines[1]!;
    const before = await timeline(machine.id);
    const context = await signedIn('sam', passwords.sam);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/machines/${machine.id}?${q()}`);
    await page.waitForSelector('[data-testid="gantt-bar"]');

    // Click-to-select: a first click sets the start, a second the end; Cancel drops it.
    await page.mouse.click(await ganttX(page, '01:00'), (await page.locator('[data-testid="gantt"] .plot-bg').boundingBox())!.y + 20);
    await page.waitForSelector('text=click the end of the span');
    await page.mouse.click(await ganttX(page, '01:30'), (await page.locator('[data-testid="gantt"] .plot-bg').boundingBox())!.y + 20);
    await page.waitForSelector('[data-testid="gantt-selection"]');
    await page.click('[data-testid="correction-panel"] button:has-text("Cancel")');
    await page.waitForSelector('[data-testid="gantt-selection"]', { state: 'detached' });

    // Drag across 02:00–03:00 inside the overnight Closed interval.
    const box = (await page.locator('[data-testid="gantt"] .plot-bg').boundingBox())!;
    const y = box.y + box.height / 3;
    await page.mouse.move(await ganttX(page, '02:00'), y);
    await page.mouse.down();
    await page.mouse.move(await ganttX(page, '02:30'), y, { steps: 5 });
    await page.mouse.move(await ganttX(page, '03:00'), y, { steps: 5 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid="gantt-selection"]');

    const panel = page.locator('[data-testid="correction-panel"]');
    const fromValue = await panel.locator('input[name="from"]').inputValue();
    const toValue = await panel.locator('input[name="to"]').inputValue();
    // Snapped to whole minutes, within a few minutes of where the mouse went.
    expect(Math.abs(DateTime.fromISO(fromValue, { zone: ZONE }).toMillis() - localMs('02:00'))).toBeLessThanOrEqual(5 * 60_000);
    expect(Math.abs(DateTime.fromISO(toValue, { zone: ZONE }).toMillis() - localMs('03:00'))).toBeLessThanOrEqual(5 * 60_000);

    await panel.locator('select[name="activityCodeId"]').selectOption(String(plant.codes.breakdown));
    await panel.locator('input[name="note"]').fill('Night shift reported a breakdown');
    await panel.locator('button[type="submit"]').click();
    await page.waitForSelector('[data-testid="correction-notice"]');

    const start = DateTime.fromISO(fromValue, { zone: ZONE }).toUTC().toMillis();
    const end = DateTime.fromISO(toValue, { zone: ZONE }).toUTC().toMillis();
    const after = await timeline(machine.id);
    const corrected = after.find((i) => Date.parse(i.start) === start);
    expect(corrected).toMatchObject({ activityCodeId: plant.codes.breakdown });
    expect(Date.parse(corrected!.end!)).toBe(end);
    // The Closed interval was split around it, and the page shows the new timeline.
    expect(after.length).toBe(before.length + 2);
    await expect.poll(() => page.locator('[data-testid="gantt-bar"]').count()).toBe(after.length);
    await expect
      .poll(() => page.locator(`[data-testid="gantt-bar"][data-activity-code-id="${plant.codes.breakdown}"]`).count())
      .toBeGreaterThan(0);

    // The audit log has it, with the note.
    const audit = (await admin.get(`/api/v1/audit?machineId=${machine.id}`)).body.entries as { note: string | null }[];
    expect(audit.some((e) => e.note === 'Night shift reported a breakdown')).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a viewer sees the machine page without the correction tools', async () => {
    const context = await signedIn('vic', passwords.vic);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/machines/${plant.machines[2]!.id}?${q()}`);
    await page.waitForSelector('[data-testid="gantt-bar"]');
    expect(await page.locator('[data-testid="correction-panel"]').count()).toBe(0);
    const box = (await page.locator('[data-testid="gantt"] .plot-bg').boundingBox())!;
    await page.mouse.move(await ganttX(page, '02:00'), box.y + 10);
    await page.mouse.down();
    await page.mouse.move(await ganttX(page, '04:00'), box.y + 10, { steps: 5 });
    await page.mouse.up();
    expect(await page.locator('[data-testid="gantt-selection"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('/analytics shows a Gantt row per machine, OEE per machine and activity durations, for the site or a group', async () => {
    const context = await signedIn('admin', ADMIN_PASSWORD);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/analytics?${q()}`);
    await page.waitForSelector('[data-testid="gantt-bar"]');

    let intervals = 0;
    for (const m of plant.machines) intervals += (await timeline(m.id)).length;
    await expect.poll(() => page.locator('[data-testid="gantt-bar"]').count()).toBe(intervals);
    expect(await page.locator('[data-testid="gantt"] .row-label').count()).toBe(plant.machines.length);
    expect(await page.locator('[data-testid="machine-oee"] svg .lc-bar').count()).toBe(plant.machines.length);
    expect(await page.locator('[data-testid="activity-durations"] svg .lc-bar').count()).toBeGreaterThan(plant.machines.length * 3);
    const site = (await admin.get(`/api/v1/oee?from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}`)).body;
    expect(await page.locator('[data-testid="kpi-oee"] .value').textContent()).toContain(percent(site.oee));

    // Pick a group: the URL says so and the page shows only its machines.
    const group = plant.groups[1]!;
    const members = plant.machines.filter((m) => m.groupId === group.id);
    await page.selectOption('#range-group', String(group.id));
    await page.waitForURL(new RegExp(`groupId=${group.id}`));
    await expect.poll(() => page.locator('[data-testid="gantt"] .row-label').count()).toBe(members.length);
    const groupOee = (
      await admin.get(`/api/v1/oee?groupId=${group.id}&from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}`)
    ).body;
    await expect.poll(() => page.locator('[data-testid="kpi-oee"] .value').textContent()).toContain(percent(groupOee.oee));

    // A machine name leads to its page with the same range.
    await Promise.all([
      page.waitForURL(new RegExp(`/machines/${members[0]!.id}\\?from=${day}&to=${day}`)),
      page.click(`.row-label a:has-text("${members[0]!.name}")`),
    ]);
    await page.waitForSelector('[data-testid="gantt-bar"]');

    // The same page again from its URL looks the same (the URL is the whole state).
    await page.goto(`${app.url}/analytics?${q(`&groupId=${group.id}`)}`);
    await expect.poll(() => page.locator('[data-testid="gantt"] .row-label').count()).toBe(members.length);
    expect(await page.inputValue('#range-group')).toBe(String(group.id));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('/tables: every table renders, sorts by its headings and downloads as CSV and Excel', async () => {
    const context = await signedIn('admin', ADMIN_PASSWORD);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/tables?${q()}`);
    const body = page.locator('[data-testid="report-table"] tbody tr');
    await expect.poll(() => body.count()).toBe(plant.machines.length);

    // Sort by OEE, highest first: the URL keeps it, and the first row is the best machine.
    const site = (await admin.get(`/api/v1/oee?from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}`)).body;
    const best = (site.machines as { machineId: number; oee: number }[]).reduce((a, b) => (b.oee > a.oee ? b : a));
    await page.click('[data-testid="report-table"] th button[data-sort-key="oee"]');
    await page.waitForURL(/sort=oee&dir=desc/);
    expect(await body.first().textContent()).toContain(plant.machines.find((m) => m.id === best.machineId)!.name);
    expect(await page.getAttribute('[data-testid="report-table"] th:has(button[data-sort-key="oee"])', 'aria-sort')).toBe('descending');

    // Client-side CSV and Excel of the table on screen.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-csv"]')]);
    expect(csv.suggestedFilename()).toBe(`oee_site_${day}_${day}.csv`);
    const lines = (await readFile((await csv.path())!, 'utf8')).trim().split('\r\n');
    expect(lines[0]).toContain('Machine');
    expect(lines).toHaveLength(1 + plant.machines.length + 1);
    expect(lines[1]).toContain(plant.machines.find((m) => m.id === best.machineId)!.name);
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-xlsx"]')]);
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
    // A real workbook: exceljs reads it back with the same rows.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile((await xlsx.path())!)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('OEE report');
    expect(sheet.rowCount).toBe(1 + plant.machines.length + 1);
    expect(sheet.getCell('A1').value).toBe('Machine');
    expect(sheet.getCell('A2').value).toBe(plant.machines.find((m) => m.id === best.machineId)!.name);
    const oeeColumn = (sheet.getRow(1).values as unknown[]).indexOf('OEE (%)');
    expect(sheet.getRow(2).getCell(oeeColumn).value).toBe(Number((best.oee * 100).toFixed(1)));

    // The other tables.
    for (const [tab, rows] of [
      ['daily-oee', plant.machines.length],
      ['daily-production', plant.machines.length],
      ['jobs', plant.machines.reduce((n, m) => n + m.jobs.length, 0)],
      ['durations-machine', plant.machines.length],
      ['durations-operator', 1],
    ] as const) {
      await page.click(`nav[aria-label="Tables"] a[href*="table=${tab}"]`);
      await page.waitForURL(new RegExp(`table=${tab}`));
      await page.waitForSelector(`[data-testid="table-panel"][data-table="${tab}"]`);
      await expect.poll(() => body.count(), { message: tab }).toBe(rows);
    }

    // Jobs have an export dataset: the buttons download it from the export API, with the row count shown.
    const jobCount = plant.machines.reduce((n, m) => n + m.jobs.length, 0);
    await page.click('nav[aria-label="Tables"] a[href*="table=jobs"]');
    await page.waitForSelector('[data-testid="table-panel"][data-table="jobs"]');
    const [jobs] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-csv"]')]);
    expect(jobs.suggestedFilename()).toMatch(/^oee-monitor_jobs_site_.*\.csv$/);
    const jobsText = await readFile((await jobs.path())!, 'utf8');
    expect(jobsText.charCodeAt(0)).toBe(0xfeff);
    expect(jobsText.trim().split('\r\n')).toHaveLength(1 + jobCount);
    await expect.poll(() => page.textContent('[data-testid="export-progress"]')).toContain(`Saved: ${jobCount} of ${jobCount} rows`);

    // The export panel: every dataset of the API; the CSV separator is the user's choice.
    await page.selectOption('[data-testid="export-dataset"]', 'oee-daily');
    await page.selectOption('[data-testid="export-separator"]', 'semicolon');
    const [grid] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
    expect(grid.suggestedFilename()).toMatch(/^oee-monitor_oee-daily_site_.*\.csv$/);
    // trim() also drops the byte-order mark.
    const gridLines = (await readFile((await grid.path())!, 'utf8')).trim().split('\r\n');
    expect(gridLines[0]).toMatch(/^Machine;(\d{4}-\d{2}-\d{2} OEE \(%\);)+Whole range OEE \(%\)$/);
    expect(gridLines).toHaveLength(1 + plant.machines.length);
    await page.selectOption('[data-testid="export-dataset"]', 'timeline');
    const [timeline] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-xlsx"]')]);
    const timelineBook = new ExcelJS.Workbook();
    await timelineBook.xlsx.load((await readFile((await timeline.path())!)) as unknown as ArrayBuffer);
    expect(timelineBook.worksheets[0]!.getCell('C2').value).toBeInstanceOf(Date);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('takes screenshots of the machine and analytics pages at 1600×1000', async () => {
    const context = await signedIn('admin', ADMIN_PASSWORD);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/machines/${plant.machines[0]!.id}?${q()}`);
    await page.waitForSelector('[data-testid="loss-pareto"] svg .lc-bar');
    await page.locator('[data-testid="gantt-bar"]').nth(4).hover();
    await page.waitForTimeout(300);
    await page.screenshot({ path: SCREENSHOTS.machine, fullPage: true });
    await page.goto(`${app.url}/analytics?${q()}`);
    await page.waitForSelector('[data-testid="activity-durations"] svg .lc-bar');
    await page.waitForTimeout(300);
    await page.screenshot({ path: SCREENSHOTS.analytics, fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
