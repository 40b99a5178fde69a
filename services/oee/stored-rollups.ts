import { ElementsSum } from '../../core/oee/index.js';
import type { OeeContext } from '../../db/repositories/oee-data.repository.js';
import { HOUR_MS, type RollupLevel, type RollupReader, type RollupSum } from '../../db/repositories/oee-rollup.repository.js';
import {
  runsOf,
  spanOf,
  spanOfPieces,
  toRange,
  type DayBuild,
  type Piece,
  type RangeCalendar,
  type Span,
  type TaskList,
} from './windows.js';

/** One request cut into work (OeeRollups.elements): what is read from stored rows, what is computed raw. */
export interface RequestPlan {
  context: OeeContext;
  /** Per range (the window, then each bucket): its whole closed days and hours; null when it is computed raw. */
  calendars: (RangeCalendar | null)[];
  /** Each machine in each slot with whole closed hours to read. */
  pieces: Piece[];
  /** Per machine: the hour of its first data, or null without data. */
  firstHour: (number | null)[];
  /** The stretches to compute raw; reading adds the rows not stored yet. */
  tasks: TaskList;
  /** The days not stored yet, built from their hours; filled by reading. */
  builds: DayBuild[];
  /** The elements of each slot, summed as they come. */
  parts: ElementsSum[];
}

/**
 * Adds the sums of the stored rows to the plan's parts; for every day or hour that is not stored
 * yet, adds the tasks (and day builds) that compute and store it.
 */
export async function readStored(reader: RollupReader, plan: RequestPlan): Promise<void> {
  const { context, calendars, pieces, firstHour, tasks, builds, parts } = plan;
  const machines = context.machines;
  const M = machines.length;
  const ids = machines.flatMap((m) => (m.firstDataAt === null ? [] : [m.id]));
  const indexOf = new Map(machines.map((m, i) => [m.id, i]));
  const found = { day: new Map<number, number>(), hour: new Map<number, number>() };
  const add = (level: RollupLevel, slot: number, sum: RollupSum) => {
    parts[slot]!.add(sum.elements);
    found[level].set(slot, (found[level].get(slot) ?? 0) + sum.rows);
  };

  // The window, per machine: its days, then the hours around them.
  const window = calendars[0];
  if (window) {
    const days = spanOf(window.days);
    if (days) for (const sum of await reader.sums(ids, days, 'day', 'machine')) add('day', indexOf.get(sum.key)!, sum);
    for (const hours of window.hours) {
      for (const sum of await reader.sums(ids, toRange(hours), 'hour', 'machine')) add('hour', indexOf.get(sum.key)!, sum);
    }
  }
  // The buckets, over all machines: per day and per hour, added to every bucket holding it.
  for (const level of ['day', 'hour'] as const) {
    const slotsAt = new Map<number, number[]>();
    const spans: Span[] = [];
    calendars.slice(1).forEach((calendar, b) => {
      for (const span of calendar?.[level === 'day' ? 'days' : 'hours'] ?? []) {
        spans.push(span);
        for (let at = span.from; at < span.to; at = level === 'day' ? span.to : at + HOUR_MS) {
          const slots = slotsAt.get(at);
          if (slots) slots.push(M + b);
          else slotsAt.set(at, [M + b]);
        }
      }
    });
    for (const run of runsOf(spans, 2 * 86_400_000)) {
      for (const sum of await reader.sums(ids, toRange(run), level, 'start')) {
        for (const slot of slotsAt.get(sum.key) ?? []) add(level, slot, sum);
      }
    }
  }

  // What should be there: per slot, the days and hours of its pieces.
  const expected = { day: new Map<number, number>(), hour: new Map<number, number>() };
  for (const p of pieces) {
    expected.day.set(p.slot, (expected.day.get(p.slot) ?? 0) + p.calendar.days.length - p.firstDay);
    let hours = 0;
    for (const span of p.calendar.hours) hours += Math.max(0, Math.min(span.to, p.to) - Math.max(span.from, p.from)) / HOUR_MS;
    expected.hour.set(p.slot, (expected.hour.get(p.slot) ?? 0) + hours);
  }
  const missing = (level: RollupLevel, slot: number) => (found[level].get(slot) ?? 0) < (expected[level].get(slot) ?? 0);
  const dayPieces = pieces.filter((p) => missing('day', p.slot));
  const hourPieces = pieces.filter((p) => missing('hour', p.slot));
  if (dayPieces.length === 0 && hourPieces.length === 0) return;

  // Days not stored: built from their stored hours plus the hours computed now.
  const storedDays = await reader.starts(
    [...new Set(dayPieces.map((p) => machines[p.machine]!.id))],
    toRange(spanOfPieces(dayPieces, 'day')),
    'day',
  );
  const byKey = new Map<string, DayBuild>();
  for (const p of dayPieces) {
    const have = storedDays.get(machines[p.machine]!.id)!;
    for (const day of p.calendar.days.slice(p.firstDay)) {
      if (have.has(day.from)) continue;
      const key = `${p.machine}|${day.from}`;
      let build = byKey.get(key);
      if (!build) {
        build = {
          machine: p.machine,
          start: day.from,
          end: day.to,
          from: Math.max(day.from, firstHour[p.machine]!),
          slots: [],
          sum: new ElementsSum(),
          storable: true,
        };
        byKey.set(key, build);
        builds.push(build);
      }
      build.slots.push(p.slot);
    }
  }
  const hourSpan = spanOfPieces(hourPieces, 'hour');
  for (const b of builds) {
    hourSpan.from = Math.min(hourSpan.from, b.from);
    hourSpan.to = Math.max(hourSpan.to, b.end);
  }
  const hourMachines = [...new Set([...hourPieces.map((p) => p.machine), ...builds.map((b) => b.machine)])];
  const storedHours = await reader.starts(
    hourMachines.map((m) => machines[m]!.id),
    toRange(hourSpan),
    'hour',
  );

  const partly: DayBuild[] = [];
  for (const build of builds) {
    const have = storedHours.get(machines[build.machine]!.id)!;
    let stored = 0;
    for (let hour = build.from; hour < build.end; hour += HOUR_MS) {
      if (have.has(hour)) stored++;
      else tasks.add(build.machine, hour, hour + HOUR_MS, build.slots, { hour: true, day: build });
    }
    if (stored > 0) partly.push(build);
  }
  const sums = await reader.pieceSums(
    partly.map((b) => ({ machineId: machines[b.machine]!.id, from: new Date(b.from), to: new Date(b.end) })),
  );
  for (const sum of sums) {
    const build = partly[sum.key]!;
    build.sum.add(sum.elements);
    for (const slot of build.slots) parts[slot]!.add(sum.elements);
  }
  for (const p of hourPieces) {
    const have = storedHours.get(machines[p.machine]!.id)!;
    for (const span of p.calendar.hours) {
      for (let hour = Math.max(span.from, p.from); hour < Math.min(span.to, p.to); hour += HOUR_MS) {
        if (!have.has(hour)) tasks.add(p.machine, hour, hour + HOUR_MS, [p.slot], { hour: true });
      }
    }
  }
}
