import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, watchErrors } from '../support/browser.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

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

describe('/login in Chromium', () => {
  it('refuses a wrong password, then signs in and shows who is signed in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/login`);
    await page.fill('input[name="username"]', 'admin');
    await page.fill('input[name="password"]', 'not the password');
    await Promise.all([page.waitForURL(/\/login\?error=1/), page.click('button[type="submit"]')]);
    expect(await page.textContent('body')).toMatch(/wrong|invalid|incorrect/i);

    await page.fill('input[name="username"]', 'admin');
    await page.fill('input[name="password"]', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(`${app.url}/`), page.click('button[type="submit"]')]);
    expect(await page.textContent('body')).toContain('admin');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'oee_session')?.httpOnly).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
