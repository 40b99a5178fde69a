import type { DataSource, EntityManager } from 'typeorm';
import { AUDIT_COLUMNS } from '../core/audit-columns.js';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { ExportColumn } from '../core/export-columns.js';
import { EARLIEST_WRITE_AT, editSender } from '../core/live-window.js';
import type { AuditQuery } from '../core/schemas/export.schema.js';
import type { CorrectionPreview, PastJobCreate } from '../core/schemas/history-edit.schema.js';
import { MAX_FUTURE_SKEW_SECONDS } from '../core/schemas/shop-floor.schema.js';
import { BUILT_IN_CODES } from '../core/state/built-in-codes.js';
import { correctionMoves } from '../core/state/correction-moves.js';
import { checkStateChange } from '../core/state/machine-state.rules.js';
import type { CommittedChange } from './change-feed.js';
import { isExclusionViolation } from '../db/pg-errors.js';
import type { Actor, AuditRepository } from '../db/repositories/audit.repository.js';
import type {
  ClippedInterval,
  HistoryEditRepository,
  JobRow,
  ProductionRow,
  StoredEvent,
} from '../db/repositories/history-edit.repository.js';
import type { ShopFloorRepository } from '../db/repositories/shop-floor.repository.js';
import type { SiteRepository } from '../db/repositories/site.repository.js';
import type { TimelineRepository } from '../db/repositories/timeline.repository.js';
import { productionView, type ProductionService, type ProductionView } from './production.service.js';
import type { StateEventsService } from './state-events.service.js';

export interface CorrectionRequest {
  machineId: number;
  from: Date;
  to: Date;
  activityCodeId: number;
  note?: string | undefined;
  eventId?: string | undefined;
}

export interface IntervalView {
  start: string;
  end: string;
  activityCodeId: number;
  jobId: number | null;
  operatorId: number | null;
}

export interface CorrectionResult {
  correction: { id: number; machineId: number; from: string; to: string; activityCodeId: number; note: string | null };
  before: IntervalView[];
  after: IntervalView[];
}

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

export interface ProductionCreate {
  machineId: number;
  good: number;
  rejects: number;
  at?: Date | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  note?: string | undefined;
  eventId?: string | undefined;
}

export interface ProductionPatch {
  good?: number | undefined;
  rejects?: number | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  note?: string | undefined;
}

/** The audit log as a table in the columns of core/audit-columns.ts, for the CSV route. */
export interface AuditTable {
  columns: readonly ExportColumn[];
  rows: (string | number | Date | null)[][];
  timezone: string;
}

interface Repos {
  timeline: TimelineRepository;
  shopFloor: ShopFloorRepository;
  audit: AuditRepository;
  historyEdits: HistoryEditRepository;
  site: Pick<SiteRepository, 'get'>;
}

const CORRECT = 'timeline.correct';
const PRODUCTION_DELETE = 'production.delete';

/** Thrown to roll a dry run back: it carries nothing, the result waits outside the transaction. */
class Rehearsal extends Error {}

/**
 * Supervisors' edits of past data: corrections of the timeline, edits of past jobs, and production
 * records added, edited or deleted by hand. Each runs in one transaction that holds the machine's
 * write lock (the one the state-event write path takes), writes its audit entry (who, when, before,
 * after, note) with the change, and announces on the change feed after commit so OEE roll-ups and
 * live screens follow. Every call is safe to repeat: a correction or an added record by its
 * eventId, the rest naturally (repeating an edit changes nothing and writes no second entry).
 *
 * Production edits are not sent to InfluxDB: the outbox carries what the shop floor reported, and
 * the system of record (Postgres) holds the corrected data.
 */
export class HistoryEditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repos: Repos,
    private readonly stateEvents: StateEventsService,
    private readonly production: ProductionService,
    private readonly clock: Clock,
  ) {}

  /**
   * The audit log in the order asked for (`from`/`to` filter on when the change was made), as GET
   * /api/v1/audit answers it; `truncated` when more entries match than the limit.
   */
  async auditLog(filter: AuditQuery) {
    // One entry more than the limit tells whether there is more.
    const found = await this.repos.audit.list({ ...filter, limit: filter.limit + 1 });
    const entries = found.slice(0, filter.limit);
    return {
      truncated: found.length > filter.limit,
      entries: entries.map((e) => ({
        id: Number(e.id),
        at: e.at.toISOString(),
        userId: e.userId,
        apiKeyId: e.apiKeyId,
        action: e.action,
        entity: e.entity,
        entityId: e.entityId,
        machineId: e.machineId,
        before: e.before,
        after: e.after,
        note: e.note,
      })),
    };
  }

  /** The audit log with the names of users, API keys and machines, for `GET /api/v1/audit.csv`. */
  async auditTable(filter: AuditQuery): Promise<AuditTable & { truncated: boolean }> {
    const { entries, truncated } = await this.auditLog(filter);
    const ids = (pick: (e: (typeof entries)[number]) => number | null) => [...new Set(entries.map(pick).filter((id) => id !== null))];
    const names = await this.repos.audit.names({
      userIds: ids((e) => e.userId),
      apiKeyIds: ids((e) => e.apiKeyId),
      machineIds: ids((e) => e.machineId),
    });
    const who = (e: (typeof entries)[number]) =>
      e.userId !== null
        ? (names.users.get(e.userId) ?? `user ${e.userId}`)
        : e.apiKeyId !== null
          ? `API key ${names.apiKeys.get(e.apiKeyId) ?? e.apiKeyId}`
          : null;
    const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
    const rows = entries.map((e) => [
      e.id,
      new Date(e.at),
      who(e),
      e.userId,
      e.apiKeyId,
      e.action,
      e.entity,
      e.entityId,
      e.machineId,
      e.machineId === null ? null : (names.machines.get(e.machineId) ?? null),
      json(e.before),
      json(e.after),
      e.note,
    ]);
    return { columns: AUDIT_COLUMNS, rows, timezone: (await this.repos.site.get()).timezone, truncated };
  }

  /**
   * "The machine was in this code over [from, to)": a correction event (with `until`) through the
   * state-event write path, which re-projects the timeline from `from`. Refused (400) when the span
   * reaches into the current open interval or the future, or starts before the machine's history;
   * 409 when it would put a running code where no job was active, as the live path refuses.
   */
  async correct(actor: Actor, req: CorrectionRequest): Promise<CorrectionResult> {
    return this.write((tx, changes) => this.correctIn(tx, changes, actor, req));
  }

  /**
   * What `correct` would do, without doing it: the same correction in a transaction that is rolled
   * back, answering the span's intervals before and after it and what it moves between codes
   * (core/state/correction-moves.ts). The same refusals as `correct` (400, 404, 409), so the form
   * learns them before applying. Before and after are read around the correction in the same
   * transaction, so a correction already in force moves nothing.
   */
  async previewCorrection(actor: Actor, req: CorrectionRequest): Promise<CorrectionPreview> {
    return this.rehearse(async (tx, changes) => {
      const { timeline, historyEdits } = this.repos;
      await timeline.lockMachines(tx, [req.machineId]);
      const before = (await historyEdits.clippedIntervals(tx, req.machineId, req.from, req.to)).map(intervalView);
      await this.correctIn(tx, changes, actor, req);
      const after = (await historyEdits.clippedIntervals(tx, req.machineId, req.from, req.to)).map(intervalView);
      const moves = correctionMoves(before, after);
      const codes = await this.repos.shopFloor.codes(tx, [...new Set(moves.flatMap((m) => [m.fromActivityCodeId, m.toActivityCodeId]))]);
      const categoryOf = (id: number) => codes.get(id)?.category ?? 'unplanned_stop';
      return {
        before,
        after,
        moves: moves.map((m) => ({ ...m, fromCategory: categoryOf(m.fromActivityCodeId), toCategory: categoryOf(m.toActivityCodeId) })),
      };
    });
  }

  private async correctIn(tx: EntityManager, changes: CommittedChange[], actor: Actor, req: CorrectionRequest): Promise<CorrectionResult> {
    const { timeline, shopFloor, historyEdits, audit } = this.repos;
    await timeline.lockMachines(tx, [req.machineId]);
    if (!(await shopFloor.machines(tx, [req.machineId])).has(req.machineId)) throw AppError.notFound(`Machine ${req.machineId}`);
    if (req.eventId) {
      const stored = await historyEdits.eventByEventId(tx, req.machineId, req.eventId);
      if (stored) {
        if (sameCorrection(stored, req)) return this.replayCorrection(tx, req, stored);
        throw AppError.conflict(`eventId "${req.eventId}" was already used for another event of this machine`);
      }
    }
    this.notBeforeEarliest(req.from, 'from');
    if (req.to.getTime() > this.clock.now().getTime()) {
      throw AppError.invalid('A correction cannot reach into the future', [{ path: ['to'], message: 'must not be after now' }]);
    }
    const code = (await shopFloor.codes(tx, [req.activityCodeId])).get(req.activityCodeId);
    if (!code) {
      throw AppError.invalid(`Unknown activity code ${req.activityCodeId}`, [
        { path: ['activityCodeId'], message: `no activity code with id ${req.activityCodeId}` },
      ]);
    }
    const open = (await timeline.openIntervals(tx, [req.machineId])).get(req.machineId);
    const historyStart = await historyEdits.historyStart(tx, req.machineId);
    if (!open || !historyStart)
      throw AppError.invalid('The machine has no history to correct yet', [
        { path: ['from'], message: 'no state recorded for this machine' },
      ]);
    if (req.to.getTime() > open.start.getTime()) {
      throw AppError.invalid(
        `The correction overlaps the machine's current state, which began at ${open.start.toISOString()}: end it at or before then`,
        [{ path: ['to'], message: `must not be after ${open.start.toISOString()}` }],
      );
    }
    if (req.from.getTime() < historyStart.getTime()) {
      throw AppError.invalid(`The machine's history begins at ${historyStart.toISOString()}: a correction cannot start before it`, [
        { path: ['from'], message: `must not be before ${historyStart.toISOString()}` },
      ]);
    }
    const before = (await historyEdits.clippedIntervals(tx, req.machineId, req.from, req.to)).map(intervalView);
    // The live rule, over the span: a running code only where a job was active (intervals are cut at job boundaries).
    const jobless = before.find((i) => i.jobId === null);
    const check = checkStateChange({ code, hasActiveJob: jobless === undefined, upCodeId: BUILT_IN_CODES.up });
    if (!check.ok) {
      throw new AppError(
        check.code,
        check.status,
        `${check.message}: no job was active from ${jobless!.start} to ${jobless!.end}; start or extend a job there first`,
      );
    }
    if (!req.eventId && before.every((i) => i.activityCodeId === req.activityCodeId)) {
      // The same correction again (a retry without an eventId): already in force, nothing to do.
      const same = await historyEdits.latestCorrection(tx, req.machineId, req.from, req.to, req.activityCodeId);
      if (same) return this.replayCorrection(tx, req, same);
    }
    await this.stateEvents.recordIn(
      tx,
      [
        {
          machineId: req.machineId,
          at: req.from,
          until: req.to,
          activityCodeId: req.activityCodeId,
          operatorId: null,
          eventId: req.eventId ?? null,
          sender: editSender(actor),
        },
      ],
      'correction',
      changes,
    );
    const stored = await historyEdits.latestCorrection(tx, req.machineId, req.from, req.to, req.activityCodeId);
    if (!stored) throw new Error('the correction was not stored');
    const after = (await historyEdits.clippedIntervals(tx, req.machineId, req.from, req.to)).map(intervalView);
    const note = req.note || null;
    await audit.record(tx, actor, {
      action: CORRECT,
      entity: 'timeline',
      entityId: stored.id,
      machineId: req.machineId,
      before,
      after,
      note,
    });
    return { correction: correctionView(req.machineId, stored, note), before, after };
  }

  /** The answer to a repeated correction: the stored one, with the before and after of its audit entry. */
  private async replayCorrection(tx: EntityManager, req: CorrectionRequest, stored: StoredEvent): Promise<CorrectionResult> {
    const entry = await this.repos.historyEdits.auditEntry(tx, CORRECT, stored.id);
    const current = (await this.repos.historyEdits.clippedIntervals(tx, req.machineId, req.from, req.to)).map(intervalView);
    return {
      correction: correctionView(req.machineId, stored, entry?.note ?? null),
      before: (entry?.before as IntervalView[] | undefined) ?? current,
      after: (entry?.after as IntervalView[] | undefined) ?? current,
    };
  }

  /**
   * Edits a job's number, times or ideal cycle time. Moving its times changes which intervals and
   * production records belong to it: the records are re-assigned (the job running at their start,
   * as when they were recorded) and the timeline is re-projected from the earliest time affected.
   */
  async updateJob(actor: Actor, jobId: number, patch: JobPatch): Promise<number> {
    await this.write(async (tx, changes) => {
      const { timeline, historyEdits, audit } = this.repos;
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
      this.notInFuture(next.start, 'start');
      if (patch.start) this.notBeforeEarliest(patch.start, 'start');
      if (next.end) this.notInFuture(next.end, 'end');
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
        await this.stateEvents.reproject(tx, job.machineId, from, changes);
        if ((await timeline.openIntervals(tx, [job.machineId])).has(job.machineId))
          changes.push(await this.stateEvents.currentState(tx, job.machineId));
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
    return this.write(async (tx, changes) => {
      const { timeline, shopFloor, historyEdits, audit } = this.repos;
      await timeline.lockMachines(tx, [req.machineId]);
      if (!(await shopFloor.machines(tx, [req.machineId])).has(req.machineId)) throw AppError.notFound(`Machine ${req.machineId}`);
      this.notBeforeEarliest(req.start, 'start');
      this.notInFuture(req.end, 'end');
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
      await this.stateEvents.reproject(tx, req.machineId, req.start, changes);
      if ((await timeline.openIntervals(tx, [req.machineId])).has(req.machineId))
        changes.push(await this.stateEvents.currentState(tx, req.machineId));
      let counts: ProductionView | null = null;
      if ((req.good ?? 0) > 0 || (req.rejects ?? 0) > 0) {
        const record = await this.production.recordIn(
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
        await this.correctIn(tx, changes, actor, {
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
    const records = await this.repos.historyEdits.jobProduction(tx, job.id);
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
      await this.repos.historyEdits.updateProduction(tx, { ...only, ...wanted });
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
      const to = job.end ?? this.clock.now();
      const record = await this.production.recordIn(
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

  /** A production record added by hand (audited); the job is the one running at its start. */
  async createProduction(actor: Actor, req: ProductionCreate): Promise<ProductionView> {
    return this.write(async (tx, changes) => {
      const { timeline, shopFloor, historyEdits, audit } = this.repos;
      await timeline.lockMachines(tx, [req.machineId]);
      if (!(await shopFloor.machines(tx, [req.machineId])).has(req.machineId)) throw AppError.notFound(`Machine ${req.machineId}`);
      if (req.eventId) {
        const stored = await historyEdits.productionByEventId(tx, req.machineId, req.eventId);
        if (stored) return productionView(stored);
      }
      const to = (req.to ?? req.at)!;
      const from = req.from ?? to;
      this.notInFuture(to, req.to ? 'to' : 'at');
      this.notBeforeEarliest(from, req.from ? 'from' : 'at');
      const jobId = await historyEdits.jobIdAt(tx, req.machineId, from, from.getTime() === to.getTime());
      const record = await this.production.recordIn(
        tx,
        {
          machineId: req.machineId,
          jobId,
          from,
          to,
          good: req.good,
          rejects: req.rejects,
          eventId: req.eventId ?? null,
          source: 'correction',
          sender: editSender(actor),
        },
        changes,
      );
      const view = productionView(record);
      await audit.record(tx, actor, {
        action: 'production.create',
        entity: 'production',
        entityId: view.id,
        machineId: req.machineId,
        after: view,
        note: req.note || null,
      });
      return view;
    });
  }

  async updateProduction(actor: Actor, id: number, patch: ProductionPatch): Promise<ProductionView> {
    return this.write(async (tx, changes) => {
      const { timeline, historyEdits, audit } = this.repos;
      const peek = await historyEdits.productionRecord(tx, id, false);
      if (!peek) throw AppError.notFound('Production record');
      await timeline.lockMachines(tx, [peek.machineId]);
      const record = await historyEdits.productionRecord(tx, id, true);
      if (!record) throw AppError.notFound('Production record');
      const next: ProductionRow = {
        ...record,
        good: patch.good ?? record.good,
        rejects: patch.rejects ?? record.rejects,
        from: patch.from ?? record.from,
        to: patch.to ?? record.to,
      };
      if (next.from.getTime() > next.to.getTime()) {
        throw AppError.invalid('A production record cannot end before it starts', [
          { path: [patch.to ? 'to' : 'from'], message: 'from must not be after to' },
        ]);
      }
      this.notInFuture(next.to, 'to');
      if (patch.from) this.notBeforeEarliest(patch.from, 'from');
      const spanChanged = next.from.getTime() !== record.from.getTime() || next.to.getTime() !== record.to.getTime();
      if (spanChanged) next.jobId = await historyEdits.jobIdAt(tx, next.machineId, next.from, next.from.getTime() === next.to.getTime());
      if (!spanChanged && next.good === record.good && next.rejects === record.rejects) return productionView(record);
      await historyEdits.updateProduction(tx, next);
      const view = productionView(next);
      await audit.record(tx, actor, {
        action: 'production.update',
        entity: 'production',
        entityId: view.id,
        machineId: next.machineId,
        before: productionView(record),
        after: view,
        note: patch.note || null,
      });
      changes.push({
        kind: 'production',
        machineId: next.machineId,
        jobId: next.jobId,
        // The span the change touches: the old and the new record's.
        from: new Date(Math.min(record.from.getTime(), next.from.getTime())).toISOString(),
        to: new Date(Math.max(record.to.getTime(), next.to.getTime())).toISOString(),
        good: next.good,
        rejects: next.rejects,
      });
      return view;
    });
  }

  /** Deletes a record. Deleting one already deleted (a retry) succeeds and changes nothing. */
  async deleteProduction(actor: Actor, id: number): Promise<void> {
    await this.write(async (tx, changes) => {
      const { timeline, historyEdits, audit } = this.repos;
      const peek = await historyEdits.productionRecord(tx, id, false);
      if (!peek) {
        if (await historyEdits.auditEntry(tx, PRODUCTION_DELETE, String(id))) return;
        throw AppError.notFound('Production record');
      }
      await timeline.lockMachines(tx, [peek.machineId]);
      const record = await historyEdits.productionRecord(tx, id, true);
      if (!record) return;
      await historyEdits.deleteProduction(tx, record.id);
      await audit.record(tx, actor, {
        action: PRODUCTION_DELETE,
        entity: 'production',
        entityId: record.id,
        machineId: record.machineId,
        before: productionView(record),
        note: null,
      });
      changes.push({
        kind: 'production',
        machineId: record.machineId,
        jobId: record.jobId,
        from: record.from.toISOString(),
        to: record.to.toISOString(),
        good: 0,
        rejects: 0,
      });
    });
  }

  /** One transaction; its changes are announced after it commits. */
  private async write<T>(run: (tx: EntityManager, changes: CommittedChange[]) => Promise<T>): Promise<T> {
    const changes: CommittedChange[] = [];
    const result = await this.dataSource.transaction((tx) => run(tx, changes));
    this.stateEvents.announce(changes);
    return result;
  }

  /** `write` rolled back: the same work, its result, and nothing stored or announced. */
  private async rehearse<T>(run: (tx: EntityManager, changes: CommittedChange[]) => Promise<T>): Promise<T> {
    // Typed wide on purpose: assigned inside the callback, which control-flow analysis does not follow.
    let result = null as { value: T } | null;
    try {
      await this.dataSource.transaction(async (tx) => {
        result = { value: await run(tx, []) };
        throw new Rehearsal();
      });
    } catch (err) {
      if (!(err instanceof Rehearsal)) throw err;
    }
    return result!.value;
  }

  /** Even supervisors write nothing before EARLIEST_WRITE_AT (core/live-window): such a date is never real. */
  private notBeforeEarliest(at: Date, field: string): void {
    if (at.getTime() < EARLIEST_WRITE_AT.getTime()) {
      throw AppError.invalid(`\`${field}\` lies before ${EARLIEST_WRITE_AT.toISOString()}`, [
        { path: [field], message: `must not be before ${EARLIEST_WRITE_AT.toISOString()}` },
      ]);
    }
  }

  private notInFuture(at: Date, field: string): void {
    if (at.getTime() > this.clock.now().getTime() + MAX_FUTURE_SKEW_SECONDS * 1000) {
      throw AppError.invalid(`\`${field}\` lies in the future`, [{ path: [field], message: 'must not be after now' }]);
    }
  }
}

function sameCorrection(stored: StoredEvent, req: CorrectionRequest): boolean {
  return (
    stored.until !== null &&
    stored.at.getTime() === req.from.getTime() &&
    stored.until.getTime() === req.to.getTime() &&
    stored.activityCodeId === req.activityCodeId
  );
}

function intervalView(i: ClippedInterval): IntervalView {
  return {
    start: i.start.toISOString(),
    end: i.end.toISOString(),
    activityCodeId: i.activityCodeId,
    jobId: i.jobId,
    operatorId: i.operatorId,
  };
}

function correctionView(machineId: number, stored: StoredEvent, note: string | null): CorrectionResult['correction'] {
  return {
    id: Number(stored.id),
    machineId,
    from: stored.at.toISOString(),
    to: stored.until!.toISOString(),
    activityCodeId: stored.activityCodeId,
    note,
  };
}

function jobView(j: JobRow) {
  return {
    jobNumber: j.jobNumber,
    start: j.start.toISOString(),
    end: j.end ? j.end.toISOString() : null,
    idealCycleTimeSeconds: j.idealCycleTimeSeconds,
  };
}
