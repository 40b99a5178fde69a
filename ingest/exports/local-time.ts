import { IANAZone } from 'luxon';

/** Offsets are looked up per quarter hour: every time zone change of the tz database falls on one. */
const SLOT_MS = 15 * 60_000;

/**
 * The zone's UTC offset in minutes at an instant (in ms). The offset comes from luxon's IANA zone; as
 * asking luxon for a million timestamps would dominate an export, offsets are cached per quarter
 * hour (only where the offset is the same at both ends of the slot, so a change inside one is exact).
 */
export function zoneOffsetMinutes(timezone: string): (ms: number) => number {
  const zone = IANAZone.create(timezone);
  if (!zone.isValid) throw new Error(`invalid time zone ${timezone}`);
  const cache = new Map<number, number>();
  const offsetMinutes = (ms: number): number => {
    const slot = Math.floor(ms / SLOT_MS);
    const cached = cache.get(slot);
    if (cached !== undefined) return cached;
    const atStart = zone.offset(slot * SLOT_MS);
    if (atStart !== zone.offset(slot * SLOT_MS + SLOT_MS - 1)) return zone.offset(ms);
    if (cache.size > 100_000) cache.clear();
    cache.set(slot, atStart);
    return atStart;
  };
  return offsetMinutes;
}

/**
 * Formats instants in the site's time zone with their offset, e.g. `2026-07-01T09:00:00+01:00`
 * (milliseconds only when there are some).
 */
export function localTimeFormatter(timezone: string): (instant: Date) => string {
  const offsetMinutes = zoneOffsetMinutes(timezone);
  return (instant) => {
    const ms = instant.getTime();
    const offset = offsetMinutes(ms);
    const local = new Date(ms + offset * 60_000).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ, shifted
    const abs = Math.abs(offset);
    const sign = offset < 0 ? '-' : '+';
    const suffix = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    return (ms % 1000 === 0 ? local.slice(0, 19) : local.slice(0, 23)) + suffix;
  };
}
