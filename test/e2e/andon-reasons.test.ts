import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient, clientsForRoles } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';
import { tap, typeOnKeypad, queueEmpty } from '../support/tablet-page.js';

/**
 * The reason queue in the browser (issue 20 point 2): the tablet prompts for the stops that still carry
 * Down, newest first, and the operator's tap is a correction authored by the operator. At 1280×800.
 */
let app: TestApp;
let browser: Browser;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
beforeAll(async () => {
  app = await startTestApp({ web: true });
  browser = await launchBrowser();
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** Whole minutes, so the prompt's clock times are exact. */
const minutesAgo = (base: number, m: number) => new Date(base - m * 60_000).toISOString();
const hhmm = (iso: string) => iso.slice(11, 16);

describe('the reason prompt on the tablet (Chromium, 1280×800)', () => {
  it('asks for the newest stop first, takes the tapped reason as the operator’s correction, and can wait for later', async () => {
    const material = (
      await c.admin.post('/api/v1/activity-codes', { shortDescription: 'No material', category: 'unplanned_stop', colour: '#8E24AA' })
    ).body.id as number;
    const setting = (
      await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Setting', category: 'planned_stop', colour: '#E6A700' })
    ).body.id as number;
    const machineId = (await c.admin.post('/api/v1/machines', { name: 'Lathe 4' })).body.id as number;
    const pin = '4812';
    const user = (await c.admin.post('/api/v1/users', { username: 'oskar', role: 'operator', pin })).body.id as number;
    const { token } = (await c.admin.post('/api/v1/tablets', { name: 'Lathe 4 tablet', machineId })).body as { token: string };
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/tablet?token=${encodeURIComponent(token)}`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await typeOnKeypad(page, String(user));
    await tap(page, 'Next');
    await typeOnKeypad(page, pin);
    await tap(page, 'Sign in');
    await page.getByRole('heading', { name: 'Start a job' }).waitFor();

    // Down 10 min, Setting, Down 6 min, Setting now: two stops owe a reason (the threshold is 5 minutes).
    const base = Math.floor(Date.now() / 60_000) * 60_000;
    const at = {
      firstDown: minutesAgo(base, 40),
      firstEnd: minutesAgo(base, 30),
      secondDown: minutesAgo(base, 20),
      secondEnd: minutesAgo(base, 14),
    };
    const device = new ApiClient(app.url, c.device.bearer);
    const posted = await device.post('/api/v1/events', {
      events: [
        { machineId, at: at.firstDown, activityCodeId: 2 },
        { machineId, at: at.firstEnd, activityCodeId: setting },
        { machineId, at: at.secondDown, activityCodeId: 2 },
        { machineId, at: at.secondEnd, activityCodeId: setting },
      ],
    });
    expect(posted.status).toBe(200);

    const prompt = page.getByTestId('reason-prompt');
    await prompt.getByRole('heading', { name: 'Why did the machine stop?' }).waitFor();
    await prompt.getByText('2 stops need a reason').waitFor();
    expect(await page.getByTestId('reason-stop').textContent()).toContain(`Down ${hhmm(at.secondDown)}–${hhmm(at.secondEnd)} · 6 min`);
    // Stop codes that explain a stop: not Down itself, nothing running, never No data.
    expect(await prompt.getByRole('group', { name: 'Stop reasons' }).getByRole('button').allTextContents()).toEqual(
      ['Closed', 'No material', 'Setting'].map((n) => expect.stringContaining(n)),
    );

    await prompt.getByRole('group', { name: 'Stop reasons' }).getByRole('button', { name: 'No material' }).click();
    await prompt.getByText('1 stop needs a reason').waitFor();
    expect(await page.getByTestId('reason-stop').textContent()).toContain(`Down ${hhmm(at.firstDown)}–${hhmm(at.firstEnd)} · 10 min`);
    await queueEmpty(page);

    const intervals = (await c.viewer.get(`/api/v1/machines/${machineId}/timeline?from=${at.firstDown}&to=${new Date(base).toISOString()}`))
      .body.intervals as { start: string; activityCodeId: number }[];
    expect(intervals.map((i) => [i.start, i.activityCodeId])).toEqual([
      [at.firstDown, 2],
      [at.firstEnd, setting],
      [at.secondDown, material],
      [at.secondEnd, setting],
    ]);
    const audit = await app.dataSource.query(`SELECT "userId", "machineId" FROM audit_log WHERE action = 'timeline.correct'`);
    expect(audit).toEqual([{ userId: user, machineId }]);

    // Later: the tablet's usual screen until another stop owes a reason.
    await prompt.getByRole('button', { name: 'Later' }).click();
    await page.getByRole('heading', { name: 'Start a job' }).waitFor();
    expect(await page.getByTestId('reason-prompt').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('the supervisor clears what is left on the reason queue page; the admin sees the data sources', async () => {
    const sue = (await c.admin.post('/api/v1/users', { username: 'sue', role: 'supervisor', password: 'sue-password-1' })).body
      .id as number;
    const context = await signedIn('sue', 'sue-password-1');
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/reasons`);
    const rows = page.getByTestId('reason-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('td').allTextContents()).toEqual([
      'Lathe 4',
      'Down',
      expect.any(String),
      expect.any(String),
      '10 min',
      expect.any(String),
    ]);
    await rows.first().getByRole('combobox').selectOption({ label: 'Setting' });
    await rows.first().getByRole('button', { name: 'Give reason' }).click();
    await page.getByTestId('reason-queue-empty').waitFor();
    const audit = await app.dataSource.query(`SELECT "userId" FROM audit_log WHERE action = 'timeline.correct' ORDER BY id`);
    expect(audit.map((a: { userId: number }) => a.userId).at(-1)).toBe(sue);
    expect((await c.supervisor.get('/api/v1/reason-queue')).body).toEqual({ debts: [] });
    expect(errors).toEqual([]);
    await context.close();

    const adminContext = await signedIn('admin', ADMIN_PASSWORD);
    const adminPage = await adminContext.newPage();
    await adminPage.goto(`${app.url}/admin/data-sources`);
    const source = adminPage.getByTestId('source-row');
    await source.first().waitFor();
    expect(await source.first().locator('td').allTextContents()).toEqual([
      expect.stringContaining('key-device'),
      'API key',
      'Lathe 4',
      expect.any(String),
      '—',
    ]);
    await adminContext.close();
  }, 90_000);
});

async function signedIn(username: string, secret: string): Promise<BrowserContext> {
  const client = await new ApiClient(app.url).signIn(username, secret);
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
  const [name, value] = client.cookie!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: app.url }]);
  return context;
}
