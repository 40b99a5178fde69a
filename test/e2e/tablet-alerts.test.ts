import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient, clientsForRoles } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';
import { tap, typeOnKeypad, queueEmpty } from '../support/tablet-page.js';

/**
 * Alerts on the operator tablet (issue 20 point 3, docs/alerts.md "The tablet"): the open alerts of the
 * tablet's machine appear in a strip above the screen without a reload, Acknowledge and Resolve go through
 * the tablet's queue, and changes made elsewhere arrive live. The test runs the evaluation (the app runs
 * without the scheduler role). At 1280×800, the landscape tablet the shop floor mounts.
 */
const DOWN = 2;
let app: TestApp;
let browser: Browser;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
beforeAll(async () => {
  app = await startTestApp({ web: true, env: { OEE_ROLES: 'ingest,realtime,web' } });
  browser = await launchBrowser();
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const shownIds = async (page: Page) =>
  (await page.getByTestId('tablet-alert').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-alert-id'))))).sort();

describe('alerts on the tablet (Chromium, 1280×800)', () => {
  it('shows its machine’s alerts live, acknowledges and resolves them, and never shows another machine’s', async () => {
    const machineId = (await c.admin.post('/api/v1/machines', { name: 'Press T' })).body.id as number;
    const otherId = (await c.admin.post('/api/v1/machines', { name: 'Press U' })).body.id as number;
    const pin = '3917';
    const user = (await c.admin.post('/api/v1/users', { username: 'olga', role: 'operator', pin })).body.id as number;
    const { token } = (await c.admin.post('/api/v1/tablets', { name: 'Press T tablet', machineId })).body as { token: string };
    for (const [name, afterMinutes] of [
      ['Long stop', 5],
      ['Very long stop', 8],
    ] as const)
      expect((await c.admin.post('/api/v1/alert-rules', { name, kind: 'stop_longer_than', levels: [{ afterMinutes }] })).status).toBe(201);

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
    expect(await page.getByTestId('tablet-alerts').count()).toBe(0);

    // Both machines down for 10 minutes and 20 seconds: each rule raises an alert on each machine. The
    // tablet shows "10 min" however the run falls on the minute (its clock follows the server's from a
    // state that took some milliseconds to arrive, so a stop of exactly 10 minutes could read 9).
    const downAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 620_000).toISOString();
    const device = new ApiClient(app.url, c.device.bearer);
    expect(
      (
        await device.post('/api/v1/events', {
          events: [
            { machineId, at: downAt, activityCodeId: DOWN },
            { machineId: otherId, at: downAt, activityCodeId: DOWN },
          ],
        })
      ).status,
    ).toBe(200);
    const { raised } = await app.andon.alerts.evaluate();
    expect(raised).toHaveLength(4);
    const alerts = (await c.admin.get('/api/v1/alerts')).body as { id: number; machineId: number; ruleName: string }[];
    const mine = (rule: string) => alerts.find((a) => a.machineId === machineId && a.ruleName === rule)!.id;
    const long = mine('Long stop');
    const veryLong = mine('Very long stop');
    const others = alerts.filter((a) => a.machineId === otherId).map((a) => a.id);
    expect(others).toHaveLength(2);

    // Raised: in the strip without a reload, only this machine's.
    const row = (id: number) => page.locator(`[data-testid="tablet-alert"][data-alert-id="${id}"]`);
    await row(long).waitFor();
    await row(veryLong).waitFor();
    expect(await shownIds(page)).toEqual([long, veryLong].sort((a, b) => a - b));
    expect((await row(long).locator('.rule').textContent())?.trim()).toBe('Long stop');
    expect((await row(long).getByTestId('tablet-alert-level').textContent())?.trim()).toBe('L1');
    expect((await row(long).getByTestId('tablet-alert-since').textContent())?.trim()).toBe(`since ${downAt.slice(11, 16)} · 10 min`);
    expect(await row(long).getByTestId('tablet-alert-acknowledged').count()).toBe(0);
    // The strip sits above the screen, and the operator's controls stay visible.
    const strip = (await page.getByTestId('tablet-alerts').boundingBox())!;
    const start = page.getByRole('button', { name: 'Start job' });
    expect(await start.isVisible()).toBe(true);
    expect(strip.y + strip.height).toBeLessThanOrEqual((await page.locator('main').boundingBox())!.y + 1);
    // Big enough for gloves.
    const ack = row(long).getByRole('button', { name: 'Acknowledge' });
    expect((await ack.boundingBox())!.height).toBeGreaterThanOrEqual(64);

    // Acknowledged on the tablet: recorded as the tablet and its operator, and the alert says so.
    await ack.click();
    await row(long).getByTestId('tablet-alert-acknowledged').waitFor();
    await queueEmpty(page);
    expect(await row(long).getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    const acknowledged = (await c.admin.get(`/api/v1/alerts/${long}`)).body;
    expect(acknowledged).toMatchObject({ acknowledgedBy: 'tablet:Press T tablet (olga)', resolvedAt: null });
    expect((await row(long).getByTestId('tablet-alert-acknowledged').textContent())?.trim()).toBe(
      `Acknowledged by tablet:Press T tablet (olga) at ${acknowledged.acknowledgedAt.slice(11, 16)}`,
    );

    // …and on the alerts page.
    const web = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const [name, value] = c.admin.cookie!.split('=') as [string, string];
    await web.addCookies([{ name, value, url: app.url }]);
    const alertsPage = await web.newPage();
    await alertsPage.goto(`${app.url}/alerts`);
    const webRow = alertsPage.locator(`[data-testid="alert-row"][data-alert-id="${long}"]`);
    await webRow.waitFor();
    expect(await webRow.getByTestId('alert-acknowledged').textContent()).toContain('tablet:Press T tablet (olga) at');
    await web.close();

    // Acknowledged elsewhere (a supervisor on the web): the tablet shows it live.
    const byKey = await c.supervisor.post(`/api/v1/alerts/${veryLong}/acknowledge`);
    expect(byKey.status).toBe(200);
    expect(byKey.body.acknowledgedBy).toMatch(/^api-key:\d+$/);
    await row(veryLong)
      .getByTestId('tablet-alert-acknowledged')
      .filter({ hasText: `Acknowledged by ${byKey.body.acknowledgedBy} at` })
      .waitFor();

    // Resolved on the tablet: it leaves the strip.
    await row(long).getByRole('button', { name: 'Resolve' }).click();
    await row(long).waitFor({ state: 'detached' });
    await queueEmpty(page);
    expect((await c.admin.get(`/api/v1/alerts/${long}`)).body).toMatchObject({
      resolvedBy: 'tablet:Press T tablet (olga)',
      acknowledgedAt: acknowledged.acknowledgedAt,
    });
    expect(await shownIds(page)).toEqual([veryLong]);

    // Resolved elsewhere: the strip goes. The other machine's alerts stayed open all along.
    expect((await c.supervisor.post(`/api/v1/alerts/${veryLong}/resolve`)).status).toBe(200);
    await page.getByTestId('tablet-alerts').waitFor({ state: 'detached' });
    const open = (await c.admin.get('/api/v1/alerts')).body as { id: number }[];
    expect(open.map((a) => a.id).sort((a, b) => a - b)).toEqual(others.sort((a, b) => a - b));
    expect(await page.getByTestId('tablet-alert').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
