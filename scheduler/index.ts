import type { AppServices } from '../services/app-services.js';
import { Scheduler, type SchedulerStore } from './scheduler.js';

export interface SchedulerSetup {
  store: SchedulerStore;
  /** Serialises Agenda's start across instances (the composition root holds the advisory lock). */
  serialiseStart: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** The scheduler role: when shift boundaries, OEE roll-ups, the nightly verification and housekeeping run, on Agenda. */
export function createScheduler(services: AppServices, setup: SchedulerSetup): Scheduler {
  const tasks = services.scheduledTasks;
  return new Scheduler(
    {
      shiftBoundaries: services.shiftBoundaries,
      closeFinishedHours: () => tasks.closeFinishedHours(),
      verifyPreviousDay: () => tasks.verifyPreviousDay(),
      housekeeping: () => tasks.housekeeping(),
      alerts: async () => {
        await services.alerts.evaluate();
        await services.alertDeliveries.deliverDue();
      },
      shiftReports: async () => {
        await services.shiftReports.run();
      },
      watchSilence: () => services.noDataWatch.run(),
    },
    { store: setup.store, serialiseStart: setup.serialiseStart, logger: services.logger, feed: services.feed, clock: services.clock },
  );
}
