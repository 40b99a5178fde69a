import type { Page } from 'playwright-core';

/** What the browser tests of the operator tablet (/tablet) do on its screen. */

/** Taps one key of the on-screen keypad. */
export const tap = (page: Page, key: string) =>
  page.getByRole('group', { name: 'Keypad' }).getByRole('button', { name: key, exact: true }).click();

/** Types digits on the on-screen keypad, one tap each. */
export async function typeOnKeypad(page: Page, digits: string): Promise<void> {
  for (const d of digits) await tap(page, d);
}

/** Waits until the tablet's offline queue is empty (every queued command answered). */
export const queueEmpty = (page: Page) => page.getByTestId('queue').waitFor({ state: 'detached' });
