import { z } from 'zod';
import { eventIdSchema, idSchema, isoDateTimeSchema } from './common.schema.js';

/** `POST /api/v1/machines/{id}/heartbeat`: nothing to say but "alive" (an empty body or none). */
export const heartbeatSchema = z.strictObject({}).optional();

/** A data source's last contact for one machine (`GET /api/v1/data-sources`, docs/api.md). */
export const dataSourceSchema = z.object({
  /** The sender label stored with its writes: `api-key:3`, `tablet:2`, `legacy-device`, `user:4`. */
  sender: z.string(),
  kind: z.enum(['api-key', 'tablet', 'digitme2', 'mqtt', 'user']),
  /** The API key's or tablet's name; null for the others. */
  name: z.string().nullable(),
  machineId: z.number(),
  machineName: z.string(),
  lastContactAt: z.string(),
  heartbeatSeconds: z.number().nullable(),
});
export type DataSourceView = z.infer<typeof dataSourceSchema>;
export const dataSourcesResponseSchema = z.object({ sources: z.array(dataSourceSchema) });

/** A stop that owes a reason (docs/oee.md "The reason queue"). */
export const reasonDebtSchema = z.object({
  machineId: z.number(),
  machineName: z.string(),
  start: z.string(),
  end: z.string(),
  /** Down or No data. */
  activityCodeId: z.number(),
  /** The stop's time inside planned windows. */
  plannedSeconds: z.number(),
});
export const reasonQueueSchema = z.object({ debts: z.array(reasonDebtSchema) });
export const reasonQueueQuerySchema = z.strictObject({
  machineId: idSchema.optional(),
  groupId: idSchema.optional(),
});
/** Gives a stop of the queue its reason: `from` and `to` are the stop's own. */
export const giveReasonSchema = z.strictObject({
  machineId: idSchema,
  from: isoDateTimeSchema,
  to: isoDateTimeSchema,
  activityCodeId: idSchema,
  eventId: eventIdSchema.optional(),
});
