import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { clientsForRoles } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';
import { tap, typeOnKeypad, queueEmpty } from '../support/tablet-page.js';

let app: TestApp;
let browser: Browser;
beforeAll(async () => {
  app = await startTestApp({ web: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** Taps a keypad key (the keypad's buttons are named by their digit). */

/** Waits until the page has sent everything it queued. */

/** A few hundred milliseconds of slack around a tap: the browser stamps `at` between the two readings. */
const SLACK_MS = 1_000;
function expectWithin(at: Date, before: number, after: number) {
  expect(at.getTime()).toBeGreaterThanOrEqual(before - SLACK_MS);
  expect(at.getTime()).toBeLessThanOrEqual(after + SLACK_MS);
}

describe('/tablet in Chromium', () => {
  it('signs in on the keypad, starts a job, and lands taps made offline exactly once, at the time they were tapped', async () => {
    const { admin } = await clientsForRoles(app.url, ADMIN_PASSWORD);
    const machineId = (await admin.post('/api/v1/machines', { name: 'Press 7', jobStartInputType: 'parts_per_hour' })).body.id as number;
    const jam = (await admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#C62828' }))
      .body.id as number;
    const user = (await admin.post('/api/v1/users', { username: 'omar', role: 'operator', pin: '2580' })).body.id as number;
    const { token } = (await admin.post('/api/v1/tablets', { name: 'Press 7 tablet', machineId })).body as { token: string };

    const context: BrowserContext = await browser.newContext({ viewport: { width: 800, height: 1280 }, hasTouch: true });
    const page = await context.newPage();
    const errors = watchErrors(page);
    // Commands written to any WebSocket while the browser is offline (there must be none).
    let offline = false;
    const sentOffline: string[] = [];
    const sentOnline: string[] = [];
    page.on('websocket', (ws) =>
      ws.on('framesent', (frame) => {
        const payload = String(frame.payload);
        if (/activity:set|production:record/.test(payload)) (offline ? sentOffline : sentOnline).push(payload);
      }),
    );
    await page.goto(`${app.url}/tablet?token=${encodeURIComponent(token)}`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The token is remembered, and no longer shown in the address bar.
    expect(new URL(page.url()).search).toBe('');
    expect(await page.evaluate(() => localStorage.getItem('oee.tablet.token'))).toBe(token);

    // Sign in: user id, Next, PIN, Sign in.
    await typeOnKeypad(page, String(user));
    await tap(page, 'Next');
    await typeOnKeypad(page, '2580');
    await tap(page, 'Sign in');

    // Start a job at 40 parts per hour.
    await page.getByRole('heading', { name: 'Start a job' }).waitFor();
    expect(await page.getByText('parts/h').isVisible()).toBe(true);
    await page.getByLabel('Job number').fill('E2E-1');
    await page.getByLabel('Ideal rate').fill('40');
    await page.getByRole('button', { name: 'Start job' }).click();
    await page.getByTestId('job-number').filter({ hasText: 'E2E-1' }).waitFor();
    await queueEmpty(page);

    // Offline. Chromium's network emulation keeps an open WebSocket open (readyState 1) and silently drops
    // its frames, so the page goes offline on the browser's `offline` event (and, failing that, when an ack
    // does not come); check that it really queues rather than sends.
    await context.setOffline(true);
    offline = true;
    await page.getByTestId('connection').filter({ hasText: 'Offline' }).waitFor();

    const stopBefore = Date.now();
    await page.getByRole('group', { name: 'Activity codes' }).getByRole('button', { name: 'Jam' }).click();
    const stopAfter = Date.now();
    await page.getByTestId('current-code').filter({ hasText: 'Jam' }).waitFor();

    await page.getByRole('button', { name: 'Record production' }).click();
    await typeOnKeypad(page, '12');
    await tap(page, 'Next');
    await typeOnKeypad(page, '3');
    const countBefore = Date.now();
    await page.getByRole('dialog').getByRole('button', { name: 'Record', exact: true }).click();
    const countAfter = Date.now();

    const queue = page.getByTestId('queue');
    await queue.getByText('2 actions waiting to send').waitFor();
    expect(await queue.locator('li').allTextContents()).toEqual([
      expect.stringContaining('Stop: Jam'),
      expect.stringContaining('Production: 12 good, 3 rejects'),
    ]);
    // The screen already shows what was tapped.
    expect(await page.getByTestId('job-good').textContent()).toBe('12');

    // Nothing of it reached the server yet.
    const stored = async () => ({
      stops: (await app.dataSource.query(`SELECT at FROM state_events WHERE "machineId" = $1 AND "activityCodeId" = $2`, [
        machineId,
        jam,
      ])) as { at: Date }[],
      counts: (await app.dataSource.query(`SELECT "from", "to", good, rejects FROM production_records WHERE "machineId" = $1`, [
        machineId,
      ])) as { from: Date; to: Date; good: number; rejects: number }[],
    });
    expect(await stored()).toEqual({ stops: [], counts: [] });
    expect(sentOffline).toEqual([]);

    // Online: the queue replays in order; the server's state is shown.
    offline = false;
    await context.setOffline(false);
    await page.getByTestId('connection').filter({ hasText: 'Online' }).waitFor();
    await queueEmpty(page);
    await page.getByTestId('job-good').filter({ hasText: '12' }).waitFor();
    const after = await stored();
    expect(after.stops).toHaveLength(1);
    expectWithin(after.stops[0]!.at, stopBefore, stopAfter);
    expect(after.counts).toHaveLength(1);
    expect(after.counts[0]).toMatchObject({ good: 12, rejects: 3 });
    expectWithin(after.counts[0]!.to, countBefore, countAfter);
    expect(after.counts[0]!.from).toEqual(after.counts[0]!.to);
    // Sent once each, in the order tapped.
    expect(sentOnline.map((p) => p.match(/activity:set|production:record/)![0])).toEqual(['activity:set', 'production:record']);

    const jobs = (await admin.get(`/api/v1/jobs?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&machineId=${machineId}`)).body.jobs;
    expect(jobs).toMatchObject([{ jobNumber: 'E2E-1', idealCycleTimeSeconds: 90, good: 12, rejects: 3, end: null }]);
    expect(await page.getByTestId('current-code').textContent()).toContain('Jam');

    // The queue is durable: a tap made offline survives closing the page, and is sent by the next one.
    await context.setOffline(true);
    await page.getByTestId('connection').filter({ hasText: 'Offline' }).waitFor();
    const upBefore = Date.now();
    await page.getByRole('group', { name: 'Activity codes' }).getByRole('button', { name: 'Up' }).click();
    const upAfter = Date.now();
    await page.getByTestId('queue').getByText('1 action waiting to send').waitFor();
    await page.close();
    await context.setOffline(false);
    const again = await context.newPage();
    const againErrors = watchErrors(again);
    await again.goto(`${app.url}/tablet`);
    await again.getByTestId('current-code').filter({ hasText: 'Up' }).waitFor();
    await queueEmpty(again);
    const ups: { at: Date }[] = await app.dataSource.query(
      `SELECT at FROM state_events WHERE "machineId" = $1 AND "activityCodeId" = 1 ORDER BY at`,
      [machineId],
    );
    expect(ups).toHaveLength(2); // the job start, and the tap
    expectWithin(ups[1]!.at, upBefore, upAfter);
    expect((await stored()).stops).toHaveLength(1);

    expect(errors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED'))).toEqual([]);
    expect(againErrors).toEqual([]);
    await context.close();
  });
});
