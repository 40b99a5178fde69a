import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Who sent a request, judged from its headers: the Host it was addressed to, and whether a browser
 * sent it from another site (Origin, Referer, Sec-Fetch-Site). Used by the legacy routes (devices and
 * DigitME2 tablets are never browsers) and by the CSRF check of cookie-authenticated writes.
 */

/** The host name of a Host header, lower case, without port or IPv6 brackets; null when unparsable. */
export function hostNameOf(host: string | undefined): string | null {
  if (!host) return null;
  try {
    const name = new URL(`http://${host}`).hostname.toLowerCase();
    return name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  } catch {
    return null;
  }
}

/**
 * OEE_ALLOWED_HOSTS: a Host is accepted when it is an IP literal or `localhost` (DNS rebinding needs a
 * name it controls), or one of the configured names (`*` accepts any).
 */
export function isAllowedHost(host: string | undefined, allowedHosts: readonly string[]): boolean {
  if (allowedHosts.includes('*')) return true;
  const name = hostNameOf(host);
  if (name === null) return false;
  return isIP(name) !== 0 || name === 'localhost' || allowedHosts.includes(name);
}

/** `host[:port]` of an Origin or Referer value; null when absent, `null` or unparsable. */
function hostOfUrl(value: string | undefined): string | null {
  if (!value || value === 'null') return null;
  try {
    return new URL(value).host.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Where a browser says the request comes from: the Origin header, or the Referer when a browser left
 * Origin out, compared with the hosts this request was addressed to (the Host header, and the
 * X-Forwarded-Host of a trusted proxy) and with the names of OEE_ALLOWED_HOSTS (the public name behind
 * a proxy that rewrites Host). `absent` when neither header is there: not a browser.
 */
export function requestOrigin(
  headers: IncomingHttpHeaders,
  ownHosts: readonly (string | undefined)[] = [headers.host],
  allowedHosts: readonly string[] = [],
): 'absent' | 'same' | 'foreign' {
  const from = headers.origin ?? headers.referer;
  if (from === undefined) return 'absent';
  const host = hostOfUrl(from);
  if (host === null) return 'foreign';
  if (ownHosts.some((own) => own !== undefined && own.toLowerCase() === host)) return 'same';
  const name = hostNameOf(host);
  return name !== null && allowedHosts.includes(name) ? 'same' : 'foreign';
}

/** Sec-Fetch-Site says the browser sent it from another origin (`same-site` is another origin too). */
function crossSiteFetch(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/**
 * Why a legacy route refuses this request, or null: those routes serve devices and the DigitME2 app,
 * which send neither Origin nor Sec-Fetch-Site, so a browser on the LAN driven by another site (or a
 * DNS-rebound name) is refused before anything runs.
 */
export function legacyBrowserRefusal(headers: IncomingHttpHeaders, allowedHosts: readonly string[]): string | null {
  if (!isAllowedHost(headers.host, allowedHosts)) return 'This server does not answer to this Host name (OEE_ALLOWED_HOSTS)';
  if (headers.origin !== undefined && requestOrigin({ origin: headers.origin, host: headers.host }) !== 'same') {
    return 'Requests from web pages of other sites are refused on the device routes';
  }
  if (crossSiteFetch(headers)) return 'Requests from web pages of other sites are refused on the device routes';
  return null;
}
