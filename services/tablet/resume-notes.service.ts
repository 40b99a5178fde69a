import { MAX_RESUME_NOTES, type ResumeNotesResponse } from '../../core/schemas/resume-notes.schema.js';
import type { Repositories } from '../../db/repositories/index.js';

/**
 * The resume notes of a machine (written by `job:resume` and DigitME2's pausable resume), for the job list
 * and the timeline of the machine page.
 */
export class ResumeNotesService {
  constructor(private readonly repos: Pick<Repositories, 'machines' | 'tabletWorkflow'>) {}

  /** Notes whose pause overlaps [from, to), oldest first; 404 for an unknown machine. */
  async list(machineId: number, from: Date, to: Date): Promise<ResumeNotesResponse> {
    await this.repos.machines.get(machineId);
    // One row more than the cap tells whether there is more, and where it starts.
    const rows = await this.repos.tabletWorkflow.resumeNotes(machineId, from, to, MAX_RESUME_NOTES + 1);
    const following = rows[MAX_RESUME_NOTES];
    return {
      notes: rows.slice(0, MAX_RESUME_NOTES).map((n) => ({
        id: n.id,
        jobId: n.jobId,
        jobNumber: n.jobNumber,
        pausedAt: new Date(n.pausedAt).toISOString(),
        resumedAt: new Date(n.resumedAt).toISOString(),
        activityCodeId: n.activityCodeId,
        notes: n.notes,
      })),
      truncated: following !== undefined,
      next: following ? new Date(following.pausedAt).toISOString() : null,
    };
  }
}
