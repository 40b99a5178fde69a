import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { AttemptPolicy, AuthAttemptRepository } from '../../db/repositories/auth-attempt.repository.js';

export type CredentialKind = 'login' | 'pin';

export interface AttemptLimits {
  /** One subject (a username, a user id) from one address (an IP, a tablet). */
  perSubject: AttemptPolicy;
  /** One address whatever the subject: a coarse cap on guessing across many accounts. */
  perAddress: AttemptPolicy;
}

const WINDOW_MS = 15 * 60_000;

/**
 * Passwords: 10 per (user, address) in 15 minutes, the 6th on waiting 1 s, 2 s, 4 s … (at most 60 s);
 * 50 per address (a plant shares few addresses). A wrong password from one address never locks the
 * user out from another.
 */
export const LOGIN_LIMITS: AttemptLimits = {
  perSubject: { limit: 10, windowMs: WINDOW_MS, delayAfter: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 },
  perAddress: { limit: 50, windowMs: WINDOW_MS, delayAfter: null, baseDelayMs: 0, maxDelayMs: 0 },
};

/** PINs: the same per (user, tablet); 20 per tablet. */
export const PIN_LIMITS: AttemptLimits = {
  perSubject: { limit: 10, windowMs: WINDOW_MS, delayAfter: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 },
  perAddress: { limit: 20, windowMs: WINDOW_MS, delayAfter: null, baseDelayMs: 0, maxDelayMs: 0 },
};

/**
 * The sign-in limit of one credential kind, one instance per process shared by every transport, counted
 * in PostgreSQL so every app instance shares the counts. An attempt is reserved before its hash is
 * checked (`reserve`), so parallel guesses cannot all pass a check made before any of them failed;
 * `succeed` clears the (subject, address) count.
 */
export class AttemptLimiter {
  constructor(
    private readonly store: AuthAttemptRepository,
    private readonly clock: Clock,
    readonly kind: CredentialKind,
    private readonly limits: AttemptLimits,
  ) {}

  /** Throws 429 when the address or the (subject, address) pair has used its attempts. */
  async reserve(subject: string, address: string): Promise<void> {
    const now = this.clock.now();
    // The pair first: an attempt it refuses costs the address nothing.
    const pair = await this.store.reserve(this.kind, subject, address, this.limits.perSubject, now);
    if (!pair.allowed) throw refusal(pair.retryAt, now);
    const whole = await this.store.reserve(this.kind, '', address, this.limits.perAddress, now);
    if (!whole.allowed) throw refusal(whole.retryAt, now);
  }

  async succeed(subject: string, address: string): Promise<void> {
    await this.store.release(this.kind, subject, address);
  }
}

function refusal(retryAt: Date, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
  return new AppError('rate_limited', 429, `Too many failed attempts; try again in ${seconds} s`);
}
