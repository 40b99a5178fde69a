import { z } from 'zod';
import { isoDateTimeSchema, rangeOrdered } from './common.schema.js';

/** The longest range one verification covers: it recomputes every stored hour in it. */
export const MAX_VERIFY_DAYS = 400;

export const verifyRequestSchema = z
  .strictObject({
    from: isoDateTimeSchema,
    to: isoDateTimeSchema,
    /** Re-project the timelines that differ and drop the roll-ups that differ, in one transaction, audited. */
    repair: z.boolean().optional(),
  })
  .refine(rangeOrdered(), { message: 'from must be before to', path: ['to'] })
  .refine((r) => !(r.from instanceof Date && r.to instanceof Date) || r.to.getTime() - r.from.getTime() <= MAX_VERIFY_DAYS * 86_400_000, {
    message: `at most ${MAX_VERIFY_DAYS} days`,
    path: ['to'],
  });
export type VerifyRequest = z.output<typeof verifyRequestSchema>;

const stateSchema = z.object({ activityCodeId: z.number(), jobId: z.number().nullable(), operatorId: z.number().nullable() }).nullable();

export const verifyReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  machinesChecked: z.number(),
  rollupsChecked: z.number(),
  /** Spans where the stored timeline is not the projection of the events (stored null = no interval there). */
  timeline: z.array(z.object({ machineId: z.number(), from: z.string(), to: z.string(), stored: stateSchema, recomputed: stateSchema })),
  /** Stored OEE roll-up values that are not what the history gives (a loss field reads `losses.<code>.<seconds|occurrences>`). */
  rollups: z.array(
    z.object({
      machineId: z.number(),
      hourStart: z.string(),
      hours: z.number(),
      field: z.string(),
      stored: z.number().nullable(),
      recomputed: z.number().nullable(),
    }),
  ),
  /** With repair: how many machines were re-projected and stored roll-up rows dropped (recomputed on next read). */
  repaired: z.object({ timelines: z.number(), rollups: z.number() }).nullable(),
});
export type VerifyReport = z.output<typeof verifyReportSchema>;
