import { DateTime } from 'luxon';
import { formatIsoDay, formatSiteDateTime, formatSiteTime, type DateFormat } from '$core/calendar/site-format.js';

/**
 * Site-local days and times. Everything the analysis pages show is in the site's IANA zone (from
 * `GET /api/v1/site`), whatever zone the browser is in; the API takes and returns UTC instants.
 * Dates are written in the site's date format (core/calendar/site-format.ts, the one home of it);
 * chart axes and bucket labels name the month ("Mon 2 Dec"), which no format setting can misread.
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isDay(value: string | null | undefined): value is string {
  return !!value && DAY.test(value) && DateTime.fromISO(value).isValid;
}

export function todayIn(zone: string): string {
  return DateTime.now().setZone(zone).toISODate()!;
}

export function addDays(day: string, days: number): string {
  return DateTime.fromISO(day).plus({ days }).toISODate()!;
}

/** Whole days from `from` to `to`, both included. */
export function daysInRange(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to && days.length < 400; d = addDays(d, 1)) days.push(d);
  return days;
}

/** The instants of a site-local day range: `from` 00:00 up to the midnight after `to` (23 or 25 h days included). */
export function dayRangeInstants(from: string, to: string, zone: string): { from: string; to: string; fromMs: number; toMs: number } {
  const start = DateTime.fromISO(from, { zone }).startOf('day');
  const end = DateTime.fromISO(to, { zone }).startOf('day').plus({ days: 1 });
  return { from: start.toUTC().toISO()!, to: end.toUTC().toISO()!, fromMs: start.toMillis(), toMs: end.toMillis() };
}

/** Milliseconds of a site-local `datetime-local` value (YYYY-MM-DDTHH:MM), or null when invalid. */
export function localInputToMs(value: string, zone: string): number | null {
  const dt = DateTime.fromISO(value, { zone });
  return dt.isValid ? dt.toMillis() : null;
}

/** A `datetime-local` value (minutes) for an instant, in the site zone. */
export function msToLocalInput(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** `02/12/2026 14:05`: an instant in the site zone and date format. */
export function formatDateTime(ms: number, zone: string, format: DateFormat): string {
  return formatSiteDateTime(ms, zone, format);
}

/** Date and time in the site format, only the time when it is on the given local day. */
export function formatMoment(ms: number, zone: string, format: DateFormat, sameDay?: string): string {
  return sameDay && DateTime.fromMillis(ms, { zone }).toISODate() === sameDay
    ? formatSiteTime(ms, zone)
    : formatSiteDateTime(ms, zone, format);
}

/** A local day with its weekday: `Wed 02/12/2026`. */
export function formatDay(day: string, format: DateFormat): string {
  return `${DateTime.fromISO(day).toFormat('ccc')} ${formatIsoDay(day, format)}`;
}

/** What a `datetime-local` value (site-local, `YYYY-MM-DDTHH:MM`) reads in the site format, '' when not a time. */
export function formatLocalInput(value: string, format: DateFormat): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value);
  return m ? `${formatIsoDay(m[1]!, format)} ${m[2]}` : '';
}

export function formatShortDay(day: string): string {
  return DateTime.fromISO(day).toFormat('ccc d LLL');
}

/** A label for a bucket starting at `ms`, by bucket size; a named shift by its name ("30 Nov Night"). */
export function formatBucket(ms: number, bucket: string, zone: string, multiDay: boolean, shiftName?: string): string {
  const dt = DateTime.fromMillis(ms, { zone });
  switch (bucket) {
    case 'hour':
      return multiDay ? dt.toFormat('d LLL HH:mm') : dt.toFormat('HH:mm');
    case 'shift':
      return shiftName ? `${dt.toFormat('d LLL')} ${shiftName}` : dt.toFormat('d LLL HH:mm');
    case 'week':
      return `Week of ${dt.toFormat('d LLL')}`;
    default:
      return dt.toFormat('ccc d LLL');
  }
}

const tickSteps: { minutes: number; unit: 'minutes' | 'hours' | 'days' }[] = [
  { minutes: 15, unit: 'minutes' },
  { minutes: 30, unit: 'minutes' },
  { minutes: 60, unit: 'hours' },
  { minutes: 120, unit: 'hours' },
  { minutes: 180, unit: 'hours' },
  { minutes: 360, unit: 'hours' },
  { minutes: 720, unit: 'hours' },
  { minutes: 1440, unit: 'days' },
  { minutes: 2880, unit: 'days' },
  { minutes: 10080, unit: 'days' },
  { minutes: 20160, unit: 'days' },
  { minutes: 43200, unit: 'days' },
];

/**
 * Time-axis ticks on site-local boundaries (browsers' own time scales tick in the browser's zone):
 * the coarsest step that still gives at most `maxTicks`, aligned to local midnight.
 */
export function localTicks(fromMs: number, toMs: number, zone: string, maxTicks: number): { ticks: Date[]; format: (d: Date) => string } {
  const spanMinutes = (toMs - fromMs) / 60_000;
  const step = tickSteps.find((s) => spanMinutes / s.minutes <= Math.max(2, maxTicks)) ?? tickSteps[tickSteps.length - 1]!;
  const ticks: Date[] = [];
  let t = DateTime.fromMillis(fromMs, { zone }).startOf('day');
  // No tick at the window's end (the next midnight): its label would hang off the axis.
  if (step.unit === 'days') {
    const days = step.minutes / 1440;
    while (t.toMillis() < toMs && ticks.length < 500) {
      if (t.toMillis() >= fromMs) ticks.push(t.toJSDate());
      t = t.plus({ days });
    }
  } else {
    // Step in local wall-clock units from local midnight, so ticks stay on round local times across DST.
    let day = t;
    while (day.toMillis() <= toMs && ticks.length < 500) {
      for (let m = 0; m < 1440; m += step.minutes) {
        const tick = day.set({ hour: Math.floor(m / 60), minute: m % 60 });
        if (tick.toISODate() !== day.toISODate()) break;
        const ms = tick.toMillis();
        if (ms >= fromMs && ms < toMs) ticks.push(tick.toJSDate());
      }
      day = day.plus({ days: 1 });
    }
  }
  const withDate = step.unit !== 'days' && spanMinutes > 1440;
  const format = (d: Date) => {
    const dt = DateTime.fromJSDate(d, { zone });
    if (step.unit === 'days') return dt.toFormat('ccc d LLL');
    if (withDate && dt.hour === 0 && dt.minute === 0) return dt.toFormat('ccc d LLL');
    return dt.toFormat('HH:mm');
  };
  return { ticks, format };
}
