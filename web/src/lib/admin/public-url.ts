import type { Site } from './types';

/**
 * Where links for tablets and wall screens point (pairing links, QR codes): the site's public address when it
 * is set (Site settings), else the address this browser used, which a tablet may not reach (localhost, a VPN name).
 */
export function publicBase(site: Pick<Site, 'publicUrl'> | undefined, browserOrigin: string): { base: string; fromSite: boolean } {
  const url = site?.publicUrl;
  return url ? { base: url, fromSite: true } : { base: browserOrigin, fromSite: false };
}
