import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { AppError } from '../../core/errors.js';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from '../../services/auth/authenticator.js';
import type { LiveViewer, LiveViewers } from '../../services/live/live-viewers.js';
import type { LiveNamespace, LiveSocket } from './live-socket.js';

export interface LiveHandshake {
  token: string | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * Who a `/live` handshake is: the kiosk token or API key in `auth.token`, else the session cookie of
 * a signed-in user (the browser sends it with the handshake), accepted only from this site's pages.
 * What each credential may see: services/live/live-viewers.ts.
 */
export async function authenticateLive(handshake: LiveHandshake, viewers: LiveViewers): Promise<LiveViewer> {
  const { token, headers } = handshake;
  if (token !== undefined) return viewers.ofToken(token);
  const session = sessionCookie(headers.cookie);
  if (session === null) throw AppError.unauthenticated('Sign in, or open the screen with a kiosk token (?token=…)');
  // Cookies ride along on cross-site requests of the same site: only this site's pages may use them here.
  if (!sameOrigin(headers)) throw AppError.forbidden('The session cookie is only accepted from this site’s own pages');
  return viewers.ofSession(session);
}

/** A `connect_error` with a message for people and `data.code` for the screen's logic. */
export function refusal(err: unknown): Error & { data: { code: string } } {
  const appError =
    err instanceof AppError ? err : new AppError('unavailable', 503, 'The server cannot check credentials right now; retrying');
  const refused = new Error(appError.message) as Error & { data: { code: string } };
  refused.data = { code: appError.code };
  return refused;
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

/**
 * Screens whose credential no longer holds are closed (the screen then shows why it cannot
 * reconnect). Sockets of one credential share one check; a database hiccup closes nobody.
 */
export async function closeRevoked(nsp: LiveNamespace, logger: Logger): Promise<void> {
  const byCredential = new Map<string, LiveSocket[]>();
  for (const socket of nsp.sockets.values()) {
    const list = byCredential.get(socket.data.viewer.credentialKey) ?? [];
    list.push(socket);
    byCredential.set(socket.data.viewer.credentialKey, list);
  }
  for (const [first, ...others] of byCredential.values()) {
    if (!first || (await first.data.viewer.stillValid().catch(() => true))) continue;
    logger.info({ viewer: first.data.viewer.label, sockets: others.length + 1 }, 'live: credential revoked; closing its screens');
    for (const socket of [first, ...others]) socket.disconnect(true);
  }
}
