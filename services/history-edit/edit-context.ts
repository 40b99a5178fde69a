import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { EARLIEST_WRITE_AT } from '../../core/live-window.js';
import { MAX_FUTURE_SKEW_SECONDS } from '../../core/schemas/shop-floor.schema.js';
import type { CommittedChange } from '../change-feed.js';
import type { AuditRepository } from '../../db/repositories/audit.repository.js';
import type { ClippedInterval, HistoryEditRepository, JobRow } from '../../db/repositories/history-edit.repository.js';
import type { ShopFloorRepository } from '../../db/repositories/shop-floor.repository.js';
import type { SiteRepository } from '../../db/repositories/site.repository.js';
import type { TimelineRepository } from '../../db/repositories/timeline.repository.js';
import { type ProductionService } from '../production.service.js';
import type { StateEventsService } from '../state-events.service.js';

export interface IntervalView {
  start: string;
  end: string;
  activityCodeId: number;
  jobId: number | null;
  operatorId: number | null;
}

export interface HistoryEditRepos {
  timeline: TimelineRepository;
  shopFloor: ShopFloorRepository;
  audit: AuditRepository;
  historyEdits: HistoryEditRepository;
  site: Pick<SiteRepository, 'get'>;
}

/** Thrown to roll a dry run back: it carries nothing, the result waits outside the transaction. */
class Rehearsal extends Error {}

/**
 * What every history edit shares: the repositories and write paths, one transaction per edit that
 * announces its changes after commit, its dry run, and the limits on the times an edit may set.
 */
export class EditContext {
  constructor(
    private readonly dataSource: DataSource,
    readonly repos: HistoryEditRepos,
    readonly stateEvents: StateEventsService,
    readonly production: ProductionService,
    readonly clock: Clock,
  ) {}

  /** One transaction; its changes are announced after it commits. */
  async write<T>(run: (tx: EntityManager, changes: CommittedChange[]) => Promise<T>): Promise<T> {
    const changes: CommittedChange[] = [];
    const result = await this.dataSource.transaction((tx) => run(tx, changes));
    this.stateEvents.announce(changes);
    return result;
  }

  /** `write` rolled back: the same work, its result, and nothing stored or announced. */
  async rehearse<T>(run: (tx: EntityManager, changes: CommittedChange[]) => Promise<T>): Promise<T> {
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
  notBeforeEarliest(at: Date, field: string): void {
    if (at.getTime() < EARLIEST_WRITE_AT.getTime()) {
      throw AppError.invalid(`\`${field}\` lies before ${EARLIEST_WRITE_AT.toISOString()}`, [
        { path: [field], message: `must not be before ${EARLIEST_WRITE_AT.toISOString()}` },
      ]);
    }
  }

  notInFuture(at: Date, field: string): void {
    if (at.getTime() > this.clock.now().getTime() + MAX_FUTURE_SKEW_SECONDS * 1000) {
      throw AppError.invalid(`\`${field}\` lies in the future`, [{ path: [field], message: 'must not be after now' }]);
    }
  }
}

export function intervalView(i: ClippedInterval): IntervalView {
  return {
    start: i.start.toISOString(),
    end: i.end.toISOString(),
    activityCodeId: i.activityCodeId,
    jobId: i.jobId,
    operatorId: i.operatorId,
  };
}

export function jobView(j: JobRow) {
  return {
    jobNumber: j.jobNumber,
    start: j.start.toISOString(),
    end: j.end ? j.end.toISOString() : null,
    idealCycleTimeSeconds: j.idealCycleTimeSeconds,
  };
}
