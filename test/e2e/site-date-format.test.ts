import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FixedClock } from '../../core/clock.js';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Issue 18, "show site time everywhere, in the site's date format": every screen in a browser set to Los
 * Angeles shows Berlin time and the site's date format: the wall, the tablet, an analysis page's date
 * fields, the audit log; a new format set in the admin pages reaches the wall without a reload.
 */
const NOW = new Date('2026-12-31T23:30:00.000Z'); // 00:30 on 1 January 2027 in Berlin; 15:30 on 31 December in Los Angeles
const DOWN_AT = '2026-12-31T22:45:00.000Z'; // 23:45 in Berlin
const SHOTS = 'test-results/wall';

let app: TestApp;
let browser: Browser;
let admin: ApiClient;
let machineId = 0;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  app = await startTestApp({ web: true, clock: new FixedClock(NOW) });
  browser = await launchBrowser();
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  expect((await admin.put('/api/v1/site', { timezone: 'Europe/Berlin', microStopSeconds: 0, dateFormat: 'DD.MM.YYYY' })).status).toBe(200);
  machineId = (await admin.post('/api/v1/machines', { name: 'Press 7' })).body.id as number;
  const key = (await admin.post('/api/v1/api-keys', { name: 'plc', role: 'device' })).body.key as string;
  const down = await new ApiClient(app.url, key).post('/api/v1/events', { events: [{ machineId, activityCodeId: 2, at: DOWN_AT }] });
  expect(down.status, JSON.stringify(down.body)).toBe(200);
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await app?.stop();
});

/** A page in a browser set to Los Angeles, its clock pinned to the server's instant. */
async function losAngelesPage(viewport = { width: 1920, height: 1080 }, hasTouch = false): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, hasTouch, timezoneId: 'America/Los_Angeles' });
  contexts.push(context);
  const page = await context.newPage();
  await page.clock.setFixedTime(NOW);
  return { page, errors: watchErrors(page) };
}

const pageErrors = (errors: string[]) => errors.filter((e) => e.startsWith('pageerror'));

describe('site time in the site date format, in a browser in another zone', () => {
  it('the wall, the tablet, an analysis page and the audit log; the wall follows a new format', async () => {
    // The wall: Berlin's date and clock, not Los Angeles' (15:30 on 31 December).
    const kiosk = (await admin.post('/api/v1/kiosk-tokens', { name: 'Hall TV' })).body.token as string;
    const wall = await losAngelesPage();
    await wall.page.goto(`${app.url}/wall?token=${encodeURIComponent(kiosk)}`);
    await wall.page.waitForSelector('[data-testid="connection-status"]:has-text("Live")');
    expect(await wall.page.evaluate(() => [new Date().getDate(), new Date().getHours()])).toEqual([31, 15]);
    expect(await wall.page.textContent('[data-testid="wall-date"]')).toBe('01.01.2027');
    expect(await wall.page.textContent('[data-testid="wall-clock"]')).toBe('00:30');
    expect((await wall.page.textContent('[data-testid="last-update"]'))!.trim()).toBe('Updated 00:30:00');

    // The tablet: the state's start in site time.
    const operator = (await admin.post('/api/v1/users', { username: 'lena', role: 'operator', pin: '2468' })).body.id as number;
    const { token } = (await admin.post('/api/v1/tablets', { name: 'Press 7 tablet', machineId })).body as { token: string };
    const tablet = await losAngelesPage({ width: 1280, height: 800 }, true);
    const tap = (key: string) => tablet.page.getByRole('group', { name: 'Keypad' }).getByRole('button', { name: key, exact: true }).click();
    await tablet.page.goto(`${app.url}/tablet?token=${encodeURIComponent(token)}`);
    await tablet.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    for (const d of String(operator)) await tap(d);
    await tap('Next');
    for (const d of '2468') await tap(d);
    await tap('Sign in');
    await tablet.page.getByTestId('current-since').waitFor();
    expect(await tablet.page.getByTestId('current-since').textContent()).toBe('since 23:45 · 45 min');

    // An analysis page: the day fields read in the site format (a native date field would show 12/31/2026).
    const office = await losAngelesPage();
    await office.page.goto(`${app.url}/login?next=%2Fadmin%2Fsite`);
    await office.page.fill('input[name="username"]', 'admin');
    await office.page.fill('input[name="password"]', ADMIN_PASSWORD);
    await Promise.all([office.page.waitForURL(`${app.url}/admin/site`), office.page.click('button[type="submit"]')]);
    await office.page.goto(`${app.url}/tables?from=2026-12-31&to=2027-01-01`);
    expect(await office.page.inputValue('#range-from')).toBe('31.12.2026');
    expect(await office.page.inputValue('#range-to')).toBe('01.01.2027');

    // The admin sets US dates; the wall follows without a reload, the tablet shows times only.
    await office.page.goto(`${app.url}/admin/site`);
    expect(await office.page.inputValue('#site-date-format')).toBe('DD.MM.YYYY');
    await office.page.selectOption('#site-date-format', 'MM/DD/YYYY');
    await office.page.click('[data-testid="site-form"] button[type="submit"]');
    await office.page.waitForSelector('[data-testid="site-form"] :text("Saved the site settings")');
    expect((await admin.get('/api/v1/site')).body.dateFormat).toBe('MM/DD/YYYY');
    await wall.page.waitForSelector('[data-testid="wall-date"]:text-is("01/01/2027")');
    expect(await wall.page.textContent('[data-testid="wall-clock"]')).toBe('00:30');
    await wall.page.screenshot({ path: `${SHOTS}/site-date-format-wall.png` });

    // The day fields now in MM/DD/YYYY: typed in it, checked, and the range follows.
    await office.page.goto(`${app.url}/tables?from=2026-12-31&to=2027-01-01`);
    expect(await office.page.inputValue('#range-from')).toBe('12/31/2026');
    await office.page.fill('#range-from', '31/12/2026'); // a day-first date is not a US one
    expect(await office.page.getAttribute('#range-from', 'aria-invalid')).toBe('true');
    expect(await office.page.textContent('.site-date [role="alert"]')).toBe('Expected MM/DD/YYYY, e.g. 12/31/2026');
    await office.page.fill('#range-from', '12/30/2026');
    await Promise.all([office.page.waitForURL(/from=2026-12-30/), office.page.press('#range-from', 'Enter')]);
    await office.page.waitForFunction(() => (document.querySelector('#range-from') as HTMLInputElement).value === '12/30/2026');
    expect(await office.page.getAttribute('#range-from', 'aria-invalid')).toBe('false');
    expect(await office.page.inputValue('#range-to')).toBe('01/01/2027');
    await office.page.screenshot({ path: `${SHOTS}/site-date-format-tables.png` });

    // The audit log (its entries carry the database's real time): its day fields and times in the site format and zone.
    const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const [y, m, d] = day(-1).split('-');
    await office.page.goto(`${app.url}/audit?from=${day(-1)}&to=${day(1)}`);
    await office.page.waitForSelector('[data-testid="audit-table"] tr[data-action="site.update"]');
    expect(await office.page.inputValue('#audit-from')).toBe(`${m}/${d}/${y}`);
    const when = await office.page.textContent('[data-testid="audit-table"] tr[data-action="site.update"] td');
    expect(when).toMatch(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
    const changed = await office.page.textContent('[data-testid="audit-table"] tr[data-action="site.update"] .changes');
    expect(changed).toContain('DD.MM.YYYY');
    expect(changed).toContain('MM/DD/YYYY');

    for (const p of [wall, tablet, office]) expect(pageErrors(p.errors)).toEqual([]);
  });
});
