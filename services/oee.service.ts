import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { bucketRanges, plannedShifts, plannedWindows, type TimeRange } from '../core/calendar/index.js';
import { AppError } from '../core/errors.js';
import { computeElements, deriveRatios, legacyActivityDurations, sumElements, type OeeElements, type OeeResult } from '../core/oee/index.js';
import { MAX_OEE_BUCKETS, type OeeBucket } from '../core/schemas/oee.schema.js';
import { BUILT_IN_CODES } from '../core/state/built-in-codes.js';
import type { ChangeFeed, CommittedChange } from './change-feed.js';
import type { MachineHistory, OeeContext, OeeMachine } from '../db/repositories/oee-data.repository.js';
import { HOUR_MS, type RollupInvalidation, type RollupLevel, type RollupReader, type RollupSum, type StoredRollup } from '../db/repositories/oee-rollup.repository.js';
import type { Repositories } from '../db/repositories/index.js';
import {
  calendarOf,
  hourGrid,
  loadWindows,
  lowerBound,
  prepare,
  runsOf,
  spanOf,
  spanOfPieces,
  TaskList,
  toRange,
  type DayBuild,
  type LoadWindow,
  type Piece,
  type PreparedHistory,
  type RangeCalendar,
  type Span,
  type Task,
} from './oee-windows.js';

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
/** Deletes asked for by the change feed wait this long for company. */
const FEED_FLUSH_MS = 50;

type Rows = Pick<Repositories, 'oeeData' | 'oeeRollups' | 'machines' | 'groups' | 'site'>;

/** How one request is computed. */
interface ComputeOptions {
  /** Its "now", fixed for the whole request. */
  now: number;
  /** Windows up to this long are computed raw. */
  rawMaxMs: number;
  /** History of some machines over [from, to), loaded ahead (a short window's only load). */
  prefetched?: { machineIds: number[]; from: number; to: number; history: Promise<Map<number, MachineHistory>> };
}

/**
 * OEE results for a machine, a group or the whole site, over any window, with optional buckets
 * (docs/oee.md, docs/api.md "Results"). The maths is core/oee's: this service loads the inputs, cuts the
 * windows, and keeps the per-machine stored elements (`oee_hourly`) that make long windows cheap.
 *
 * Roll-ups: per machine, a window is cut into whole closed local days (day rows), other whole
 * closed clock hours (hour rows) and the partial hours at its edges (always computed raw). Rows not
 * stored yet are computed raw and stored (a missing day from its hours). Elements are additive
 * when each computation gets one neighbouring interval on each side (core/oee), so the sum is the
 * raw calculation's (up to float rounding). Machines → group → site and hours → days → buckets sum
 * ELEMENTS, then divide once (`deriveRatios`). Windows up to `rawMaxSeconds` are computed raw.
 *
 * Invalidation: after a commit that changes a machine's history the change feed says so, and the
 * rows from the change on are deleted (OeeRollupRepository.invalidate). Deletes are batched, and a
 * read of stored rows first runs the pending ones. A computation that overlapped a change does not
 * store rows the change may have touched (the `guard`), and a change published while rows were
 * being written is deleted again afterwards. Set-up edits that change planned time, categories or
 * site settings call `invalidateShiftPattern`, `invalidateMachine` or `invalidateAll`.
 *
 * Several instances: the change feed carries every instance's changes to every other (the cluster
 * channel), and each handles them as its own: its guard keeps a computation that overlapped a
 * change on another instance from storing what it touched, and its delete runs again (cheap, and
 * it catches rows stored between the other instance's delete and the message). When messages may
 * have been missed (the channel reconnected), computations running then store nothing.
 *
 * Limits: a crash between a commit and its delete (or its message) leaves those rows stale until
 * something deletes them (`invalidateMachine`, a set-up change, the verifier). Deleting in the
 * writer's own transaction would close that gap.
 */
export class OeeService {
  private readonly rawMaxMs: number;
  private pending: RollupInvalidation[] = [];
  private pendingPatterns = new Set<number>();
  private pendingAll = false;
  private flushing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  /** The last `since` seen per machine on the feed. */
  private readonly since = new Map<number, string>();
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

  /**
   * Keeps the stored hours current from the change feed: this instance's changes and the other
   * instances' (their deletes reach the shared table too, but this instance's guard must hear of
   * them, or a computation it runs meanwhile stores hours the change made stale). Returns the
   * unsubscribe function.
   */
  listen(feed: ChangeFeed): () => void {
    const unsubscribe = feed.subscribe((change) => this.onChange(change), { remote: true });
    const offGap = feed.onGap(() => this.remember(null, FOREVER, () => undefined));
    return () => {
      unsubscribe();
      offGap();
    };
  }

  // --- results

  /** One machine over [from, to) (`to` is clipped to now by the calculation), optionally bucketed. */
  async machineOee(machineId: number, from: Date, to: Date, bucket?: OeeBucket): Promise<BucketedResult> {
    const options = this.options();
    // A short window is computed from its raw history alone: load it while the context is read.
    const end = Math.min(to.getTime(), options.now);
    if (end > from.getTime() && end - from.getTime() <= options.rawMaxMs) {
      const history = this.repos.oeeData.history([machineId], from, new Date(end));
      history.catch(() => undefined); // a failure surfaces where it is used
      options.prefetched = { machineIds: [machineId], from: from.getTime(), to: end, history };
    }
    const context = await this.repos.oeeData.context({ machineId });
    if (context.machines.length === 0) throw AppError.notFound(`Machine ${machineId}`);
    const { whole, buckets } = await this.compute(context, from, to, bucket, options);
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
    const { whole, buckets } = await this.compute(context, from, to, bucket, this.options());
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
    const { whole } = await this.compute(context, range.from, range.to, undefined, { ...this.options(), now: now.getTime() });
    return deriveRatios(whole[0]!, range.from, range.to);
  }

  /**
   * Computes and stores every closed hour and local day of every machine in [from, to) that is not
   * stored yet (for a scheduled job, so the first long query after a quiet night finds them).
   */
  async storeClosed(from: Date, to: Date): Promise<void> {
    const context = await this.repos.oeeData.context({});
    await this.compute(context, from, to, undefined, { ...this.options(), rawMaxMs: 0 });
  }

  /** The local day [00:00, next 00:00) of `date` (YYYY-MM-DD) in the site time zone, and whether it is in the future. */
  async siteDay(date: string | undefined): Promise<{ from: Date; to: Date; future: boolean }> {
    const { timezone } = await this.repos.site.get();
    const now = DateTime.fromJSDate(this.clock.now(), { zone: timezone });
    const day = date === undefined ? now : DateTime.fromISO(date, { zone: timezone });
    if (!day.isValid) throw AppError.invalid(`Invalid date ${date}`, [{ path: ['date'], message: 'expected YYYY-MM-DD' }]);
    return { ...localDay(day), future: day.startOf('day') > now };
  }

  /**
   * Seconds per activity code (every code) of one machine over [from, to), clipped to now, as
   * DigitME2 counted them: running time outside planned time under Overtime (legacyActivityDurations).
   */
  async activityDurations(machineId: number, from: Date, to: Date): Promise<{ activityCodeId: number; seconds: number }[]> {
    const context = await this.repos.oeeData.context({ machineId });
    const machine = context.machines[0];
    if (!machine) throw AppError.notFound(`Machine ${machineId}`);
    const end = new Date(Math.max(from.getTime(), Math.min(to.getTime(), this.clock.now().getTime())));
    const [history, codeIds] = await Promise.all([this.repos.oeeData.history([machineId], from, end), this.repos.oeeData.activityCodeIds()]);
    return legacyActivityDurations({
      intervals: history.get(machineId)!.intervals,
      planned: plannedWindows(machine.pattern, context.timezone, from, end),
      from,
      to: end,
      codeIds,
      upCodeId: BUILT_IN_CODES.up,
      overtimeCodeId: BUILT_IN_CODES.overtime,
    });
  }

  // --- invalidation

  /** The machine's history changed from `from` on (null: all of it). Resolves once the stored hours are gone. */
  /** Runs the pending deletes the change feed asked for: for readers of stored rows outside this service (the verifier). */
  flushInvalidations(): Promise<void> {
    return this.settle();
  }

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
        // The same `since` again means the state did not change: nothing to delete.
        if (this.since.get(change.machineId) === change.since) return;
        this.since.set(change.machineId, change.since);
        this.note({ machineId: change.machineId, from: new Date(change.since), jobId: null });
        break;
      case 'production':
        this.note({ machineId: change.machineId, from: new Date(change.from), jobId: null });
        break;
      case 'job':
        this.note({ machineId: change.machineId, from: null, jobId: change.jobId });
        break;
      case 'setup':
        // Set-up changes do not say what changed. A pattern or the site settings change planned
        // time, the grid or the micro-stop rule; machine and code edits mostly do not (a rename, a
        // colour), so the set-up routes call invalidateMachine / invalidateAll when they do.
        if (change.entity === 'site') this.noteAll();
        else if (change.entity === 'shift-pattern' && change.id !== null) this.noteShiftPattern(change.id);
        else return;
        break;
      default:
        return;
    }
    // Deletes from the feed are batched (a busy site publishes thousands of changes a second);
    // readers of stored rows run the pending ones first, so nobody reads what a change touched.
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.settle().catch(() => undefined); // failures are logged and retried by `flushOnce`
    }, FEED_FLUSH_MS).unref();
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
  private options(): ComputeOptions {
    return { now: this.clock.now().getTime(), rawMaxMs: this.rawMaxMs };
  }

  private async compute(
    context: OeeContext,
    from: Date,
    to: Date,
    bucket: OeeBucket | undefined,
    options: ComputeOptions,
  ): Promise<{ whole: OeeElements[]; buckets?: { range: TimeRange; elements: OeeElements }[] }> {
    const bucketList = bucket ? bucketsOf(bucket, context, from, to) : [];
    const snapshot = this.begin();
    try {
      const slots = await this.elements(context, { from, to }, bucketList, snapshot, options);
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
  private async elements(context: OeeContext, window: TimeRange, buckets: TimeRange[], snapshot: number, options: ComputeOptions): Promise<OeeElements[]> {
    const { now, rawMaxMs } = options;
    const machines = context.machines;
    const M = machines.length;
    const parts: OeeElements[][] = Array.from({ length: M + buckets.length }, () => []);
    const grid = hourGrid(context.timezone, now);
    const raw = Math.min(window.to.getTime(), now) - window.from.getTime() <= rawMaxMs;
    // Hours before a machine's first data are all zero: nothing there is computed or stored.
    const firstHour = machines.map((m) => (m.firstDataAt === null ? null : grid.floor(m.firstDataAt.getTime())));
    // Ranges are cut into days and hours from the earliest data on (a window from year 1 is fine).
    const earliest = Math.min(...firstHour.map((h) => h ?? Infinity));
    const tasks = new TaskList();
    const pieces: Piece[] = [];
    const calendars: (RangeCalendar | null)[] = [];

    [window, ...buckets].forEach((range, r) => {
      const to = Math.min(range.to.getTime(), now);
      const h1 = grid.ceil(Math.max(range.from.getTime(), earliest));
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
    await this.run(context, tasks.list(), builds, parts, snapshot, options);
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
  private async run(context: OeeContext, tasks: Task[], builds: DayBuild[], parts: OeeElements[][], snapshot: number, options: ComputeOptions): Promise<void> {
    const { now, prefetched } = options;
    if (tasks.length > 0) {
      const windows = loadWindows(tasks);
      const load = (w: LoadWindow) => {
        const ids = [...w.machines].map((m) => context.machines[m]!.id);
        // History loaded over a range holding the window serves it: slices take what they need.
        if (prefetched && prefetched.from <= w.from && w.to <= prefetched.to && ids.every((id) => prefetched.machineIds.includes(id))) return prefetched.history;
        return this.repos.oeeData.history(ids, new Date(w.from), new Date(w.to));
      };
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
