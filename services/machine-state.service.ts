import type { Clock } from '../core/clock.js';
import { isInPlannedTime } from '../core/calendar/index.js';
import type { MachineState } from '../core/schemas/setup.schema.js';
import type { MachineEntity } from '../db/entities/index.js';
import type { Repositories } from '../db/repositories/index.js';
import { toMachineState } from './setup.mappers.js';

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
      const pattern = m.shiftPatternId === null ? null : (patternById.get(m.shiftPatternId) ?? null);
      // No pattern = planned 24/7 (docs/oee.md), so never off shift.
      const offShift = pattern !== null && !isInPlannedTime(pattern, site.timezone, now);
      return toMachineState(states.get(m.id), offShift);
    });
  }
}
