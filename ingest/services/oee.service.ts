import { DateTime, IANAZone } from 'luxon';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { bucketRanges, plannedShifts, plannedWindows, type PlannedWindow, type TimeRange } from '../../core/calendar/index.js';
import { AppError } from '../../core/errors.js';
import { computeElements, deriveRatios, sumElements, type OeeElements, type OeeResult, type StateInterval } from '../../core/oee/index.js';
import { MAX_OEE_BUCKETS, type OeeBucket } from '../../core/schemas/oee.schema.js';
import type { ChangeFeed, CommittedChange } from '../../db/change-feed.js';
import type { MachineHistory, OeeContext, OeeMachine } from '../../db/repositories/oee-data.repository.js';
import { HOUR_MS, type RollupInvalidation, type RollupReader, type RollupSum, type StoredHour } from '../../db/repositories/oee-rollup.repository.js';
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

/** A stretch [from, to) one machine needs computed from its raw history. `hour`: a whole closed hour, to store. */
interface Task {
  machine: number; // index into the machines of the request
  from: number;
  to: number;
  hour: boolean;
  /** Where its elements go (a stretch may serve the window and a bucket). */
  slots: number[];
}

/** Whole closed hours [from, to) of one machine that one slot takes from the stored hours. */
interface HourPiece {
  slot: number;
  machine: number;
  from: number;
  to: number;
}

/** Tasks, each stretch of each machine once. */
class TaskList {
  private readonly byKey = new Map<string, Task>();

  add(machine: number, from: number, to: number, hour: boolean, slot: number): void {
    const key = `${machine}|${from}|${to}`;
    const task = this.byKey.get(key);
    if (task) {
      task.slots.push(slot);
      task.hour ||= hour;
    } else {
      this.byKey.set(key, { machine, from, to, hour, slots: [slot] });
    }
  }

  list(): Task[] {
    return [...this.byKey.values()];
  }
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
  private guard: { seq: number; machineId: number | null; cutMs: number }[] = [];
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
    this.remember(null, FOREVER);
    this.pendingPatterns.add(shiftPatternId);
    await this.settle();
  }

  /** Time zone, micro-stop threshold or a category changed: nothing stored is valid. */
  async invalidateAll(): Promise<void> {
    this.remember(null, FOREVER);
    this.pendingAll = true;
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
        if (change.entity === 'site' || change.entity === 'activity-code') {
          this.remember(null, FOREVER);
          this.pendingAll = true;
        } else if (change.entity === 'shift-pattern' && change.id !== null) {
          this.remember(null, FOREVER);
          this.pendingPatterns.add(change.id);
        } else if (change.entity === 'machine' && change.id !== null) {
          this.note({ machineId: change.id, from: null, jobId: null });
        } else {
          return;
        }
        break;
      default:
        return;
    }
    this.settle().catch(() => undefined); // failures are logged and retried by `settle`
  }

  private note(change: RollupInvalidation): void {
    // A job change applies from the job's start, which only the database knows: guard all of it.
    const cutMs = change.from === null ? FOREVER : change.from.getTime() - MAX_MICRO_STOP_MS;
    this.remember(change.machineId, cutMs);
    this.pending.push(change);
  }

  private remember(machineId: number | null, cutMs: number): void {
    this.seq += 1;
    if (this.running.size > 0) this.guard.push({ seq: this.seq, machineId, cutMs });
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

  /** Whether an hour computed from data read after `snapshot` may still be stored. */
  private storable(snapshot: number, machineId: number, hourStart: number): boolean {
    return !this.guard.some((g) => g.seq > snapshot && (g.machineId === null || g.machineId === machineId) && hourStart + HOUR_MS > g.cutMs);
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
   * all machines together over bucket b.
   */
  private async elements(context: OeeContext, window: TimeRange, buckets: TimeRange[], snapshot: number): Promise<OeeElements[]> {
    const now = this.clock.now().getTime();
    const machines = context.machines;
    const M = machines.length;
    const parts: OeeElements[][] = Array.from({ length: M + buckets.length }, () => []);
    const grid = hourGrid(context.timezone, now);
    const raw = Math.min(window.to.getTime(), now) - window.from.getTime() <= this.rawMaxMs;
    const first = machines.map((m) => (m.firstDataAt === null ? null : m.firstDataAt.getTime()));
    const tasks = new TaskList();

    // Per machine and range: the whole closed hours come from the stored hours, the rest is raw.
    const ranges = [window, ...buckets];
    const hourPieces: HourPiece[] = [];
    ranges.forEach((range, r) => {
      const to = Math.min(range.to.getTime(), now);
      machines.forEach((_, m) => {
        if (first[m] === null) return; // no data: all zero
        const slot = r === 0 ? m : M + r - 1;
        const from = Math.max(range.from.getTime(), first[m]!);
        if (from >= to) return;
        const h1 = grid.ceil(from);
        const h2 = grid.floor(to);
        if (raw || h1 >= h2) {
          tasks.add(m, from, to, false, slot);
          return;
        }
        if (from < h1) tasks.add(m, from, h1, false, slot);
        if (h2 < to) tasks.add(m, h2, to, false, slot);
        hourPieces.push({ slot, machine: m, from: h1, to: h2 });
      });
    });

    if (hourPieces.length > 0) {
      await this.settle();
      await this.repos.oeeRollups.read((reader) => this.readStored(reader, context, window, buckets, hourPieces, grid, tasks, parts));
    }
    await this.run(context, tasks.list(), parts, snapshot, now);
    return parts.map((list) => (list.length === 1 ? list[0]! : sumElements(list)));
  }

  /**
   * Adds the sums of the stored hours to `parts`, and a task for every whole hour that is not stored
   * yet (computed and stored by `run`).
   */
  private async readStored(
    reader: RollupReader,
    context: OeeContext,
    window: TimeRange,
    buckets: TimeRange[],
    hourPieces: HourPiece[],
    grid: HourGrid,
    tasks: TaskList,
    parts: OeeElements[][],
  ): Promise<void> {
    const machines = context.machines;
    const M = machines.length;
    const rollupMachines = machines.flatMap((m) => (m.firstDataAt === null ? [] : [{ id: m.id, firstHour: new Date(grid.ceil(m.firstDataAt.getTime())) }]));
    const indexOf = new Map(machines.map((m, i) => [m.id, i]));
    const found = new Map<number, number>(); // slot → stored hours found
    const add = (slot: number, sum: RollupSum) => {
      parts[slot]!.push(sum.elements);
      found.set(slot, (found.get(slot) ?? 0) + sum.hours);
    };
    // The window per machine; the buckets over all machines, in layers of buckets that do not overlap.
    for (const sum of await reader.sums(rollupMachines, [window], grid.offsetMs / 1000, true)) add(indexOf.get(sum.machineId!)!, sum);
    for (const layer of layers(buckets)) {
      for (const sum of await reader.sums(rollupMachines, layer.map((b) => buckets[b]!), grid.offsetMs / 1000, false)) add(M + layer[sum.range]!, sum);
    }

    const expected = new Map<number, number>();
    for (const p of hourPieces) expected.set(p.slot, (expected.get(p.slot) ?? 0) + (p.to - p.from) / HOUR_MS);
    const incomplete = hourPieces.filter((p) => (found.get(p.slot) ?? 0) < expected.get(p.slot)!);
    if (incomplete.length === 0) return;
    const ids = [...new Set(incomplete.map((p) => p.machine))];
    const stored = await reader.storedHours(
      ids.map((m) => machines[m]!.id),
      new Date(Math.min(...incomplete.map((p) => p.from))),
      new Date(Math.max(...incomplete.map((p) => p.to))),
    );
    for (const p of incomplete) {
      const have = stored.get(machines[p.machine]!.id)!;
      for (let hour = p.from; hour < p.to; hour += HOUR_MS) {
        if (!have.has(hour)) tasks.add(p.machine, hour, hour + HOUR_MS, true, p.slot);
      }
    }
  }

  /**
   * Computes the tasks from the raw history, loading it in windows (all machines of a window in one
   * go), adds the results to `parts`, and stores the whole hours.
   */
  private async run(context: OeeContext, tasks: Task[], parts: OeeElements[][], snapshot: number, now: number): Promise<void> {
    if (tasks.length === 0) return;
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
      const hours: StoredHour[] = [];
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
        if (task.hour && this.storable(snapshot, machine.id, task.from)) {
          hours.push({ machineId: machine.id, hourStart: new Date(task.from), elements });
        }
      }
      await this.repos.oeeRollups.store(hours);
    }
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

/** Splits sorted buckets into layers of buckets that do not overlap (shift buckets of several patterns may). */
function layers(buckets: TimeRange[]): number[][] {
  const result: { end: number; members: number[] }[] = [];
  buckets.forEach((b, i) => {
    const layer = result.find((l) => l.end <= b.from.getTime());
    if (layer) {
      layer.members.push(i);
      layer.end = b.to.getTime();
    } else {
      result.push({ end: b.to.getTime(), members: [i] });
    }
  });
  return result.map((l) => l.members);
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

