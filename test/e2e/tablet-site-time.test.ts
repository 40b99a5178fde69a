import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { FixedClock } from '../../core/clock.js';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { clientsForRoles } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';
import { tap } from '../support/tablet-page.js';

/** Issue 18: the tablet reads and shows site time, on a tablet set to another zone (screenshot in test-results/wall). */
const NOW = new Date('2026-07-01T10:00:00.000Z'); // 15:30 in Asia/Kolkata, 03:00 in Los Angeles

let app: TestApp;
let browser: Browser;
beforeAll(async () => {
  app = await startTestApp({ web: true, clock: new FixedClock(NOW) });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('/tablet in site time', () => {
  it('takes a late start typed as site time and shows the site clock, whatever the tablet zone', async () => {
    const { admin } = await clientsForRoles(app.url, ADMIN_PASSWORD);
    expect((await admin.put('/api/v1/site', { timezone: 'Asia/Kolkata', microStopSeconds: 0 })).status).toBe(200);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Press 9' })).body.id as number;
    const key = (await admin.post('/api/v1/api-keys', { name: 'plc', role: 'device' })).body.key as string;
    const down = await fetch(`${app.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ events: [{ machineId, activityCodeId: 2, at: '2026-07-01T08:00:00.000Z' }] }), // 13:30 site time
    });
    expect(down.status).toBe(200);
    const user = (await admin.post('/api/v1/users', { username: 'asha', role: 'operator', pin: '1357' })).body.id as number;
    const { token } = (await admin.post('/api/v1/tablets', { name: 'Press 9 tablet', machineId })).body as { token: string };

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true, timezoneId: 'America/Los_Angeles' });
    const page = await context.newPage();
    await page.clock.setFixedTime(NOW);
    const errors = watchErrors(page);
    await page.goto(`${app.url}/tablet?token=${encodeURIComponent(token)}`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    for (const d of String(user)) await tap(page, d);
    await tap(page, 'Next');
    for (const d of '1357') await tap(page, d);
    await tap(page, 'Sign in');

    await page.getByRole('heading', { name: 'Start a job' }).waitFor();
    expect(await page.evaluate(() => new Date().getHours())).toBe(3); // the tablet's own zone
    await page.getByLabel('Job number').fill('LATE-1');
    // 15:00 on the shop clock (site time) is 09:30 UTC; in the tablet's zone it would be 22:00 UTC the day before.
    await page.locator('input[name="startedAt"]').fill('15:00');
    await page.getByRole('button', { name: 'Start job' }).click();
    await page.getByTestId('job-number').filter({ hasText: 'LATE-1' }).waitFor();
    // Sent and answered (the queue empties), the server's state shows the job's start.
    await page.getByTestId('queue').waitFor({ state: 'detached' });
    await page.getByTestId('job-started').filter({ hasText: '15:00' }).waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('job-started').textContent()).toBe('15:00');
    await page.screenshot({ path: 'test-results/wall/tablet-site-time.png' });
    const [job] = await app.dataSource.query(`SELECT start FROM jobs WHERE "jobNumber" = 'LATE-1'`);
    expect((job.start as Date).toISOString()).toBe('2026-07-01T09:30:00.000Z');

    // Before the machine's current state (Down since 13:30 site time): refused, in site time.
    await page
      .getByRole('button', { name: /end job/i })
      .first()
      .waitFor();
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    await context.close();
  });
});
