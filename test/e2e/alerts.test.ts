import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * An alert acknowledged and resolved on the web (docs/alerts.md): a machine has been down for 10 minutes, a
 * 5-minute rule raised its alert (the test runs the evaluation; the app runs without the scheduler role), and
 * an admin acknowledges it on the alerts page, then resolves it.
 */
const DOWN = 2;
let app: TestApp;
let browser: Browser;
let admin: ApiClient;

beforeAll(async () => {
  app = await startTestApp({ web: true, env: { OEE_ROLES: 'ingest,realtime,web' } });
  browser = await launchBrowser();
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function signedIn(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const [name, value] = admin.cookie!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: app.url }]);
  return context;
}

describe('alerts page', () => {
  it('acknowledges and resolves an alert', async () => {
    const machine = (await admin.post('/api/v1/machines', { name: 'Press W' })).body;
    const downAt = new Date(Date.now() - 10 * 60_000).toISOString();
    await admin.post('/api/v1/events', { events: [{ machineId: machine.id, at: downAt, activityCodeId: DOWN }] });
    expect(
      (await admin.post('/api/v1/alert-rules', { name: 'Long stop', kind: 'stop_longer_than', levels: [{ afterMinutes: 5 }] })).status,
    ).toBe(201);
    const { raised } = await app.andon.alerts.evaluate();
    expect(raised).toHaveLength(1);
    const alertId = raised[0]!;

    const context = await signedIn();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/alerts`);
    const row = page.locator(`[data-testid="alert-row"][data-alert-id="${alertId}"]`);
    await row.waitFor();
    expect((await row.locator('td').first().textContent())?.trim()).toBe('Press W');
    expect((await row.locator('[data-testid="alert-level"]').textContent())?.trim()).toBe('1');
    expect((await row.locator('[data-testid="alert-acknowledged"]').textContent())?.trim()).toBe('no');
    expect(await page.locator('[data-testid="alert-rules"] li').allTextContents()).toEqual([expect.stringContaining('Long stop')]);

    await row.locator('button:has-text("Acknowledge")').click();
    await row.locator('[data-testid="alert-acknowledged"]:has-text("admin at")').waitFor();
    expect(await row.locator('button:has-text("Acknowledge")').count()).toBe(0);
    const acknowledged = (await admin.get(`/api/v1/alerts/${alertId}`)).body;
    expect(acknowledged).toMatchObject({ acknowledgedBy: 'admin', resolvedAt: null });

    await row.locator('button:has-text("Resolve")').click();
    await page.locator('[data-testid="no-alerts"]').waitFor();
    expect((await admin.get(`/api/v1/alerts/${alertId}`)).body).toMatchObject({
      resolvedBy: 'admin',
      acknowledgedAt: acknowledged.acknowledgedAt,
    });
    expect(await page.locator('[data-testid="response-times"] tbody tr').count()).toBe(1);

    // The rule form offers every kind; an OEE rule takes a target in % (blank: each machine's).
    const form = page.locator('[data-testid="rule-form"]');
    expect(await form.locator('[data-testid="rule-kind"] option').allTextContents()).toEqual([
      'Stop longer than',
      'Device silent (No data)',
      'Stop reason owed longer than',
      'Shift OEE below target',
    ]);
    expect(await form.locator('[data-testid="rule-target"]').count()).toBe(0);
    await form.locator('input').first().fill('Shift under 70 %');
    await form.locator('[data-testid="rule-kind"]').selectOption('oee_below_target');
    await form.locator('[data-testid="rule-target"]').fill('70');
    await form.locator('button[type="submit"]').click();
    await page.locator('[data-testid="alert-rules"] li:has-text("Shift under 70 %")').waitFor();
    expect(
      (await page.locator('[data-testid="alert-rules"] li:has-text("Shift under 70 %")').textContent())?.replace(/\s+/g, ' '),
    ).toContain('Shift under 70 % (Shift OEE below target, target 70 %): every machine, level 5 min → 15 min');
    const rules = (await admin.get('/api/v1/alert-rules')).body as { name: string; kind: string; oeeTarget: number | null }[];
    expect(rules.find((r) => r.name === 'Shift under 70 %')).toMatchObject({ kind: 'oee_below_target', oeeTarget: 0.7 });
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
