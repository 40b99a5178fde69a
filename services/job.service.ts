import type { DataSource } from 'typeorm';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { Sender } from '../core/live-window.js';
import { BUILT_IN_CODES } from '../core/state/built-in-codes.js';
import { codeOnJobEnd, codeOnJobStart } from '../core/state/machine-state.rules.js';
import { MAX_FUTURE_SKEW_SECONDS, MAX_JOBS } from '../core/schemas/shop-floor.schema.js';
import type { CommittedChange } from './change-feed.js';
import type { EventSource } from '../db/entities/state-event.entity.js';
import { isExclusionViolation, isUniqueViolation } from '../db/pg-errors.js';
import type { HistoryEditRepository } from '../db/repositories/history-edit.repository.js';
import type { ShopFloorRepository } from '../db/repositories/shop-floor.repository.js';
import type { TimelineRepository } from '../db/repositories/timeline.repository.js';
import type { Job } from '../core/schemas/shop-floor.schema.js';
import type { ProductionService } from './production.service.js';
import type { StateEventsService } from './state-events.service.js';

export interface JobStartRequest {
  machineId: number;
  jobNumber: string;
  idealCycleTimeSeconds: number | null;
  at?: Date | undefined;
  eventId?: string | undefined;
  operatorId?: number | null;
  source: EventSource;
  sender: Sender;
}

export interface JobEndRequest {
  machineId: number;
  good?: number | undefined;
  rejects?: number | undefined;
  at?: Date | undefined;
  eventId?: string | undefined;
  operatorId?: number | null;
  source: EventSource;
  sender: Sender;
}

/**
 * Starting a job puts the machine in its job-start code at `at`; ending one puts it in Down and
 * records the counts over the job's span. A retry with the same `eventId` answers with the same job.
 */
export class JobService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly timeline: TimelineRepository,
    private readonly shopFloor: ShopFloorRepository,
    private readonly stateEvents: StateEventsService,
    private readonly production: ProductionService,
    private readonly clock: Clock,
    private readonly historyEdits: Pick<HistoryEditRepository, 'reassignProduction'>,
  ) {}

  async start(req: JobStartRequest): Promise<Job> {
    const changes: CommittedChange[] = [];
    const jobId = await this.dataSource.transaction(async (tx) => {
      await this.timeline.lockMachines(tx, [req.machineId]);
      const machine = (await this.shopFloor.machines(tx, [req.machineId])).get(req.machineId);
      if (!machine) throw AppError.notFound(`Machine ${req.machineId}`);
      if (req.eventId) {
        const replay = await this.timeline.findEventById(tx, req.machineId, req.eventId);
        if (replay) {
          const job = await this.shopFloor.jobStartedAt(tx, req.machineId, replay.at);
          if (job) return job.id;
          throw AppError.conflict(`eventId "${req.eventId}" was already used for another event`);
        }
      }
      const at = this.checkedTime(req.at);
      const running = await this.shopFloor.runningJob(tx, req.machineId);
      if (running) throw AppError.conflict(`Job ${running.jobNumber} is already running on this machine; end it first`);
      let job;
      try {
        job = await tx.transaction((sp) =>
          this.shopFloor.insertJob(sp, {
            machineId: req.machineId,
            jobNumber: req.jobNumber,
            start: at,
            idealCycleTimeSeconds: req.idealCycleTimeSeconds,
            operatorId: req.operatorId ?? null,
          }),
        );
      } catch (err) {
        if (isExclusionViolation(err) || isUniqueViolation(err))
          throw AppError.conflict('The job would overlap another job of this machine');
        throw err;
      }
      await this.stateEvents.recordIn(
        tx,
        [
          {
            machineId: req.machineId,
            at,
            activityCodeId: codeOnJobStart(machine.jobStartActivityCodeId),
            eventId: req.eventId ?? null,
            sender: req.sender,
            ...(req.operatorId !== undefined ? { operatorId: req.operatorId } : {}),
          },
        ],
        req.source,
        changes,
      );
      // Started at a time given (a late start, a buffered command): counts recorded since belong to it.
      if (req.at) await this.historyEdits.reassignProduction(tx, req.machineId, at, null);
      changes.push({ kind: 'job', machineId: req.machineId, jobId: job.id, action: 'started' });
      return job.id;
    });
    this.stateEvents.announce(changes);
    return this.get(jobId);
  }

  async end(req: JobEndRequest): Promise<Job> {
    const changes: CommittedChange[] = [];
    const jobId = await this.dataSource.transaction(async (tx) => {
      await this.timeline.lockMachines(tx, [req.machineId]);
      const machine = (await this.shopFloor.machines(tx, [req.machineId])).get(req.machineId);
      if (!machine) throw AppError.notFound(`Machine ${req.machineId}`);
      if (req.eventId) {
        const replay = await this.timeline.findEventById(tx, req.machineId, req.eventId);
        if (replay) {
          const job = await this.shopFloor.jobAt(tx, req.machineId, replay.at, true);
          if (job && job.end?.getTime() === replay.at.getTime()) return job.id;
          throw AppError.conflict(`eventId "${req.eventId}" was already used for another event`);
        }
      }
      const running = await this.shopFloor.runningJob(tx, req.machineId);
      if (!running) throw AppError.conflict('No job is running on this machine');
      const at = this.checkedTime(req.at);
      if (at.getTime() < running.start.getTime())
        throw AppError.invalid('A job cannot end before it started', [
          { path: ['at'], message: `must not be before ${running.start.toISOString()}` },
        ]);
      await this.shopFloor.endJob(tx, running.id, at);
      // Ended at a time given: counts recorded after it no longer belong to the job.
      if (req.at) await this.historyEdits.reassignProduction(tx, req.machineId, at, null);
      await this.stateEvents.recordIn(
        tx,
        [
          {
            machineId: req.machineId,
            at,
            activityCodeId: codeOnJobEnd(BUILT_IN_CODES.down),
            eventId: req.eventId ?? null,
            sender: req.sender,
            ...(req.operatorId !== undefined ? { operatorId: req.operatorId } : {}),
          },
        ],
        req.source,
        changes,
      );
      if ((req.good ?? 0) > 0 || (req.rejects ?? 0) > 0) {
        await this.production.recordIn(
          tx,
          {
            machineId: req.machineId,
            jobId: running.id,
            from: running.start,
            to: at,
            good: req.good ?? 0,
            rejects: req.rejects ?? 0,
            eventId: req.eventId ? `${req.eventId}:counts` : null,
            source: req.source,
            sender: req.sender,
          },
          changes,
        );
      }
      changes.push({ kind: 'job', machineId: req.machineId, jobId: running.id, action: 'ended' });
      return running.id;
    });
    this.stateEvents.announce(changes);
    return this.get(jobId);
  }

  async get(jobId: number): Promise<Job> {
    const [job] = await this.shopFloor.jobsWithCounts(new Date(0), new Date(0), undefined, jobId);
    if (!job) throw AppError.notFound('Job');
    return toJob(job);
  }

  /**
   * Jobs overlapping [from, to) with their counts, oldest first, at most MAX_JOBS; past the cap,
   * `truncated` and `next` (the start of the first job left out).
   */
  async list(from: Date, to: Date, machineId?: number): Promise<{ jobs: Job[]; truncated: boolean; next: string | null }> {
    // One row more than the cap tells whether there is more, and where it starts.
    const rows = (await this.shopFloor.jobsWithCounts(from, to, machineId, undefined, MAX_JOBS + 1)).map(toJob);
    const following = rows[MAX_JOBS];
    return { jobs: rows.slice(0, MAX_JOBS), truncated: following !== undefined, next: following ? following.start : null };
  }

  private checkedTime(at: Date | undefined): Date {
    const now = this.clock.now();
    const t = at ?? now;
    if (t.getTime() > now.getTime() + MAX_FUTURE_SKEW_SECONDS * 1000) {
      throw AppError.invalid('`at` lies too far in the future', [
        { path: ['at'], message: `more than ${MAX_FUTURE_SKEW_SECONDS / 60} minutes in the future` },
      ]);
    }
    return t;
  }
}

export function toJob(j: {
  id: number;
  machineId: number;
  jobNumber: string;
  start: Date;
  end: Date | null;
  idealCycleTimeSeconds: number | null;
  good: number;
  rejects: number;
}): Job {
  return {
    id: j.id,
    machineId: j.machineId,
    jobNumber: j.jobNumber,
    start: new Date(j.start).toISOString(),
    end: j.end ? new Date(j.end).toISOString() : null,
    idealCycleTimeSeconds: j.idealCycleTimeSeconds,
    good: Number(j.good),
    rejects: Number(j.rejects),
  };
}
