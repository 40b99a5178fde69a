/**
 * Site time on screens that are not signed-in pages (the wall, the tablet): every clock time is in the
 * site's zone (the socket says which), not the zone the TV or tablet happens to be set to (issue 18).
 * The formatting itself is core/calendar/site-format.ts (Intl only: these pages have a bundle budget).
 */

import { formatSiteDate, formatSiteTime, localParts } from '$core/calendar/site-format.js';

export { localParts, type LocalParts } from '$core/calendar/site-format.js';

/** `14:05:09` in the site zone. */
export function siteClock(at: number | string | Date, zone: string): string {
  return formatSiteTime(at, zone, true);
}

/** `14:05` in the site zone. */
export function siteHhmm(at: number | string | Date, zone: string): string {
  return formatSiteTime(at, zone);
}

/** `2026-12-02` in the site zone. */
export function siteDate(at: number | string | Date, zone: string): string {
  return formatSiteDate(at, zone, 'YYYY-MM-DD');
}

/** The zone's offset from UTC at `ms`, in ms (positive east of Greenwich). */
function offsetMs(ms: number, zone: string): number {
  const p = localParts(ms, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant that reads `hour:minute` on the site's clock on the site-local day `daysBack` days
 * before the one of `nowMs`. In a DST gap the time moves forward by the gap; in an overlap the
 * earlier of the two instants is taken.
 */
export function siteTimeOnDay(hour: number, minute: number, nowMs: number, zone: string, daysBack = 0): number {
  const today = localParts(nowMs, zone);
  const wall = Date.UTC(today.year, today.month - 1, today.day - daysBack, hour, minute);
  // Two passes find the offset in force at that instant (it may differ from now's across a DST change).
  const first = wall - offsetMs(wall, zone);
  const second = wall - offsetMs(first, zone);
  return Math.min(first, second);
}
