import type { z } from 'zod';
import type { activityCodeSchema, Category, groupSchema, Machine as CoreMachine } from '$core/schemas/setup.schema.js';

/** The four categories of docs/oee.md, in the order screens list them. */
export const categories: readonly Category[] = ['running', 'unplanned_stop', 'planned_stop', 'planned_shutdown'];

export type ActivityCode = z.infer<typeof activityCodeSchema>;
export type Group = z.infer<typeof groupSchema>;
export type Machine = CoreMachine;
export type { Category };

export const buckets = ['hour', 'shift', 'day', 'week'] as const;
export type Bucket = (typeof buckets)[number];

export const bucketLabels: Record<Bucket, string> = { hour: 'Hour', shift: 'Shift', day: 'Day', week: 'Week' };

/** The bucket that gives a readable trend for a range of `days` site-local days. */
export function defaultBucket(days: number): Bucket {
  if (days <= 2) return 'hour';
  if (days <= 62) return 'day';
  return 'week';
}
