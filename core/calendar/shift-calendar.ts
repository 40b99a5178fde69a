/**
 * The shift calendar: turns a machine's weekly shift pattern (+ dated exceptions) into planned
 * windows on the real time line, in the site's IANA time zone. Pure: no I/O, no clock.
 *
 * Rules (docs/oee.md, docs/api.md):
 * - A shift `{days, start, end}` starts on each listed weekday (1 = Monday … 7 = Sunday) at local
 *   `start`. If `end <= start` it crosses midnight and ends on the next local day; it belongs to the
 *   day it starts (`shiftDate`). `end == start` is therefore a whole (23/24/25 h) day.
 * - An exception for a date replaces all shifts that START on that date; an empty list closes the day.
 *   A night shift that started the day before is not touched by it.
 * - `null` pattern = no calendar = planned 24/7.
 * - Local times are converted by luxon, so a shift over a DST change is as long as the wall clock
 *   says: a 22:00–06:00 night shift in Europe/London is 7 h on the spring-forward night and 9 h on
 *   the fall-back night.
 * - Local times that do not exist (the spring gap) are moved forward by the length of the gap, as
 *   luxon does: in Europe/London on 2026-03-29 a shift start of 01:30 becomes 02:30 BST (01:30Z).
 *   Ambiguous local times (the autumn overlap) resolve the way luxon resolves them (for
 *   Europe/London 01:30 on 2026-10-25 is the second occurrence, 01:30 GMT). A shift whose start and
 *   end collapse to zero or negative length by this is dropped.
 * - Overlapping shifts are merged (union) for planned time so no second is counted twice; the
 *   whole-shift functions (`plannedShifts`, `shiftBoundaries`, `shift` buckets) keep them separate.
 * - A pattern may have versions (core/calendar/pattern-versions.ts): the shifts and exceptions of a
 *   day are those of the version in force on that day, so a night shift belongs to the version of
 *   the day it starts on.
 */
import { DateTime, IANAZone } from 'luxon';
import { resolveVersions, versionOn, type PatternInput } from './pattern-versions.js';

/**
 * What the calendar needs from a shift pattern: its shifts and exceptions, and its earlier versions
 * when it has any (a stored pattern row fits as it is); `null` = planned 24/7.
 */
export type CalendarPattern = PatternInput | null;

/**
 * A stretch of planned time. `shiftDate` is the local date (YYYY-MM-DD) the shift started on; `name`
 * the shift's name, when it has one.
 */
export interface PlannedWindow {
  start: Date;
  end: Date;
  shiftDate: string;
  name?: string;
}

export interface ShiftBoundary {
  at: Date;
  kind: 'start' | 'end';
  shiftStart: Date;
  shiftEnd: Date;
  shiftDate: string;
}

export type BucketKind = 'hour' | 'day' | 'week' | 'shift';

export interface TimeRange {
  from: Date;
  to: Date;
  /** `shift` buckets: the shift's name, when it has one. */
  name?: string;
}

/**
 * Whole shifts (not clipped, not merged) that overlap [from, to), sorted by start then end.
 * A `null` pattern has no shifts (24/7 has no shift changes): returns [].
 */
export function plannedShifts(pattern: CalendarPattern, tz: string, from: Date, to: Date): PlannedWindow[] {
  assertZone(tz);
  if (pattern === null || !(from.getTime() < to.getTime())) return [];
  const versions = resolveVersions(pattern);
  const result: PlannedWindow[] = [];
  // A shift starting on local date d lies inside [d 00:00, d+2 00:00), so the day before `from`'s
  // local date is the earliest that can reach into the range.
  let date = localDate(from, tz).minus({ days: 1 });
  const lastDate = localDate(to, tz);
  while (date <= lastDate) {
    const iso = date.toISODate() as string;
    const version = versions.length === 1 ? versions[0]! : versionOn(versions, iso);
    const shifts = version.exceptions.get(iso) ?? version.shifts.filter((s) => s.days.includes(date.weekday));
    for (const shift of shifts) {
      const window = shiftOn(date, shift.start, shift.end, tz);
      if (window && shift.name !== undefined) window.name = shift.name;
      if (window && window.start < to && window.end > from) result.push(window);
    }
    date = date.plus({ days: 1 });
  }
  return result.sort((a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime());
}

/**
 * Planned time inside [from, to): the union of the shifts, clipped to the range, sorted and disjoint
 * (windows may touch, e.g. back-to-back shifts). A merged window keeps the `shiftDate` and name of
 * its first shift. A `null` pattern gives one window per local day (touching), covering the whole range.
 */
export function plannedWindows(pattern: CalendarPattern, tz: string, from: Date, to: Date): PlannedWindow[] {
  assertZone(tz);
  if (!(from.getTime() < to.getTime())) return [];
  if (pattern === null) {
    return localPeriods('day', from, to, tz).map((r) => ({ start: r.from, end: r.to, shiftDate: isoDateIn(r.from, tz) }));
  }
  const merged: PlannedWindow[] = [];
  for (const shift of plannedShifts(pattern, tz, from, to)) {
    const start = maxDate(shift.start, from);
    const end = minDate(shift.end, to);
    const last = merged[merged.length - 1];
    // Merge only real overlaps; touching shifts stay separate so each keeps its shiftDate.
    if (last && start < last.end) {
      if (end > last.end) last.end = end;
    } else {
      merged.push({ start, end, shiftDate: shift.shiftDate, ...(shift.name === undefined ? {} : { name: shift.name }) });
    }
  }
  return merged;
}

/**
 * The first window of planned time inside [from, to), clipped to it, or null when there is none,
 * without expanding the whole range (which may reach back centuries when a device clock was wrong).
 * Its start is exact; a window merged from overlapping shifts may end where the search stopped.
 * The range is looked at version by version (a pattern that never changed is one version): a
 * version with weekly shifts plans a day at least once a week unless exceptions close it, so its
 * search ends within (closed exceptions + 2) weeks of a hit or at its end; in a version without
 * weekly shifts only its exception dates can hold planned time, and only those are looked at.
 */
export function firstPlannedWindow(pattern: CalendarPattern, tz: string, from: Date, to: Date): PlannedWindow | null {
  assertZone(tz);
  if (!(from.getTime() < to.getTime())) return null;
  const chunkMs = 8 * 86_400_000;
  const toMs = to.getTime();
  const first = (a: number, b: number) => plannedWindows(pattern, tz, new Date(a), new Date(Math.min(b, toMs)))[0] ?? null;
  const search = (a: number, b: number) => {
    for (let at = a; at < Math.min(b, toMs); at += chunkMs) {
      const found = first(at, Math.min(at + chunkMs, b));
      if (found) return found;
    }
    return null;
  };
  if (pattern === null) return search(from.getTime(), toMs);
  const dayStart = (date: string) => DateTime.fromISO(date, { zone: tz }).startOf('day').toMillis();
  // Shifts starting on the day before `from` can reach into the range.
  const fromDate = localDate(from, tz).minus({ days: 1 }).toISODate() as string;
  const toDate = localDate(to, tz).toISODate() as string;
  const versions = resolveVersions(pattern);
  for (let i = 0; i < versions.length; i++) {
    const version = versions[i]!;
    const until = versions[i + 1]?.from ?? null; // exclusive
    if ((until !== null && until <= fromDate) || (version.from !== null && version.from > toDate)) continue;
    if (version.shifts.length > 0) {
      // Its shifts start on its days and end at most two local days later.
      const start = version.from === null ? from.getTime() : Math.max(from.getTime(), dayStart(version.from));
      const end = until === null ? toMs : Math.min(toMs, dayStart(until) + 2 * 86_400_000);
      const found = search(start, end);
      if (found) return found;
      continue;
    }
    // Only exception dates have shifts: look at each such date of the version that can reach into the range, in order.
    const dates = [...version.exceptions.entries()]
      .filter(
        ([date, shifts]) =>
          shifts.length > 0 &&
          date >= fromDate &&
          date <= toDate &&
          (version.from === null || date >= version.from) &&
          (until === null || date < until),
      )
      .map(([date]) => date)
      .sort();
    for (const date of dates) {
      const found = first(Math.max(from.getTime(), dayStart(date)), dayStart(date) + 3 * 86_400_000);
      if (found) return found;
    }
  }
  return null;
}

/** Is the instant `at` inside planned time? A `null` pattern is always planned. */
export function isInPlannedTime(pattern: CalendarPattern, tz: string, at: Date): boolean {
  assertZone(tz);
  if (pattern === null) return true;
  return plannedShifts(pattern, tz, at, new Date(at.getTime() + 1)).length > 0;
}

/**
 * Every shift start and end whose instant lies in [from, to), sorted by time; at equal instants
 * ends come before starts (a handover reads "old shift ended, new shift started"). Each shift is
 * reported on its own, also when shifts overlap. A `null` pattern has no boundaries.
 */
export function shiftBoundaries(pattern: CalendarPattern, tz: string, from: Date, to: Date): ShiftBoundary[] {
  assertZone(tz);
  // 1 ms earlier so a shift ending exactly at `from` is found (its end is a boundary in range).
  const shifts = plannedShifts(pattern, tz, new Date(from.getTime() - 1), to);
  const result: ShiftBoundary[] = [];
  for (const s of shifts) {
    const base = { shiftStart: s.start, shiftEnd: s.end, shiftDate: s.shiftDate };
    if (s.start >= from && s.start < to) result.push({ at: s.start, kind: 'start', ...base });
    if (s.end >= from && s.end < to) result.push({ at: s.end, kind: 'end', ...base });
  }
  return result.sort(
    (a, b) =>
      a.at.getTime() - b.at.getTime() ||
      (a.kind === b.kind ? 0 : a.kind === 'end' ? -1 : 1) ||
      a.shiftStart.getTime() - b.shiftStart.getTime(),
  );
}

/**
 * Cuts [from, to) into buckets in the site time zone; the first and last bucket are clipped to the
 * range.
 * - `hour`: clock hours (1 h each; on a fall-back night the repeated local hour is two buckets).
 * - `day`: local midnight to local midnight (23 h / 25 h on DST days).
 * - `week`: local Monday 00:00 to the next local Monday 00:00.
 * - `shift`: each planned shift whole (clipped only at the range edges), with its name. Time between
 *   shifts is in no bucket, and overlapping shifts give overlapping buckets. A `null` pattern (24/7, no shifts)
 *   falls back to `day` buckets.
 */
export function bucketRanges(kind: BucketKind, from: Date, to: Date, tz: string, pattern: CalendarPattern): TimeRange[] {
  assertZone(tz);
  if (!(from.getTime() < to.getTime())) return [];
  if (kind !== 'shift') return localPeriods(kind, from, to, tz);
  if (pattern === null) return localPeriods('day', from, to, tz);
  return plannedShifts(pattern, tz, from, to).map((s) => ({
    from: maxDate(s.start, from),
    to: minDate(s.end, to),
    ...(s.name === undefined ? {} : { name: s.name }),
  }));
}

/** Consecutive local hours/days/weeks covering [from, to), clipped to it. */
function localPeriods(unit: 'hour' | 'day' | 'week', from: Date, to: Date, tz: string): TimeRange[] {
  const result: TimeRange[] = [];
  const end = DateTime.fromJSDate(to, { zone: tz });
  let cursor = DateTime.fromJSDate(from, { zone: tz }).startOf(unit);
  while (cursor < end) {
    // Hours step in absolute time; days and weeks step on the wall clock and snap back to the
    // local start (for zones where midnight itself can fall into a DST gap).
    const next = unit === 'hour' ? cursor.plus({ hours: 1 }) : cursor.plus(unit === 'day' ? { days: 1 } : { weeks: 1 }).startOf(unit);
    if (next <= cursor) throw new Error(`calendar: no progress cutting ${unit} buckets in ${tz}`);
    result.push({ from: maxDate(cursor.toJSDate(), from), to: minDate(next.toJSDate(), to) });
    cursor = next;
  }
  return result;
}

/** The shift starting on local `date` as a window, or null if DST resolution leaves it empty. */
function shiftOn(date: DateTime, start: string, end: string, tz: string): PlannedWindow | null {
  const s = parseHhmm(start);
  const e = parseHhmm(end);
  const crossesMidnight = e.hour * 60 + e.minute <= s.hour * 60 + s.minute;
  const endDate = crossesMidnight ? date.plus({ days: 1 }) : date;
  const startAt = atLocal(date, s, tz);
  const endAt = atLocal(endDate, e, tz);
  if (endAt <= startAt) return null;
  return { start: startAt.toJSDate(), end: endAt.toJSDate(), shiftDate: date.toISODate() as string };
}

/** Local wall-clock time on a date in `tz`; luxon moves non-existent times forward over the gap. */
function atLocal(date: DateTime, time: { hour: number; minute: number }, tz: string): DateTime {
  return DateTime.fromObject({ year: date.year, month: date.month, day: date.day, ...time }, { zone: tz });
}

/** The local calendar date of an instant, as a UTC midnight (date arithmetic without DST). */
function localDate(at: Date, tz: string): DateTime {
  const local = DateTime.fromJSDate(at, { zone: tz });
  return DateTime.utc(local.year, local.month, local.day);
}

function isoDateIn(at: Date, tz: string): string {
  return DateTime.fromJSDate(at, { zone: tz }).toISODate() as string;
}

function parseHhmm(value: string): { hour: number; minute: number } {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!match) throw new RangeError(`calendar: expected HH:MM, got "${value}"`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/**
 * `IANAZone.create` keeps one zone (and its validity) per name. `IANAZone.isValidZone` builds an
 * `Intl.DateTimeFormat` at every call: an ICU formatter of about 9 kB of native memory that V8 does
 * not count and frees only in a full collection, so thousands a minute (every OEE read and live
 * change) grew the server's RSS by hundreds of MB (docs/operations.md, "Memory").
 */
function assertZone(tz: string): void {
  if (!IANAZone.create(tz).isValid) throw new RangeError(`calendar: unknown time zone "${tz}"`);
}

function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

function minDate(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}
