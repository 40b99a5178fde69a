import type { Role } from './roles.js';

/** A browser session ends 7 days after sign-in, or after 12 hours without a request, whichever comes first. */
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
export const SESSION_IDLE_MS = 12 * 3600 * 1000;
/** `lastSeenAt` is written at most this often per session (one UPDATE a minute, not one per request). */
export const SESSION_TOUCH_MS = 60_000;

/** Who is calling: a signed-in user (cookie), an API key (bearer), or nobody. Set on each request. */
export interface AuthContext {
  role: Role;
  userId: number | null;
  apiKeyId: number | null;
  username: string | null;
  via: 'session' | 'apiKey' | 'anonymous';
}
