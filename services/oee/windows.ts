import { DateTime, IANAZone } from 'luxon';
import { bucketRanges, firstPlannedWindow, plannedWindows, type PlannedWindow, type TimeRange } from '../../core/calendar/index.js';
import { CATEGORY_INDEX, lowerBound, type ElementsSum, type ColumnInput, type SweepInput } from '../../core/oee/index.js';
import type { MachineHistory, OeeMachine } from '../../db/repositories/oee-data.repository.js';
import { HOUR_MS, type RollupLevel } from '../../db/repositories/oee-rollup.repository.js';

/**
 * How the OEE service cuts a request into work: the hour grid stored rows sit on, the whole local days
 * and hours of a range, the raw stretches to compute and the windows their history is loaded in,
 * and a loaded history as the input of `computeWindowElements`.
 */

const UNPLANNED_STOP = CATEGORY_INDEX.unplanned_stop;
const PLANNED_STOP = CATEGORY_INDEX.planned_stop;

/** Raw loads are cut into windows of at most this length, so a cold year never sits in memory at once. */
const LOAD_WINDOW_MS = 7 * 86_400_000;
/** Raw stretches closer than this share one load. */
const LOAD_GAP_MS = 6 * HOUR_MS;

/** A local day of one machine that is not stored yet: the sum of its hours, stored once all are known. */
export interface DayBuild {
  machine: number;
  /** The day [start, end); its hours count from `from` (the machine's first data may fall inside it). */
  start: number;
  end: number;
  from: number;
  slots: number[];
  /** Its hours so far, stored and computed. */
  sum: ElementsSum;
  storable: boolean;
}

/**
 * The stretches [from, to) of machines to compute from the raw history ("tasks"), each stretch of
 * each machine once, numbered in the order first added; stored column by column (a cold year adds
 * ~900 000, which as objects would fill the heap for the whole request).
 */
export class TaskList {
  /** The machine (index into the machines of the request). */
  readonly machine: number[] = [];
  readonly from: number[] = [];
  readonly to: number[] = [];
  /** 1: a whole closed hour, stored as an hour row. */
  readonly hour: number[] = [];
  /** The local day it completes, when that day is not stored yet. */
  readonly day: (DayBuild | null)[] = [];
  /** Its first slot (where its elements go); a stretch serving the window and buckets has more. */
  private readonly slot: number[] = [];
  private readonly moreSlots = new Map<number, number[]>();
  /** Per machine and clock hour of the start (small integers as keys), the first task starting in it; `next` chains the others. */
  private readonly byHour = new Map<number, Map<number, number>>();
  private readonly next: number[] = [];

  get length(): number {
    return this.machine.length;
  }

  add(machine: number, from: number, to: number, slots: readonly number[], options: { hour?: boolean; day?: DayBuild } = {}): void {
    let hours = this.byHour.get(machine);
    if (!hours) this.byHour.set(machine, (hours = new Map()));
    const key = Math.floor(from / HOUR_MS);
    const first = hours.get(key);
    let t = first ?? -1;
    while (t >= 0 && !(this.from[t] === from && this.to[t] === to)) t = this.next[t]!;
    if (t >= 0) {
      this.moreSlots.set(t, [...(this.moreSlots.get(t) ?? []), ...slots]);
      if (options.hour) this.hour[t] = 1;
      this.day[t] ??= options.day ?? null;
      return;
    }
    const added = this.machine.length;
    this.machine.push(machine);
    this.from.push(from);
    this.to.push(to);
    this.hour.push(options.hour ? 1 : 0);
    this.day.push(options.day ?? null);
    this.slot.push(slots[0]!);
    if (slots.length > 1) this.moreSlots.set(added, slots.slice(1));
    this.next.push(first ?? -1);
    hours.set(key, added);
  }

  /** The slots of task `t`, in the order added. */
  slotsOf(t: number): number[] {
    const more = this.moreSlots.get(t);
    return more ? [this.slot[t]!, ...more] : [this.slot[t]!];
  }
}

/** The stored periods of a range's whole closed hours [from, to): whole local days, and the hours outside them. */
export interface RangeCalendar {
  days: Span[];
  hours: Span[];
}

export interface Span {
  from: number;
  to: number;
}

/** One machine in one slot: its days from `firstDay` on, and its hours from `from` on. */
export interface Piece {
  slot: number;
  machine: number;
  calendar: RangeCalendar;
  firstDay: number;
  from: number;
  to: number;
}

export interface HourGrid {
  offsetMs: number;
  floor(ms: number): number;
  ceil(ms: number): number;
}

/**
 * The clock hours stored hours are cut on: UTC hours shifted by the zone's standard offset modulo an
 * hour (0 almost everywhere, 30 min in India, 45 min in Nepal), so local hours, days and weeks are
 * whole stored hours. Fixed per zone, so the grid never moves over a DST change.
 */
export function hourGrid(timezone: string, now: number): HourGrid {
  const zone = IANAZone.create(timezone);
  const year = new Date(now).getUTCFullYear();
  const standard = Math.min(zone.offset(Date.UTC(year, 0, 1)), zone.offset(Date.UTC(year, 6, 1)));
  const offsetMs = (((standard % 60) + 60) % 60) * 60_000;
  return {
    offsetMs,
    floor: (ms) => Math.floor((ms + offsetMs) / HOUR_MS) * HOUR_MS - offsetMs,
    ceil: (ms) => Math.ceil((ms + offsetMs) / HOUR_MS) * HOUR_MS - offsetMs,
  };
}

/**
 * The whole local days inside [from, to) (both ends on the hour grid, so a day row is a sum of hour
 * rows) and the hours outside them.
 */
export function calendarOf(from: number, to: number, timezone: string, grid: HourGrid): RangeCalendar {
  const isMidnight = (ms: number) => DateTime.fromMillis(ms, { zone: timezone }).startOf('day').toMillis() === ms;
  const days =
    to - from < 23 * HOUR_MS
      ? []
      : bucketRanges('day', new Date(from), new Date(to), timezone, null)
          .map((d) => ({ from: d.from.getTime(), to: d.to.getTime() }))
          .filter(
            (d, i, all) =>
              (i > 0 || isMidnight(d.from)) &&
              (i < all.length - 1 || isMidnight(d.to)) &&
              grid.floor(d.from) === d.from &&
              grid.floor(d.to) === d.to,
          );
  const hours: Span[] = [];
  let at = from;
  for (const d of days) {
    if (at < d.from) hours.push({ from: at, to: d.from });
    at = d.to;
  }
  if (at < to) hours.push({ from: at, to });
  return { days, hours };
}

/** Sorted, merged runs of spans, joining those less than `gap` apart (one query each). */
export function runsOf(spans: Span[], gap: number): Span[] {
  const runs: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.from - b.from)) {
    const last = runs[runs.length - 1];
    if (last && s.from - last.to <= gap) last.to = Math.max(last.to, s.to);
    else runs.push({ ...s });
  }
  return runs;
}

export function spanOf(spans: Span[]): TimeRange | null {
  return spans.length === 0 ? null : { from: new Date(spans[0]!.from), to: new Date(spans[spans.length - 1]!.to) };
}

/** The span covering the days (or hours) of the pieces. */
export function spanOfPieces(pieces: Piece[], level: RollupLevel): Span {
  const span = { from: Infinity, to: -Infinity };
  for (const p of pieces) {
    for (const s of level === 'day' ? p.calendar.days.slice(p.firstDay) : p.calendar.hours) {
      span.from = Math.min(span.from, Math.max(s.from, level === 'day' ? s.from : p.from));
      span.to = Math.max(span.to, s.to);
    }
  }
  return span;
}

export function toRange(span: Span): TimeRange {
  return { from: new Date(span.from), to: new Date(span.to) };
}

export interface LoadWindow {
  from: number;
  to: number;
  machines: Set<number>;
  /** Its tasks (positions in the TaskList), by start, then machine, then as added. */
  tasks: number[];
}

/** Groups tasks (sorted by time) into windows of nearby tasks, each loaded once for all its machines. */
export function loadWindows(tasks: TaskList): LoadWindow[] {
  const { from, to, machine } = tasks;
  const sorted = Array.from({ length: tasks.length }, (_, t) => t).sort((a, b) => from[a]! - from[b]! || machine[a]! - machine[b]!);
  const windows: LoadWindow[] = [];
  let current: LoadWindow | null = null;
  for (const t of sorted) {
    if (!current || from[t]! - current.to > LOAD_GAP_MS || Math.max(current.to, to[t]!) - current.from > LOAD_WINDOW_MS) {
      current = { from: from[t]!, to: to[t]!, machines: new Set(), tasks: [] };
      windows.push(current);
    }
    current.to = Math.max(current.to, to[t]!);
    current.machines.add(machine[t]!);
    current.tasks.push(t);
  }
  return windows;
}

/** A machine's history of a load window, as `computeWindowElements` takes it (the windows aside). */
export interface PreparedHistory extends Omit<SweepInput, 'windows' | 'now' | 'microStopSeconds'> {
  /**
   * The inputs of `computeColumnElements` for one window [from, to) inside it: index ranges into
   * the loaded columns, nothing copied. The sweep computes exactly this window by window; this form
   * is kept for single windows and as the sweep's reference in tests.
   */
  slice(from: number, to: number): Pick<ColumnInput, 'intervals' | 'lo' | 'hi' | 'plannedWindows' | 'jobs' | 'production'>;
}

/** Planned windows of each shift pattern over a load window, shared by the machines of a request that have that pattern. */
export type PlannedCache = Map<string, PlannedWindow[]>;

/**
 * One machine's history of a load window, ready for `computeWindowElements` over any windows inside
 * it: the intervals overlapping it plus one neighbour each side, and planned windows covering its
 * planning span (core/oee's contract).
 */
export function prepare(
  history: MachineHistory,
  machine: OeeMachine,
  timezone: string,
  windowFrom: number,
  windowTo: number,
  cache: PlannedCache = new Map(),
): PreparedHistory {
  const columns = history.intervals;
  const starts = columns.start;
  const ends = columns.end; // Infinity when open
  // Planned time is expanded over the window only, whatever the loaded intervals reach back to (a
  // neighbour may begin in 1970 or year 1). An interval that began earlier needs just the first
  // planned window after its start, so that its stop is an occurrence where it really falls.
  // Only a stop still going at the window's start needs it: an interval that ended before cannot
  // count in the window, and the other states use planned time only inside it.
  const early: PlannedWindow[] = [];
  for (let i = 0; i < columns.length && starts[i]! < windowFrom; i++) {
    if (!(ends[i]! > windowFrom) || (columns.category[i] !== UNPLANNED_STOP && columns.category[i] !== PLANNED_STOP)) continue;
    const first = firstPlannedWindow(machine.pattern, timezone, new Date(starts[i]!), new Date(Math.min(windowFrom, ends[i]!)));
    const last = early[early.length - 1];
    if (first && last && first.start.getTime() < last.end.getTime()) {
      if (first.end > last.end) last.end = first.end;
    } else if (first) {
      early.push(first);
    }
  }
  // The pattern's windows are the same for every machine that has it (never changed once built).
  const key = `${machine.shiftPatternId}|${windowFrom}|${windowTo}`;
  let windows = cache.get(key);
  if (!windows) {
    windows = plannedWindows(machine.pattern, timezone, new Date(windowFrom), new Date(windowTo));
    cache.set(key, windows);
  }
  const planned = [...early, ...windows];
  const plannedEnds = planned.map((p) => p.end.getTime());
  return {
    intervals: columns,
    plannedWindows: planned,
    jobs: history.jobs,
    production: history.production,
    slice(from, to) {
      // Intervals tile, so both starts and ends are sorted.
      const lo = Math.max(0, lowerBound(ends, from + 1) - 1); // one before the first ending after `from`
      const hi = Math.min(columns.length, lowerBound(starts, to) + 1); // one after the last starting before `to`
      const sliceFrom = Math.min(from, lo < hi ? starts[lo]! : from);
      const p0 = lowerBound(plannedEnds, sliceFrom + 1);
      let p1 = p0;
      while (p1 < planned.length && planned[p1]!.start.getTime() < to) p1++;
      return { intervals: columns, lo, hi, plannedWindows: planned.slice(p0, p1), jobs: history.jobs, production: history.production };
    },
  };
}

export { lowerBound };
