import { AppError } from '../../core/errors.js';

/**
 * Failed sign-ins per key (IP, and IP+username) in a sliding window. In memory: each instance limits
 * on its own, which is enough to stop guessing at line speed.
 */
export class RateLimiter {
  private readonly failures = new Map<string, number[]>();

  /** `limitOf(key)`: how many failures a key may have in the window. */
  constructor(
    private readonly limitOf: (key: string) => number,
    private readonly windowMs: number,
  ) {}

  check(...keys: string[]): void {
    const now = Date.now();
    for (const key of keys) {
      const recent = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
      if (recent.length >= this.limitOf(key)) {
        throw new AppError('rate_limited', 429, 'Too many failed attempts; wait a few minutes and try again');
      }
    }
  }

  fail(...keys: string[]): void {
    const now = Date.now();
    for (const key of keys) {
      const recent = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
      recent.push(now);
      this.failures.set(key, recent);
    }
    if (this.failures.size > 50_000) this.failures.clear();
  }

  succeed(...keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
