import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { Sender } from '../core/live-window.js';
import { MAX_FUTURE_SKEW_SECONDS } from '../core/schemas/shop-floor.schema.js';
import type { ChangeFeed, CommittedChange } from './change-feed.js';
import type { ProductionRecordEntity } from '../db/entities/index.js';
import type { ShopFloorRepository } from '../db/repositories/shop-floor.repository.js';
import { noContacts, type ContactSink } from './andon/contacts.js';
import { announce } from './announce.js';
import type { LiveWindowGuard } from './live-window.js';
import type { OutboxWriter } from './outbox-writer.js';

export interface ProductionRequest {
  machineId: number;
  good: number;
  rejects: number;
  /** A point record: from = to = at. */
  at?: Date | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  eventId?: string | null | undefined;
  source: string;
  sender: Sender;
}

/** A record as stored, inside a caller's transaction. */
export interface ProductionWrite {
  machineId: number;
  jobId: number | null;
  from: Date;
  to: Date;
  good: number;
  rejects: number;
  eventId: string | null;
  source: string;
  sender: Sender;
}

/** A production record as the API answers it (docs/api.md). */
export interface ProductionView {
  id: number;
  machineId: number;
  jobId: number | null;
  from: string;
  to: string;
  good: number;
  rejects: number;
}

export function productionView(p: {
  id: string | number;
  machineId: number;
  jobId: number | null;
  from: Date;
  to: Date;
  good: number;
  rejects: number;
}): ProductionView {
  return {
    id: Number(p.id),
    machineId: p.machineId,
    jobId: p.jobId,
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    good: p.good,
    rejects: p.rejects,
  };
}

/** Good and reject counts; they belong to the job running at their time (the span's start). */
export class ProductionService {
  /** Last contacts (services/andon/contacts.ts), set by the composition root: every device count is one. */
  contacts: ContactSink = noContacts;

  constructor(
    private readonly dataSource: DataSource,
    private readonly shopFloor: ShopFloorRepository,
    private readonly outbox: OutboxWriter,
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
    private readonly liveWindow: LiveWindowGuard,
  ) {}

  async record(req: ProductionRequest): Promise<ProductionView> {
    const changes: CommittedChange[] = [];
    const record = await this.dataSource.transaction(async (tx) => {
      if (!(await this.shopFloor.machines(tx, [req.machineId])).has(req.machineId)) throw AppError.notFound(`Machine ${req.machineId}`);
      const now = this.clock.now();
      const to = req.to ?? req.at ?? now;
      const from = req.from ?? to;
      if (to.getTime() > now.getTime() + MAX_FUTURE_SKEW_SECONDS * 1000) {
        throw AppError.invalid('The counts lie too far in the future', [
          { path: [req.to ? 'to' : 'at'], message: `more than ${MAX_FUTURE_SKEW_SECONDS / 60} minutes in the future` },
        ]);
      }
      const job = await this.shopFloor.jobAt(tx, req.machineId, from, from.getTime() === to.getTime());
      return this.recordIn(tx, { ...req, from, to, jobId: job?.id ?? null, eventId: req.eventId ?? null }, changes, { judgeFrom: true });
    });
    announce(this.feed, this.outbox, changes);
    return productionView(record);
  }

  /**
   * Inside the caller's transaction; a repeated eventId answers with the stored record and changes
   * nothing. The live window judges `to` (when the counts were made), and `from` too when the
   * caller chose it (`judgeFrom`); a span from a running job's start is judged by that job's events.
   */
  async recordIn(
    tx: EntityManager,
    r: ProductionWrite,
    changes: CommittedChange[],
    options: { judgeFrom?: boolean } = {},
  ): Promise<ProductionRecordEntity> {
    this.contacts.touch(r.sender.label, r.machineId, r.source);
    const summary = { from: r.from.toISOString(), to: r.to.toISOString(), good: r.good, rejects: r.rejects, eventId: r.eventId };
    const times: [Date, string][] =
      options.judgeFrom && r.from.getTime() !== r.to.getTime()
        ? [
            [r.from, 'from'],
            [r.to, 'to'],
          ]
        : [[r.to, 'to']];
    const backdated = await this.liveWindow.check(
      tx,
      'production_records',
      times.map(([at, field]) => ({
        machineId: r.machineId,
        at,
        sender: r.sender,
        path: [r.from.getTime() === r.to.getTime() ? 'at' : field],
        summary,
        audit: true,
        eventId: r.eventId,
      })),
      this.clock.now(),
    );
    const inserted = await this.shopFloor.insertProduction(tx, { ...r, sender: r.sender.label });
    if (!inserted) return (await this.shopFloor.findProductionByEventId(tx, r.machineId, r.eventId!))!;
    // One record, one audit entry, even when both of its ends lie before the window.
    await this.liveWindow.record(tx, 'production.backdate', backdated.slice(0, 1));
    await this.outbox.production(tx, r);
    changes.push({
      kind: 'production',
      machineId: r.machineId,
      jobId: r.jobId,
      from: r.from.toISOString(),
      to: r.to.toISOString(),
      good: r.good,
      rejects: r.rejects,
    });
    return inserted;
  }
}
