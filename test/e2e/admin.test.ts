import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import pg from 'pg';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ApiClient } from '../support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

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
  context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  page = await context.newPage();
  errors = watchErrors(page);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.stop();
});

/** Waits until the form's success line says something. */
async function saved(form: string, text: RegExp) {
  await page.waitForFunction(
    ({ form, source }) => new RegExp(source, 'i').test(document.querySelector(`${form} [data-testid="form-success"]`)?.textContent ?? ''),
    { form, source: text.source },
  );
}

async function goto(path: string) {
  await page.goto(`${app.url}${path}`);
  // Lists load after hydration: wait for the first fetch to finish.
  await page.waitForLoadState('networkidle');
}

const ids: Record<string, number> = {};

describe('admin pages in Chromium', () => {
  it('sends a visitor who is not signed in to the sign-in page and back', async () => {
    await page.goto(`${app.url}/admin/machines`);
    await page.waitForURL(/\/login\?next=%2Fadmin%2Fmachines$/);
    await page.fill('input[name="username"]', 'admin');
    await page.fill('input[name="password"]', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(`${app.url}/admin/machines`), page.click('button[type="submit"]')]);
    await page.waitForSelector('[data-testid="machine-form"]');
  });

  it('creates a group, and shows a duplicate name next to the field', async () => {
    await goto('/admin/groups');
    // Keyboard only: type the name and press Enter.
    await page.focus('#group-name');
    await page.keyboard.type('Assembly');
    await page.keyboard.press('Enter');
    await saved('[data-testid="group-form"]', /created group “Assembly”/);
    await page.waitForSelector('[data-testid="group-row"]:has-text("Assembly")');

    await page.fill('#group-name', 'Assembly');
    await page.click('[data-testid="group-form"] button[type="submit"]');
    await page.waitForSelector('#group-name-error');
    expect(await page.textContent('#group-name-error')).toMatch(/already exists/);
    expect(await page.getAttribute('#group-name', 'aria-invalid')).toBe('true');

    const groups = (await admin.get('/api/v1/groups')).body as { id: number; name: string }[];
    ids.group = groups.find((g) => g.name === 'Assembly')!.id;
  });

  it('creates an activity code with a category and an upper-case colour', async () => {
    await goto('/admin/activity-codes');
    await page.fill('#code-short', 'Setup');
    await page.fill('#code-long', 'Tool change and setup');
    // A new code starts in its category's palette colour (core/palette.ts), and follows the category until one is picked.
    expect(await page.textContent('[data-testid="colour-value"]')).toBe('#D55E00');
    await page.selectOption('#code-category', { label: 'Planned stop' });
    expect(await page.textContent('[data-testid="colour-value"]')).toBe('#E69F00');
    await page.fill('#code-colour', '#1a2b3c');
    expect(await page.textContent('[data-testid="colour-value"]')).toBe('#1A2B3C');
    await page.click('[data-testid="code-form"] button[type="submit"]');
    await saved('[data-testid="code-form"]', /created code “Setup”/);
    await page.screenshot({ path: '/tmp/admin-activity-codes.png', fullPage: true });

    const codes = (await admin.get('/api/v1/activity-codes')).body as { id: number; shortDescription: string }[];
    const setup = codes.find((c) => c.shortDescription === 'Setup')!;
    ids.code = setup.id;
    expect(setup).toEqual({
      id: setup.id,
      shortDescription: 'Setup',
      longDescription: 'Tool change and setup',
      category: 'planned_stop',
      cause: 'other',
      colour: '#1A2B3C',
      active: true,
      flag: null,
    });
  });

  it('creates a shift pattern with a night shift and a closed day, drawn in the week view', async () => {
    await goto('/admin/shift-patterns');
    await page.fill('#sp-name', 'Nights');
    // The new pattern starts with one Mon–Fri shift: make it 22:00–06:00 Mon–Fri.
    await page.fill('#sp-shift-0-start', '22:00');
    await page.fill('#sp-shift-0-end', '06:00');
    // A second shift on Saturday morning.
    await page.click('button:has-text("Add shift")');
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) await page.getByLabel(`${day}, shift 2`).uncheck();
    await page.getByLabel('Saturday, shift 2').check();
    await page.fill('#sp-shift-1-start', '08:00');
    await page.fill('#sp-shift-1-end', '12:00');
    await page.click('button:has-text("Add exception")');
    await page.fill('#sp-exc-0-date', '2026-12-25');
    await page.waitForSelector('[data-testid="exception-closed"]');
    // The browser draws the date field in its own locale; beneath it, the day in the site's format (issue 18).
    expect((await page.textContent('#sp-exc-0-date-hint'))!.trim()).toBe("2026-12-25 (the site's date format)");

    // The week view follows the editor: Mon 22:00–24:00, Tue 00:00–06:00 … Fri 22:00 → Sat 06:00, Sat 08:00–12:00.
    const blocks = () =>
      page.$$eval('[data-testid="week-block"]', (els) =>
        els.map((e) => ({
          day: Number((e as HTMLElement).dataset.day),
          start: (e as HTMLElement).dataset.start,
          label: e.textContent?.trim(),
        })),
      );
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="week-block"]').length === 11);
    const drawn = await blocks();
    expect(drawn.filter((b) => b.label === '22:00–06:00').map((b) => b.day)).toEqual([1, 2, 3, 4, 5]);
    expect(drawn.filter((b) => b.label === '→ 06:00').map((b) => b.day)).toEqual([2, 3, 4, 5, 6]);
    expect(drawn.filter((b) => b.label === '08:00–12:00').map((b) => b.day)).toEqual([6]);
    // The Monday block starts at 22:00 of 24 h: 11/12 of the way down the column.
    const geometry = await page.$eval('[data-testid="week-block"][data-day="1"]', (el) => {
      const col = el.parentElement!.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return { top: (box.top - col.top) / col.height, bottom: (box.bottom - col.top) / col.height };
    });
    expect(geometry.top).toBeCloseTo(22 / 24, 2);
    expect(geometry.bottom).toBeCloseTo(1, 2);

    // A shift without days is refused by the API; the message sits under that shift's days.
    await page.getByLabel('Saturday, shift 2').uncheck();
    await page.click('[data-testid="pattern-form"] button[type="submit"]');
    await page.waitForSelector('#sp-shifts-1-days-error');
    expect(await page.$('#sp-shifts-0-days-error')).toBeNull();
    await page.getByLabel('Saturday, shift 2').check();

    await page.click('[data-testid="pattern-form"] button[type="submit"]');
    await saved('[data-testid="pattern-form"]', /created shift pattern “Nights”/);
    await page.waitForSelector('[data-testid="pattern-row"]:has-text("Nights")');
    expect(await page.textContent('[data-testid="pattern-row"]:has-text("Nights")')).toContain('Mon–Fri 22:00–06:00');
    await page.screenshot({ path: '/tmp/admin-shift-patterns.png', fullPage: true });

    const patterns = (await admin.get('/api/v1/shift-patterns')).body as { id: number; name: string }[];
    const nights = patterns.find((p) => p.name === 'Nights')!;
    ids.pattern = nights.id;
    expect(nights).toEqual({
      id: nights.id,
      name: 'Nights',
      shifts: [
        { days: [1, 2, 3, 4, 5], start: '22:00', end: '06:00' },
        { days: [6], start: '08:00', end: '12:00' },
      ],
      exceptions: [{ date: '2026-12-25', shifts: [] }],
    });
  });

  it('creates a machine with every field, then edits it', async () => {
    await goto('/admin/machines');
    await page.fill('#machine-name', 'Press 1');
    await page.selectOption('#machine-group', { label: 'Assembly' });
    await page.selectOption('#machine-shifts', { label: 'Nights' });
    await page.selectOption('#machine-workflow', { label: 'Pausable' });
    await page.selectOption('#machine-job-start-input', { label: 'Parts per hour' });
    await page.selectOption('#machine-job-number-input', { label: 'Number (digits only)' });
    await page.selectOption('#machine-job-start-code', { label: 'Setup (Planned stop)' });
    await page.getByLabel('End the running job when the shift ends').uncheck();
    await page.check('[data-testid="machine-form"] label:has-text("Overtime") input');
    await page.click('[data-testid="machine-form"] button[type="submit"]');
    await saved('[data-testid="machine-form"]', /created machine “Press 1”/);
    await page.waitForSelector('[data-testid="machine-row"]:has-text("Press 1")');

    let machines = (await admin.get('/api/v1/machines')).body as any[];
    const press = machines.find((m) => m.name === 'Press 1')!;
    ids.machine = press.id;
    expect({ ...press, state: undefined }).toEqual({
      id: press.id,
      name: 'Press 1',
      groupId: ids.group,
      shiftPatternId: ids.pattern,
      workflowType: 'pausable',
      jobStartInputType: 'parts_per_hour',
      jobNumberInputType: 'number',
      jobStartAutofill: null,
      jobStartActivityCodeId: ids.code,
      endJobOnShiftEnd: false,
      excludedActivityCodeIds: [4],
      active: true,
      heartbeatSeconds: null,
      lastContactAt: null,
      reasonPromptMinutes: null,
      oeeTarget: null,
      state: undefined,
    });

    // A 400 from the API lands next to its field.
    await page.click(`[data-testid="machine-row"][data-id="${press.id}"] button:has-text("Edit")`);
    expect(await page.inputValue('#machine-name')).toBe('Press 1');
    await page.fill('#machine-name', '   ');
    await page.click('[data-testid="machine-form"] button[type="submit"]');
    await page.waitForSelector('#machine-name-error');

    await page.fill('#machine-name', 'Press 1A');
    await page.selectOption('#machine-shifts', { label: 'Planned 24/7 (no shift pattern)' });
    await page.selectOption('#machine-workflow', { label: 'Running total' });
    await page.selectOption('#machine-job-start-input', { label: 'Planned quantity and planned time (min)' });
    await page.selectOption('#machine-job-start-code', { label: 'Up (Running)' });
    await page.uncheck('[data-testid="machine-form"] label:has-text("Overtime") input');
    await page.check('[data-testid="machine-form"] label:has-text("Closed") input');
    await page.getByLabel('Active', { exact: true }).uncheck();
    await page.click('[data-testid="machine-form"] button[type="submit"]');
    await saved('[data-testid="machine-form"]', /saved machine “Press 1A”/);
    await page.screenshot({ path: '/tmp/admin-machines.png', fullPage: true });

    machines = (await admin.get('/api/v1/machines')).body as any[];
    expect({ ...machines.find((m) => m.id === ids.machine), state: undefined }).toEqual({
      id: ids.machine,
      name: 'Press 1A',
      groupId: ids.group,
      shiftPatternId: null,
      workflowType: 'running_total',
      jobStartInputType: 'planned_qty_minutes',
      jobNumberInputType: 'number',
      jobStartAutofill: null,
      jobStartActivityCodeId: 1,
      endJobOnShiftEnd: false,
      excludedActivityCodeIds: [3],
      active: false,
      heartbeatSeconds: null,
      lastContactAt: null,
      reasonPromptMinutes: null,
      oeeTarget: null,
      state: undefined,
    });
  });

  it('creates a user with a PIN, showing its id, and puts a bad PIN next to the field', async () => {
    await goto('/admin/users');
    await page.fill('#user-username', 'olga');
    await page.selectOption('#user-role', 'operator');
    await page.fill('#user-pin', '12');
    await page.click('[data-testid="user-form"] button[type="submit"]');
    await page.waitForSelector('#user-pin-error');
    expect(await page.textContent('#user-pin-error')).toMatch(/4 to 8 digits/);

    await page.fill('#user-pin', '4711');
    await page.fill('#user-password', 'a long password');
    await page.click('[data-testid="user-form"] button[type="submit"]');
    await page.waitForSelector('[data-testid="user-created"]');
    const users = (await admin.get('/api/v1/users')).body as any[];
    const olga = users.find((u) => u.username === 'olga')!;
    ids.user = olga.id;
    expect(olga).toEqual({ id: olga.id, username: 'olga', role: 'operator', hasPassword: true, hasPin: true });
    expect(await page.textContent('[data-testid="user-created"] .id-badge')).toBe(String(olga.id));
    await page.screenshot({ path: '/tmp/admin-users.png', fullPage: true });
    expect(await page.textContent(`[data-testid="user-row"][data-id="${olga.id}"] .id-badge`)).toBe(String(olga.id));

    // Clearing the PIN.
    await page.click(`[data-testid="user-row"][data-id="${olga.id}"] button:has-text("Edit")`);
    await page.getByLabel('Clear the PIN (no tablet sign-in)').check();
    await page.click('[data-testid="user-form"] button[type="submit"]');
    await saved('[data-testid="user-form"]', /saved user “olga”/);
    expect(((await admin.get('/api/v1/users')).body as any[]).find((u) => u.id === olga.id).hasPin).toBe(false);
    expect((await admin.patch(`/api/v1/users/${olga.id}`, { pin: '4711' })).status).toBe(200);
  });

  it('creates a tablet and shows its token, pairing link and QR code once; pairs and forces a logout', async () => {
    await goto('/admin/tablets');
    await page.fill('#tablet-name', 'Press tablet');
    await page.selectOption('#tablet-machine', { label: 'Press 1A' });
    await page.click('[data-testid="tablet-form"] button[type="submit"]');
    await page.waitForSelector('[data-testid="secret-once"]');
    const token = (await page.textContent('[data-testid="secret-value"]'))!.trim();
    expect(token).toMatch(/^tab_/);
    const url = (await page.textContent('[data-testid="pairing-url"]'))!.trim();
    expect(url).toBe(`${app.url}/tablet?token=${encodeURIComponent(token)}`);
    const qr = await page.$eval('[data-testid="qr-code"]', (svg) => ({
      tag: svg.tagName.toLowerCase(),
      version: Number((svg as SVGElement).dataset.version),
      path: svg.querySelector('path')?.getAttribute('d')?.length ?? 0,
      width: svg.getBoundingClientRect().width,
    }));
    expect(qr.tag).toBe('svg');
    expect(qr.version).toBeGreaterThanOrEqual(4);
    expect(qr.path).toBeGreaterThan(500);
    expect(qr.width).toBeGreaterThanOrEqual(200);

    // Where Chromium has a barcode detector (not on Linux builds), the code must read back as the link.
    const decoded = await page.evaluate(async () => {
      const Detector = (globalThis as { BarcodeDetector?: any }).BarcodeDetector;
      if (!Detector || !(await Detector.getSupportedFormats()).includes('qr_code')) return null;
      const svg = document.querySelector('[data-testid="qr-code"]')!;
      const img = new Image();
      img.src = 'data:image/svg+xml;base64,' + btoa(new XMLSerializer().serializeToString(svg));
      await img.decode();
      const found = await new Detector({ formats: ['qr_code'] }).detect(img);
      return found[0]?.rawValue ?? '';
    });
    if (decoded !== null) expect(decoded).toBe(url);
    await page.screenshot({ path: '/tmp/admin-tablets.png', fullPage: true });

    const tablets = (await admin.get('/api/v1/tablets')).body as any[];
    const tablet = tablets.find((t) => t.name === 'Press tablet')!;
    expect(tablet).toEqual({ id: tablet.id, name: 'Press tablet', machineId: ids.machine, deviceUuid: null, operatorId: null });
    ids.tablet = tablet.id;
    // The token works: it opens the tablet's socket namespace (checked by the tablet tests); here it is shown once only.
    await page.click('[data-testid="secret-once"] button:has-text("Done")');
    await page.reload();
    await page.waitForLoadState('networkidle');
    expect(await page.$('[data-testid="secret-once"]')).toBeNull();

    // Un-pair and re-pair from the row.
    const row = `[data-testid="tablet-row"][data-id="${tablet.id}"]`;
    await page.selectOption(`${row} [data-testid="pair-select"]`, { label: 'Not paired' });
    await page.click(`${row} button:has-text("Pair")`);
    await page.waitForSelector(`${row} .badge:has-text("not paired")`);
    expect(((await admin.get('/api/v1/tablets')).body as any[]).find((t) => t.id === tablet.id).machineId).toBeNull();
    await page.selectOption(`${row} [data-testid="pair-select"]`, { label: 'Press 1A' });
    await page.click(`${row} button:has-text("Pair")`);
    await page.waitForSelector(`${row} + tr.row-message:has-text("is paired with Press 1A")`);
    expect(((await admin.get('/api/v1/tablets')).body as any[]).find((t) => t.id === tablet.id).machineId).toBe(ids.machine);

    // Force logout: the route belongs to the DigitME2 tablet work; either it works or the page says it is missing.
    await page.click(`${row} button:has-text("Force logout")`);
    // It asks first (issue 18).
    await page.click(`${row} button:has-text("Yes, sign out")`);
    await page.waitForSelector(`${row} + tr.row-message`);
    const message = (await page.textContent(`${row} + tr.row-message`))!;
    expect(message).toMatch(/signed the operator out|does not support forcing a logout yet|no operator|nobody/i);
    console.log(`force logout answered: ${message.trim()}`);
  });

  it('lists a tablet of the DigitME2 app with its device id and pairs it with a machine', async () => {
    // What the legacy /check-state registration leaves behind (that route is another piece of work): a tablet
    // with a device UUID, no token, no machine; here with an operator signed in.
    const uuid = '3f2b8c1e-9d4a-4e6b-8f0c-2a7d5e9b1c44';
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      await db.query('INSERT INTO tablets (name, "deviceUuid", "operatorId") VALUES ($1, $2, $3)', ['Tablet 9', uuid, ids.user]);
    } finally {
      await db.end();
    }
    await goto('/admin/tablets');
    const row = '[data-testid="tablet-row"]:has-text("Tablet 9")';
    await page.waitForSelector(row);
    const text = (await page.textContent(row))!;
    expect(text).toContain(uuid);
    expect(text).toContain('not paired');
    expect(text).toContain('olga');
    await page.selectOption(`${row} [data-testid="pair-select"]`, { label: 'Press 1A (also on Press tablet)' });
    await page.click(`${row} button:has-text("Pair")`);
    await page.waitForSelector(`${row} + tr.row-message:has-text("is paired with Press 1A")`);
    const tablet = ((await admin.get('/api/v1/tablets')).body as any[]).find((t) => t.deviceUuid === uuid);
    expect(tablet).toEqual({ id: tablet.id, name: 'Tablet 9', machineId: ids.machine, deviceUuid: uuid, operatorId: ids.user });
    await page.screenshot({ path: '/tmp/admin-tablets-digitme2.png', fullPage: true });
  });

  it('creates a kiosk token and shows the wall URL with a QR code', async () => {
    await goto('/admin/kiosk-tokens');
    await page.fill('#kiosk-name', 'Hall TV');
    await page.selectOption('#kiosk-group', { label: 'Assembly' });
    await page.click('[data-testid="kiosk-form"] button[type="submit"]');
    await page.waitForSelector('[data-testid="secret-once"]');
    const token = (await page.textContent('[data-testid="secret-value"]'))!.trim();
    expect(token).toMatch(/^kiosk_/);
    expect((await page.textContent('[data-testid="wall-url"]'))!.trim()).toBe(`${app.url}/wall?token=${encodeURIComponent(token)}`);
    await page.screenshot({ path: '/tmp/admin-kiosk-tokens.png', fullPage: true });
    expect(await page.$('[data-testid="secret-once"] [data-testid="qr-code"] path')).not.toBeNull();
    const kiosks = (await admin.get('/api/v1/kiosk-tokens')).body as any[];
    expect(kiosks).toEqual([{ id: kiosks[0].id, name: 'Hall TV', groupId: ids.group }]);
    ids.kiosk = kiosks[0].id;
  });

  it('creates an API key and shows it once with a curl example that works', async () => {
    await goto('/admin/api-keys');
    await page.fill('#key-name', 'Press PLC');
    await page.selectOption('#key-role', 'device');
    await page.click('[data-testid="key-form"] button[type="submit"]');
    await page.waitForSelector('[data-testid="secret-once"]');
    const key = (await page.textContent('[data-testid="secret-value"]'))!.trim();
    const curl = (await page.textContent('[data-testid="curl-example"]'))!;
    expect(curl).toContain(`curl -X POST ${app.url}/api/v1/events`);
    expect(curl).toContain(`Authorization: Bearer ${key}`);
    await page.screenshot({ path: '/tmp/admin-api-keys.png', fullPage: true });
    const keys = (await admin.get('/api/v1/api-keys')).body as any[];
    expect(keys).toEqual([{ id: keys[0].id, name: 'Press PLC', role: 'device' }]);
    // The key is real: the device can post the example's event.
    const res = await new ApiClient(app.url, key).post('/api/v1/events', { events: [{ machineId: ids.machine, state: 'down' }] });
    expect(res.status).toBe(200);
  });

  it('shows a refused delete’s 409 message next to the row', async () => {
    await goto('/admin/groups');
    const row = `[data-testid="group-row"][data-id="${ids.group}"]`;
    // The two-step delete works from the keyboard: Enter asks, focus moves to "Yes", Escape backs out.
    await page.focus(`${row} button:has-text("Delete")`);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Yes, delete');
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Delete Assembly');
    await page.click(`${row} button:has-text("Delete")`);
    await page.click(`${row} button:has-text("Yes, delete")`);
    await page.waitForSelector('[data-testid="row-error"]');
    expect(await page.textContent('[data-testid="row-error"]')).toBe(
      'Group "Assembly" is used by 1 machine (Press 1A) and 1 kiosk token (Hall TV)',
    );
    await page.screenshot({ path: '/tmp/admin-groups.png', fullPage: true });
    expect((await admin.get('/api/v1/groups')).body.some((g: { id: number }) => g.id === ids.group)).toBe(true);

    // A machine with history cannot be deleted either.
    await goto('/admin/machines');
    const machineRow = `[data-testid="machine-row"][data-id="${ids.machine}"]`;
    await page.click(`${machineRow} button:has-text("Delete")`);
    await page.click(`${machineRow} button:has-text("Yes, delete")`);
    await page.waitForSelector('[data-testid="row-error"]');
    expect(await page.textContent('[data-testid="row-error"]')).toMatch(/has history .* deactivate it instead/);
  });

  it('saves the site settings and shows the overview counts', async () => {
    await goto('/admin/site');
    await page.fill('#site-timezone', 'Europe/Berlin');
    await page.fill('#site-micro', '45');
    // Long stops (issue 18): unplanned after 20 minutes, planned never (emptied).
    expect(await page.inputValue('#site-long-stop-unplanned_stop')).toBe('15');
    expect(await page.inputValue('#site-long-stop-planned_stop')).toBe('30');
    expect(await page.inputValue('#site-long-stop-planned_shutdown')).toBe('');
    await page.fill('#site-long-stop-unplanned_stop', '20');
    await page.fill('#site-long-stop-planned_stop', '');
    await page.click('[data-testid="site-form"] button[type="submit"]');
    await saved('[data-testid="site-form"]', /saved the site settings/);
    expect((await admin.get('/api/v1/site')).body).toEqual({
      timezone: 'Europe/Berlin',
      microStopSeconds: 45,
      liveWindowDays: 31,
      longStopMinutes: { unplanned_stop: 20 },
      publicUrl: null,
      dateFormat: 'YYYY-MM-DD',
      reasonPromptMinutes: 5,
      oeeTarget: 0.85,
    });

    await goto('/admin');
    const count = (href: string) => page.textContent(`[data-testid="admin-count"][data-href="${href}"]`);
    await page.waitForFunction(() => document.querySelector('[data-testid="admin-count"][data-href="/admin/site"]')?.textContent !== '…');
    expect(await count('/admin/machines')).toBe('1');
    expect(await count('/admin/groups')).toBe('2'); // the seeded group and Assembly
    expect(await count('/admin/activity-codes')).toBe('6'); // the five seeded (No data is one) and Setup
    expect(await count('/admin/users')).toBe('2');
    expect(await count('/admin/tablets')).toBe('2');
    expect(await count('/admin/site')).toBe('Europe/Berlin');
    await page.screenshot({ path: '/tmp/admin.png', fullPage: true });
    // The refused saves and deletes above answered 400 and 409 on purpose (and 404 if the tablet logout
    // route is missing); Chromium logs each failed fetch. Nothing else may appear.
    expect(errors.filter((e) => !/Failed to load resource: the server responded with a status of (400|404|409)/.test(e))).toEqual([]);
  });

  it('tells a viewer the pages are for admins only', async () => {
    expect((await admin.post('/api/v1/users', { username: 'vera', role: 'viewer', password: 'viewer password' })).status).toBe(201);
    const viewerContext = await browser.newContext();
    const viewer = await viewerContext.newPage();
    const viewerErrors = watchErrors(viewer);
    await viewer.goto(`${app.url}/login?next=%2Fadmin%2Fusers`);
    await viewer.fill('input[name="username"]', 'vera');
    await viewer.fill('input[name="password"]', 'viewer password');
    await Promise.all([viewer.waitForURL(`${app.url}/admin/users`), viewer.click('button[type="submit"]')]);
    await viewer.waitForSelector('[data-testid="admins-only"]');
    expect(await viewer.textContent('h1')).toBe('Admins only');
    expect(await viewer.$('[data-testid="user-form"]')).toBeNull();
    await viewer.screenshot({ path: '/tmp/admin-viewer.png' });
    await viewer.goto(`${app.url}/admin`);
    await viewer.waitForSelector('[data-testid="admins-only"]');
    expect(viewerErrors).toEqual([]);
    await viewerContext.close();
  });

  it('renders /help without signing in, with curl examples for both device APIs on the real origin', async () => {
    const anonymous = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const help = await anonymous.newPage();
    const helpErrors = watchErrors(help);
    const res = await help.goto(`${app.url}/help`);
    expect(res?.status()).toBe(200);
    expect(await help.textContent('h1')).toBe('Help');
    const events = (await help.textContent('[data-testid="curl-events"]'))!;
    expect(events).toContain(`curl -X POST ${app.url}/api/v1/events`);
    expect(events).toContain('Authorization: Bearer YOUR_DEVICE_KEY');
    const legacy = (await help.textContent('[data-testid="curl-legacy"]'))!;
    expect(legacy).toContain(`curl -X POST ${app.url}/api/machine-state-change`);
    expect(legacy).toContain('{"machine_id": 1, "machine_state": 0}');
    expect(await help.textContent('[data-testid="wall-example"]')).toBe(`${app.url}/wall?token=…`);
    const example = (await help.textContent('[data-testid="worked-example"]'))!;
    for (const figure of ['10 800 s', '66.7 %', '83.3 %', '90.0 %', '50.0 %', '8.3 %']) expect(example).toContain(figure);
    await help.screenshot({ path: '/tmp/help.png', fullPage: true });
    expect(helpErrors).toEqual([]);
    await anonymous.close();
  });
});
