import { addDays, daysInRange, isDay, todayIn } from './time';
import { buckets, defaultBucket, type Bucket } from './types';

/** Longest range one page asks for: a year and a day (long ranges belong in exports). */
export const MAX_RANGE_DAYS = 366;

export interface DayRange {
  from: string;
  to: string;
  days: number;
}

/** `?from=YYYY-MM-DD&to=YYYY-MM-DD`, site-local days, both included; default today. */
export function readRange(url: URL, zone: string): DayRange {
  const today = todayIn(zone);
  let from = url.searchParams.get('from');
  let to = url.searchParams.get('to');
  if (!isDay(from)) from = isDay(to) ? to : today;
  if (!isDay(to)) to = from;
  if (to < from) [from, to] = [to, from];
  let days = daysInRange(from, to).length;
  if (days > MAX_RANGE_DAYS) {
    to = addDays(from, MAX_RANGE_DAYS - 1);
    days = MAX_RANGE_DAYS;
  }
  return { from, to, days };
}

export function readBucket(url: URL, days: number): Bucket {
  const b = url.searchParams.get('bucket');
  return (buckets as readonly string[]).includes(b ?? '') ? (b as Bucket) : defaultBucket(days);
}

export function readGroupId(url: URL): number | null {
  const g = url.searchParams.get('groupId');
  return g && /^\d{1,9}$/.test(g) && Number(g) > 0 ? Number(g) : null;
}

/** The current path and query with some parameters changed (null removes one). */
export function withParams(url: URL, changes: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams(url.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') params.delete(k);
    else params.set(k, String(v));
  }
  const qs = params.toString();
  return `${url.pathname}${qs ? `?${qs}` : ''}`;
}
