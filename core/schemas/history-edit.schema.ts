import { z } from 'zod';
import { idSchema, isoDateTimeSchema } from './common.schema.js';
import { correctionSchema, jobUpdateSchema } from './export.schema.js';
import { categorySchema } from './setup.schema.js';
import { jobEndSchema, jobStartSchema } from './shop-floor.schema.js';

/**
 * Supervisors' additions to past data beside the corrections of export.schema.ts (docs/api.md
 * "Corrections of past data"): a past job, and the dry run of a correction.
 */

/**
 * `POST /api/v1/jobs`: a job that started and ended in the past, with its counts (one production
 * record over the job) and, optionally, the code the machine was in over it (a correction).
 */
export const pastJobCreateSchema = z
  .strictObject({
    machineId: idSchema,
    jobNumber: jobStartSchema.shape.jobNumber,
    start: isoDateTimeSchema,
    end: isoDateTimeSchema,
    idealCycleTimeSeconds: jobStartSchema.shape.idealCycleTimeSeconds,
    good: jobEndSchema.shape.good,
    rejects: jobEndSchema.shape.rejects,
    /** The machine was in this code over [start, end): recorded as a correction of that span. */
    activityCodeId: idSchema.optional(),
    note: jobUpdateSchema.shape.note,
  })
  .superRefine((j, ctx) => {
    if (j.start instanceof Date && j.end instanceof Date && !(j.start.getTime() < j.end.getTime())) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must be after start' });
    }
  });
export type PastJobCreate = z.output<typeof pastJobCreateSchema>;

/** `POST /api/v1/machines/{id}/corrections/preview`: the body of the correction it rehearses. */
export const correctionPreviewSchema = correctionSchema;

const previewIntervalSchema = z.object({
  start: z.string(),
  end: z.string(),
  activityCodeId: z.number(),
  jobId: z.number().nullable(),
  operatorId: z.number().nullable(),
});

/** Seconds the correction moves from one code (and its category) to another (core/state/correction-moves.ts). */
export const codeMoveSchema = z.object({
  fromActivityCodeId: z.number(),
  fromCategory: categorySchema,
  toActivityCodeId: z.number(),
  toCategory: categorySchema,
  seconds: z.number(),
});
export type CodeMoveView = z.infer<typeof codeMoveSchema>;

export const correctionPreviewResultSchema = z.object({
  /** The machine's intervals over [from, to) now and as the correction would leave them (clipped to it). */
  before: z.array(previewIntervalSchema),
  after: z.array(previewIntervalSchema),
  /** The largest first; empty when the correction changes no code. */
  moves: z.array(codeMoveSchema),
});
export type CorrectionPreview = z.infer<typeof correctionPreviewResultSchema>;
