import type { Clock } from '../../core/clock.js';
import type { TimeRange } from '../../core/calendar/index.js';
import { computeWindowElements, ElementsSum, type OeeElements } from '../../core/oee/index.js';
import type { MachineHistory, OeeContext, ShortWindowHistory } from '../../db/repositories/oee-data.repository.js';
import { HOUR_MS, RollupRows } from '../../db/repositories/oee-rollup.repository.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { OeeInvalidation } from './invalidation.js';
import type { RollupWriter } from './rollup-writer.js';
import type { StaleGuard } from './stale-guard.js';
import { readStored, type RequestPlan } from './stored-rollups.js';
import { calendarOf, hourGrid, loadWindows, lowerBound, prepare, TaskList, type LoadWindow, type PlannedCache } from './windows.js';

/** Load windows asked for ahead of the one being computed. */
const LOADS_AHEAD = 2;

/** How one request is computed. */
export interface ComputeOptions {
  /** Its "now", fixed for the whole request. */
  now: number;
  /** Windows up to this long are computed raw... */
  rawMaxMs: number;
  /**
   * ...for the machines with fewer intervals than this starting in the window; a denser machine's
   * closed hours come from the stored rows (null: every short window raw).
   */
  rawMaxIntervals: number | null;
  /** A short window's history, loaded ahead (`OeeDataRepository.shortWindow` over [from, to)). */
  prefetched?: { machineIds: number[]; from: number; to: number; load: Promise<ShortWindowHistory> };
}

/**
 * The per-machine stored elements (`oee_hourly`) that make long windows cheap, and the planning
 * around them (docs/oee.md#roll-ups-stored-hours-and-days). Per machine, a window is cut into whole
 * closed local days (day rows), other whole closed clock hours (hour rows) and the partial hours at
 * its edges (always computed raw). Rows not stored yet are computed raw and handed to the
 * RollupWriter, which stores them after the answer (a missing day
 * from its hours). Elements are additive when each computation gets one neighbouring interval on
 * each side (core/oee), so the sum is the raw calculation's (up to float rounding). Windows up to
 * `rawMaxMs` are computed raw. A row is stored only when no change heard since the computation
 * started touched it (StaleGuard); the change feed's deletes are in OeeInvalidation.
 */
export class OeeRollups {
  constructor(
    private readonly repos: Pick<Repositories, 'oeeData' | 'oeeRollups'>,
    private readonly clock: Clock,
    private readonly guard: StaleGuard,
    private readonly invalidation: Pick<OeeInvalidation, 'flush'>,
    private readonly writer: Pick<RollupWriter, 'submit' | 'flush'>,
  ) {}

  /**
   * Computes and stores every closed hour and local day of every machine in [from, to) that is not
   * stored yet (for a scheduled job, so the first long query after a quiet night finds them);
   * resolves once the writer has written them.
   */
  async storeClosed(from: Date, to: Date): Promise<void> {
    const context = await this.repos.oeeData.context({});
    await this.elements(context, { from, to }, [], { now: this.clock.now().getTime(), rawMaxMs: 0, rawMaxIntervals: null });
    await this.writer.flush();
  }

  /**
   * The elements of each "slot": slots 0..M-1 are the machines over the whole window, slot M + b is
   * all machines together over bucket b. Per machine and range, the whole closed hours come from
   * stored rows (whole local days from day rows, other hours from hour rows), the rest is raw.
   */
  async elements(context: OeeContext, window: TimeRange, buckets: TimeRange[], options: ComputeOptions): Promise<OeeElements[]> {
    const snapshot = this.guard.begin();
    try {
      const { now, rawMaxMs } = options;
      const machines = context.machines;
      const M = machines.length;
      const grid = hourGrid(context.timezone, now);
      const end = Math.min(window.to.getTime(), now);
      const short = end - window.from.getTime() <= rawMaxMs;
      // A short window is raw, except for dense machines (their history probed, or read, in one query).
      let dense = new Set<number>();
      if (short && end > window.from.getTime()) {
        const ids = machines.map((m) => m.id);
        options.prefetched ??= {
          machineIds: ids,
          from: window.from.getTime(),
          to: end,
          load: this.repos.oeeData.shortWindow(ids, window.from, new Date(end), options.rawMaxIntervals),
        };
        dense = (await options.prefetched.load).dense;
      }
      const raw = (m: number) => short && !dense.has(machines[m]!.id);
      // Hours before a machine's first data are all zero: nothing there is computed or stored.
      const firstHour = machines.map((m) => (m.firstDataAt === null ? null : grid.floor(m.firstDataAt.getTime())));
      // Ranges are cut into days and hours from the earliest data on (a window from year 1 is fine).
      const earliest = Math.min(...firstHour.map((h) => h ?? Infinity));
      const plan: RequestPlan = {
        context,
        calendars: [],
        pieces: [],
        firstHour,
        tasks: new TaskList(),
        builds: [],
        parts: Array.from({ length: M + buckets.length }, () => new ElementsSum()),
      };

      [window, ...buckets].forEach((range, r) => {
        const to = Math.min(range.to.getTime(), now);
        const h1 = grid.ceil(Math.max(range.from.getTime(), earliest));
        const h2 = grid.floor(to);
        const calendar = (short && dense.size === 0) || h1 >= h2 ? null : calendarOf(h1, h2, context.timezone, grid);
        plan.calendars.push(calendar);
        machines.forEach((_, m) => {
          if (firstHour[m] === null) return;
          const slot = r === 0 ? m : M + r - 1;
          const from = Math.max(range.from.getTime(), firstHour[m]!);
          if (from >= to) return;
          const hoursFrom = grid.ceil(from);
          if (!calendar || raw(m) || hoursFrom >= h2) {
            plan.tasks.add(m, from, to, [slot]);
            return;
          }
          if (from < hoursFrom) plan.tasks.add(m, from, hoursFrom, [slot]);
          if (h2 < to) plan.tasks.add(m, h2, to, [slot]);
          // Days ending after the machine's first hour: the day holding it is stored from that hour on.
          plan.pieces.push({
            slot,
            machine: m,
            calendar,
            firstDay: lowerBound(
              calendar.days.map((d) => d.to),
              hoursFrom + 1,
            ),
            from: hoursFrom,
            to: h2,
          });
        });
      });

      if (plan.pieces.length > 0) {
        // Rows still queued are waited for rather than computed again (a window asked for twice in a row).
        await this.writer.flush();
        await this.invalidation.flush();
        await this.repos.oeeRollups.read((reader) => readStored(reader, plan));
      }
      await this.run(plan, snapshot, options);
      return plan.parts.map((sum) => sum.result());
    } finally {
      this.guard.end(snapshot);
    }
  }

  /**
   * Computes the plan's tasks from the raw history, loading it in windows (all machines of a window
   * in one go), adds the results to its parts, and hands the whole hours and the days they complete
   * to the writer.
   */
  private async run(plan: RequestPlan, snapshot: number, options: ComputeOptions): Promise<void> {
    const { context, builds, parts, tasks } = plan;
    const { now, prefetched } = options;
    const rows = new RollupRows();
    if (tasks.length > 0) {
      const windows = loadWindows(tasks);
      const load = (w: LoadWindow) => {
        const ids = [...w.machines].map((m) => context.machines[m]!.id);
        // History loaded over a range holding the window serves it: slices take what they need.
        if (prefetched && prefetched.from <= w.from && w.to <= prefetched.to) {
          const { machineIds } = prefetched;
          return prefetched.load.then(async ({ history, dense }) => {
            // A dense machine's entry there is empty (not read): its stretches are read now.
            const unread = ids.filter((id) => !machineIds.includes(id) || dense.has(id));
            if (unread.length === 0) return history;
            return new Map([...history, ...(await this.repos.oeeData.history(unread, new Date(w.from), new Date(w.to)))]);
          });
        }
        return this.repos.oeeData.history(ids, new Date(w.from), new Date(w.to));
      };
      const plannedCache: PlannedCache = new Map();
      // The next windows load while this one is computed, LOADS_AHEAD queries at a time (the database
      // works on them in parallel). A failed load is reported where it is awaited.
      const pending: Promise<Map<number, MachineHistory>>[] = [];
      const ahead = (i: number) => {
        if (i >= windows.length) return;
        const p = load(windows[i]!);
        p.catch(() => undefined);
        pending.push(p);
      };
      for (let i = 0; i < LOADS_AHEAD; i++) ahead(i);
      for (let i = 0; i < windows.length; i++) {
        const window = windows[i]!;
        const history = await pending.shift()!; // (not kept: a year of history never sits in memory at once)
        ahead(i + LOADS_AHEAD);
        // Per machine, every stretch of the window in one sweep over its history.
        const byMachine = new Map<number, number[]>(); // machine → positions in window.tasks
        window.tasks.forEach((t, i) => {
          const list = byMachine.get(tasks.machine[t]!);
          if (list) list.push(i);
          else byMachine.set(tasks.machine[t]!, [i]);
        });
        const computed: OeeElements[] = new Array<OeeElements>(window.tasks.length);
        for (const [m, list] of byMachine) {
          const machine = context.machines[m]!;
          const prepared = prepare(history.get(machine.id)!, machine, context.timezone, window.from, window.to, plannedCache);
          const results = computeWindowElements({
            intervals: prepared.intervals,
            plannedWindows: prepared.plannedWindows,
            jobs: prepared.jobs,
            production: prepared.production,
            now: new Date(now),
            microStopSeconds: context.microStopSeconds,
            windows: list.map((i) => ({ start: tasks.from[window.tasks[i]!]!, end: tasks.to[window.tasks[i]!]! })),
          });
          list.forEach((i, r) => (computed[i] = results[r]!));
        }
        // Added in task order, so sums over machines add in the same order as ever.
        const storable = this.guard.storableSince(snapshot);
        window.tasks.forEach((t, i) => {
          const machineId = context.machines[tasks.machine[t]!]!.id;
          const elements = computed[i]!;
          for (const slot of tasks.slotsOf(t)) parts[slot]!.add(elements);
          const day = tasks.day[t]!;
          day?.sum.add(elements);
          if (!tasks.hour[t]) return;
          if (storable(machineId, tasks.to[t]!)) rows.push(machineId, tasks.from[t]!, 1, elements);
          else if (day) day.storable = false;
        });
      }
    }
    const storable = this.guard.storableSince(snapshot);
    for (const b of builds) {
      const machineId = context.machines[b.machine]!.id;
      if (b.storable && storable(machineId, b.end)) {
        rows.push(machineId, b.start, Math.round((b.end - b.start) / HOUR_MS), b.sum.result());
      }
    }
    // Stored after the answer, by the writer, and only if no change touches them meanwhile.
    if (rows.length === 0) return;
    this.guard.retain(snapshot);
    this.writer.submit(snapshot, rows);
  }
}
