import type { EntityManager } from 'typeorm';
import { AppError } from '../../core/errors.js';
import { editSender } from '../../core/live-window.js';
import type { PastJobCreate } from '../../core/schemas/history-edit.schema.js';
import type { CommittedChange } from '../change-feed.js';
import { isExclusionViolation } from '../../db/pg-errors.js';
import type { Actor } from '../../db/repositories/audit.repository.js';
import type { HistoryEditRepository, JobRow } from '../../db/repositories/history-edit.repository.js';
import { productionView, type ProductionView } from '../production.service.js';
import { jobView, type EditContext } from './edit-context.js';
import type { StateCorrections } from './state-corrections.js';

export interface JobPatch {
  jobNumber?: string | undefined;
  start?: Date | undefined;
  end?: Date | undefined;
  idealCycleTimeSeconds?: number | null | undefined;
  /** The job's counts, set on its one production record (a new one over the job when it has none). */
  good?: number | undefined;
  rejects?: number | undefined;
  note?: string | undefined;
}

/** Edits of jobs: a past job's times, number, ideal cycle time and counts, and past jobs added by hand. */
export class JobEdits {
  constructor(
    private readonly ctx: EditContext,
    private readonly corrections: StateCorrections,
  ) {}

  /**
   * Edits a job's number, times or ideal cycle time. Moving its times changes which intervals and
   * production records belong to it: the records are re-assigned (the job running at their start,
   * as when they were recorded) and the timeline is re-projected from the earliest time affected.
   */
  async updateJob(actor: Actor, jobId: number, patch: JobPatch): Promise<number> {
    await this.ctx.write(async (tx, changes) => {
      const { timeline, historyEdits, audit } = this.ctx.repos;
      const peek = await historyEdits.job(tx, jobId, false);
      if (!peek) throw AppError.notFound('Job');
      await timeline.lockMachines(tx, [peek.machineId]);
      const job = await historyEdits.job(tx, jobId, true);
      if (!job) throw AppError.notFound('Job');
      if (patch.end !== undefined && job.end === null) {
        throw AppError.conflict('The job is still running: end it with POST /api/v1/machines/{id}/jobs/current/end first');
      }
      const next: JobRow = {
        ...job,
        jobNumber: patch.jobNumber ?? job.jobNumber,
        start: patch.start ?? job.start,
        end: patch.end ?? job.end,
        idealCycleTimeSeconds: patch.idealCycleTimeSeconds === undefined ? job.idealCycleTimeSeconds : patch.idealCycleTimeSeconds,
      };
      if (next.end !== null && next.end.getTime() < next.start.getTime()) {
        const field = patch.end !== undefined ? 'end' : 'start';
        throw AppError.invalid('A job cannot end before it starts', [
          {
            path: [field],
            message: field === 'end' ? `must not be before ${next.start.toISOString()}` : `must not be after ${next.end.toISOString()}`,
          },
        ]);
      }
      this.ctx.notInFuture(next.start, 'start');
      if (patch.start) this.ctx.notBeforeEarliest(patch.start, 'start');
      if (next.end) this.ctx.notInFuture(next.end, 'end');
      const timesChanged = next.start.getTime() !== job.start.getTime() || next.end?.getTime() !== job.end?.getTime();
      const jobChanged = timesChanged || next.jobNumber !== job.jobNumber || next.idealCycleTimeSeconds !== job.idealCycleTimeSeconds;
      let reassigned: Awaited<ReturnType<HistoryEditRepository['reassignProduction']>> = [];
      if (jobChanged) {
        try {
          await tx.transaction((savepoint) => historyEdits.updateJob(savepoint, next));
        } catch (err) {
          if (isExclusionViolation(err)) throw AppError.conflict('The job would overlap another job of this machine');
          throw err;
        }
      }
      if (timesChanged) {
        const from = new Date(Math.min(job.start.getTime(), next.start.getTime()));
        const to = job.end === null || next.end === null ? null : new Date(Math.max(job.end.getTime(), next.end.getTime()));
        reassigned = await historyEdits.reassignProduction(tx, job.machineId, from, to);
        await this.ctx.stateEvents.reproject(tx, job.machineId, from, changes);
        if ((await timeline.openIntervals(tx, [job.machineId])).has(job.machineId))
          changes.push(await this.ctx.stateEvents.currentState(tx, job.machineId));
      }
      // Counts after the new times: the records that belong to the job now.
      const counts =
        patch.good !== undefined || patch.rejects !== undefined ? await this.setJobCounts(tx, changes, actor, next, patch) : null;
      if (!jobChanged && !counts) return;
      changes.push({ kind: 'job', machineId: job.machineId, jobId, action: 'updated' });
      await audit.record(tx, actor, {
        action: 'job.update',
        entity: 'job',
        entityId: jobId,
        machineId: job.machineId,
        before: { ...jobView(job), ...(counts ? counts.before : {}) },
        after: {
          ...jobView(next),
          ...(counts ? counts.after : {}),
          ...(reassigned.length ? { productionReassigned: reassigned.map((r) => ({ ...r, id: Number(r.id) })) } : {}),
        },
        note: patch.note || null,
      });
    });
    return jobId;
  }

  /**
   * A job that ran in the past, added by hand (audited as `job.create`): it takes the intervals and
   * production records of its span (the job running at their start) and the timeline is re-projected.
   * `good`/`rejects` become one production record over the job; `activityCodeId` says what the machine
   * was doing over it, as a correction of [start, end) (audited as such, with the correction's rules:
   * not before the machine's history; the job's end cuts the current open interval, so a job ending
   * in it may be corrected up to its end). 409 when it would overlap another job. The same job again
   * (machine, number, start and end) answers with the stored one and changes nothing.
   */
  async createJob(actor: Actor, req: PastJobCreate): Promise<number> {
    return this.ctx.write(async (tx, changes) => {
      const { timeline, shopFloor, historyEdits, audit } = this.ctx.repos;
      await timeline.lockMachines(tx, [req.machineId]);
      if (!(await shopFloor.machines(tx, [req.machineId])).has(req.machineId)) throw AppError.notFound(`Machine ${req.machineId}`);
      this.ctx.notBeforeEarliest(req.start, 'start');
      this.ctx.notInFuture(req.end, 'end');
      if (req.activityCodeId !== undefined && !(await shopFloor.codes(tx, [req.activityCodeId])).has(req.activityCodeId)) {
        throw AppError.invalid(`Unknown activity code ${req.activityCodeId}`, [
          { path: ['activityCodeId'], message: `no activity code with id ${req.activityCodeId}` },
        ]);
      }
      const same = await historyEdits.jobOver(tx, req.machineId, req.start, req.end);
      if (same && same.jobNumber === req.jobNumber) return same.id;
      const job = {
        machineId: req.machineId,
        jobNumber: req.jobNumber,
        start: req.start,
        end: req.end,
        idealCycleTimeSeconds: req.idealCycleTimeSeconds ?? null,
      };
      let jobId: number;
      try {
        jobId = await tx.transaction((savepoint) => historyEdits.insertEndedJob(savepoint, job));
      } catch (err) {
        if (isExclusionViolation(err)) throw AppError.conflict('The job would overlap another job of this machine');
        throw err;
      }
      const reassigned = await historyEdits.reassignProduction(tx, req.machineId, req.start, req.end);
      await this.ctx.stateEvents.reproject(tx, req.machineId, req.start, changes);
      if ((await timeline.openIntervals(tx, [req.machineId])).has(req.machineId))
        changes.push(await this.ctx.stateEvents.currentState(tx, req.machineId));
      let counts: ProductionView | null = null;
      if ((req.good ?? 0) > 0 || (req.rejects ?? 0) > 0) {
        const record = await this.ctx.production.recordIn(
          tx,
          {
            machineId: req.machineId,
            jobId,
            from: req.start,
            to: req.end,
            good: req.good ?? 0,
            rejects: req.rejects ?? 0,
            eventId: null,
            source: 'correction',
            sender: editSender(actor),
          },
          changes,
        );
        counts = productionView(record);
      }
      // A job that is new to everyone who caches jobs: they re-read it, as after an edit.
      changes.push({ kind: 'job', machineId: req.machineId, jobId, action: 'updated' });
      await audit.record(tx, actor, {
        action: 'job.create',
        entity: 'job',
        entityId: jobId,
        machineId: req.machineId,
        after: {
          ...jobView({ id: jobId, ...job }),
          ...(counts ? { production: counts } : {}),
          ...(reassigned.length ? { productionReassigned: reassigned.map((r) => ({ ...r, id: Number(r.id) })) } : {}),
        },
        note: req.note || null,
      });
      if (req.activityCodeId !== undefined) {
        await this.corrections.correctIn(tx, changes, actor, {
          machineId: req.machineId,
          from: req.start,
          to: req.end,
          activityCodeId: req.activityCodeId,
          note: req.note,
        });
      }
      return jobId;
    });
  }

  /**
   * A job's counts are the sum of its production records. New counts go on its one record; a job
   * without records gets one over its span (to now while it runs); a job with several is a 409 (which
   * record would change is the supervisor's call: the production list edits them one by one).
   * Null when the counts are already these.
   */
  private async setJobCounts(tx: EntityManager, changes: CommittedChange[], actor: Actor, job: JobRow, patch: JobPatch) {
    const records = await this.ctx.repos.historyEdits.jobProduction(tx, job.id);
    const current = { good: records.reduce((n, r) => n + r.good, 0), rejects: records.reduce((n, r) => n + r.rejects, 0) };
    const wanted = { good: patch.good ?? current.good, rejects: patch.rejects ?? current.rejects };
    if (wanted.good === current.good && wanted.rejects === current.rejects) return null;
    if (records.length > 1) {
      throw AppError.conflict(
        `Job ${job.jobNumber} has ${records.length} production records: change its counts record by record (PATCH /api/v1/production/{id})`,
      );
    }
    let recordId: number;
    const [only] = records;
    if (only) {
      await this.ctx.repos.historyEdits.updateProduction(tx, { ...only, ...wanted });
      changes.push({
        kind: 'production',
        machineId: job.machineId,
        jobId: job.id,
        from: only.from.toISOString(),
        to: only.to.toISOString(),
        ...wanted,
      });
      recordId = Number(only.id);
    } else {
      const to = job.end ?? this.ctx.clock.now();
      const record = await this.ctx.production.recordIn(
        tx,
        {
          machineId: job.machineId,
          jobId: job.id,
          from: job.start,
          to,
          ...wanted,
          eventId: null,
          source: 'correction',
          sender: editSender(actor),
        },
        changes,
      );
      recordId = Number(record.id);
    }
    return { before: current, after: { ...wanted, productionRecordId: recordId } };
  }
}
