import { DateTime } from 'luxon';
import { withAdvisoryLock } from '../db/migrate.js';
import type { OutboxRepository } from '../db/influx/outbox.repository.js';
import type { AppServices } from '../services/app-services.js';
import { Scheduler } from './scheduler.js';
import { ShiftBoundaryService } from '../services/shift-boundary.service.js';

/** Any fixed number: the advisory lock under which instances start Agenda one at a time. */
const SCHEDULER_START_LOCK_KEY = 7_317_004;

/** Delivered outbox rows are kept this long (for inspection), then pruned. */
const OUTBOX_KEEP_MS = 3_600_000;

/** The scheduler role: shift boundaries, OEE roll-ups and housekeeping, on Agenda. */
export function createScheduler(deps: AppServices, options: { databaseUrl: string; mongodbUrl?: string | undefined; outbox: OutboxRepository }): Scheduler {
  const { repos, clock } = deps;
  const shiftBoundaries = new ShiftBoundaryService(deps.dataSource, repos.scheduler, repos.site, repos.shopFloor, deps.jobs, deps.feed, clock);
  return new Scheduler(
    {
      shiftBoundaries,
      closeFinishedHours: async () => {
        // Computes and stores every finished hour (and local day) of the last two days not stored yet.
        const hour = 3_600_000;
        const to = new Date(Math.floor(clock.now().getTime() / hour) * hour);
        await deps.oee.storeClosed(new Date(to.getTime() - 48 * hour), to);
      },
      verifyPreviousDay: async () => {
        const { timezone } = await repos.site.get();
        const today = DateTime.fromJSDate(clock.now(), { zone: timezone }).startOf('day');
        return deps.verify.run({ userId: null, apiKeyId: null }, { from: today.minus({ days: 1 }).toJSDate(), to: today.toJSDate(), repair: true });
      },
      housekeeping: async () => {
        const now = clock.now();
        await options.outbox.pruneDelivered(new Date(now.getTime() - OUTBOX_KEEP_MS));
        await repos.credentials.deleteExpiredSessions(now);
      },
    },
    {
      databaseUrl: options.databaseUrl,
      mongodbUrl: options.mongodbUrl,
      logger: deps.logger,
      feed: deps.feed,
      clock,
      serialiseStart: (fn) => withAdvisoryLock(deps.dataSource, SCHEDULER_START_LOCK_KEY, fn),
    },
  );
}
