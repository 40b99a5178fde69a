import { AppError } from '../../core/errors.js';
import { editSender } from '../../core/live-window.js';
import type { Actor } from '../../db/repositories/audit.repository.js';
import type { ProductionRow } from '../../db/repositories/history-edit.repository.js';
import { productionView, type ProductionView } from '../production.service.js';
import type { EditContext } from './edit-context.js';

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

const PRODUCTION_DELETE = 'production.delete';

/** Production records added, edited or deleted by hand. */
export class ProductionEdits {
  constructor(private readonly ctx: EditContext) {}

  /** A production record added by hand (audited); the job is the one running at its start. */
  async createProduction(actor: Actor, req: ProductionCreate): Promise<ProductionView> {
    return this.ctx.write(async (tx, changes) => {
      const { timeline, shopFloor, historyEdits, audit } = this.ctx.repos;
      await timeline.lockMachines(tx, [req.machineId]);
      if (!(await shopFloor.machines(tx, [req.machineId])).has(req.machineId)) throw AppError.notFound(`Machine ${req.machineId}`);
      if (req.eventId) {
        const stored = await historyEdits.productionByEventId(tx, req.machineId, req.eventId);
        if (stored) return productionView(stored);
      }
      const to = (req.to ?? req.at)!;
      const from = req.from ?? to;
      this.ctx.notInFuture(to, req.to ? 'to' : 'at');
      this.ctx.notBeforeEarliest(from, req.from ? 'from' : 'at');
      const jobId = await historyEdits.jobIdAt(tx, req.machineId, from, from.getTime() === to.getTime());
      const record = await this.ctx.production.recordIn(
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
    return this.ctx.write(async (tx, changes) => {
      const { timeline, historyEdits, audit } = this.ctx.repos;
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
      this.ctx.notInFuture(next.to, 'to');
      if (patch.from) this.ctx.notBeforeEarliest(patch.from, 'from');
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
    await this.ctx.write(async (tx, changes) => {
      const { timeline, historyEdits, audit } = this.ctx.repos;
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
}
