import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { TabletClient } from '../support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

// Issue 18's admin points: messages in words on every form, the machines table at 1920×1080, the form keeping
// group and shift between creates, the searchable time zone, the public address in links, re-issued tablet tokens.
let app: TestApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let admin: ApiClient;

beforeAll(async () => {
  app = await startTestApp({ web: true });
  browser = await launchBrowser();
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  page = await context.newPage();
  errors = watchErrors(page);
  await page.goto(`${app.url}/login?next=%2Fadmin`);
  await page.fill('input[name="username"]', 'admin');
  await page.fill('input[name="password"]', ADMIN_PASSWORD);
  await Promise.all([page.waitForURL(`${app.url}/admin`), page.click('button[type="submit"]')]);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.stop();
});

async function goto(path: string) {
  await page.goto(`${app.url}${path}`);
  await page.waitForLoadState('networkidle');
}

/** Submits the form and returns every message it shows (field errors and the alert), once there is one. */
async function submitAndRead(form: string): Promise<string[]> {
  await page.click(`${form} button[type="submit"]`);
  await page.waitForSelector(`${form} [data-testid="field-error"], ${form} [data-testid="form-error"] li`);
  return page.$$eval(`${form} [data-testid="field-error"], ${form} [data-testid="form-error"] li`, (els) =>
    els.map((e) => e.textContent!.trim()),
  );
}

/** Schema text that must never reach a person. */
const SCHEMA_TEXT = /Too small|Too big|Invalid input|Invalid option|expected \w+, received|>=|<=|Unrecognized key/;

describe('admin forms say what is wrong in words', () => {
  const emptyForms: [path: string, form: string, expected: Record<string, string>][] = [
    ['/admin/groups', 'group-form', { 'group-name-error': 'Name is required' }],
    ['/admin/activity-codes', 'code-form', { 'code-short-error': 'Short description is required' }],
    ['/admin/shift-patterns', 'pattern-form', { 'sp-name-error': 'Name is required' }],
    ['/admin/machines', 'machine-form', { 'machine-name-error': 'Name is required' }],
    ['/admin/users', 'user-form', { 'user-username-error': 'Username is required' }],
    ['/admin/tablets', 'tablet-form', { 'tablet-name-error': 'Name is required' }],
    ['/admin/kiosk-tokens', 'kiosk-form', { 'kiosk-name-error': 'Name is required' }],
    ['/admin/api-keys', 'key-form', { 'key-name-error': 'Name is required' }],
    [
      '/admin/parts',
      'part-form',
      { 'part-number-error': 'Part number is required', 'part-seconds-error': 'Ideal cycle time (s) is required' },
    ],
  ];
  for (const [path, testid, expected] of emptyForms) {
    it(`${path}: an empty form`, async () => {
      await goto(path);
      const messages = await submitAndRead(`[data-testid="${testid}"]`);
      console.log(`${path}: ${JSON.stringify(messages)}`);
      for (const m of messages) expect(m).not.toMatch(SCHEMA_TEXT);
      for (const [id, text] of Object.entries(expected)) expect((await page.textContent(`#${id}`))?.trim()).toBe(text);
    });
  }

  it('/admin/users: a short password and a bad PIN', async () => {
    await goto('/admin/users');
    await page.fill('#user-username', 'pat');
    await page.fill('#user-password', 'short');
    await page.fill('#user-pin', '12ab');
    const messages = await submitAndRead('[data-testid="user-form"]');
    for (const m of messages) expect(m).not.toMatch(SCHEMA_TEXT);
    expect(await page.textContent('#user-password-error')).toMatch(/^At least 10 characters/);
    expect(await page.textContent('#user-pin-error')).toMatch(/4 to 8 digits/);
  });

  it('/admin/site: an empty number, an unknown zone and a relative address', async () => {
    await goto('/admin/site');
    await page.fill('#site-micro', '');
    await page.fill('#site-timezone', 'Mars/Olympus');
    await page.fill('#site-public-url', 'oee.local');
    const messages = await submitAndRead('[data-testid="site-form"]');
    console.log(`/admin/site: ${JSON.stringify(messages)}`);
    for (const m of messages) expect(m).not.toMatch(SCHEMA_TEXT);
    expect(await page.textContent('#site-micro-error')).toBe('Micro-stop threshold (seconds) is required');
    expect(await page.textContent('#site-timezone-error')).toMatch(/^Expected an IANA time zone/);
    expect(await page.textContent('#site-public-url-error')).toMatch(/^Expected an absolute http:\/\/ or https:\/\/ address/);
  });
});

describe('site settings', () => {
  it('finds a time zone by typing part of it, and saves a public address', async () => {
    await goto('/admin/site');
    // A text input with the browser's zones as its suggestions.
    expect(await page.getAttribute('#site-timezone', 'list')).toBe('site-timezones');
    const suggestions = await page.$$eval('#site-timezones option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(suggestions).toContain('Europe/Berlin');
    expect(suggestions.length).toBeGreaterThan(300);
    expect(suggestions.filter((z) => /berl/i.test(z))).toEqual(['Europe/Berlin']);
    await page.fill('#site-micro', '0');
    await page.fill('#site-timezone', 'Europe/Berlin');
    // The hint shows the time there, so a wrong pick shows at once.
    expect(await page.textContent('#site-timezone-hint')).toMatch(/Now there: .*GMT\+[12]\b/);
    await page.fill('#site-public-url', 'https://oee.example.com/');
    await page.click('[data-testid="site-form"] button[type="submit"]');
    await page.waitForSelector('[data-testid="site-form"] [data-testid="form-success"]:has-text("Saved the site settings")');
    expect((await admin.get('/api/v1/site')).body).toMatchObject({ timezone: 'Europe/Berlin', publicUrl: 'https://oee.example.com' });
    await page.screenshot({ path: '/tmp/admin18-site.png', fullPage: true });
  });
});

describe('machines', () => {
  it('keeps group and shift pattern between creates, and the table fits 1920×1080', async () => {
    const group = (await admin.post('/api/v1/groups', { name: 'Line 2' })).body.id as number;
    const pattern = (
      await admin.post('/api/v1/shift-patterns', { name: 'Two shifts', shifts: [{ days: [1, 2, 3, 4, 5], start: '06:00', end: '22:00' }] })
    ).body.id as number;
    await goto('/admin/machines');
    await page.fill('#machine-name', 'Line 2 press with a rather long machine name');
    await page.selectOption('#machine-group', { label: 'Line 2' });
    await page.selectOption('#machine-shifts', { label: 'Two shifts' });
    await page.click('[data-testid="machine-form"] button[type="submit"]');
    await page.waitForSelector('[data-testid="machine-form"] [data-testid="form-success"]:has-text("Created machine")');
    // The next new machine starts with the same group and pattern; only the name is empty.
    expect(await page.inputValue('#machine-name')).toBe('');
    expect(await page.$eval('#machine-group', (s) => (s as HTMLSelectElement).selectedOptions[0]!.textContent)).toBe('Line 2');
    expect(await page.$eval('#machine-shifts', (s) => (s as HTMLSelectElement).selectedOptions[0]!.textContent)).toBe('Two shifts');
    for (let i = 2; i <= 12; i++) {
      await page.fill('#machine-name', `Line 2 machine ${i}`);
      await page.click('[data-testid="machine-form"] button[type="submit"]');
      await page.waitForSelector(`[data-testid="machine-row"]:has-text("Line 2 machine ${i}")`);
    }
    const machines = (await admin.get('/api/v1/machines')).body as { name: string; groupId: number; shiftPatternId: number }[];
    expect(machines.filter((m) => m.name.startsWith('Line 2')).every((m) => m.groupId === group && m.shiftPatternId === pattern)).toBe(
      true,
    );
    expect(machines.length).toBe(12);

    // No horizontal scrolling at 1920×1080: not the page, not the table's own box.
    const widths = await page.evaluate(() => {
      const table = document.querySelector('[data-testid="machines-table"]')!;
      const scroller = table.closest('.table-wrap') ?? table.parentElement!;
      return {
        page: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
        table: scroller.scrollWidth,
        box: scroller.clientWidth,
      };
    });
    console.log(`machines at 1920×1080: ${JSON.stringify(widths)}`);
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.table).toBeLessThanOrEqual(widths.box);
    await page.screenshot({ path: '/tmp/admin18-machines-1920.png' });
  });
});

describe('tablets', () => {
  it('links and QR codes use the public address; a new token replaces the old one at once', async () => {
    const machines = (await admin.get('/api/v1/machines')).body as { id: number; name: string }[];
    const created = await admin.post('/api/v1/tablets', { name: 'Line 2 tablet', machineId: machines[0]!.id });
    const old = await TabletClient.open(app.url, created.body.token);
    const gone = new Promise<string>((resolve) => old.socket.once('disconnect', (reason) => resolve(reason)));
    try {
      await goto('/admin/tablets');
      expect(await page.getAttribute('[data-testid="tablet-form"] [data-testid="public-url-note"]', 'data-from-site')).toBe('true');
      const row = `[data-testid="tablet-row"][data-id="${created.body.id}"]`;
      await page.click(`${row} button:has-text("New token")`);
      // It asks first.
      expect(await page.$('[data-testid="secret-once"]')).toBeNull();
      await page.click(`${row} button:has-text("Yes, new token")`);
      await page.waitForSelector('[data-testid="secret-once"]');
      const token = (await page.textContent('[data-testid="secret-value"]'))!.trim();
      expect(token).toMatch(/^tab_/);
      expect(token).not.toBe(created.body.token);
      expect((await page.textContent('[data-testid="pairing-url"]'))!.trim()).toBe(
        `https://oee.example.com/tablet?token=${encodeURIComponent(token)}`,
      );
      expect(await page.textContent('[data-testid="secret-once"]')).toContain('The old token of “Line 2 tablet” no longer works.');
      expect(await gone).toBe('io server disconnect');
      const fresh = await TabletClient.open(app.url, token);
      fresh.close();
      await page.screenshot({ path: '/tmp/admin18-tablet-token.png', fullPage: true });

      // Force logout asks too.
      await page.click(`${row} button:has-text("Force logout")`);
      expect(await page.textContent(`${row}`)).toContain('Sign the operator out?');
      await page.click(`${row} button:has-text("Yes, sign out")`);
      await page.waitForSelector(`${row} + tr.row-message`);

      // Without a public address, the page says the browser's address is used.
      await admin.put('/api/v1/site', { timezone: 'Europe/Berlin', microStopSeconds: 0, publicUrl: null });
      await goto('/admin/kiosk-tokens');
      const note = '[data-testid="kiosk-form"] [data-testid="public-url-note"]';
      expect(await page.getAttribute(note, 'data-from-site')).toBe('false');
      expect(await page.textContent(note)).toContain(
        `No public address is set, so links and QR codes use the address of this browser, ${app.url}`,
      );
    } finally {
      old.close();
    }
    // The empty forms above answered 400 on purpose; Chromium logs each failed fetch. Nothing else may appear.
    expect(errors.filter((e) => !/Failed to load resource: the server responded with a status of (400|409)/.test(e))).toEqual([]);
  });
});
