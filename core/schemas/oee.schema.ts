import { z } from 'zod';
import { categorySchema } from './setup.schema.js';
import { idSchema, isoDateTimeSchema, localDateSchema } from './common.schema.js';

/** Most buckets one request may ask for (an hourly year is 8 760). */
export const MAX_OEE_BUCKETS = 10_000;

export const oeeBucketSchema = z.enum(['hour', 'shift', 'day', 'week']);
export type OeeBucket = z.infer<typeof oeeBucketSchema>;

/** `GET /api/v1/oee` (docs/api.md "Results"): a machine, a group, or neither (the whole site). */
export const oeeQuerySchema = z
  .object({
    from: isoDateTimeSchema,
    to: isoDateTimeSchema,
    machineId: idSchema.optional(),
    groupId: idSchema.optional(),
    bucket: oeeBucketSchema.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.machineId !== undefined && q.groupId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'give machineId or groupId, not both' });
    }
    // Runs also when a time failed to parse (format issues do not stop zod): compare real dates only.
    if (q.from instanceof Date && q.to instanceof Date && !(q.from.getTime() < q.to.getTime())) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    }
  });

const lossSchema = z.object({
  activityCodeId: z.number(),
  category: categorySchema,
  seconds: z.number(),
  occurrences: z.number(),
});

const ratio = z.number().nullable();

/** The one result shape of docs/oee.md (plus `ratedRunSeconds`, the denominator of performance). */
export const oeeResultSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** A `shift` bucket's (or the live current shift's) name, when the shift has one. */
  shiftName: z.string().optional(),
  calendarSeconds: z.number(),
  plannedWindowSeconds: z.number(),
  plannedShutdownSeconds: z.number(),
  plannedProductionSeconds: z.number(),
  runSeconds: z.number(),
  overtimeSeconds: z.number(),
  unplannedStopSeconds: z.number(),
  plannedStopSeconds: z.number(),
  smallStopSeconds: z.number(),
  ratedRunSeconds: z.number(),
  idealSeconds: z.number(),
  fullyProductiveSeconds: z.number(),
  totalCount: z.number(),
  goodCount: z.number(),
  rejectCount: z.number(),
  unplannedStopCount: z.number(),
  mtbfSeconds: z.number().nullable(),
  mttrSeconds: z.number().nullable(),
  availability: ratio,
  performance: ratio,
  quality: ratio,
  oee: ratio,
  teep: ratio,
  losses: z.array(lossSchema),
  warnings: z.array(z.enum(['idealCycleTimeTooSlow'])),
});

/** A machine's, group's or the site's answer: with a group or the site `machines`, with a bucket `buckets`. */
/** The effective OEE target (0..1) a result is measured against: machine, else group, else site (docs/oee.md "Targets"). */
export const oeeTargetValueSchema = z.number().gt(0).max(1);

/**
 * A machine's, group's or the site's answer: with a group or the site `machines`, with a bucket `buckets`;
 * `target` is the machine's, group's or site's effective target (each machine of `machines` its own).
 */
export const oeeResponseSchema = oeeResultSchema.extend({
  target: oeeTargetValueSchema,
  machines: z.array(oeeResultSchema.extend({ machineId: z.number(), target: oeeTargetValueSchema })).optional(),
  buckets: z.array(oeeResultSchema).optional(),
});

/** Legacy `GET /api/oee` and `/api/activity-durations` (docs/digitme2.md); `date` defaults to today (site time). */
export const legacyDayQuerySchema = z.object({
  machine_id: idSchema,
  date: localDateSchema.optional(),
});
