import { z } from 'zod';
import { eventIdSchema, idSchema, isoDateTimeSchema } from './common.schema.js';
import { oeeBucketSchema, oeeResultSchema } from './oee.schema.js';

/** `GET /api/v1/export/<dataset>.<format>` (docs/api.md "Results", docs/exports.md). */
export const EXPORT_DATASETS = ['timeline', 'events', 'jobs', 'production', 'oee', 'oee-daily', 'reasons'] as const;
export const exportDatasetSchema = z.enum(EXPORT_DATASETS);
export type ExportDataset = z.infer<typeof exportDatasetSchema>;

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export const exportFormatSchema = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

/**
 * Path parameters stay plain strings here so that an unknown dataset or format is a 404 that names
 * the valid ones (the route table answers a bad path parameter with a generic 404).
 */
export const exportParamsSchema = z.object({
  dataset: z.string().meta({ enum: [...EXPORT_DATASETS] }),
  format: z.string().meta({ enum: [...EXPORT_FORMATS] }),
});

/** Refuses `to <= from` and a machine together with a group; runs only on parsed dates. */
function rangeChecks(q: { from: unknown; to: unknown; machineId?: unknown; groupId?: unknown }, ctx: z.RefinementCtx): void {
  if (q.machineId !== undefined && q.groupId !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'give machineId or groupId, not both' });
  }
  if (q.from instanceof Date && q.to instanceof Date && !(q.from.getTime() < q.to.getTime())) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  }
}

/** A window and a scope: one machine, one group, or (neither) the whole site. */
const scopedRangeFields = {
  from: isoDateTimeSchema,
  to: isoDateTimeSchema,
  machineId: idSchema.optional(),
  groupId: idSchema.optional(),
};
export const scopedRangeQuerySchema = z.strictObject(scopedRangeFields).superRefine(rangeChecks);
export type ScopedRangeQuery = z.output<typeof scopedRangeQuerySchema>;

/** CSV separator: `comma` (with a decimal point) or `semicolon` (with a decimal comma, as spreadsheets in most of Europe read it). */
export const CSV_SEPARATORS = ['comma', 'semicolon'] as const;
export const csvSeparatorSchema = z.enum(CSV_SEPARATORS);
export type CsvSeparator = z.infer<typeof csvSeparatorSchema>;

/** The export's query: the scoped window; the CSV separator; the bucket of the `oee` dataset (ignored by the others). */
export const exportQuerySchema = z
  .strictObject({
    ...scopedRangeFields,
    separator: csvSeparatorSchema.default('comma'),
    bucket: oeeBucketSchema.default('day'),
  })
  .superRefine(rangeChecks);
export type ExportQuery = z.output<typeof exportQuerySchema>;

export const activityDurationsQuerySchema = z
  .strictObject({
    ...scopedRangeFields,
    groupBy: z.enum(['machine', 'operator']).default('machine'),
  })
  .superRefine(rangeChecks);

const durationSchema = z.object({ activityCodeId: z.number(), seconds: z.number() });
export const activityDurationsResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(['machine', 'operator']),
  rows: z.array(
    z.object({
      /** groupBy=machine: the machine; groupBy=operator: absent. */
      machineId: z.number().optional(),
      /** groupBy=operator: the operator signed in during the time (null: nobody); groupBy=machine: absent. */
      operatorId: z.number().nullable().optional(),
      name: z.string().nullable(),
      totalSeconds: z.number(),
      /** Codes with time, by code id. */
      durations: z.array(durationSchema),
    }),
  ),
});

const dayRowBase = z.object({ machineId: z.number(), date: z.string(), from: z.string(), to: z.string() });
export const dailyProductionResponseSchema = z.object({
  rows: z.array(dayRowBase.extend({ goodCount: z.number(), rejectCount: z.number(), totalCount: z.number() })),
});
export const dailyOeeResponseSchema = z.object({
  rows: z.array(dayRowBase.extend(oeeResultSchema.omit({ from: true, to: true }).shape)),
});

/** Most production records `GET /api/v1/production` answers with; longer lists are exports. */
export const MAX_PRODUCTION_LIST = 50_000;

export const productionListRecordSchema = z.object({
  id: z.number(),
  machineId: z.number(),
  jobId: z.number().nullable(),
  from: z.string(),
  to: z.string(),
  good: z.number(),
  rejects: z.number(),
  source: z.string(),
});
export const productionListResponseSchema = z.object({ records: z.array(productionListRecordSchema) });

// Corrections and edits of past data (supervisor).

const noteSchema = z.string().trim().max(1_000);
const countSchema = z.number().int().min(0).max(1_000_000_000);

export const correctionSchema = z
  .strictObject({
    from: isoDateTimeSchema,
    to: isoDateTimeSchema,
    activityCodeId: idSchema,
    note: noteSchema.optional(),
    eventId: eventIdSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.from instanceof Date && c.to instanceof Date && !(c.from.getTime() < c.to.getTime())) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    }
  });

const auditIntervalSchema = z.object({
  start: z.string(),
  end: z.string(),
  activityCodeId: z.number(),
  jobId: z.number().nullable(),
  operatorId: z.number().nullable(),
});
export const correctionResultSchema = z.object({
  correction: z.object({
    id: z.number(),
    machineId: z.number(),
    from: z.string(),
    to: z.string(),
    activityCodeId: z.number(),
    note: z.string().nullable(),
  }),
  /** The machine's intervals over [from, to) before and after, clipped to it (as in the audit entry). */
  before: z.array(auditIntervalSchema),
  after: z.array(auditIntervalSchema),
});

export const jobUpdateSchema = z
  .strictObject({
    jobNumber: z.union([z.string().trim().min(1).max(100), z.number().int().nonnegative().transform(String)]).optional(),
    start: isoDateTimeSchema.optional(),
    end: isoDateTimeSchema.optional(),
    idealCycleTimeSeconds: z.number().positive().max(31_536_000).nullable().optional(),
    /** The job's counts: set on its one production record (or on a new one over the job when it has none). */
    good: countSchema.optional(),
    rejects: countSchema.optional(),
    note: noteSchema.optional(),
  })
  .superRefine((j, ctx) => {
    if (j.start instanceof Date && j.end instanceof Date && j.end.getTime() < j.start.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must not be before start' });
    }
  });

export const productionCreateSchema = z
  .strictObject({
    machineId: idSchema,
    good: countSchema,
    rejects: countSchema,
    at: isoDateTimeSchema.optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
    note: noteSchema.optional(),
    eventId: eventIdSchema.optional(),
  })
  .refine((p) => !(p.at && (p.from || p.to)), { message: 'give either at, or from and to', path: ['at'] })
  .refine((p) => p.at !== undefined || (p.from !== undefined && p.to !== undefined), { message: 'give at, or from and to', path: ['from'] })
  .refine((p) => !(p.from && p.to) || p.from.getTime() <= p.to.getTime(), { message: 'from must not be after to', path: ['to'] });

export const productionUpdateSchema = z
  .strictObject({
    good: countSchema.optional(),
    rejects: countSchema.optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
    note: noteSchema.optional(),
  })
  .refine((p) => !(p.from && p.to) || p.from.getTime() <= p.to.getTime(), { message: 'from must not be after to', path: ['to'] });

/** Most audit entries one `GET /api/v1/audit` answers with (and the CSV holds). */
export const MAX_AUDIT_ENTRIES = 10_000;

const auditFilterFields = {
  machineId: idSchema.optional(),
  /** Changes made by this user (a session); changes made with an API key have no user. */
  userId: idSchema.optional(),
  from: isoDateTimeSchema.optional(),
  to: isoDateTimeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_ENTRIES).default(MAX_AUDIT_ENTRIES),
  /** `asc` (default): the oldest first; `desc`: the newest first, so a limit keeps the latest. */
  order: z.enum(['asc', 'desc']).default('asc'),
};

function auditRangeCheck(q: { from?: unknown; to?: unknown }, ctx: z.RefinementCtx): void {
  if (q.from instanceof Date && q.to instanceof Date && !(q.from.getTime() < q.to.getTime())) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  }
}

export const auditQuerySchema = z.strictObject(auditFilterFields).superRefine(auditRangeCheck);
export type AuditQuery = z.output<typeof auditQuerySchema>;

/** `GET /api/v1/audit.csv`: the same filters, and the CSV separator of the exports. */
export const auditExportQuerySchema = z
  .strictObject({ ...auditFilterFields, separator: csvSeparatorSchema.default('comma') })
  .superRefine(auditRangeCheck);

export const auditEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  userId: z.number().nullable(),
  apiKeyId: z.number().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  machineId: z.number().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  note: z.string().nullable(),
});
export const auditResponseSchema = z.object({
  entries: z.array(auditEntrySchema),
  /** More entries match than `limit`: the list holds the first `limit` in the order asked for. */
  truncated: z.boolean(),
});
