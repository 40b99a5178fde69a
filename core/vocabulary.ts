/**
 * The value lists of the domain, without zod, so the browser can import them without the schema
 * library (core/schemas builds its enums from these).
 */
export const categories = ['running', 'unplanned_stop', 'planned_stop', 'planned_shutdown'] as const;
export type Category = (typeof categories)[number];

/**
 * Why a machine stops, the second axis of a stop code beside its OEE category (docs/oee.md "Downtime
 * causes"): it groups losses in the Pareto, tables and exports and never changes how time counts.
 */
export const downtimeCauses = ['machine', 'operator', 'material', 'quality', 'other'] as const;
export type DowntimeCause = (typeof downtimeCauses)[number];

export const workflowTypes = ['default', 'pausable', 'running_total'] as const;

/** How the tablet asks for the ideal cycle time when a job starts (docs/digitme2.md). */
export const jobStartInputTypes = [
  'cycle_time_seconds',
  'cycle_time_minutes',
  'cycle_time_hours',
  'parts_per_second',
  'parts_per_minute',
  'parts_per_hour',
  'planned_qty_minutes',
  'no_cycle_time',
] as const;
