import { z } from 'zod';
import type { TabletCommandName } from '../realtime/tablet-events.js';
import { jobStartInputSchema } from '../state/job-start-input.js';
import { eventIdSchema, isoDateTimeSchema } from './common.schema.js';
import { jobStartSchema } from './shop-floor.schema.js';

/**
 * Payloads of the `/tablet` commands (core/realtime/tablet-events.ts). Strict: an unknown key is an
 * error, so a typo never silently drops what the operator meant. Socket payloads are JSON, so ids and
 * counts are numbers here (no coercion).
 */

const socketIdSchema = z.number().int().positive().max(2_147_483_647);
const countSchema = z.number().int().min(0).max(1_000_000_000);

const meta = {
  eventId: eventIdSchema.optional(),
  at: isoDateTimeSchema.optional(),
};

/** `alert:acknowledge` and `alert:resolve`: which alert, and an optional note (as the HTTP route's). */
const tabletAlertActionSchema = z.strictObject({
  alertId: socketIdSchema,
  note: z.string().trim().max(500).optional(),
  ...meta,
});

export const tabletCommandSchemas = {
  'operator:sign-in': z.strictObject({
    userId: socketIdSchema,
    pin: z.string().regex(/^\d{4,8}$/, 'expected 4 to 8 digits'),
    ...meta,
  }),
  'operator:sign-out': z.strictObject({ ...meta }),
  'job:start': z.strictObject({
    jobNumber: jobStartSchema.shape.jobNumber,
    input: jobStartInputSchema.optional(),
    start: isoDateTimeSchema.optional().describe('When the job really began (a late start); defaults to `at`'),
    ...meta,
  }),
  'activity:set': z.strictObject({ activityCodeId: socketIdSchema, ...meta }),
  'production:record': z.strictObject({ good: countSchema, rejects: countSchema, ...meta }),
  'job:end': z.strictObject({ good: countSchema, rejects: countSchema, ...meta }),
  'job:pause': z.strictObject({ ...meta }),
  'job:resume': z.strictObject({
    reason: socketIdSchema.optional().describe('A stop code: the pause is relabelled with it from its start'),
    notes: z.string().trim().max(500).optional(),
    ...meta,
  }),
  'reason:give': z.strictObject({
    from: isoDateTimeSchema,
    to: isoDateTimeSchema,
    activityCodeId: socketIdSchema,
    ...meta,
  }),
  'alert:acknowledge': tabletAlertActionSchema,
  'alert:resolve': tabletAlertActionSchema,
} satisfies Record<TabletCommandName, z.ZodType>;

export type TabletCommandInput<N extends TabletCommandName> = z.output<(typeof tabletCommandSchemas)[N]>;
