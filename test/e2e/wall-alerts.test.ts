import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../core/clock.js';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The wall's alert channel and OEE targets (docs/alerts.md "Wall", docs/oee.md "Targets"): alerts raised by
 * the evaluation (run by the test, on a clock it moves; the app runs without the scheduler role), then
 * acknowledged and resolved over HTTP, flag their tiles and fill the banner without a reload; tiles and
 * trends show each machine's, group's or site's target.
 */
const DOWN = 2;
let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
let app: TestApp;
let browser: Browser;
let admin: ApiClient;

beforeAll(async () => {
  app = await startTestApp({ web: true, clock, env: { OEE_ROLES: 'ingest,realtime,web' } });
  browser = await launchBrowser();
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const tile = (machineId: number) => `[data-testid="machine-tile"][data-machine-id="${machineId}"]`;
const flag = (machineId: number) => `${tile(machineId)} [data-testid="tile-alert"]`;
const bannerItems = (page: Page) => page.locator('[data-testid="alert-banner-item"]');
const texts = async (page: Page) => (await bannerItems(page).allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());

async function signedIn(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const [name, value] = admin.cookie!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: app.url }]);
  return context;
}

describe('alerts and targets on the wall', () => {
  it('flags tiles and lists alerts in the banner as they are raised, escalated, acknowledged and resolved', async () => {
    const cell = (await admin.post('/api/v1/groups', { name: 'Cell', oeeTarget: 0.7 })).body.id as number;
    const elsewhere = (await admin.post('/api/v1/groups', { name: 'Elsewhere' })).body.id as number;
    const names = ['M1', 'M2', 'M3', 'M4', 'M5'];
    const ids: number[] = [];
    for (const name of names)
      ids.push(
        (await admin.post('/api/v1/machines', { name, groupId: cell, ...(name === 'M2' ? { oeeTarget: 0.6 } : {}) })).body.id as number,
      );
    const outside = (await admin.post('/api/v1/machines', { name: 'X', groupId: elsewhere })).body.id as number;
    const token = (await admin.post('/api/v1/kiosk-tokens', { name: 'Cell TV', groupId: cell })).body.token as string;
    const now = Date.now();
    // M1 has been down 10 minutes (past both rungs), the others 6 (the first rung only).
    const events = [
      { machineId: ids[0]!, at: new Date(now - 10 * 60_000 - 5_000).toISOString(), activityCodeId: DOWN },
      ...[...ids.slice(1), outside].map((machineId) => ({ machineId, at: new Date(now - 6 * 60_000).toISOString(), activityCodeId: DOWN })),
    ];
    expect((await admin.post('/api/v1/events', { events })).status).toBe(200);
    const rule = { name: 'Long stop', kind: 'stop_longer_than', levels: [{ afterMinutes: 5 }, { afterMinutes: 8 }] };
    expect((await admin.post('/api/v1/alert-rules', rule)).status).toBe(201);

    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/wall?token=${encodeURIComponent(token)}`);
    await page.waitForSelector(tile(ids[4]!));
    expect(await page.locator('[data-testid="alert-banner"]').count()).toBe(0);

    // Raised: the banner lists the cell's five (not X's, another group's) at most four at a time, the highest level first.
    const { raised } = await app.andon.alerts.evaluate();
    expect(raised).toHaveLength(6);
    const alertOf = new Map(
      ((await admin.get('/api/v1/alerts')).body as { id: number; machineId: number }[]).map((a) => [a.machineId, a.id]),
    );
    await page.locator('[data-testid="alert-banner-more"]').waitFor();
    expect(await page.textContent('[data-testid="alert-banner-more"]')).toBe('+1 more');
    expect(await bannerItems(page).count()).toBe(4);
    expect((await texts(page))[0]).toBe('M1 Alert L2 · 10 min Long stop');
    expect(await page.textContent(`${flag(ids[0]!)} [data-testid="tile-alert-headline"]`)).toBe('Alert L2 · 10 min');
    expect(await page.textContent(`${flag(ids[0]!)} [data-testid="tile-alert-rule"]`)).toBe('Long stop');
    expect(await page.getAttribute(flag(ids[0]!), 'data-alert-id')).toBe(String(alertOf.get(ids[0]!)));
    for (const id of ids) await page.waitForSelector(`${flag(id)}[data-acknowledged="false"]`);

    // Three minutes later the others reach the second rung: their flags say so, live.
    offsetMs = 3 * 60_000;
    expect((await app.andon.alerts.evaluate()).escalated).toHaveLength(5);
    for (const id of ids.slice(1)) await page.waitForSelector(`${flag(id)}[data-level="2"]`);

    // Four resolved: their flags go, the banner keeps M1 alone.
    for (const id of ids.slice(1)) expect((await admin.post(`/api/v1/alerts/${alertOf.get(id)}/resolve`, {})).status).toBe(200);
    await expect.poll(() => bannerItems(page).count()).toBe(1);
    expect(await page.locator('[data-testid="alert-banner-more"]').count()).toBe(0);
    for (const id of ids.slice(1)) expect(await page.locator(flag(id)).count()).toBe(0);

    // Acknowledged: shown as such until resolved.
    expect((await admin.post(`/api/v1/alerts/${alertOf.get(ids[0]!)}/acknowledge`, {})).status).toBe(200);
    await page.waitForSelector(`${flag(ids[0]!)}[data-acknowledged="true"]`);
    expect(await page.textContent(`${flag(ids[0]!)} [data-testid="tile-alert-acknowledged"]`)).toBe('Acknowledged');
    expect((await texts(page))[0]).toMatch(/^M1 Alert L2 · \d+ min Long stop Acknowledged$/);

    // A screen that connects now gets the open alert in its snapshot.
    const late = await context.newPage();
    await late.goto(`${app.url}/wall?token=${encodeURIComponent(token)}`);
    await late.waitForSelector(`${flag(ids[0]!)}[data-acknowledged="true"]`);
    expect(await bannerItems(late).count()).toBe(1);
    await late.close();

    // Resolved: the flag and the banner go.
    expect((await admin.post(`/api/v1/alerts/${alertOf.get(ids[0]!)}/resolve`, {})).status).toBe(200);
    await page.locator('[data-testid="alert-banner"]').waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="tile-alert"]').count()).toBe(0);

    // Targets: the group's 70 %, M2's own 60 %.
    expect(await page.textContent(`${tile(ids[0]!)} [data-testid="tile-oee-target"]`)).toBe('Target 70 %');
    expect(await page.textContent(`${tile(ids[1]!)} [data-testid="tile-oee-target"]`)).toBe('Target 60 %');
    // Two machines making a part every 5 minutes at an ideal 60 s (OEE about 20 %): below the group's 70 %, above Easy's own 5 %.
    offsetMs = 0;
    const slow = (await admin.post('/api/v1/machines', { name: 'Slow', groupId: cell })).body.id as number;
    const easy = (await admin.post('/api/v1/machines', { name: 'Easy', groupId: cell, oeeTarget: 0.05 })).body.id as number;
    const since = new Date(Date.now() - 10 * 60_000).toISOString();
    for (const id of [slow, easy]) {
      expect((await admin.post(`/api/v1/machines/${id}/jobs`, { jobNumber: `J-${id}`, idealCycleTimeSeconds: 60, at: since })).status).toBe(
        201,
      );
      expect(
        (await admin.post(`/api/v1/machines/${id}/production`, { good: 2, rejects: 0, from: since, to: new Date().toISOString() })).status,
      ).toBe(201);
    }
    const oee = `[data-testid="tile-oee"]`;
    await page.waitForSelector(`${tile(slow)} ${oee}[data-below-target="true"]`);
    expect(await page.textContent(`${tile(slow)} ${oee}`)).toMatch(/^▼ (1\d|20)%$/);
    expect(await page.$eval(`${tile(slow)} ${oee}`, (el) => getComputedStyle(el).color)).toBe('rgb(255, 107, 95)');
    await page.waitForSelector(`${tile(easy)} ${oee}[data-below-target="false"]`);
    await expect.poll(() => page.textContent(`${tile(easy)} ${oee}`)).toMatch(/^(1\d|20)%$/);
    expect(await page.textContent(`${tile(easy)} [data-testid="tile-oee-target"]`)).toBe('Target 5 %');
    expect(await page.$eval(`${tile(easy)} ${oee}`, (el) => getComputedStyle(el).color)).toBe('rgb(244, 245, 247)');
    expect(errors).toEqual([]);
    await context.close();
    offsetMs = 0;
  }, 120_000);

  it('draws the target line with its label on the machine and group trends', async () => {
    const line = (await admin.post('/api/v1/groups', { name: 'Line T', oeeTarget: 0.75 })).body.id as number;
    const machine = (await admin.post('/api/v1/machines', { name: 'Trend M', groupId: line, oeeTarget: 0.6 })).body.id as number;
    expect((await admin.post('/api/v1/events', { events: [{ machineId: machine, activityCodeId: DOWN }] })).status).toBe(200);
    const context = await signedIn();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/machines/${machine}`);
    const label = page.locator('[data-testid="oee-trend"] svg text', { hasText: 'Target' });
    await label.waitFor();
    expect(await label.textContent()).toBe('Target 60 %');
    expect(await page.getAttribute('[data-testid="oee-trend"]', 'data-target')).toBe('0.6');
    expect(await page.locator('[data-testid="oee-trend"] svg .target-line').count()).toBe(1);

    await page.goto(`${app.url}/analytics?groupId=${line}`);
    await page.locator('[data-testid="oee-trend"] svg text', { hasText: 'Target 75 %' }).waitFor();
    await page.goto(`${app.url}/analytics`);
    await page.locator('[data-testid="oee-trend"] svg text', { hasText: 'Target 85 %' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
