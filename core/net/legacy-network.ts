import { BlockList, isIP } from 'node:net';

/**
 * The one home of the legacy network rule (OEE_LEGACY_ANONYMOUS): which callers without credentials
 * the DigitME2 routes (device, tablet, tablet websocket, legacy OEE reads) admit.
 * - `private`: loopback and private networks (RFC 1918, link-local, CGNAT, IPv6 unique-local);
 * - `loopback`: this host only;
 * - `off`: nobody without a key.
 *
 * The address judged is the one the app sees: `req.ip`, which follows X-Forwarded-For only through the
 * proxies OEE_TRUST_PROXY trusts (docs/security.md). Addresses are parsed strictly: anything that is not
 * an IP literal (a forged `fdnotanip`, an empty header) is never private.
 */
export const LEGACY_ANONYMOUS_MODES = ['private', 'loopback', 'off'] as const;
export type LegacyAnonymousMode = (typeof LEGACY_ANONYMOUS_MODES)[number];

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const privateNetworks = new BlockList();
privateNetworks.addSubnet('127.0.0.0', 8, 'ipv4');
privateNetworks.addSubnet('10.0.0.0', 8, 'ipv4');
privateNetworks.addSubnet('172.16.0.0', 12, 'ipv4');
privateNetworks.addSubnet('192.168.0.0', 16, 'ipv4');
privateNetworks.addSubnet('169.254.0.0', 16, 'ipv4');
privateNetworks.addSubnet('100.64.0.0', 10, 'ipv4');
privateNetworks.addAddress('::1', 'ipv6');
privateNetworks.addSubnet('fc00::', 7, 'ipv6');
privateNetworks.addSubnet('fe80::', 10, 'ipv6');

/** The address as `[literal, family]`, IPv4-mapped IPv6 as IPv4 and without a zone index; null when not an IP literal. */
function parseAddress(address: string): [string, 'ipv4' | 'ipv6'] | null {
  const bare = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped && isIP(mapped[1]!) === 4) return [mapped[1]!, 'ipv4'];
  const family = isIP(bare);
  if (family === 4) return [bare, 'ipv4'];
  if (family === 6) return [bare.split('%')[0]!, 'ipv6'];
  return null;
}

export function isLoopbackAddress(address: string): boolean {
  const parsed = parseAddress(address);
  return parsed !== null && loopback.check(...parsed);
}

export function isPrivateAddress(address: string): boolean {
  const parsed = parseAddress(address);
  return parsed !== null && privateNetworks.check(...parsed);
}

/** Verdicts by mode and address: a device posts from the same few addresses all day (the hot ingest path). */
const verdicts = { private: new Map<string, boolean>(), loopback: new Map<string, boolean>() };
const MAX_REMEMBERED = 10_000;

/** Whether OEE_LEGACY_ANONYMOUS admits a caller without credentials at this address. */
export function legacyNetworkAdmits(address: string, mode: LegacyAnonymousMode): boolean {
  if (mode === 'off') return false;
  const known = verdicts[mode];
  const remembered = known.get(address);
  if (remembered !== undefined) return remembered;
  const verdict = mode === 'loopback' ? isLoopbackAddress(address) : isPrivateAddress(address);
  if (known.size >= MAX_REMEMBERED) known.clear();
  known.set(address, verdict);
  return verdict;
}

/** The same for an HTTP request: the address Express computed under OEE_TRUST_PROXY (`req.ip`). */
export function legacyRequestAdmitted(
  req: { ip?: string | undefined; socket: { remoteAddress?: string | undefined } },
  mode: LegacyAnonymousMode,
): boolean {
  return legacyNetworkAdmits(req.ip ?? req.socket.remoteAddress ?? '', mode);
}

/** For route summaries: who is admitted without a key. */
export function legacyNetworkDescription(mode: LegacyAnonymousMode): string {
  return mode === 'off' ? 'nowhere (OEE_LEGACY_ANONYMOUS=off)' : mode === 'loopback' ? 'loopback only' : 'loopback and private networks';
}
