import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { deviceClient, startAedes, until, type TestBroker } from '../support/mqtt-broker.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/** Issue 21: the MQTT mapping page in Chromium: a JSON mapping typed in the form takes a device's messages. */
let broker: TestBroker;
let app: TestApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let admin: ApiClient;
let device: MqttClient;

beforeAll(async () => {
  broker = await startAedes();
  app = await startTestApp({ web: true, env: { MQTT_URL: broker.url, MQTT_CLIENT_ID: 'oee-e2e-mqtt' } });
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  page = await context.newPage();
  errors = watchErrors(page);
  device = await deviceClient(broker.url, { clientId: 'e2e-device' });
});

afterAll(async () => {
  await device?.endAsync(true);
  await context?.close();
  await browser?.close();
  await app?.stop();
  await broker?.stop();
});

describe('the MQTT admin page', () => {
  it('creates a JSON mapping by topic level, refuses an unknown code, and the mapping takes messages', async () => {
    await admin.post('/api/v1/machines', { name: 'Saw-2' });
    await until(
      async () => app.mqtt?.status,
      (s) => s === 'connected',
      'connected',
    );
    await page.goto(`${app.url}/login?next=%2Fadmin%2Fmqtt`);
    await page.fill('input[name="username"]', 'admin');
    await page.fill('input[name="password"]', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(`${app.url}/admin/mqtt`), page.click('button[type="submit"]')]);
    await page.waitForSelector('[data-testid="mqtt-form"]');
    expect(await page.textContent('[data-testid="mqtt-status"]')).toBe('Broker: Connected');

    await page.fill('#mqtt-name', 'Saws');
    await page.fill('#mqtt-topic', 'saws/+/state');
    await page.fill('#mqtt-level', '1');
    await page.fill('#mqtt-state', 'st');
    await page.fill('#mqtt-codes', 'on = Up\noff = Sleeping');
    await page.click('[data-testid="mqtt-form"] button[type="submit"]');
    await page.waitForSelector('[data-testid="mqtt-form"] [data-testid="field-error"]');
    expect(await page.textContent('[data-testid="mqtt-form"] [data-testid="field-error"]')).toContain('“off = Sleeping”');

    await page.fill('#mqtt-codes', 'on = Up\noff = down');
    await page.fill('#mqtt-good', 'parts');
    await page.click('[data-testid="mqtt-form"] button[type="submit"]');
    await page.waitForFunction(() =>
      /Created mapping “Saws”/.test(document.querySelector('[data-testid="form-success"]')?.textContent ?? ''),
    );
    await page.waitForSelector('[data-testid="mqtt-row"]:has-text("saws/+/state")');
    expect((await admin.get('/api/v1/mqtt/mappings')).body).toEqual([
      {
        id: 1,
        name: 'Saws',
        enabled: true,
        topicFilter: 'saws/+/state',
        machineId: null,
        machineLevel: 1,
        noSignalCodeId: null,
        rules: {
          format: 'json',
          statePath: 'st',
          stateCodes: { on: 1, off: 2 },
          timePath: null,
          goodPath: 'parts',
          rejectPath: null,
          counts: 'increment',
        },
      },
    ]);

    await until(
      async () => {
        await device.publishAsync('saws/Saw-2/state', JSON.stringify({ st: 'off', parts: 4, n: Math.random() }), { qos: 1 });
        return app.dataSource.query(`SELECT "activityCodeId" FROM state_events WHERE source = 'mqtt'`);
      },
      (rows: unknown[]) => rows.length > 0,
      'the mapping takes messages',
    );
    // Editing: the form shows the stored mapping with the codes by name.
    await page.click('[aria-label="Edit Saws"]');
    expect(await page.inputValue('#mqtt-codes')).toBe('on = Up\noff = Down');
    // The admin overview counts the mappings.
    await page.goto(`${app.url}/admin`);
    await page.waitForSelector('[data-testid="admin-count"][data-href="/admin/mqtt"]');
    expect(await page.textContent('[data-testid="admin-count"][data-href="/admin/mqtt"]')).toBe('1');
    expect(errors).toEqual([]);
  });
});
