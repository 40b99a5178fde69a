import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulator } from '../../scripts/simulator/run.js';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { startAedes, until, type TestBroker } from '../support/mqtt-broker.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/** Issue 21, point 4: the simulator drives machines over MQTT, and a wall screen shows them. */
let broker: TestBroker;
let app: TestApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  broker = await startAedes();
  app = await startTestApp({ web: true, env: { MQTT_URL: broker.url, MQTT_CLIENT_ID: 'oee-e2e-sim' } });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  page = await context.newPage();
  errors = watchErrors(page);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.stop();
  await broker?.stop();
});

describe('the simulator on a wall screen', () => {
  it('four simulated machines over MQTT: every message counted once, the wall shows each machine in its state', async () => {
    await until(
      async () => app.mqtt?.status,
      (s) => s === 'connected',
      'connected',
    );
    const started = performance.now();
    const { sent, totals } = await runSimulator({
      url: app.url,
      username: 'admin',
      password: ADMIN_PASSWORD,
      machines: 4,
      via: 'mqtt',
      mqttUrl: broker.url,
      seed: 3,
      tickMs: 100,
      backfillHours: 2,
      ticks: 1,
    });
    expect(sent).toBeGreaterThan(100);
    const admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const counted = () =>
      app.dataSource.query(
        `SELECT "machineId", sum(good)::int AS good, sum(rejects)::int AS rejects FROM production_records GROUP BY "machineId" ORDER BY "machineId"`,
      ) as Promise<{ machineId: number; good: number; rejects: number }[]>;
    // The simulator's publishes are acknowledged by the broker; the subscriber may still be writing the last ones.
    expect(await until(counted, (c) => JSON.stringify(c) === JSON.stringify(totals), 'every part counted once', 30_000)).toEqual(totals);
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `MQTT ingest: ${sent} simulator messages published and written in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(0)} msgs/s, set-up included)`,
    );

    const machines = (await admin.get('/api/v1/machines')).body as { id: number; name: string; state: { activityCodeId: number | null } }[];
    expect(machines.map((m) => m.name)).toEqual(['Sim-01', 'Sim-02', 'Sim-03', 'Sim-04']);
    const token = (await admin.post('/api/v1/kiosk-tokens', { name: 'Sim wall' })).body.token as string;
    await page.goto(`${app.url}/wall?token=${encodeURIComponent(token)}`);
    for (const m of machines) {
      await page.waitForSelector(
        `[data-testid="machine-tile"][data-machine-id="${m.id}"][data-activity-code-id="${m.state.activityCodeId}"]`,
      );
    }
    expect(errors).toEqual([]);
  }, 90_000);
});
