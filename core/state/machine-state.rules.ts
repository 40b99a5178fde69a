import type { Category } from '../schemas/setup.schema.js';

/**
 * The machine state rules shared by every path that changes a machine's code: the device API, the
 * tablets (legacy and new), the web app and the scheduler. Pure: callers load the code, the job and the
 * built-in code ids, ask here, and act on the answer.
 */

/** The ids of the built-in codes these rules refer to (seeded as 1 `Up` and 2 `Down`). */
export interface BuiltInCodeIds {
  upCodeId: number;
  downCodeId: number;
}

/** DigitME2's machine states: 1 uptime, 2 unplanned downtime, 3 planned downtime, 4 overtime. */
export type LegacyMachineState = 1 | 2 | 3 | 4;

export function isLegacyMachineState(value: number): value is LegacyMachineState {
  return value === 1 || value === 2 || value === 3 || value === 4;
}

/**
 * `POST /api/machine-state-change` with only `machine_state`: 1 → the Up code, anything else (0, 2, 5, …)
 * → the Down code, as the original did. An `activity_code_id` in the same body wins; that choice is the caller's.
 */
export function legacyStateToCode(machineState: number, codes: BuiltInCodeIds): number {
  return machineState === 1 ? codes.upCodeId : codes.downCodeId;
}

const legacyCategories: Record<LegacyMachineState, Category> = {
  1: 'running',
  2: 'unplanned_stop',
  3: 'planned_shutdown',
  // Overtime is running; whether it lies outside planned time is the calendar's business (docs/oee.md).
  4: 'running',
};

/** The category of a legacy machine state (docs/oee.md "Categories"). */
export function legacyStateCategory(state: LegacyMachineState): Category {
  return legacyCategories[state];
}

export const upWithoutJobMessage = 'Cannot set a machine to up when there is no active job';

export type StateChangeCheck = { ok: true } | { ok: false; status: 409; code: 'conflict'; message: string };

/**
 * A machine never runs without a job. Without an active job, the Up code and every other
 * running-category code are refused: 409 `conflict`, because the request is well formed and only the
 * machine's state (no job) stands against it. The same answer for a device, a tablet, a person or a
 * correction; the DigitME2 route alone answers the Up code with 400 (`legacyRefusalStatus`).
 */
export function checkStateChange(input: {
  code: { id: number; category: Category };
  hasActiveJob: boolean;
  upCodeId: number;
}): StateChangeCheck {
  const { code, hasActiveJob, upCodeId } = input;
  if (hasActiveJob) return { ok: true };
  if (code.id === upCodeId || code.category === 'running') {
    return { ok: false, status: 409, code: 'conflict', message: upWithoutJobMessage };
  }
  return { ok: true };
}

/**
 * The status DigitME2's `POST /api/machine-state-change` gave a code refused for want of a job: it
 * checked the Up code by id first and raised 400, any other uptime code 409 (legacy-api.md).
 */
export function legacyRefusalStatus(activityCodeId: number, upCodeId: number): 400 | 409 {
  return activityCodeId === upCodeId ? 400 : 409;
}

/** Starting a job puts the machine in its job-start code (`machine.jobStartActivityCodeId`, default Up). */
export function codeOnJobStart(jobStartActivityCodeId: number): number {
  return jobStartActivityCodeId;
}

/**
 * Ending a job puts the machine in Down, in or out of shift. The original chose Closed out of shift; here no
 * calendar look-up is needed, because a stop outside planned time counts nowhere (docs/oee.md).
 */
export function codeOnJobEnd(downCodeId: number): number {
  return downCodeId;
}
