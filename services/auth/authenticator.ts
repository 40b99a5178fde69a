import type { Clock } from '../../core/clock.js';
import type { ChangeFeed } from '../change-feed.js';
import type { CredentialRepository } from '../../db/repositories/credential.repository.js';
import type { AuthContext } from '../../core/auth.js';
import { hashSessionToken, hashToken } from './hashing.js';

export const SESSION_COOKIE = 'oee_session';
/**
 * The name over HTTPS: `__Host-` makes browsers accept the cookie only when Secure, for path `/` and
 * without a Domain, so a sibling subdomain cannot plant or overwrite it.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/**
 * An API key is looked up at most once per this many ms (hot ingest path). A revocation on any
 * instance empties the cache at once through the change feed (`listen`); this bound only matters
 * when that message is lost (the channel's connection down).
 */
const API_KEY_CACHE_MS = 5_000;

export interface Authenticator {
  fromBearer(token: string): Promise<AuthContext | null>;
  /** `touch: false` checks without counting as activity (a periodic re-check of an open socket). */
  fromSessionToken(token: string, options?: { touch?: boolean }): Promise<AuthContext | null>;
  forgetApiKeys(): void;
  /** Forgets cached keys whenever keys change on any instance, or changes may have been missed. */
  listen(feed: ChangeFeed): () => void;
}

/** Who a credential is: an API key (cached briefly) or a session token. */
export function createAuthenticator(credentials: CredentialRepository, sessionSecret: string, clock: Clock): Authenticator {
  const keyCache = new Map<string, { auth: AuthContext | null; until: number }>();
  /** Bumped by every forget: a look-up that began before it must not cache what it read. */
  let generation = 0;
  const forgetApiKeys = () => {
    generation++;
    keyCache.clear();
  };

  async function fromBearer(token: string): Promise<AuthContext | null> {
    const hash = hashToken(token);
    const cached = keyCache.get(hash);
    // The monotonic clock: only the age of an entry matters (the injected Clock of tests may stand still).
    const now = performance.now();
    if (cached && cached.until > now) return cached.auth;
    const before = generation;
    const key = await credentials.findApiKey(hash);
    const auth: AuthContext | null = key ? { role: key.role, userId: null, apiKeyId: key.id, username: null, via: 'apiKey' } : null;
    if (generation !== before) return auth;
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(hash, { auth, until: now + API_KEY_CACHE_MS });
    return auth;
  }

  async function fromSessionToken(token: string, options: { touch?: boolean } = {}): Promise<AuthContext | null> {
    const user = await credentials.findSessionUser(hashSessionToken(token, sessionSecret), clock.now(), options.touch ?? true);
    return user ? { role: user.role, userId: user.id, apiKeyId: null, username: user.username, via: 'session' } : null;
  }

  const listen = (feed: ChangeFeed) => {
    const unsubscribe = feed.subscribe(
      (change) => {
        if (change.kind === 'setup' && change.entity === 'api-key') forgetApiKeys();
      },
      { remote: true },
    );
    const offGap = feed.onGap(forgetApiKeys);
    return () => {
      unsubscribe();
      offGap();
    };
  };

  return { fromBearer, fromSessionToken, forgetApiKeys, listen };
}
