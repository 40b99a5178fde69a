import { DateTime, IANAZone } from 'luxon';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { bucketRanges, plannedShifts, plannedWindows, type PlannedWindow, type TimeRange } from '../../core/calendar/index.js';
import { AppError } from '../../core/errors.js';
import { computeElements, deriveRatios, sumElements, type OeeElements, type OeeResult, type StateInterval } from '../../core/oee/index.js';
import { MAX_OEE_BUCKETS, type OeeBucket } from '../../core/schemas/oee.schema.js';
import type { ChangeFeed, CommittedChange } from '../../db/change-feed.js';
import type { MachineHistory, OeeContext, OeeMachine } from '../../db/repositories/oee-data.repository.js';
import { HOUR_MS, type RollupInvalidation, type RollupLevel, type RollupReader, type RollupSum, type StoredRollup } from '../../db/repositories/oee-rollup.repository.js';
import type { Repositories } from '../../db/repositories/index.js';

export interface OeeServiceOptions {
  /**
   * Windows up to this long are computed from the raw history alone (a shift, a day: a few dozen
   * intervals, cheaper than the stored hours); longer ones use the stored hours. 0 = always use them.
   */
  rawMaxSeconds?: number;
}

export interface BucketedResult extends OeeResult {
  buckets?: OeeResult[];
}

export interface GroupResult extends BucketedResult {
  machines: (OeeResult & { machineId: number })[];
}

/** Time never reaches this many ms into the past; used as "since the beginning" in the guard below. */
const FOREVER = -8.64e15;
/** The largest site `microStopSeconds` (setup schema): a change can re-classify a stop this long before it. */
const MAX_MICRO_STOP_MS = 86_400_000;
/** Raw loads are cut into windows of at most this length, so a cold year never sits in memory at once. */
const LOAD_WINDOW_MS = 7 * 86_400_000;
/** Raw pieces closer than this share one load. */
const LOAD_GAP_MS = 6 * HOUR_MS;

type Rows = Pick<Repositories, 'oeeData' | 'oeeRollups' | 'machines' | 'groups' | 'site'>;

/** A stretch [from, to) one machine needs computed from its raw history. */
interface Task {
  machine: number; // index into the machines of the request
  from: number;
  to: number;
  /** A whole closed hour: stored as an hour row. */
  hour: boolean;
  /** Where its elements go (a stretch may serve the window and buckets). */
  slots: number[];
  /** The local day it completes, when that day is not stored yet. */
  day: DayBuild | null;
}

/** A local day of one machine that is not stored yet: the sum of its hours, stored once all are known. */
interface DayBuild {
  machine: number;
  /** The day [start, end); its hours count from `from` (the machine's first data may fall inside it). */
  start: number;
  end: number;
  from: number;
  slots: number[];
  parts: OeeElements[];
  storable: boolean;
}

/** Tasks, each stretch of each machine once. */
class TaskList {
  private readonly byKey = new Map<string, Task>();

  add(machine: number, from: number, to: number, slots: number[], options: { hour?: boolean; day?: DayBuild } = {}): void {
    const key = `${machine}|${from}|${to}`;
    const task = this.byKey.get(key);
    if (task) {
      task.slots.push(...slots);
      task.hour ||= options.hour ?? false;
      task.day ??= options.day ?? null;
    } else {
      this.byKey.set(key, { machine, from, to, hour: options.hour ?? false, slots: [...slots], day: options.day ?? null });
    }
  }

  list(): Task[] {
    return [...this.byKey.values()];
  }
}

/** The stored periods of a range's whole closed hours [from, to): whole local days, and the hours outside them. */
interface RangeCalendar {
  days: Span[];
  hours: Span[];
}

interface Span {
  from: number;
  to: number;
}

/** One machine in one slot: its days from `firstDay` on, and its hours from `from` on. */
interface Piece {
  slot: number;
  machine: number;
  calendar: RangeCalendar;
  firstDay: number;
  from: number;
  to: number;
}

/**
 * OEE results for a machine, a group or the whole site, over any window, with optional buckets
 * (OEE.md, api.md "Results"). The maths is core/oee's: this service loads the inputs, cuts the
 * windows, and keeps the per-machine hourly elements (`oee_hourly`) that make long windows cheap.
 *
 * Roll-ups: a window is split per machine into whole clock hours that have ended (summed from the
 * stored hours by Postgres; hours not stored yet are computed raw and stored) and the partial hours
 * at its edges (always raw). Elements are additive when each computation gets one neighbouring
 * interval on each side (core/oee), so the sum is exactly the raw calculation. Machines → group
 * → site and hours → buckets sum ELEMENTS, then divide once (`deriveRatios`).
 *
 * Invalidation: after a commit that changes a machine's history the change feed says so; the
 * service deletes that machine's stored hours from the change on (minus the micro-stop margin,
 * see OeeRollupRepository.invalidate). Deletes are batched and always done before a read uses the
 * stored hours. A computation that overlapped a change does not store the hours the change may
 * have touched (the `guard`). Set-up edits that change planned time, categories or the micro-stop
 * threshold call `invalidateShiftPattern`, `invalidateMachine` or `invalidateAll`.
 */
export class OeeService {
  private readonly rawMaxMs: number;
  private pending: RollupInvalidation[] = [];
  private pendingPatterns = new Set<number>();
  private pendingAll = false;
  private flushing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Changes seen while computations ran: a computation started at `seq` skips hours touched since. */
  private seq = 0;
  private guard: { seq: number; machineId: number | null; cutMs: number; redo: () => void }[] = [];
  private readonly running = new Map<number, number>(); // snapshot seq → computations using it

  constructor(
    private readonly repos: Rows,
    private readonly clock: Clock,
    private readonly logger?: Logger,
    options: OeeServiceOptions = {},
  ) {
    this.rawMaxMs = (options.rawMaxSeconds ?? 2 * 86_400) * 1000;
  }

  /** Keeps the stored hours current from the change feed. Returns the unsubscribe function. */
  listen(feed: ChangeFeed): () => void {
    return feed.subscribe((change) => this.onChange(change));
  }

  // --- results

  /** One machine over [from, to) (`to` is clipped to now by the calculation), optionally bucketed. */
  async machineOee(machineId: number, from: Date, to: Date, bucket?: OeeBucket): Promise<BucketedResult> {
    const context = await this.repos.oeeData.context({ machineId });
    if (context.machines.length === 0) throw AppError.notFound(`Machine ${machineId}`);
    const { whole, buckets } = await this.compute(context, from, to, bucket);
    const result: BucketedResult = deriveRatios(whole[0]!, from, to);
    if (buckets) result.buckets = buckets.map((b) => deriveRatios(b.elements, b.range.from, b.range.to));
    return result;
  }

  /**
   * A group (or, with `groupId` null, the whole site): the machines' elements summed, then divided.
   * `machines` lists each machine's own result over the whole window. With `shift` buckets the
   * buckets are the shifts of every pattern the machines use (a 24/7 machine: days).
   */
  async groupOee(groupId: number | null, from: Date, to: Date, bucket?: OeeBucket): Promise<GroupResult> {
    if (groupId !== null) await this.repos.groups.get(groupId); // 404 for an unknown group
    const context = await this.repos.oeeData.context(groupId === null ? {} : { groupId });
    const { whole, buckets } = await this.compute(context, from, to, bucket);
    const result: GroupResult = {
      ...deriveRatios(sumElements(whole), from, to),
      machines: context.machines.map((m, i) => ({ machineId: m.id, ...deriveRatios(whole[i]!, from, to) })),
    };
    if (buckets) result.buckets = buckets.map((b) => deriveRatios(b.elements, b.range.from, b.range.to));
    return result;
  }

  /**
   * The machine's current shift, whole (the calculation stops at now): the planned shift holding
   * now, else the last one that ended in the past week, else (24/7, or no shift lately) the current
   * local day. For live screens.
   */
  async currentShiftOee(machineId: number): Promise<OeeResult> {
    const context = await this.repos.oeeData.context({ machineId });
    const machine = context.machines[0];
    if (!machine) throw AppError.notFound(`Machine ${machineId}`);
    const now = this.clock.now();
    const range = currentShift(machine, context.timezone, now) ?? localDay(DateTime.fromJSDate(now, { zone: context.timezone }));
    const { whole } = await this.compute(context, range.from, range.to);
    return deriveRatios(whole[0]!, range.from, range.to);
  }

  /** The local day [00:00, next 00:00) of `date` (YYYY-MM-DD) in the site time zone, and whether it is in the future. */
  async siteDay(date: string | undefined): Promise<{ from: Date; to: Date; future: boolean }> {
    const { timezone } = await this.repos.site.get();
    const now = DateTime.fromJSDate(this.clock.now(), { zone: timezone });
    const day = date === undefined ? now : DateTime.fromISO(date, { zone: timezone });
    if (!day.isValid) throw AppError.invalid(`Invalid date ${date}`, [{ path: ['date'], message: 'expected YYYY-MM-DD' }]);
    return { ...localDay(day), future: day.startOf('day') > now };
  }

  /** Seconds per activity code (every code) of one machine over [from, to), clipped to now. */
  async activityDurations(machineId: number, from: Date, to: Date): Promise<{ activityCodeId: number; seconds: number }[]> {
    await this.repos.machines.get(machineId); // 404 for an unknown machine
    const end = new Date(Math.max(from.getTime(), Math.min(to.getTime(), this.clock.now().getTime())));
    return this.repos.oeeData.activityDurations(machineId, from, end);
  }

  // --- invalidation

  /** The machine's history changed from `from` on (null: all of it). Resolves once the stored hours are gone. */
  async invalidateMachine(machineId: number, from: Date | null): Promise<void> {
    this.note({ machineId, from, jobId: null });
    await this.settle();
  }

  /** The pattern's planned time changed: every machine using it starts over. */
  async invalidateShiftPattern(shiftPatternId: number): Promise<void> {
    this.noteShiftPattern(shiftPatternId);
    await this.settle();
  }

  /** Time zone, micro-stop threshold or a category changed: nothing stored is valid. */
  async invalidateAll(): Promise<void> {
    this.noteAll();
    await this.settle();
  }

  private onChange(change: CommittedChange): void {
    switch (change.kind) {
      case 'timeline':
        this.note({ machineId: change.machineId, from: new Date(change.from), jobId: null });
        break;
      case 'machine-state':
        // A live event closes the previous interval at `since` without re-projecting the timeline.
        this.note({ machineId: change.machineId, from: new Date(change.since), jobId: null });
        break;
      case 'production':
        this.note({ machineId: change.machineId, from: new Date(change.from), jobId: null });
        break;
      case 'job':
        this.note({ machineId: change.machineId, from: null, jobId: change.jobId });
        break;
      case 'setup':
        if (change.entity === 'site' || change.entity === 'activity-code') this.noteAll();
        else if (change.entity === 'shift-pattern' && change.id !== null) this.noteShiftPattern(change.id);
        else if (change.entity === 'machine' && change.id !== null) this.note({ machineId: change.id, from: null, jobId: null });
        else return;
        break;
      default:
        return;
    }
    this.settle().catch(() => undefined); // failures are logged and retried by `settle`
  }

  private note(change: RollupInvalidation): void {
    // A job change applies from the job's start, which only the database knows: guard all of it.
    const cutMs = change.from === null ? FOREVER : change.from.getTime() - MAX_MICRO_STOP_MS;
    const redo = () => this.pending.push(change);
    this.remember(change.machineId, cutMs, redo);
    redo();
  }

  private noteShiftPattern(id: number): void {
    const redo = () => this.pendingPatterns.add(id);
    this.remember(null, FOREVER, redo);
    redo();
  }

  private noteAll(): void {
    const redo = () => (this.pendingAll = true);
    this.remember(null, FOREVER, redo);
    redo();
  }

  private remember(machineId: number | null, cutMs: number, redo: () => void): void {
    this.seq += 1;
    if (this.running.size > 0) this.guard.push({ seq: this.seq, machineId, cutMs, redo });
  }

  /** Runs the pending deletes (one statement per batch) until none are left. */
  private async settle(): Promise<void> {
    while (this.flushing || this.pending.length > 0 || this.pendingPatterns.size > 0 || this.pendingAll) {
      if (!this.flushing) this.flushing = this.flushOnce().finally(() => (this.flushing = null));
      await this.flushing;
    }
  }

  private async flushOnce(): Promise<void> {
    const all = this.pendingAll;
    const patterns = [...this.pendingPatterns];
    const changes = this.pending;
    this.pendingAll = false;
    this.pendingPatterns = new Set();
    this.pending = [];
    try {
      if (all) {
        await this.repos.oeeRollups.invalidateAll();
      } else {
        for (const id of patterns) await this.repos.oeeRollups.invalidateShiftPattern(id);
        await this.repos.oeeRollups.invalidate(changes);
      }
    } catch (err) {
      // Keep them: stored hours must not outlive the change. Readers wait for the retry.
      this.pendingAll ||= all;
      for (const id of patterns) this.pendingPatterns.add(id);
      this.pending.unshift(...changes);
      this.logger?.error({ err }, 'could not delete stale OEE roll-ups; retrying');
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = null;
        this.settle().catch(() => undefined);
      }, 1_000).unref();
      throw err;
    }
  }

  private begin(): number {
    this.running.set(this.seq, (this.running.get(this.seq) ?? 0) + 1);
    return this.seq;
  }

  private end(snapshot: number): void {
    const left = (this.running.get(snapshot) ?? 1) - 1;
    if (left > 0) this.running.set(snapshot, left);
    else this.running.delete(snapshot);
    const oldest = Math.min(...this.running.keys());
    this.guard = this.running.size === 0 ? [] : this.guard.filter((g) => g.seq > oldest);
  }

  /** Whether a row ending at `to`, computed from data read after `snapshot`, may still be stored. */
  private storable(snapshot: number, machineId: number, to: number): boolean {
    return !this.guard.some((g) => g.seq > snapshot && (g.machineId === null || g.machineId === machineId) && to > g.cutMs);
  }

  /**
   * Stores rows. A change published while they were being written may have had its delete run
   * before they were visible to it: such changes are deleted again.
   */
  private async store(rows: StoredRollup[]): Promise<void> {
    if (rows.length === 0) return;
    const before = this.seq;
    await this.repos.oeeRollups.store(rows);
    const late = this.guard.filter(
      (g) => g.seq > before && rows.some((r) => (g.machineId === null || g.machineId === r.machineId) && r.start.getTime() + r.hours * HOUR_MS > g.cutMs),
    );
    if (late.length === 0) return;
    for (const g of late) g.redo();
    await this.settle();
  }

  // --- the calculation

  /**
   * Elements of every machine of the context over [from, to) (`whole`, by machine index) and, with
   * a bucket kind, of all machines together over each bucket.
   */
  private async compute(context: OeeContext, from: Date, to: Date, bucket?: OeeBucket): Promise<{ whole: OeeElements[]; buckets?: { range: TimeRange; elements: OeeElements }[] }> {
    const bucketList = bucket ? bucketsOf(bucket, context, from, to) : [];
    const snapshot = this.begin();
    try {
      const slots = await this.elements(context, { from, to }, bucketList, snapshot);
      const count = context.machines.length;
      return {
        whole: slots.slice(0, count),
        ...(bucket ? { buckets: bucketList.map((range, b) => ({ range, elements: slots[count + b]! })) } : {}),
      };
    } finally {
      this.end(snapshot);
    }
  }

  /**
   * The elements of each "slot": slots 0..M-1 are the machines over the whole window, slot M + b is
   * all machines together over bucket b. Per machine and range, the whole closed hours come from
   * stored rows (whole local days from day rows, other hours from hour rows), the rest is raw.
   */
  private async elements(context: OeeContext, window: TimeRange, buckets: TimeRange[], snapshot: number): Promise<OeeElements[]> {
    const now = this.clock.now().getTime();
    const machines = context.machines;
    const M = machines.length;
    const parts: OeeElements[][] = Array.from({ length: M + buckets.length }, () => []);
    const grid = hourGrid(context.timezone, now);
    const raw = Math.min(window.to.getTime(), now) - window.from.getTime() <= this.rawMaxMs;
    // Hours before a machine's first data are all zero: nothing there is computed or stored.
    const firstHour = machines.map((m) => (m.firstDataAt === null ? null : grid.floor(m.firstDataAt.getTime())));
    const tasks = new TaskList();
    const pieces: Piece[] = [];
    const calendars: (RangeCalendar | null)[] = [];

    [window, ...buckets].forEach((range, r) => {
      const to = Math.min(range.to.getTime(), now);
      const h1 = grid.ceil(range.from.getTime());
      const h2 = grid.floor(to);
      const calendar = raw || h1 >= h2 ? null : calendarOf(h1, h2, context.timezone, grid);
      calendars.push(calendar);
      machines.forEach((_, m) => {
        if (firstHour[m] === null) return;
        const slot = r === 0 ? m : M + r - 1;
        const from = Math.max(range.from.getTime(), firstHour[m]!);
        if (from >= to) return;
        const hoursFrom = grid.ceil(from);
        if (!calendar || hoursFrom >= h2) {
          tasks.add(m, from, to, [slot]);
          return;
        }
        if (from < hoursFrom) tasks.add(m, from, hoursFrom, [slot]);
        if (h2 < to) tasks.add(m, h2, to, [slot]);
        // Days ending after the machine's first hour: the day holding it is stored from that hour on.
        pieces.push({ slot, machine: m, calendar, firstDay: lowerBound(calendar.days.map((d) => d.to), hoursFrom + 1), from: hoursFrom, to: h2 });
      });
    });

    const builds: DayBuild[] = [];
    if (pieces.length > 0) {
      await this.settle();
      await this.repos.oeeRollups.read((reader) => this.readStored(reader, context, calendars, pieces, firstHour, tasks, builds, parts));
    }
    await this.run(context, tasks.list(), builds, parts, snapshot, now);
    return parts.map((list) => (list.length === 1 ? list[0]! : sumElements(list)));
  }

  /**
   * Adds the sums of the stored rows to `parts`; for every day or hour that is not stored yet, adds
   * the tasks (and day builds) that compute and store it.
   */
  private async readStored(
    reader: RollupReader,
    context: OeeContext,
    calendars: (RangeCalendar | null)[],
    pieces: Piece[],
    firstHour: (number | null)[],
    tasks: TaskList,
    builds: DayBuild[],
    parts: OeeElements[][],
  ): Promise<void> {
    const machines = context.machines;
    const M = machines.length;
    const ids = machines.flatMap((m) => (m.firstDataAt === null ? [] : [m.id]));
    const indexOf = new Map(machines.map((m, i) => [m.id, i]));
    const found = { day: new Map<number, number>(), hour: new Map<number, number>() };
    const add = (level: RollupLevel, slot: number, sum: RollupSum) => {
      parts[slot]!.push(sum.elements);
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
    const storedDays = await reader.starts([...new Set(dayPieces.map((p) => machines[p.machine]!.id))], toRange(spanOfPieces(dayPieces, 'day')), 'day');
    const byKey = new Map<string, DayBuild>();
    for (const p of dayPieces) {
      const have = storedDays.get(machines[p.machine]!.id)!;
      for (const day of p.calendar.days.slice(p.firstDay)) {
        if (have.has(day.from)) continue;
        const key = `${p.machine}|${day.from}`;
        let build = byKey.get(key);
        if (!build) {
          build = { machine: p.machine, start: day.from, end: day.to, from: Math.max(day.from, firstHour[p.machine]!), slots: [], parts: [], storable: true };
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
    const storedHours = await reader.starts(hourMachines.map((m) => machines[m]!.id), toRange(hourSpan), 'hour');

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
    const sums = await reader.pieceSums(partly.map((b) => ({ machineId: machines[b.machine]!.id, from: new Date(b.from), to: new Date(b.end) })));
    for (const sum of sums) {
      const build = partly[sum.key]!;
      build.parts.push(sum.elements);
      for (const slot of build.slots) parts[slot]!.push(sum.elements);
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

  /**
   * Computes the tasks from the raw history, loading it in windows (all machines of a window in one
   * go), adds the results to `parts`, and stores the whole hours, then the days they complete.
   */
  private async run(context: OeeContext, tasks: Task[], builds: DayBuild[], parts: OeeElements[][], snapshot: number, now: number): Promise<void> {
    if (tasks.length > 0) {
      const windows = loadWindows(tasks);
      const load = (w: LoadWindow) =>
        this.repos.oeeData.history(
          [...w.machines].map((m) => context.machines[m]!.id),
          new Date(w.from),
          new Date(w.to),
        );
      let next = load(windows[0]!);
      for (let i = 0; i < windows.length; i++) {
        const window = windows[i]!;
        const history = await next;
        // Load the next window while this one is computed.
        if (i + 1 < windows.length) next = load(windows[i + 1]!);
        const byMachine = new Map<number, PreparedHistory>();
        const rows: StoredRollup[] = [];
        for (const task of window.tasks) {
          const machine = context.machines[task.machine]!;
          let prepared = byMachine.get(task.machine);
          if (!prepared) {
            prepared = prepare(history.get(machine.id)!, machine, context.timezone, window.from, window.to);
            byMachine.set(task.machine, prepared);
          }
          const elements = computeElements({
            from: new Date(task.from),
            to: new Date(task.to),
            now: new Date(now),
            ...prepared.slice(task.from, task.to),
            microStopSeconds: context.microStopSeconds,
          });
          for (const slot of task.slots) parts[slot]!.push(elements);
          task.day?.parts.push(elements);
          if (!task.hour) continue;
          if (this.storable(snapshot, machine.id, task.to)) rows.push({ machineId: machine.id, start: new Date(task.from), hours: 1, elements });
          else if (task.day) task.day.storable = false;
        }
        await this.store(rows);
      }
    }
    const days: StoredRollup[] = [];
    for (const b of builds) {
      const machineId = context.machines[b.machine]!.id;
      if (b.storable && this.storable(snapshot, machineId, b.end)) {
        days.push({ machineId, start: new Date(b.start), hours: Math.round((b.end - b.start) / HOUR_MS), elements: sumElements(b.parts) });
      }
    }
    await this.store(days);
  }
}

// --- helpers

interface HourGrid {
  offsetMs: number;
  floor(ms: number): number;
  ceil(ms: number): number;
}

/**
 * The clock hours stored hours are cut on: UTC hours shifted by the zone's standard offset modulo an
 * hour (0 almost everywhere, 30 min in India, 45 min in Nepal), so local hours, days and weeks are
 * whole stored hours. Fixed per zone, so the grid never moves over a DST change.
 */
function hourGrid(timezone: string, now: number): HourGrid {
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

/** Bucket ranges of the request, refused (400) beyond MAX_OEE_BUCKETS before they are all built. */
function bucketsOf(kind: OeeBucket, context: OeeContext, from: Date, to: Date): TimeRange[] {
  const span = to.getTime() - from.getTime();
  // Shortest possible bucket of each kind (a DST day is 23 h); shifts are counted once built.
  const shortest = { hour: HOUR_MS, day: 23 * HOUR_MS, week: 167 * HOUR_MS, shift: 60_000 }[kind];
  const tooMany = () =>
    AppError.invalid(`Too many buckets: at most ${MAX_OEE_BUCKETS} per request; use a larger bucket or a shorter window`, [
      { path: ['bucket'], message: `more than ${MAX_OEE_BUCKETS} buckets` },
    ]);
  if (kind !== 'shift' && span / shortest > MAX_OEE_BUCKETS + 2) throw tooMany();
  if (kind === 'shift' && span > MAX_OEE_BUCKETS * 86_400_000) throw tooMany();
  let ranges: TimeRange[];
  if (kind !== 'shift') {
    ranges = bucketRanges(kind, from, to, context.timezone, null);
  } else {
    // Each pattern's shifts (24/7 machines: days), once per distinct range.
    const patterns = new Map(context.machines.map((m) => [m.shiftPatternId, m.pattern]));
    const seen = new Map<string, TimeRange>();
    for (const pattern of patterns.values()) {
      for (const r of bucketRanges('shift', from, to, context.timezone, pattern)) seen.set(`${r.from.getTime()}|${r.to.getTime()}`, r);
      if (seen.size > MAX_OEE_BUCKETS) throw tooMany();
    }
    ranges = [...seen.values()].sort((a, b) => a.from.getTime() - b.from.getTime() || a.to.getTime() - b.to.getTime());
  }
  if (ranges.length > MAX_OEE_BUCKETS) throw tooMany();
  return ranges;
}

/**
 * The whole local days inside [from, to) (both ends on the hour grid, so a day row is a sum of hour
 * rows) and the hours outside them.
 */
function calendarOf(from: number, to: number, timezone: string, grid: HourGrid): RangeCalendar {
  const isMidnight = (ms: number) => DateTime.fromMillis(ms, { zone: timezone }).startOf('day').toMillis() === ms;
  const days =
    to - from < 23 * HOUR_MS
      ? []
      : bucketRanges('day', new Date(from), new Date(to), timezone, null)
          .map((d) => ({ from: d.from.getTime(), to: d.to.getTime() }))
          .filter((d, i, all) => (i > 0 || isMidnight(d.from)) && (i < all.length - 1 || isMidnight(d.to)) && grid.floor(d.from) === d.from && grid.floor(d.to) === d.to);
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
function runsOf(spans: Span[], gap: number): Span[] {
  const runs: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.from - b.from)) {
    const last = runs[runs.length - 1];
    if (last && s.from - last.to <= gap) last.to = Math.max(last.to, s.to);
    else runs.push({ ...s });
  }
  return runs;
}

function spanOf(spans: Span[]): TimeRange | null {
  return spans.length === 0 ? null : { from: new Date(spans[0]!.from), to: new Date(spans[spans.length - 1]!.to) };
}

/** The span covering the days (or hours) of the pieces. */
function spanOfPieces(pieces: Piece[], level: RollupLevel): Span {
  const span = { from: Infinity, to: -Infinity };
  for (const p of pieces) {
    for (const s of level === 'day' ? p.calendar.days.slice(p.firstDay) : p.calendar.hours) {
      span.from = Math.min(span.from, Math.max(s.from, level === 'day' ? s.from : p.from));
      span.to = Math.max(span.to, s.to);
    }
  }
  return span;
}

function toRange(span: Span): TimeRange {
  return { from: new Date(span.from), to: new Date(span.to) };
}

function currentShift(machine: OeeMachine, timezone: string, now: Date): TimeRange | null {
  if (machine.pattern === null) return null;
  const shifts = plannedShifts(machine.pattern, timezone, new Date(now.getTime() - 7 * 86_400_000), new Date(now.getTime() + 1));
  const current = shifts.filter((s) => s.start <= now && s.end > now).at(-1) ?? shifts.filter((s) => s.end <= now).at(-1);
  return current ? { from: current.start, to: current.end } : null;
}

/** The local day holding `at`, midnight to midnight (23 or 25 h on DST days). */
function localDay(at: DateTime): TimeRange {
  const day = at.startOf('day');
  return { from: day.toJSDate(), to: day.plus({ days: 1 }).startOf('day').toJSDate() };
}

interface LoadWindow {
  from: number;
  to: number;
  machines: Set<number>;
  tasks: Task[];
}

/** Groups tasks (sorted by time) into windows of nearby tasks, each loaded once for all its machines. */
function loadWindows(tasks: Task[]): LoadWindow[] {
  const sorted = [...tasks].sort((a, b) => a.from - b.from || a.machine - b.machine);
  const windows: LoadWindow[] = [];
  let current: LoadWindow | null = null;
  for (const task of sorted) {
    if (!current || task.from - current.to > LOAD_GAP_MS || Math.max(current.to, task.to) - current.from > LOAD_WINDOW_MS) {
      current = { from: task.from, to: task.to, machines: new Set(), tasks: [] };
      windows.push(current);
    }
    current.to = Math.max(current.to, task.to);
    current.machines.add(task.machine);
    current.tasks.push(task);
  }
  return windows;
}

interface PreparedHistory {
  slice(from: number, to: number): Pick<Parameters<typeof computeElements>[0], 'intervals' | 'plannedWindows' | 'jobs' | 'production'>;
}

/**
 * One machine's history of a load window, ready to be cut into the inputs of `computeElements` for
 * any [from, to) inside it: the intervals overlapping it plus one neighbour each side, and planned
 * windows covering its planning span (core/oee's contract).
 */
function prepare(history: MachineHistory, machine: OeeMachine, timezone: string, windowFrom: number, windowTo: number): PreparedHistory {
  const intervals = history.intervals;
  const ends = intervals.map((iv) => (iv.end === null ? Infinity : iv.end.getTime()));
  const starts = intervals.map((iv) => iv.start.getTime());
  const spanFrom = Math.min(windowFrom, starts[0] ?? windowFrom);
  const planned: PlannedWindow[] = plannedWindows(machine.pattern, timezone, new Date(spanFrom), new Date(windowTo));
  const plannedEnds = planned.map((p) => p.end.getTime());
  return {
    slice(from, to) {
      // Intervals tile, so both starts and ends are sorted.
      const first = Math.max(0, lowerBound(ends, from + 1) - 1); // one before the first ending after `from`
      const last = Math.min(intervals.length, lowerBound(starts, to) + 1); // one after the last starting before `to`
      const slice: StateInterval[] = intervals.slice(first, last);
      const sliceFrom = Math.min(from, slice[0]?.start.getTime() ?? from);
      const p0 = lowerBound(plannedEnds, sliceFrom + 1);
      let p1 = p0;
      while (p1 < planned.length && planned[p1]!.start.getTime() < to) p1++;
      return { intervals: slice, plannedWindows: planned.slice(p0, p1), jobs: history.jobs, production: history.production };
    },
  };
}

/** First index whose value is >= `value` in an ascending array. */
function lowerBound(values: number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

