import type { DataSource } from 'typeorm';
import type { Clock } from '../../core/clock.js';
import type { AuditQuery } from '../../core/schemas/export.schema.js';
import type { CorrectionPreview, PastJobCreate } from '../../core/schemas/history-edit.schema.js';
import type { Actor } from '../../db/repositories/audit.repository.js';
import type { ProductionService, ProductionView } from '../production.service.js';
import type { StateEventsService } from '../state-events.service.js';
import { AuditLog, type AuditTable } from './audit-log.js';
import { EditContext, type HistoryEditRepos } from './edit-context.js';
import { JobEdits, type JobPatch } from './job-edits.js';
import { ProductionEdits, type ProductionCreate, type ProductionPatch } from './production-edits.js';
import { StateCorrections, type CorrectionRequest, type CorrectionResult } from './state-corrections.js';

export type { AuditTable, CorrectionRequest, CorrectionResult, JobPatch, ProductionCreate, ProductionPatch };
export type { IntervalView } from './edit-context.js';

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
 *
 * One concern per module beside this one: state-corrections.ts, job-edits.ts, production-edits.ts,
 * audit-log.ts; edit-context.ts holds the transaction and the limits they share.
 */
export class HistoryEditService {
  private readonly corrections: StateCorrections;
  private readonly jobs: JobEdits;
  private readonly productionEdits: ProductionEdits;
  private readonly audit: AuditLog;

  constructor(
    dataSource: DataSource,
    repos: HistoryEditRepos,
    stateEvents: StateEventsService,
    production: ProductionService,
    clock: Clock,
  ) {
    const ctx = new EditContext(dataSource, repos, stateEvents, production, clock);
    this.corrections = new StateCorrections(ctx);
    this.jobs = new JobEdits(ctx, this.corrections);
    this.productionEdits = new ProductionEdits(ctx);
    this.audit = new AuditLog(ctx);
  }

  auditLog(filter: AuditQuery) {
    return this.audit.auditLog(filter);
  }

  auditTable(filter: AuditQuery): Promise<AuditTable & { truncated: boolean }> {
    return this.audit.auditTable(filter);
  }

  correct(actor: Actor, req: CorrectionRequest): Promise<CorrectionResult> {
    return this.corrections.correct(actor, req);
  }

  previewCorrection(actor: Actor, req: CorrectionRequest): Promise<CorrectionPreview> {
    return this.corrections.previewCorrection(actor, req);
  }

  updateJob(actor: Actor, jobId: number, patch: JobPatch): Promise<number> {
    return this.jobs.updateJob(actor, jobId, patch);
  }

  createJob(actor: Actor, req: PastJobCreate): Promise<number> {
    return this.jobs.createJob(actor, req);
  }

  createProduction(actor: Actor, req: ProductionCreate): Promise<ProductionView> {
    return this.productionEdits.createProduction(actor, req);
  }

  updateProduction(actor: Actor, id: number, patch: ProductionPatch): Promise<ProductionView> {
    return this.productionEdits.updateProduction(actor, id, patch);
  }

  deleteProduction(actor: Actor, id: number): Promise<void> {
    return this.productionEdits.deleteProduction(actor, id);
  }
}
