/**
 * zod schemas of the `/live` payloads (types in `live-events.ts`). The server validates what clients
 * send with them; tests check what the server sends. Kept apart so the wall page never loads zod.
 */
import { z } from 'zod';
import { dateFormats } from '../calendar/site-format.js';
import { oeeResultSchema } from '../schemas/oee.schema.js';
import { categorySchema, machineStateSchema } from '../schemas/setup.schema.js';
import { alertRuleKindSchema } from '../schemas/alerts.schema.js';
import type {
  GroupWatchRequest,
  LiveAlert,
  LiveAlertChanged,
  LiveHandshakeAuth,
  LiveMachine,
  LiveSnapshotMeta,
  MachineOeeUpdated,
  MachineStateChanged,
} from './live-events.js';

const socketIdSchema = z.number().int().positive().max(2_147_483_647);

export const groupWatchRequestSchema = z.strictObject({ groupId: socketIdSchema.nullable() }) satisfies z.ZodType<GroupWatchRequest>;

export const liveHandshakeAuthSchema = z.object({
  token: z.string().min(1).max(512).optional(),
  groupId: socketIdSchema.nullable().optional(),
}) satisfies z.ZodType<LiveHandshakeAuth>;

export const liveJobSchema = z.object({
  id: z.number(),
  jobNumber: z.string(),
  start: z.string(),
  idealCycleTimeSeconds: z.number().nullable(),
});
export const liveOperatorSchema = z.object({ id: z.number(), name: z.string() });

export const liveMachineSchema = z.object({
  machineId: z.number(),
  name: z.string(),
  groupId: z.number().nullable(),
  state: machineStateSchema,
  job: liveJobSchema.nullable(),
  operator: liveOperatorSchema.nullable(),
  oee: oeeResultSchema.nullable(),
  oeeTarget: z.number(),
}) satisfies z.ZodType<LiveMachine>;

export const liveAlertSchema = z.object({
  id: z.number(),
  machineId: z.number(),
  machineName: z.string(),
  ruleName: z.string(),
  kind: alertRuleKindSchema,
  level: z.number(),
  stopStart: z.string(),
  detectedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
}) satisfies z.ZodType<LiveAlert>;

export const liveSnapshotMetaSchema = z.object({
  groupId: z.number().nullable(),
  serverTime: z.string(),
  activityCodes: z.array(z.object({ id: z.number(), shortDescription: z.string(), category: categorySchema, colour: z.string() })),
  groups: z.array(z.object({ id: z.number(), name: z.string() })),
  timezone: z.string(),
  longStopMinutes: z.partialRecord(categorySchema, z.number().nullable()),
  dateFormat: z.enum(dateFormats),
  alerts: z.array(liveAlertSchema),
}) satisfies z.ZodType<LiveSnapshotMeta>;

export const liveAlertChangedSchema = z.object({
  alertId: z.number(),
  machineId: z.number(),
  alert: liveAlertSchema.nullable(),
}) satisfies z.ZodType<LiveAlertChanged>;

export const machineStateChangedSchema = machineStateSchema.extend({
  machineId: z.number(),
  job: liveJobSchema.nullable(),
  operator: liveOperatorSchema.nullable(),
}) satisfies z.ZodType<MachineStateChanged>;

export const machineOeeUpdatedSchema = z.object({ machineId: z.number(), shift: oeeResultSchema }) satisfies z.ZodType<MachineOeeUpdated>;

/** `timeline:today` takes nothing. */
export const timelineTodayRequestSchema = z.strictObject({});
