import type { jobStartInputTypes } from '../vocabulary.js';

type JobStartInputType = (typeof jobStartInputTypes)[number];

/** What `job:start`'s `input` holds (core/state/job-start-input.ts), here without zod for the tablet page. */
export type JobStartInputValues = { value: number } | { plannedQuantity: number; plannedTimeMinutes: number };

/**
 * A part's ideal cycle time (seconds per part, from the catalogue) as the machine's job-start input asks for it,
 * the inverse of the conversion in core/state/job-start-input.ts: the tablet fills its fields with this, so a
 * job started from a part gets the part's time. The way back rounds to 12 significant digits, which is how the
 * catalogue stores times, so it lands on the same number (part-cycle-time.test.ts checks every type).
 * `planned_qty_minutes` asks for a quantity and a time: 60 parts take as many minutes as one part takes seconds.
 * `no_cycle_time` asks for nothing: null.
 */
export function jobStartInputFor(type: JobStartInputType, seconds: number): JobStartInputValues | null {
  switch (type) {
    case 'cycle_time_seconds':
      return { value: seconds };
    case 'cycle_time_minutes':
      return { value: seconds / 60 };
    case 'cycle_time_hours':
      return { value: seconds / 3600 };
    case 'parts_per_second':
      return { value: 1 / seconds };
    case 'parts_per_minute':
      return { value: 60 / seconds };
    case 'parts_per_hour':
      return { value: 3600 / seconds };
    case 'planned_qty_minutes':
      return { plannedQuantity: 60, plannedTimeMinutes: seconds };
    case 'no_cycle_time':
      return null;
  }
}
