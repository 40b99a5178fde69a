import { DateTime } from 'luxon';
import { plannedWindows, type CalendarPattern } from './shift-calendar.js';

/**
 * The local dates in [firstDate, lastDate] (YYYY-MM-DD, both included) whose planned time differs
 * between two patterns (docs/oee.md#shift-pattern-versions): what an edit of a pattern changes, day
 * by day, as a site-local day's OEE sees it.
 */
export function changedDays(before: CalendarPattern, after: CalendarPattern, tz: string, firstDate: string, lastDate: string): string[] {
  if (firstDate > lastDate) return [];
  const from = DateTime.fromISO(firstDate, { zone: tz }).startOf('day');
  const to = DateTime.fromISO(lastDate, { zone: tz }).plus({ days: 1 }).startOf('day');
  const a = byDay(plannedWindows(before, tz, from.toJSDate(), to.toJSDate()), tz);
  const b = byDay(plannedWindows(after, tz, from.toJSDate(), to.toJSDate()), tz);
  const changed: string[] = [];
  for (let day = from; day < to; day = day.plus({ days: 1 }).startOf('day')) {
    const date = day.toISODate() as string;
    if ((a.get(date) ?? '') !== (b.get(date) ?? '')) changed.push(date);
  }
  return changed;
}

/**
 * The planned time of each local day, as text to compare: its windows cut at local midnights, touching
 * ones joined (two back-to-back shifts plan the same time as one long one).
 */
function byDay(windows: { start: Date; end: Date }[], tz: string): Map<string, string> {
  const days = new Map<string, [number, number][]>();
  for (const w of windows) {
    let start = DateTime.fromJSDate(w.start, { zone: tz });
    const end = DateTime.fromJSDate(w.end, { zone: tz });
    while (start < end) {
      const midnight = start.plus({ days: 1 }).startOf('day');
      const stop = midnight < end ? midnight : end;
      const date = start.toISODate() as string;
      const list = days.get(date) ?? [];
      const last = list[list.length - 1];
      if (last && last[1] === start.toMillis()) last[1] = stop.toMillis();
      else list.push([start.toMillis(), stop.toMillis()]);
      days.set(date, list);
      start = stop;
    }
  }
  return new Map([...days].map(([date, list]) => [date, JSON.stringify(list)]));
}
