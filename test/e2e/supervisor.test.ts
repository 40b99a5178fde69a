import { readFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_COLUMNS } from '../../core/audit-columns.js';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A supervisor at work in Chromium (issue 17, points 2–4): on the machine page of a machine without
 * a tablet she adds a past job and its counts, fixes a mistyped ideal cycle time, sees what a
 * correction would move before applying it, and finds every one of those edits on the audit screen.
 * The machine has no shift pattern (planned 24/7); the site is in Europe/Berlin, not the browser's zone.
 */
const ZONE = 'Europe/Berlin';
const UP = 1;
const DOWN = 2;
const CLOSED = 3;
const SCREENSHOTS = { machine: '/tmp/supervisor-machine.png', audit: '/tmp/supervisor-audit.png' };

let app: TestApp;
let browser: Browser;
let admin: ApiClient;
let day: string;
let window: { from: string; to: string };
let machineId: number;
let setupCode: number;
let samId: number;
const password = 'supervisor-password-1';

/** A site-local time of `day` as the page's datetime-local inputs take it, and as a UTC instant. */
const local = (hhmm: string) => `${day}T${hhmm}`;
const utc = (hhmm: string) => DateTime.fromISO(local(hhmm), { zone: ZONE }).toUTC().toISO()!;

beforeAll(async () => {
  app = await startTestApp({ web: true });
  browser = await launchBrowser();
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  const site = (await admin.get('/api/v1/site')).body;
  expect((await admin.put('/api/v1/site', { ...site, timezone: ZONE })).status).toBe(200);
  day = DateTime.now().setZone(ZONE).minus({ days: 1 }).toISODate()!;
  window = { from: utc('00:00'), to: DateTime.fromISO(day, { zone: ZONE }).plus({ days: 1 }).toUTC().toISO()! };
  machineId = (await admin.post('/api/v1/machines', { name: 'Mill 7' })).body.id;
  setupCode = (await admin.post('/api/v1/activity-codes', { shortDescription: 'Setup', category: 'planned_stop', colour: '#3355FF' })).body
    .id;
  samId = (await admin.post('/api/v1/users', { username: 'sam', password, role: 'supervisor' })).body.id;
  // Yesterday: Down from midnight (no tablet, nobody said why), Closed from 20:00 (still the current state).
  expect((await admin.post('/api/v1/events', { events: [{ machineId, at: utc('00:00'), activityCodeId: DOWN }] })).status).toBe(200);
  expect((await admin.post('/api/v1/events', { events: [{ machineId, at: utc('20:00'), activityCodeId: CLOSED }] })).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function signedIn(username: string, secret: string): Promise<BrowserContext> {
  const client = await new ApiClient(app.url).signIn(username, secret);
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 }, acceptDownloads: true });
  const [name, value] = client.cookie!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: app.url }]);
  return context;
}

const oee = async () =>
  (await admin.get(`/api/v1/oee?machineId=${machineId}&from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}`)).body;
const tile = (page: Page, key: string) => page.locator(`[data-testid="kpi-${key}"] .value`).textContent();
const percent = (r: number) => `${(r * 100).toFixed(1)}%`;
/** Waits for the page's notice after a change (the page reloads its data before it shows it). */
async function notice(page: Page, text: string): Promise<void> {
  await page.waitForSelector(`[data-testid="correction-notice"]:has-text("${text}")`);
}

describe('a supervisor on the machine page and the audit screen', () => {
  it('adds a past job and its counts, fixes the ideal cycle time: OEE follows exactly; a correction says what it moves first', async () => {
    // The day has 23, 24 or 25 hours (DST); Closed from 20:00 lies outside planned production time.
    const planned = (Date.parse(utc('20:00')) - Date.parse(window.from)) / 1000;
    expect(await oee()).toMatchObject({ plannedProductionSeconds: planned, runSeconds: 0, availability: 0, oee: null });

    const context = await signedIn('sam', password);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/machines/${machineId}?from=${day}&to=${day}`);
    await page.waitForSelector('[data-testid="machine-actions"]');
    expect(await tile(page, 'availability')).toContain('0.0%');

    // A past job 08:00–10:00, ideal cycle time 30 s, during which the machine was Up.
    await page.click('[data-testid="machine-actions"] [role="tab"]:has-text("Add a past job")');
    const form = page.locator('[data-testid="past-job-form"]');
    await form.locator('input[name="jobNumber"]').fill('PJ-1');
    await form.locator('input[name="idealCycleTimeSeconds"]').fill('30');
    await form.locator('input[name="start"]').fill(local('08:00'));
    await form.locator('input[name="end"]').fill(local('10:00'));
    await form.locator('select[name="activityCodeId"]').selectOption(String(UP));
    await form.locator('input[name="note"]').fill('from the job card');
    await form.locator('button[type="submit"]').click();
    await notice(page, 'Past job PJ-1 added.');
    const [job] = (
      await admin.get(`/api/v1/jobs?from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}&machineId=${machineId}`)
    ).body.jobs;
    expect(job).toEqual({
      id: expect.any(Number),
      machineId,
      jobNumber: 'PJ-1',
      start: utc('08:00'),
      end: utc('10:00'),
      idealCycleTimeSeconds: 30,
      good: 0,
      rejects: 0,
    });
    // 2 h of run time in the planned production time; no parts yet.
    expect(await oee()).toMatchObject({ runSeconds: 7_200, availability: 7_200 / planned, totalCount: 0, oee: null });
    await expect.poll(() => tile(page, 'availability')).toContain(percent(7_200 / planned));

    // Its counts, as a production record over the job: 200 good, 40 rejects.
    const add = page.locator('[data-testid="production-add-form"]');
    await add.locator('input[name="from"]').fill(local('08:00'));
    await add.locator('input[name="to"]').fill(local('10:00'));
    await add.locator('input[name="good"]').fill('200');
    await add.locator('input[name="rejects"]').fill('40');
    await add.locator('input[name="note"]').fill('shift report');
    await add.locator('button[type="submit"]').click();
    await notice(page, 'Added 200 good and 40 rejects.');
    // 240 parts × 30 s = 7 200 s ideal over 7 200 s of run: performance 100 %; 200 of 240 good.
    const availability = 7_200 / planned;
    expect(await oee()).toMatchObject({
      totalCount: 240,
      goodCount: 200,
      idealSeconds: 7_200,
      performance: 1,
      quality: 200 / 240,
      oee: availability * 1 * (200 / 240),
    });
    await expect.poll(() => tile(page, 'oee')).toContain(percent(availability * (200 / 240)));
    expect(await tile(page, 'performance')).toContain('100.0%');
    expect(await tile(page, 'quality')).toContain('83.3%');
    const rows = page.locator('[data-testid="production-table"] tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('PJ-1');
    expect(await page.locator('[data-testid="production-total-good"]').textContent()).toBe('200');

    // The ideal cycle time was mistyped: 24 s, not 30 s. Performance: 240 × 24 s over 7 200 s = 80 %.
    const editor = page.locator('[data-testid="job-editor"]');
    await editor.locator('select[name="job"]').selectOption(String(job.id));
    expect(await editor.locator('input[name="idealCycleTimeSeconds"]').inputValue()).toBe('30');
    await editor.locator('input[name="idealCycleTimeSeconds"]').fill('24');
    await editor.locator('input[name="note"]').fill('cycle time mistyped');
    await editor.locator('button[type="submit"]').click();
    await notice(page, 'Job PJ-1 saved.');
    expect(await oee()).toMatchObject({ idealSeconds: 5_760, performance: 0.8, oee: availability * 0.8 * (200 / 240) });
    await expect.poll(() => tile(page, 'performance')).toContain('80.0%');
    expect(await tile(page, 'oee')).toContain(percent(availability * 0.8 * (200 / 240)));
    const jobRow = page.locator('[data-testid="jobs-table"] tbody tr').first();
    expect(await jobRow.textContent()).toContain('24');

    // A correction 12:00–13:20 to Setup: the form says what it moves before it is applied.
    const panel = page.locator('[data-testid="correction-panel"]');
    await panel.locator('button:has-text("Or type the start and end times")').click();
    await panel.locator('input[name="from"]').fill(local('12:00'));
    await panel.locator('input[name="to"]').fill(local('13:20'));
    await panel.locator('select[name="activityCodeId"]').selectOption(String(setupCode));
    await expect
      .poll(() => panel.locator('[data-testid="correction-preview"]').textContent())
      .toBe('Moves 1 h 20 min from Down (unplanned stop) to Setup (planned stop).');
    // A running code over a span without a job: refused before applying, with the reason.
    await panel.locator('select[name="activityCodeId"]').selectOption(String(UP));
    await expect
      .poll(() => panel.locator('[data-testid="correction-preview"]').textContent())
      .toContain('Cannot be applied: Cannot set a machine to up when there is no active job');
    await panel.locator('select[name="activityCodeId"]').selectOption(String(setupCode));
    await expect.poll(() => panel.locator('[data-testid="correction-preview"]').textContent()).toContain('Moves 1 h 20 min');
    await panel.locator('input[name="note"]').fill('changeover');
    await panel.locator('button[type="submit"]').click();
    await notice(page, 'to Setup');
    // Down → Setup stays inside planned production: OEE is unchanged, 4 800 s are planned stop now.
    expect(await oee()).toMatchObject({ plannedStopSeconds: 4_800, oee: availability * 0.8 * (200 / 240) });

    await page.screenshot({ path: SCREENSHOTS.machine, fullPage: true });
    // The one refused preview (409 above) is logged by the browser as a failed request; nothing else.
    expect(errors).toEqual(['console: Failed to load resource: the server responded with a status of 409 (Conflict)']);
    await context.close();
  });

  it('the audit screen lists those edits with who, what, before and after, filters them and exports them as CSV', async () => {
    const context = await signedIn('sam', password);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/`);
    await page.click('nav[aria-label="Main"] a:has-text("Audit log")');
    await page.waitForURL(/\/audit$/);
    await page.waitForSelector('[data-testid="audit-table"]');

    // Newest first: the admin's set-up changes, and sam's four edits.
    const samRows = page.locator('[data-testid="audit-table"] tbody tr:has(td:nth-child(2):text-is("sam"))');
    await expect
      .poll(() => samRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))))
      .toEqual(['timeline.correct', 'job.update', 'production.create', 'timeline.correct', 'job.create']);
    const texts = await samRows.allTextContents();
    expect(texts[0]).toContain('Corrected the timeline');
    expect(texts[0]).toContain('Moved 1 h 20 min from Down (unplanned stop) to Setup (planned stop).');
    expect(texts[0]).toContain('changeover');
    expect(texts[1]).toContain('Edited a job');
    expect(texts[1]).toMatch(/idealCycleTimeSeconds:\s*30\s*→\s*24/);
    expect(texts[1]).toContain('cycle time mistyped');
    expect(texts[2]).toContain('Added a production record');
    expect(texts[2]).toMatch(/good:\s*200(?!\d)/);
    expect(texts[3]).toContain('Moved 2 h from Down (unplanned stop) to Up (running).');
    expect(texts[4]).toContain('Added a past job');
    expect(texts[4]).toMatch(/jobNumber:\s*PJ-1(?!\d)/);
    // Times in the site's zone.
    expect(texts[4]).toMatch(new RegExp(`start:\\s*${day} 08:00:00`));
    for (const text of texts) expect(text).toContain('Mill 7');

    // Filter by user: only sam's entries.
    await page.selectOption('[data-testid="audit-filters"] select[name="userId"]', String(samId));
    await page.click('[data-testid="audit-filters"] button[type="submit"]');
    await page.waitForURL(new RegExp(`userId=${samId}`));
    await expect.poll(() => page.locator('[data-testid="audit-table"] tbody tr').count()).toBe(5);
    // And by machine: the admin's creation of the machine is back, under anyone.
    await page.selectOption('[data-testid="audit-filters"] select[name="userId"]', '');
    await page.selectOption('[data-testid="audit-filters"] select[name="machineId"]', String(machineId));
    await page.click('[data-testid="audit-filters"] button[type="submit"]');
    await page.waitForURL(new RegExp(`machineId=${machineId}`));
    await expect
      .poll(() =>
        page.locator('[data-testid="audit-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))),
      )
      .toEqual(['timeline.correct', 'job.update', 'production.create', 'timeline.correct', 'job.create', 'machine.create']);
    expect(await page.locator('[data-testid="audit-count"]').textContent()).toContain('6 entries');

    // The CSV of the same filters, from the server.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="audit-export"]')]);
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^oee-monitor_audit_machine-${machineId}_\\d{4}-\\d{2}-\\d{2}_\\d{4}-\\d{2}-\\d{2}\\.csv$`),
    );
    const lines = (await readFile((await download.path())!, 'utf8'))
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(AUDIT_COLUMNS.map((c) => c.header).join(','));
    expect(lines).toHaveLength(1 + 6);
    expect(lines.filter((l) => l.includes(',sam,')).length).toBe(5);
    expect(lines.some((l) => l.includes('job.update') && l.includes('cycle time mistyped'))).toBe(true);

    await page.screenshot({ path: SCREENSHOTS.audit, fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sets the state now, starts a job ten minutes ago and ends it now, from the machine page', async () => {
    const context = await signedIn('sam', password);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/machines/${machineId}`);
    const actions = page.locator('[data-testid="machine-actions"]');
    await actions.waitFor();

    // Running codes need a job; Setup does not.
    expect(await actions.locator(`select[name="activityCodeId"] option[value="${UP}"]`).isDisabled()).toBe(true);
    await actions.locator('select[name="activityCodeId"]').selectOption(String(setupCode));
    await actions.locator('button[type="submit"]').click();
    await notice(page, 'The machine is now in Setup.');
    expect(await page.getAttribute('[data-testid="live-state"]', 'data-activity-code-id')).toBe(String(setupCode));

    const started = DateTime.now().setZone(ZONE).minus({ minutes: 10 }).startOf('minute');
    await actions.locator('[role="tab"]:has-text("Start a job")').click();
    const start = actions.locator('[data-testid="start-job-form"]');
    await start.locator('input[name="jobNumber"]').fill('L-9');
    await start.locator('input[name="idealCycleTimeSeconds"]').fill('12');
    await start.locator('input[name="when"][value="earlier"]').check();
    await start.locator('input[name="at"]').fill(started.toFormat("yyyy-MM-dd'T'HH:mm"));
    await start.locator('button[type="submit"]').click();
    await notice(page, 'Job L-9 started.');
    const running = (await admin.get(`/api/v1/machines/${machineId}`)).body.state;
    const job = (
      await admin.get(
        `/api/v1/jobs?from=${encodeURIComponent(started.minus({ minutes: 1 }).toUTC().toISO()!)}&to=${encodeURIComponent(DateTime.now().plus({ minutes: 1 }).toUTC().toISO()!)}&machineId=${machineId}`,
      )
    ).body.jobs.find((j: { jobNumber: string }) => j.jobNumber === 'L-9');
    expect(job).toMatchObject({ start: started.toUTC().toISO(), end: null, idealCycleTimeSeconds: 12 });
    // Setup was set after the job's start: it stays the current state, now inside the job.
    expect(running).toMatchObject({ activityCodeId: setupCode, jobId: job.id });

    await actions.locator('[role="tab"]:has-text("End job")').click();
    const end = actions.locator('[data-testid="end-job-form"]');
    expect(await end.textContent()).toContain('Job L-9 is running.');
    await end.locator('input[name="good"]').fill('30');
    await end.locator('button[type="submit"]').click();
    await notice(page, 'Job L-9 ended.');
    const ended = (
      await admin.get(
        `/api/v1/jobs?from=${encodeURIComponent(started.minus({ minutes: 1 }).toUTC().toISO()!)}&to=${encodeURIComponent(DateTime.now().plus({ minutes: 1 }).toUTC().toISO()!)}&machineId=${machineId}`,
      )
    ).body.jobs.find((j: { id: number }) => j.id === job.id);
    expect(ended).toMatchObject({ good: 30, rejects: 0 });
    expect(ended.end).not.toBeNull();
    expect((await admin.get(`/api/v1/machines/${machineId}`)).body.state).toMatchObject({ activityCodeId: DOWN, jobId: null });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the tools and the audit screen to supervisors and admins only', async () => {
    expect((await admin.post('/api/v1/users', { username: 'vic', password: 'viewer-password-1', role: 'viewer' })).status).toBe(201);
    const context = await signedIn('vic', 'viewer-password-1');
    const page = await context.newPage();
    await page.goto(`${app.url}/machines/${machineId}?from=${day}&to=${day}`);
    await page.waitForSelector('[data-testid="production-table"]');
    expect(
      await page
        .locator(
          '[data-testid="machine-actions"], [data-testid="job-editor"], [data-testid="production-add-form"], [data-testid="correction-panel"]',
        )
        .count(),
    ).toBe(0);
    // The records are there to read.
    await expect.poll(() => page.locator('[data-testid="production-table"] tbody tr').count()).toBe(1);
    expect(await page.locator('nav[aria-label="Main"] a:has-text("Audit log")').count()).toBe(0);
    await page.goto(`${app.url}/audit`);
    await page.waitForSelector('text=The audit log is for supervisors and admins.');
    await context.close();
  });
});
