/** Types of the OEE calculation (docs/oee.md). All durations are seconds, all ratios fractions 0..1. */
import type { Category } from '../schemas/setup.schema.js';

/** One stretch of the machine's timeline, [start, end); `end` null = still open (lasts until now). */
export interface StateInterval {
  start: Date;
  end: Date | null;
  activityCodeId: number;
  category: Category;
  jobId: number | null;
}

/** Planned time from the shift calendar, [start, end). */
export interface PlannedTime {
  start: Date;
  end: Date;
}

export interface JobSpan {
  id: number;
  start: Date;
  /** null while the job runs (until now). */
  end: Date | null;
  /** Seconds per part; null (or <= 0) = no ideal cycle time, so the job is left out of performance. */
  idealCycleTimeSeconds: number | null;
}

/** Counts over [from, to) spread linearly; from == to is a point record at that instant. */
export interface ProductionRecord {
  from: Date;
  to: Date;
  good: number;
  rejects: number;
  jobId: number | null;
}

/**
 * Everything one machine's calculation needs for the window [from, to).
 *
 * What the caller must pass (more is always fine: everything is clipped to the window):
 * - `intervals`: every interval overlapping [from, to) PLUS the interval just before and just after
 *   them (the neighbours decide whether a short stop is a micro-stop and where an interval ends).
 *   Time covered by no interval counts nowhere (before the machine's first event, for example).
 * - `plannedWindows`: the calendar's planned time covering [from, to) AND the whole span of every
 *   passed interval (from the earliest start on), so that a stop that started before `from` is counted as
 *   an occurrence in exactly one window. Overlapping windows are merged here, never counted twice.
 * - `jobs`: every job referenced by an interval or a production record (others get no ideal cycle time).
 * - `production`: every record overlapping [from, to).
 */
export interface OeeInput {
  from: Date;
  to: Date;
  now: Date;
  intervals: StateInterval[];
  plannedWindows: PlannedTime[];
  jobs: JobSpan[];
  production: ProductionRecord[];
  /** Site setting: unplanned stops shorter than this, between two running intervals, are small stops. 0 = off. */
  microStopSeconds: number;
}

/** Seconds and occurrences lost to one activity code (unplanned_stop and planned_stop codes only). */
export interface LossElement {
  activityCodeId: number;
  category: Category;
  /** Stop time inside planned windows, in this window. */
  seconds: number;
  /** Stops whose first planned second lies in this window (see `computeElements`). */
  occurrences: number;
}

/**
 * The additive part of a result: every field is a sum over time and machines, so elements of
 * adjacent windows (or of several machines) add up to the elements of the union. Roll-ups sum
 * these with `sumElements` and only then divide with `deriveRatios`.
 */
export interface OeeElements {
  /** Time in the window covered by the machine's history (not before its first event, not after now). */
  calendarSeconds: number;
  /** Calendar time inside planned windows. */
  plannedWindowSeconds: number;
  /** planned_shutdown time inside planned windows. */
  plannedShutdownSeconds: number;
  /** plannedWindowSeconds − plannedShutdownSeconds + overtimeSeconds. */
  plannedProductionSeconds: number;
  /** Running time inside planned windows + overtime (small stops included). */
  runSeconds: number;
  /** Running time outside planned windows. */
  overtimeSeconds: number;
  /** unplanned_stop time inside planned windows (small stops excluded). */
  unplannedStopSeconds: number;
  /** planned_stop time inside planned windows. */
  plannedStopSeconds: number;
  /** Micro-stop time; already part of runSeconds. */
  smallStopSeconds: number;
  /** Run time inside jobs that have an ideal cycle time: the denominator of performance. */
  ratedRunSeconds: number;
  /** Σ ideal cycle time × total count (jobs with an ideal cycle time). */
  idealSeconds: number;
  /** Σ ideal cycle time × good count (jobs with an ideal cycle time). */
  fullyProductiveSeconds: number;
  totalCount: number;
  goodCount: number;
  rejectCount: number;
  /** Unplanned stops (not small stops) whose first planned second lies in this window. */
  unplannedStopCount: number;
  /** Sorted by seconds descending, then activityCodeId. */
  losses: LossElement[];
}

/** Every additive element, in one fixed order (stored roll-up columns, exports). */
export const OEE_ELEMENT_KEYS = [
  'calendarSeconds',
  'plannedWindowSeconds',
  'plannedShutdownSeconds',
  'plannedProductionSeconds',
  'runSeconds',
  'overtimeSeconds',
  'unplannedStopSeconds',
  'plannedStopSeconds',
  'smallStopSeconds',
  'ratedRunSeconds',
  'idealSeconds',
  'fullyProductiveSeconds',
  'totalCount',
  'goodCount',
  'rejectCount',
  'unplannedStopCount',
] as const satisfies readonly (keyof OeeElements)[];

export type OeeWarning = 'idealCycleTimeTooSlow';

/** The one result shape (docs/oee.md), plus `ratedRunSeconds` so stored results can still be rolled up. */
export interface OeeResult {
  from: string;
  to: string;
  /** A shift's result (a `shift` bucket, the current shift of live screens): the shift's name, when it has one. */
  shiftName?: string;
  calendarSeconds: number;
  plannedWindowSeconds: number;
  plannedShutdownSeconds: number;
  plannedProductionSeconds: number;
  runSeconds: number;
  overtimeSeconds: number;
  unplannedStopSeconds: number;
  plannedStopSeconds: number;
  smallStopSeconds: number;
  ratedRunSeconds: number;
  idealSeconds: number;
  fullyProductiveSeconds: number;
  totalCount: number;
  goodCount: number;
  rejectCount: number;
  unplannedStopCount: number;
  mtbfSeconds: number | null;
  mttrSeconds: number | null;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
  teep: number | null;
  losses: LossElement[];
  warnings: OeeWarning[];
}
