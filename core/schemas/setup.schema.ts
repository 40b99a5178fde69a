import { z } from 'zod';
import { dateFormats } from '../calendar/site-format.js';
import { MAX_LIVE_WINDOW_DAYS } from '../live-window.js';
import { roleSchema } from '../roles.js';
import { categories, downtimeCauses, jobStartInputTypes, workflowTypes, type DowntimeCause } from '../vocabulary.js';
import { colourSchema, hhmmSchema, idSchema, localDateSchema, nameSchema } from './common.schema.js';

export { categories, downtimeCauses, jobStartInputTypes, workflowTypes };
export const categorySchema = z.enum(categories);
export type Category = z.infer<typeof categorySchema>;
export type { DowntimeCause };

export const workflowTypeSchema = z.enum(workflowTypes);
export type WorkflowType = z.infer<typeof workflowTypeSchema>;

export const jobStartInputTypeSchema = z.enum(jobStartInputTypes);
export type JobStartInputType = z.infer<typeof jobStartInputTypeSchema>;

export const jobNumberInputTypeSchema = z.enum(['text', 'number']);

/** A group's OEE target 0..1 for its machines without their own; null = the site's (docs/oee.md "Targets"). */
export const groupCreateSchema = z.strictObject({ name: nameSchema, oeeTarget: z.number().gt(0).max(1).nullable().default(null) });
export const groupUpdateSchema = z.strictObject({ name: nameSchema.optional(), oeeTarget: z.number().gt(0).max(1).nullable().optional() });
export const groupSchema = z.object({ id: z.number(), name: z.string(), oeeTarget: z.number().nullable() });

export const downtimeCauseSchema = z.enum(downtimeCauses);

export const activityCodeCreateSchema = z.strictObject({
  shortDescription: nameSchema,
  longDescription: z.string().trim().max(255).default(''),
  category: categorySchema,
  /** Left out: `other` for a stop code, none for a running one (`codeCause`). */
  cause: downtimeCauseSchema.nullable().optional(),
  colour: colourSchema,
  active: z.boolean().default(true),
});
export const activityCodeUpdateSchema = z.strictObject({
  shortDescription: nameSchema.optional(),
  longDescription: z.string().trim().max(255).optional(),
  category: categorySchema.optional(),
  cause: downtimeCauseSchema.nullable().optional(),
  colour: colourSchema.optional(),
  active: z.boolean().optional(),
});
export const activityCodeSchema = z.object({
  id: z.number(),
  shortDescription: z.string(),
  longDescription: z.string(),
  category: categorySchema,
  /** Why the machine stops (docs/oee.md "Downtime causes"); null for running codes. */
  cause: downtimeCauseSchema.nullable(),
  colour: z.string(),
  active: z.boolean(),
  /** `no_signal`: the built-in No data (docs/oee.md "No data"), written by the system, never offered on tablets. */
  flag: z.enum(['no_signal']).nullable(),
});

/**
 * The cause a code ends up with (docs/oee.md "Downtime causes"): running codes have none; every other code
 * has one, `requested` when given, else the one it had, else `other`. A cause on a running code, or none on
 * a stop code, is refused with a message in words.
 */
export function codeCause(
  category: Category,
  requested: DowntimeCause | null | undefined,
  current: DowntimeCause | null | undefined,
): { ok: true; cause: DowntimeCause | null } | { ok: false; message: string } {
  if (category === 'running') {
    return requested ? { ok: false, message: 'a running code has no downtime cause: leave it empty' } : { ok: true, cause: null };
  }
  if (requested === null) return { ok: false, message: 'a stop code needs a downtime cause (other when none fits)' };
  return { ok: true, cause: requested ?? current ?? 'other' };
}

const weekdaySchema = z.number().int().min(1).max(7);
/** A shift's name ("Night"), shown wherever a shift is labelled (trends, the wall, exports); optional. */
const shiftNameSchema = z.string().trim().min(1).max(40).optional();
export const shiftSchema = z.strictObject({
  days: z.array(weekdaySchema).min(1).max(7),
  start: hhmmSchema,
  end: hhmmSchema,
  name: shiftNameSchema,
});
export const shiftExceptionSchema = z.strictObject({
  date: localDateSchema,
  shifts: z.array(z.strictObject({ start: hhmmSchema, end: hhmmSchema, name: shiftNameSchema })).max(24),
});
const shiftExceptionsSchema = z
  .array(shiftExceptionSchema)
  .max(2000)
  .refine((list) => new Set(list.map((e) => e.date)).size === list.length, 'each date may have one exception only');
export const shiftPatternCreateSchema = z.strictObject({
  name: nameSchema,
  shifts: z.array(shiftSchema).max(100),
  exceptions: shiftExceptionsSchema.default([]),
});
/**
 * An edit of shifts or exceptions takes effect from `effectiveFrom` (a local date, default today in the
 * site's zone): the days before it keep the version they had (docs/oee.md#shift-pattern-versions).
 */
export const shiftPatternUpdateSchema = z.strictObject({
  name: nameSchema.optional(),
  shifts: shiftPatternCreateSchema.shape.shifts.optional(),
  // Not the create schema's (its default would turn "unchanged" into "none").
  exceptions: shiftExceptionsSchema.optional(),
  effectiveFrom: localDateSchema.optional(),
});
export const shiftPatternSchema = z.object({
  id: z.number(),
  name: z.string(),
  shifts: z.array(shiftSchema),
  exceptions: z.array(shiftExceptionSchema),
  /** The local date these shifts and exceptions take effect; absent when they always have been. */
  effectiveFrom: z.string().optional(),
});
export type ShiftPattern = z.infer<typeof shiftPatternSchema>;
/** One version of a pattern, in force over the local days [from, until) (null: since always / still). */
export const shiftPatternVersionSchema = z.object({
  from: z.string().nullable(),
  until: z.string().nullable(),
  shifts: z.array(shiftSchema),
  exceptions: z.array(shiftExceptionSchema),
});
/** What an edit would change, before it is saved: the days with history whose planned time moves, and the machines. */
export const shiftPatternImpactSchema = z.object({
  effectiveFrom: z.string(),
  /** Today in the site's zone: days after it are not counted (they have no history yet). */
  today: z.string(),
  /** Local days from effectiveFrom to today on which a machine of the pattern has history and planned time changes. */
  days: z.number(),
  firstDay: z.string().nullable(),
  lastDay: z.string().nullable(),
  machines: z.array(z.object({ id: z.number(), name: z.string() })),
});

/**
 * The value the tablet pre-fills in the job-start input, in the unit of the machine's jobStartInputType;
 * null = the field starts empty. Used by the one-number input types only.
 */
const jobStartAutofillSchema = z
  .number()
  .positive()
  .max(1_000_000_000)
  .nullable()
  .describe("Pre-filled in the tablet's job-start field, in the unit of jobStartInputType (e.g. 40 parts/h); null = empty");

/** Andon (docs/oee.md "No data", "The reason queue", "Targets"): each null = off / the site's (or group's) setting. */
const heartbeatSecondsSchema = z
  .number()
  .int()
  .min(1)
  .max(86_400)
  .nullable()
  .describe('Silent longer than this (seconds): No data from the last contact; null = never');
const reasonPromptMinutesSchema = z
  .number()
  .int()
  .min(1)
  .max(10_080)
  .nullable()
  .describe("Stops with a generic code longer than this (minutes) owe a reason; null = the site's setting");
const oeeTargetSchema = z.number().gt(0).max(1).nullable().describe("OEE target 0..1; null = the group's, else the site's");

export const machineCreateSchema = z.strictObject({
  name: nameSchema,
  groupId: idSchema.nullable().default(null),
  shiftPatternId: idSchema.nullable().default(null),
  workflowType: workflowTypeSchema.default('default'),
  jobStartInputType: jobStartInputTypeSchema.default('cycle_time_seconds'),
  jobNumberInputType: jobNumberInputTypeSchema.default('text'),
  jobStartAutofill: jobStartAutofillSchema.default(null),
  jobStartActivityCodeId: idSchema.default(1),
  endJobOnShiftEnd: z.boolean().default(true),
  excludedActivityCodeIds: z.array(idSchema).max(1000).default([]),
  active: z.boolean().default(true),
  heartbeatSeconds: heartbeatSecondsSchema.default(null),
  reasonPromptMinutes: reasonPromptMinutesSchema.default(null),
  oeeTarget: oeeTargetSchema.default(null),
});
export const machineUpdateSchema = z.strictObject({
  name: nameSchema.optional(),
  groupId: idSchema.nullable().optional(),
  shiftPatternId: idSchema.nullable().optional(),
  workflowType: workflowTypeSchema.optional(),
  jobStartInputType: jobStartInputTypeSchema.optional(),
  jobNumberInputType: jobNumberInputTypeSchema.optional(),
  jobStartAutofill: jobStartAutofillSchema.optional(),
  jobStartActivityCodeId: idSchema.optional(),
  endJobOnShiftEnd: z.boolean().optional(),
  excludedActivityCodeIds: z.array(idSchema).max(1000).optional(),
  active: z.boolean().optional(),
  heartbeatSeconds: heartbeatSecondsSchema.optional(),
  reasonPromptMinutes: reasonPromptMinutesSchema.optional(),
  oeeTarget: oeeTargetSchema.optional(),
});

/**
 * What a machine is doing now (docs/api.md `state`): in the HTTP machine reads, in `/live` snapshots and
 * in `machine:state-changed` (core/realtime/live-events.schema.ts extends it).
 */
export const machineStateSchema = z.object({
  activityCodeId: z.number().nullable(),
  category: categorySchema.nullable(),
  /** ISO time the current state began. */
  since: z.string().nullable(),
  jobId: z.number().nullable(),
  operatorId: z.number().nullable(),
  /** Outside the machine's planned time now (no shift pattern: planned 24/7, never off shift). */
  offShift: z.boolean(),
});
export type MachineState = z.infer<typeof machineStateSchema>;

export const machineSchema = z.object({
  id: z.number(),
  name: z.string(),
  groupId: z.number().nullable(),
  shiftPatternId: z.number().nullable(),
  workflowType: workflowTypeSchema,
  jobStartInputType: jobStartInputTypeSchema,
  jobNumberInputType: jobNumberInputTypeSchema,
  jobStartAutofill: z.number().nullable(),
  jobStartActivityCodeId: z.number(),
  endJobOnShiftEnd: z.boolean(),
  excludedActivityCodeIds: z.array(z.number()),
  active: z.boolean(),
  heartbeatSeconds: z.number().nullable(),
  /** The latest contact of its data sources (ISO; written every few seconds); null = never heard from. */
  lastContactAt: z.string().nullable(),
  reasonPromptMinutes: z.number().nullable(),
  oeeTarget: z.number().nullable(),
  state: machineStateSchema,
});
export type Machine = z.infer<typeof machineSchema>;
export type MachineCreate = z.infer<typeof machineCreateSchema>;

export const siteSchema = z.strictObject({
  timezone: z.string().refine(isIanaZone, 'expected an IANA time zone such as Europe/London'),
  microStopSeconds: z.number().int().min(0).max(86_400),
  /** Days back devices, tablets and operators may write (older history: supervisors). Omitted on PUT = unchanged. */
  liveWindowDays: z.number().int().min(1).max(MAX_LIVE_WINDOW_DAYS).optional(),
  /**
   * Minutes after which a stop of a category flags its wall tile (docs/api.md "Site"); null or left
   * out = never. Omitted on PUT = unchanged.
   */
  longStopMinutes: z.partialRecord(categorySchema, z.number().int().min(1).max(10_080).nullable()).optional(),
  /**
   * The address tablets and wall screens reach the server at, for the pairing links and QR codes of the admin pages (docs/api.md)
   * (null: the address the admin's browser used). Omitted on PUT = unchanged.
   */
  publicUrl: z
    .string()
    .trim()
    .max(200)
    .refine(isPublicUrl, 'expected an absolute http:// or https:// address without a query, such as https://oee.example.com')
    .transform((url) => url.replace(/\/+$/, ''))
    .nullable()
    .optional(),
  /**
   * How dates read on every screen, in the site's zone (docs/api.md "Site"): `YYYY-MM-DD` (the default),
   * `DD/MM/YYYY`, `MM/DD/YYYY` or `DD.MM.YYYY`. Omitted on PUT = unchanged.
   */
  dateFormat: z.enum(dateFormats).optional(),
  /** Stops with a generic code longer than this (minutes) owe a reason (docs/oee.md "The reason queue"). Omitted on PUT = unchanged. */
  reasonPromptMinutes: z.number().int().min(1).max(10_080).optional(),
  /** The OEE target (0..1) of machines and groups without their own (docs/oee.md "Targets"). Omitted on PUT = unchanged. */
  oeeTarget: z.number().gt(0).max(1).optional(),
});
export type Site = z.infer<typeof siteSchema>;

function isPublicUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash && !url.username && !url.password;
}

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

const passwordSchema = z.string().min(10, 'at least 10 characters').max(200);
const pinSchema = z.string().regex(/^\d{4,8}$/, 'expected 4 to 8 digits');
const usernameSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N}._@-]+$/u, 'letters, digits and . _ @ - only');
export const userCreateSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema.optional(),
  role: roleSchema,
  pin: pinSchema.optional(),
});
export const userUpdateSchema = z.strictObject({
  username: usernameSchema.optional(),
  password: passwordSchema.optional(),
  role: roleSchema.optional(),
  pin: pinSchema.nullable().optional(),
});
export const userSchema = z.object({
  id: z.number(),
  username: z.string(),
  role: roleSchema,
  hasPassword: z.boolean(),
  hasPin: z.boolean(),
});

export const tabletCreateSchema = z.strictObject({ name: nameSchema, machineId: idSchema.nullable().default(null) });
export const tabletUpdateSchema = z.strictObject({
  name: nameSchema.optional(),
  machineId: idSchema.nullable().optional(),
});
export const tabletSchema = z.object({
  id: z.number(),
  name: z.string(),
  machineId: z.number().nullable(),
  deviceUuid: z.string().nullable(),
  operatorId: z.number().nullable(),
});

export const kioskTokenCreateSchema = z.strictObject({ name: nameSchema, groupId: idSchema.nullable().default(null) });
export const kioskTokenSchema = z.object({ id: z.number(), name: z.string(), groupId: z.number().nullable() });
export const apiKeyCreateSchema = z.strictObject({ name: nameSchema, role: roleSchema });
export const apiKeySchema = z.object({ id: z.number(), name: z.string(), role: roleSchema });
export const createdSecretSchema = z.object({ id: z.number(), token: z.string() });
export const createdKeySchema = z.object({ id: z.number(), key: z.string() });

export const sessionCreateSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});
