import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let browser: Browser;
const running: TestApp[] = [];

beforeAll(async () => {
  app = await startTestApp({ web: true });
  running.push(app);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const a of running) await a.stop();
});

const tile = (machineId: number, activityCodeId?: number) =>
  `[data-testid="machine-tile"][data-machine-id="${machineId}"]${activityCodeId === undefined ? '' : `[data-activity-code-id="${activityCodeId}"]`}`;

/** The colour the tile's state area is painted with, as `rgb(r, g, b)`. */
const stateColour = (page: Page, machineId: number) =>
  page.$eval(`${tile(machineId)} [data-testid="tile-state"]`, (el) => getComputedStyle(el).backgroundColor);

describe('/wall in Chromium', () => {
  it('shows live changes within a second, says when the connection drops, and comes back current after a restart', async () => {
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const group = (await admin.post('/api/v1/groups', { name: 'Assembly' })).body.id as number;
    const press = (await admin.post('/api/v1/machines', { name: 'Press 1', groupId: group })).body.id as number;
    const lathe = (await admin.post('/api/v1/machines', { name: 'Lathe 2', groupId: group })).body.id as number;
    const token = (await admin.post('/api/v1/kiosk-tokens', { name: 'Assembly TV', groupId: group })).body.token as string;
    const key = (await admin.post('/api/v1/api-keys', { name: 'plc', role: 'device' })).body.key as string;
    const post = (base: string, machineId: number, activityCodeId: number) =>
      new ApiClient(base, key).post('/api/v1/events', { events: [{ machineId, activityCodeId }] });
    expect((await post(app.url, press, 2)).status).toBe(200);

    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/wall?token=${encodeURIComponent(token)}`);
    await page.waitForSelector(tile(press, 2));
    await page.waitForSelector(tile(lathe));
    expect(await stateColour(page, press)).toBe('rgb(213, 94, 0)'); // Down #D55E00 (core/palette.ts)
    expect(await page.textContent(tile(press))).toContain('Down');

    // A state change over HTTP reaches the tile without a reload, well within a second.
    const posted = Date.now();
    expect((await post(app.url, press, 3)).status).toBe(200);
    await page.waitForSelector(tile(press, 3), { timeout: 1_000 });
    expect(Date.now() - posted).toBeLessThan(1_000);
    expect(await stateColour(page, press)).toBe('rgb(140, 150, 160)'); // Closed #8C96A0 (core/palette.ts)
    expect(await page.textContent(tile(press))).toContain('Closed');

    // Server gone: the banner says the data is not live.
    const { port, databaseUrl } = app;
    await app.stop();
    await page.waitForSelector('[data-testid="connection-banner"]', { state: 'visible' });
    expect(await page.textContent('[data-testid="connection-banner"]')).toMatch(/connection lost/i);

    // Meanwhile another instance on the same database records a change the screen has not seen.
    const other = await startTestApp({ databaseUrl });
    running.push(other);
    expect((await post(other.url, lathe, 3)).status).toBe(200);
    await other.stop();

    // Back on the same port: the banner goes and the tiles are current (a fresh snapshot), then live again.
    app = await startTestApp({ databaseUrl, web: true, env: { PORT: String(port) } });
    running.push(app);
    await page.waitForSelector('[data-testid="connection-banner"]', { state: 'detached', timeout: 20_000 });
    await page.waitForSelector(tile(lathe, 3));
    await page.waitForSelector(tile(press, 3));
    expect((await post(app.url, press, 2)).status).toBe(200);
    await page.waitForSelector(tile(press, 2), { timeout: 1_000 });

    // The token was remembered: a reload without it still connects.
    await page.goto(`${app.url}/wall`);
    await page.waitForSelector(tile(press, 2));
    expect(await page.$$('[data-testid="machine-tile"]')).toHaveLength(2);

    // Only page errors count: a browser logs the refused connections of the outage as console errors.
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    // connect-src is 'self' only: the same-origin websocket must not be refused by CSP.
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await context.close();
  });

  it('may be framed only by the origins of OEE_FRAME_ANCESTORS, and both framing headers agree', async () => {
    const plain = await fetch(`${app.url}/wall`);
    const csp = plain.headers.get('content-security-policy')!;
    expect(csp).toContain("connect-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(plain.headers.get('x-frame-options')).toBe('DENY');
    expect(plain.headers.get('strict-transport-security')).toBeNull();

    const framed = await startTestApp({
      databaseUrl: app.databaseUrl,
      web: true,
      env: { OEE_FRAME_ANCESTORS: 'https://intranet.example, http://tv.example:8080' },
    });
    running.push(framed);
    const wall = await fetch(`${framed.url}/wall`);
    expect(wall.headers.get('content-security-policy')).toContain('frame-ancestors https://intranet.example http://tv.example:8080');
    expect(wall.headers.get('x-frame-options')).toBeNull();
    const login = await fetch(`${framed.url}/login`);
    expect(login.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(login.headers.get('x-frame-options')).toBe('DENY');
    await framed.stop();
  });
});
