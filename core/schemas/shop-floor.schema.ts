import { z } from 'zod';
import { eventIdSchema, idSchema, isoDateTimeSchema, rangeOrdered } from './common.schema.js';

/** Largest batch of `POST /api/v1/events` (documented in the OpenAPI description). */
export const MAX_EVENTS_PER_BATCH = 5_000;
/** A device clock may run ahead a little; beyond this an event's `at` is refused. */
export const MAX_FUTURE_SKEW_SECONDS = 300;

const countSchema = z.number().int().min(0).max(1_000_000_000);

export const stateEventInputSchema = z
  .strictObject({
    eventId: eventIdSchema.optional(),
    machineId: idSchema,
    at: isoDateTimeSchema.optional(),
    activityCodeId: idSchema.optional(),
    state: z.enum(['up', 'down']).optional(),
  })
  .refine((e) => (e.activityCodeId === undefined) !== (e.state === undefined), {
    message: 'give either activityCodeId or state',
    path: ['activityCodeId'],
  });

export const eventsBatchSchema = z.strictObject({
  events: z.array(stateEventInputSchema).min(1).max(MAX_EVENTS_PER_BATCH),
});
export const eventsResultSchema = z.object({ accepted: z.number(), duplicates: z.number() });

export const jobStartSchema = z.strictObject({
  jobNumber: z.union([z.string().trim().min(1).max(100), z.number().int().nonnegative().transform(String)]),
  idealCycleTimeSeconds: z.number().positive().max(31_536_000).nullable().optional(),
  /** A part of the catalogue (docs/api.md "Part catalogue"): its ideal cycle time for this machine when none is given. */
  partNumber: z.string().trim().min(1).max(100).optional(),
  at: isoDateTimeSchema.optional(),
  eventId: eventIdSchema.optional(),
});
export const jobEndSchema = z.strictObject({
  good: countSchema.optional(),
  rejects: countSchema.optional(),
  at: isoDateTimeSchema.optional(),
  eventId: eventIdSchema.optional(),
});
export const productionSchema = z
  .strictObject({
    good: countSchema,
    rejects: countSchema,
    at: isoDateTimeSchema.optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
    eventId: eventIdSchema.optional(),
  })
  .refine((p) => !(p.at && (p.from || p.to)), { message: 'give either at, or from and to', path: ['at'] })
  .refine((p) => (p.from === undefined) === (p.to === undefined), { message: 'from and to go together', path: ['from'] })
  .refine(rangeOrdered(true), { message: 'from must not be after to', path: ['to'] });

export const jobSchema = z.object({
  id: z.number(),
  machineId: z.number(),
  jobNumber: z.string(),
  start: z.string(),
  end: z.string().nullable(),
  idealCycleTimeSeconds: z.number().nullable(),
  good: z.number(),
  rejects: z.number(),
});
export type Job = z.infer<typeof jobSchema>;

export const productionRecordSchema = z.object({
  id: z.number(),
  machineId: z.number(),
  jobId: z.number().nullable(),
  from: z.string(),
  to: z.string(),
  good: z.number(),
  rejects: z.number(),
});

/** `from`/`to` query windows: ISO-8601 with an offset. */
export const rangeQuerySchema = z
  .strictObject({ from: isoDateTimeSchema, to: isoDateTimeSchema })
  .refine(rangeOrdered(), { message: 'from must be before to', path: ['to'] });
export const jobsQuerySchema = z
  .strictObject({ from: isoDateTimeSchema, to: isoDateTimeSchema, machineId: idSchema.optional() })
  .refine(rangeOrdered(), { message: 'from must be before to', path: ['to'] });

export const intervalSchema = z.object({
  start: z.string(),
  end: z.string().nullable(),
  activityCodeId: z.number(),
  category: z.string(),
  jobId: z.number().nullable(),
  operatorId: z.number().nullable(),
});
/**
 * Row caps of the range reads: beyond them the answer holds the first rows, `truncated: true` and
 * `next`, the `from` to ask for the rest with (the timeline continues exactly; jobs overlapping `next`
 * may come again, same id).
 */
export const MAX_TIMELINE_INTERVALS = 20_000;
export const MAX_JOBS = 5_000;

const pageFields = {
  truncated: z.boolean(),
  next: z.string().nullable(),
};
export const timelineSchema = z.object({ intervals: z.array(intervalSchema), ...pageFields });
export const jobsResponseSchema = z.object({ jobs: z.array(jobSchema), ...pageFields });

/**
 * A machine's planned time over a range (`GET /machines/{id}/planned-windows`), for timelines to shade:
 * the windows the OEE uses (docs/oee.md#planned-windows), merged and clipped to the range, each with the
 * local date its shift started and the shift's name. `always`: the machine has no pattern (planned 24/7).
 */
export const MAX_PLANNED_WINDOW_DAYS = 400;
export const plannedWindowsQuerySchema = rangeQuerySchema.refine(
  // Both ends may not be dates here: zod runs refinements after some issues (rangeOrdered guards the same way).
  (q: { from?: unknown; to?: unknown }) =>
    !(q.from instanceof Date) || !(q.to instanceof Date) || q.to.getTime() - q.from.getTime() <= MAX_PLANNED_WINDOW_DAYS * 86_400_000,
  { message: `at most ${MAX_PLANNED_WINDOW_DAYS} days`, path: ['to'] },
);
export const plannedWindowSchema = z.object({ start: z.string(), end: z.string(), shiftDate: z.string(), name: z.string().optional() });
export const plannedWindowsSchema = z.object({ always: z.boolean(), windows: z.array(plannedWindowSchema) });

/** DigitME2 devices: `POST /api/machine-state-change`. Extra keys are ignored, as the original did. */
export const legacyStateChangeSchema = z.object({
  machine_id: z.coerce.number().int().positive().max(2_147_483_647),
  machine_state: z.coerce.number().int().optional(),
  activity_code_id: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  user_id: z.coerce.number().int().optional(),
});
