/**
 * Shapes of the set-up API (docs/api.md) as the admin pages see them. Types only come from `$core`, so no
 * zod reaches the browser bundle; the value lists below mirror `core/schemas/setup.schema.ts` and are
 * checked against its types with `satisfies`.
 */
import type { Category, JobStartInputType, MachineState, ShiftPattern, WorkflowType } from '$core/schemas/setup.schema.js';
import type { Role } from '$core/roles.js';

export type { Category, JobStartInputType, MachineState, ShiftPattern, WorkflowType, Role };

export interface Group {
  id: number;
  name: string;
}

export interface ActivityCode {
  id: number;
  shortDescription: string;
  longDescription: string;
  category: Category;
  colour: string;
  active: boolean;
}

export type Shift = ShiftPattern['shifts'][number];
export type ShiftException = ShiftPattern['exceptions'][number];

export type JobNumberInputType = 'text' | 'number';

export interface Machine {
  id: number;
  name: string;
  groupId: number | null;
  shiftPatternId: number | null;
  workflowType: WorkflowType;
  jobStartInputType: JobStartInputType;
  jobNumberInputType: JobNumberInputType;
  jobStartActivityCodeId: number;
  endJobOnShiftEnd: boolean;
  excludedActivityCodeIds: number[];
  active: boolean;
  state: MachineState;
}

export interface User {
  id: number;
  username: string;
  role: Role;
  hasPassword: boolean;
  hasPin: boolean;
}

export interface Tablet {
  id: number;
  name: string;
  machineId: number | null;
  deviceUuid: string | null;
  operatorId: number | null;
}

export interface KioskToken {
  id: number;
  name: string;
  groupId: number | null;
}

export interface ApiKey {
  id: number;
  name: string;
  role: Role;
}

export interface Site {
  timezone: string;
  microStopSeconds: number;
  liveWindowDays: number;
}

export interface CreatedSecret {
  id: number;
  token: string;
}

export interface CreatedKey {
  id: number;
  key: string;
}
