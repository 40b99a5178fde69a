import { IANAZone } from 'luxon';

/**
 * Offsets are cached per hour: every change of the tz database falls on a quarter hour and no zone
 * changes twice within an hour, so an hour with the same offset at both ends has it throughout.
 */
const SLOT_MS = 60 * 60_000;

/**
 * The zone's UTC offset in minutes at an instant (in ms). The offset comes from luxon's IANA zone; as
 * asking luxon for a million timestamps would dominate an export, offsets are cached per hour (only
 * where the offset is the same at both ends of the hour, so a change inside one is exact).
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

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/**
 * Formats instants in the site's time zone with their offset, e.g. `2026-07-01T09:00:00+01:00`
 * (milliseconds only when there are some). The text is that of `toISOString` on the instant shifted
 * by its offset, built from a cached day prefix and the clock's digits: an export formats a million
 * of them, and a Date and three strings each showed in its profile.
 */
export function localTimeFormatter(timezone: string): (instant: Date) => string {
  const offsetMinutes = zoneOffsetMinutes(timezone);
  const suffixes = new Map<number, string>();
  const suffix = (offset: number): string => {
    let text = suffixes.get(offset);
    if (text === undefined) {
      const abs = Math.abs(offset);
      text = `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      suffixes.set(offset, text);
    }
    return text;
  };
  /** Local day number → `YYYY-MM-DDT` as toISOString writes it (null for years outside 0000–9999). */
  const days = new Map<number, string | null>();
  const dayPrefix = (day: number): string | null => {
    let text = days.get(day);
    if (text === undefined) {
      text = new Date(day * DAY_MS).toISOString().slice(0, -13);
      if (text.length !== 11) text = null;
      if (days.size > 10_000) days.clear();
      days.set(day, text);
    }
    return text;
  };
  return (instant) => {
    const ms = instant.getTime();
    const offset = offsetMinutes(ms);
    const local = ms + offset * 60_000;
    const day = Math.floor(local / DAY_MS);
    const prefix = dayPrefix(day);
    if (prefix === null) {
      const text = new Date(local).toISOString();
      return (ms % 1000 === 0 ? text.slice(0, 19) : text.slice(0, 23)) + suffix(offset);
    }
    const inDay = local - day * DAY_MS;
    const seconds = Math.floor(inDay / 1000);
    const millis = inDay - seconds * 1000;
    const clock = `${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}`;
    return prefix + clock + (millis === 0 ? '' : `.${String(millis).padStart(3, '0')}`) + suffix(offset);
  };
}
