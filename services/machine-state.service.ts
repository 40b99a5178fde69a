import type { Clock } from '../core/clock.js';
import { isInPlannedTime, type CalendarPattern } from '../core/calendar/index.js';
import type { MachineState } from '../core/schemas/setup.schema.js';
import type { MachineEntity } from '../db/entities/index.js';
import type { CurrentMachineState } from '../db/repositories/machine-state.repository.js';
import type { Repositories } from '../db/repositories/index.js';

/** What a machine does now, from a current-state row or from the `machine-state` change that set it. */
export type MachineNow = Pick<CurrentMachineState, 'activityCodeId' | 'category' | 'since' | 'jobId' | 'operatorId'>;

/**
 * Whether a machine is outside its planned time at `at` (docs/api.md `offShift`). A machine without
 * a shift pattern is planned 24/7 (docs/oee.md), so never off shift. The one place this is decided:
 * HTTP machine reads and the `/live` screens both call it.
 */
export function isOffShift(pattern: CalendarPattern | undefined, timezone: string, at: Date): boolean {
  return !isInPlannedTime(pattern ?? null, timezone, at);
}

/** The `state` of docs/api.md (HTTP machine reads, `/live` snapshots and `machine:state-changed`). */
export function machineState(now: MachineNow | undefined, offShift: boolean): MachineState {
  return {
    activityCodeId: now?.activityCodeId ?? null,
    category: now?.category ?? null,
    since: now?.since ?? null,
    jobId: now?.jobId ?? null,
    operatorId: now?.operatorId ?? null,
    offShift,
  };
}

/** The `state` of docs/api.md's machine reads: current code, job, operator, and whether it is off shift now. */
export class MachineStateService {
  constructor(
    private readonly repos: Repositories,
    private readonly clock: Clock,
  ) {}

  async describe(machines: MachineEntity[]): Promise<MachineState[]> {
    if (machines.length === 0) return [];
    const [states, site, patterns] = await Promise.all([
      this.repos.machineStates.current(machines.map((m) => m.id)),
      this.repos.site.get(),
      this.repos.shiftPatterns.list(),
    ]);
    const patternById = new Map(patterns.map((p) => [p.id, p]));
    const now = this.clock.now();
    return machines.map((m) => {
      const pattern = m.shiftPatternId === null ? undefined : patternById.get(m.shiftPatternId);
      return machineState(states.get(m.id), isOffShift(pattern, site.timezone, now));
    });
  }
}
