import type { z } from 'zod';
import type { OeeBucket } from '$core/schemas/oee.schema.js';
import type { activityCodeSchema, groupSchema, Machine } from '$core/schemas/setup.schema.js';
import type { Category } from '$core/vocabulary.js';

export type ActivityCode = z.infer<typeof activityCodeSchema>;
export type Group = z.infer<typeof groupSchema>;
export type { Category, Machine };

/** The buckets of `GET /oee` (oeeBucketSchema), in the order the range bar offers them. */
export const buckets = ['hour', 'shift', 'day', 'week'] as const satisfies readonly OeeBucket[];
export type Bucket = OeeBucket;

export const bucketLabels: Record<Bucket, string> = { hour: 'Hour', shift: 'Shift', day: 'Day', week: 'Week' };

/** The bucket that gives a readable trend for a range of `days` site-local days. */
export function defaultBucket(days: number): Bucket {
  if (days <= 2) return 'hour';
  if (days <= 62) return 'day';
  return 'week';
}
