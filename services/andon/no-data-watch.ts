import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { systemSender } from '../../core/live-window.js';
import { dataBackEventId, decideNoData, noDataEventId, type NoDataDecision } from '../../core/andon/no-data.js';
import { BUILT_IN_CODES } from '../../core/state/built-in-codes.js';
import type { AndonRepository } from '../../db/repositories/andon.repository.js';
import type { StateEventsService } from '../state-events.service.js';
import type { ContactTracker } from './contacts.js';

/**
 * The No data watcher (docs/oee.md "No data"), run by the scheduler every few seconds on one instance:
 * a machine silent longer than its heartbeat interval goes into No data from its last contact, and
 * back to the state it last reported when it is heard from again. Both are ordinary state events
 * through StateEventsService (back-dated, so they re-project like any late event), with event ids
 * that make a repeated decision a duplicate.
 */
export class NoDataWatch {
  constructor(
    private readonly deps: {
      repo: Pick<AndonRepository, 'noDataCodeId' | 'watchedMachines' | 'stateBefore'>;
      contacts: Pick<ContactTracker, 'flush'>;
      stateEvents: Pick<StateEventsService, 'record'>;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  async run(): Promise<NoDataDecision[]> {
    const { repo, clock } = this.deps;
    // This instance's own contacts first; the others' are at most one flush period old (SILENCE_GRACE_MS).
    await this.deps.contacts.flush();
    const noData = await repo.noDataCodeId();
    if (noData === null) return [];
    const now = clock.now();
    const decisions = (await repo.watchedMachines())
      .map((m) =>
        decideNoData(
          {
            machineId: m.machineId,
            heartbeatSeconds: m.heartbeatSeconds,
            lastContactAt: m.lastContactAt,
            contactResumedAt: m.contactResumedAt,
            open: m.openCodeId !== null && m.openStart !== null ? { activityCodeId: m.openCodeId, start: m.openStart } : null,
          },
          noData,
          now,
        ),
      )
      .filter((d) => d.kind !== 'none');
    for (const d of decisions) {
      try {
        if (d.kind === 'silent') await this.write(d.machineId, d.at, noData, noDataEventId(d.machineId, d.at));
        else if (d.kind === 'back') await this.back(d.machineId, d.at, noData);
      } catch (err) {
        this.deps.logger.error({ err, machineId: d.machineId, decision: d.kind }, 'No data: writing the state failed');
      }
    }
    return decisions;
  }

  /** Back to the state reported before the silence; Down when there is none or it cannot be (Up without a job). */
  private async back(machineId: number, at: Date, noData: number): Promise<void> {
    const machines = await this.deps.repo.watchedMachines();
    const start = machines.find((m) => m.machineId === machineId)?.openStart ?? at;
    const before = (await this.deps.repo.stateBefore(machineId, start, noData)) ?? BUILT_IN_CODES.down;
    const eventId = dataBackEventId(machineId, at);
    try {
      await this.write(machineId, at, before, eventId);
    } catch (err) {
      if (!(err instanceof AppError) || before === BUILT_IN_CODES.down) throw err;
      await this.write(machineId, at, BUILT_IN_CODES.down, eventId);
    }
  }

  private async write(machineId: number, at: Date, activityCodeId: number, eventId: string): Promise<void> {
    await this.deps.stateEvents.record([{ machineId, at, activityCodeId, eventId, sender: systemSender('scheduler') }], 'scheduler');
  }
}
