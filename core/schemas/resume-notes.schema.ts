import { z } from 'zod';

/** `GET /api/v1/machines/{id}/resume-notes` (docs/api.md): what operators wrote when resuming paused jobs. */
export const resumeNoteSchema = z.object({
  id: z.number(),
  jobId: z.number(),
  jobNumber: z.string(),
  /** ISO: the pause the note explains, [pausedAt, resumedAt). */
  pausedAt: z.string(),
  resumedAt: z.string(),
  /** The stop code the pause was given when resuming. */
  activityCodeId: z.number(),
  notes: z.string(),
});
export type ResumeNote = z.infer<typeof resumeNoteSchema>;

/** Notes per request at most; `next` is where the first one left out begins (ask again from there). */
export const MAX_RESUME_NOTES = 5_000;

export const resumeNotesResponseSchema = z.object({
  notes: z.array(resumeNoteSchema),
  truncated: z.boolean(),
  next: z.string().nullable(),
});
export type ResumeNotesResponse = z.infer<typeof resumeNotesResponseSchema>;
