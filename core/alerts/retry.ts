/**
 * Retries of a failed delivery: 30 s after the first attempt, doubling up to an hour; after
 * MAX_DELIVERY_ATTEMPTS attempts the delivery is given up (status `failed`, kept in the delivery log).
 */
export const MAX_DELIVERY_ATTEMPTS = 8;
const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 3_600_000;

/** Milliseconds to wait after the `attempts`-th failed attempt (1-based) before the next. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS);
}
