import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testPrerequisiteEnv } from '../../env.js';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Which Chromium the browser tests drive: `CHROMIUM_PATH` when set, Debian's `/usr/bin/chromium` when
 * installed, otherwise the Chromium that `npm install` brought inside `@sparticuz/chromium` (unpacked
 * once into the temp folder on first use; nothing is downloaded).
 */
export async function chromiumExecutable(): Promise<string> {
  const { chromiumPath } = testPrerequisiteEnv();
  if (chromiumPath) {
    if (!existsSync(chromiumPath)) throw new Error(`CHROMIUM_PATH=${chromiumPath} does not exist`);
    return chromiumPath;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  return bundledChromium();
}

/** The Chromium shipped in the `@sparticuz/chromium` npm package. */
export async function bundledChromium(): Promise<string> {
  const { default: bundled } = await import('@sparticuz/chromium');
  return bundled.executablePath();
}

/** Headless Chromium, with nothing reaching out to the network. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumExecutable(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Collects page errors and console errors so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
