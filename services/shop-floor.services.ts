import type { DataSource } from 'typeorm';
import type { Clock } from '../core/clock.js';
import type { ChangeFeed } from './change-feed.js';
import type { Repositories } from '../db/repositories/index.js';
import { ReasonQueue } from './andon/reason-queue.js';
import { HistoryEditService } from './history-edit/history-edit.service.js';
import { JobService } from './job.service.js';
import { LiveWindowGuard } from './live-window.js';
import type { OutboxWriter } from './outbox-writer.js';
import { ProductionService } from './production.service.js';
import { StateEventsService } from './state-events.service.js';
import { WriteMetadata } from './write-metadata.js';

/** The write path of shop-floor data, shared by the HTTP routes, the tablets and the scheduler. */
export function createShopFloorServices(dataSource: DataSource, repos: Repositories, feed: ChangeFeed, outbox: OutboxWriter, clock: Clock) {
  const liveWindow = new LiveWindowGuard(repos.shopFloor, repos.audit);
  const metadata = new WriteMetadata(repos.shopFloor);
  metadata.listen(feed);
  const stateEvents = new StateEventsService(dataSource, repos.timeline, repos.eventAppend, metadata, outbox, feed, clock, liveWindow);
  const production = new ProductionService(dataSource, repos.shopFloor, outbox, feed, clock, liveWindow);
  const jobs = new JobService(dataSource, repos.timeline, repos.shopFloor, stateEvents, production, clock, repos.historyEdits);
  const historyEdits = new HistoryEditService(dataSource, repos, stateEvents, production, clock);
  const reasonQueue = new ReasonQueue({
    repos,
    historyEdits,
    findEvent: async (machineId, eventId) => (await repos.historyEdits.eventByEventId(dataSource.manager, machineId, eventId)) !== null,
    clock,
  });
  return { stateEvents, production, jobs, historyEdits, reasonQueue };
}

export type ShopFloorServices = ReturnType<typeof createShopFloorServices>;
