import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '../../core/errors.js';
import { roleAllows } from '../../core/roles.js';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from '../../services/auth/authenticator.js';
import { hashToken } from '../../services/auth/hashing.js';
import type { RealtimeDeps as AppServices } from '../../services/app-services.js';

/** Who watches a `/live` socket, and how to check later that they still may. */
export interface LiveViewer {
  /** For logs: `kiosk:3`, `apiKey:7`, `user:1`. Never the secret. */
  label: string;
  /** A kiosk token of one group sees only that group and cannot widen. */
  pinnedGroupId: number | null;
  /** Sockets with the same credential share one re-check. */
  credentialKey: string;
  /** Whether the credential still holds (kiosk token deleted, key revoked, session ended → false). */
  stillValid(): Promise<boolean>;
}

export interface LiveHandshake {
  token: string | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * Screens sign in with a kiosk token or an API key in `auth.token`, or with the session cookie of a
 * signed-in user (the browser sends it with the handshake). Any human role may watch (viewer and
 * up); device keys and tablet tokens may not: they are write credentials for machines, not screens.
 */
export async function authenticateLive(handshake: LiveHandshake, deps: Pick<AppServices, 'repos' | 'authenticator'>): Promise<LiveViewer> {
  const { token, headers } = handshake;
  if (token !== undefined) {
    const hash = hashToken(token);
    const kiosk = await deps.repos.credentials.findKioskToken(hash);
    if (kiosk) {
      const groupId = kiosk.groupId;
      return {
        label: `kiosk:${kiosk.id}`,
        pinnedGroupId: groupId,
        credentialKey: `kiosk:${hash}`,
        stillValid: async () => {
          const again = await deps.repos.credentials.findKioskToken(hash);
          return again !== null && again.groupId === groupId;
        },
      };
    }
    const key = await deps.authenticator.fromBearer(token);
    if (!key) throw AppError.unauthenticated('Unknown or revoked token: use a kiosk token or an API key');
    if (!roleAllows(key.role, 'signedIn')) throw AppError.forbidden(`An API key of role "${key.role}" cannot watch screens; use a kiosk token or a viewer key`);
    return {
      label: `apiKey:${key.apiKeyId}`,
      pinnedGroupId: null,
      credentialKey: `apiKey:${hash}`,
      stillValid: async () => {
        const again = await deps.authenticator.fromBearer(token);
        return again !== null && roleAllows(again.role, 'signedIn');
      },
    };
  }

  const session = sessionCookie(headers.cookie);
  if (session === null) throw AppError.unauthenticated('Sign in, or open the screen with a kiosk token (?token=…)');
  // Cookies ride along on cross-site requests of the same site: only this site's pages may use them here.
  if (!sameOrigin(headers)) throw AppError.forbidden('The session cookie is only accepted from this site’s own pages');
  const user = await deps.authenticator.fromSessionToken(session);
  if (!user) throw AppError.unauthenticated('The session has ended: sign in again');
  if (!roleAllows(user.role, 'signedIn')) throw AppError.forbidden(`Role "${user.role}" cannot watch screens`);
  return {
    label: `user:${user.userId}`,
    pinnedGroupId: null,
    credentialKey: `session:${hashToken(session)}`,
    stillValid: async () => (await deps.authenticator.fromSessionToken(session, { touch: false })) !== null,
  };
}

/** The session cookie of the handshake: the `__Host-` one (HTTPS) when there is one, else the plain one. */
function sessionCookie(header: string | undefined): string | null {
  return cookieValue(header, SECURE_SESSION_COOKIE) ?? cookieValue(header, SESSION_COOKIE);
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (value.length === 0 || value.length > 200) return null;
    try {
      return decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  return null;
}

/** A browser always sends Origin with a websocket or XHR handshake; non-browser clients may omit it. */
function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (!origin) return true;
  const forwarded = headers['x-forwarded-host'];
  const hosts = [headers.host, ...(typeof forwarded === 'string' ? forwarded.split(',').map((h) => h.trim()) : [])].filter(Boolean);
  try {
    return hosts.includes(new URL(origin).host);
  } catch {
    return false;
  }
}
