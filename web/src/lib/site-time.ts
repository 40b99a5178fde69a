/**
 * Site time on screens that are not signed-in pages (the wall, the tablet): every clock time is in the
 * site's zone (the socket says which), not the zone the TV or tablet happens to be set to (issue 18).
 * Intl only, no date library: these pages have a bundle budget (docs/architecture.md "Budgets").
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      // An unknown zone (a browser older than the server's zone data): UTC rather than the device's zone.
      f = partsFormatter('UTC');
    }
    formatters.set(zone, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading in `zone` at `ms`. */
export function localParts(ms: number, zone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(zone).formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute!, second: out.second! };
}

const two = (n: number) => String(n).padStart(2, '0');

/** `14:05:09` in the site zone. */
export function siteClock(at: number | string | Date, zone: string): string {
  const p = localParts(new Date(at).getTime(), zone);
  return `${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

/** `14:05` in the site zone. */
export function siteHhmm(at: number | string | Date, zone: string): string {
  return siteClock(at, zone).slice(0, 5);
}

/** `2026-12-02` in the site zone. */
export function siteDate(at: number | string | Date, zone: string): string {
  const p = localParts(new Date(at).getTime(), zone);
  return `${p.year}-${two(p.month)}-${two(p.day)}`;
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
