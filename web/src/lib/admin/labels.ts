import type { Category, DowntimeCause, JobNumberInputType, JobStartInputType, Role, WorkflowType } from './types';

export { categories as categoryOptions, downtimeCauses as causeOptions } from '$core/vocabulary.js';

/** What each category means for OEE (docs/oee.md), shown as a hint beside the select. */
export const categoryHints: Record<Category, string> = {
  running: 'The machine is producing: run time.',
  unplanned_stop: 'Breakdown, jam, shortage: an availability loss.',
  planned_stop: 'Changeover, setup, cleaning inside production time: an availability loss.',
  planned_shutdown: 'Break, maintenance, no orders, closed: removed from planned time.',
};

/** What each downtime cause covers (docs/oee.md "Downtime causes"), shown beside the select. */
export const causeHints: Record<DowntimeCause, string> = {
  machine: 'Breakdowns, faults, tool and machine problems.',
  operator: 'Nobody at the machine, training, mistakes, waiting for a decision.',
  material: 'No material, wrong material, waiting for parts or transport.',
  quality: 'Stopped for checks, rework or a quality hold.',
  other: 'Anything else, and codes not classified yet.',
};

export const workflowLabels: Record<WorkflowType, string> = {
  default: 'Default',
  pausable: 'Pausable',
  running_total: 'Running total',
};

export const workflowHints: Record<WorkflowType, string> = {
  default: 'Operators start a job, pick the reason for each stop, and enter counts when the job ends.',
  pausable: 'Operators pause the job and give a reason when they resume.',
  running_total: 'Operators enter counts during the job (asked every hour), then at the end.',
};

/** The tablet's question when a job starts (docs/digitme2.md), and how the answer becomes seconds per part. */
export const jobStartInputLabels: Record<JobStartInputType, string> = {
  cycle_time_seconds: 'Ideal cycle time in seconds',
  cycle_time_minutes: 'Ideal cycle time in minutes',
  cycle_time_hours: 'Ideal cycle time in hours',
  parts_per_second: 'Parts per second',
  parts_per_minute: 'Parts per minute',
  parts_per_hour: 'Parts per hour',
  planned_qty_minutes: 'Planned quantity and planned time (min)',
  no_cycle_time: 'No cycle time (job number only)',
};

export const jobNumberInputLabels: Record<JobNumberInputType, string> = {
  text: 'Text (letters and digits)',
  number: 'Number (digits only)',
};

export const roleLabels: Record<Role, string> = {
  admin: 'Admin',
  supervisor: 'Supervisor',
  operator: 'Operator',
  viewer: 'Viewer',
  device: 'Device',
};

export const roleHints: Record<Role, string> = {
  admin: 'Everything, including these set-up pages.',
  supervisor: 'Reads everything; corrects past data, jobs and production.',
  operator: 'Uses the tablets: sign in with user ID and PIN, start and end jobs, give reasons.',
  viewer: 'Reads live screens, analytics and tables.',
  device: 'Posts events, jobs and production only (machines, PLCs, scripts).',
};

/** Roles a person can have; `device` is for API keys. */
export const userRoles = ['admin', 'supervisor', 'operator', 'viewer'] as const satisfies readonly Role[];
export const keyRoles = ['device', 'viewer', 'operator', 'supervisor', 'admin'] as const satisfies readonly Role[];

export const weekdays = [
  { day: 1, short: 'Mon', long: 'Monday' },
  { day: 2, short: 'Tue', long: 'Tuesday' },
  { day: 3, short: 'Wed', long: 'Wednesday' },
  { day: 4, short: 'Thu', long: 'Thursday' },
  { day: 5, short: 'Fri', long: 'Friday' },
  { day: 6, short: 'Sat', long: 'Saturday' },
  { day: 7, short: 'Sun', long: 'Sunday' },
] as const;

export function keysOf<K extends string>(record: Record<K, unknown>): K[] {
  return Object.keys(record) as K[];
}
