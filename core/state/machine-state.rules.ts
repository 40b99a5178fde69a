import type { ErrorCode } from '../errors.js';
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

export type StateChangeCheck =
  | { ok: true }
  | { ok: false; status: 400 | 409; code: ErrorCode; message: string };

/**
 * A machine never runs without a job. Without an active job, the Up code is refused with 400 (checked first,
 * by id, as the original did) and any other running-category code with 409; every other change is allowed.
 * The same answer for a device, a tablet or a person: callers map it to their transport.
 */
export function checkStateChange(input: {
  code: { id: number; category: Category };
  hasActiveJob: boolean;
  upCodeId: number;
}): StateChangeCheck {
  const { code, hasActiveJob, upCodeId } = input;
  if (hasActiveJob) return { ok: true };
  if (code.id === upCodeId) {
    return { ok: false, status: 400, code: 'invalid_input', message: upWithoutJobMessage };
  }
  if (code.category === 'running') {
    return { ok: false, status: 409, code: 'conflict', message: upWithoutJobMessage };
  }
  return { ok: true };
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
