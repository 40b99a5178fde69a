import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../core/clock.js';
import { AppError, type ErrorIssue } from '../../core/errors.js';
import { BUILT_IN_CODES } from '../../core/state/built-in-codes.js';
import { checkStateChange } from '../../core/state/machine-state.rules.js';
import { MAX_FUTURE_SKEW_SECONDS } from '../../core/schemas/shop-floor.schema.js';
import { jobAt, projectTimeline, sameState } from '../../core/state/timeline-projection.js';
import type { ChangeFeed, CommittedChange } from '../../db/change-feed.js';
import type { EventSource } from '../../db/entities/state-event.entity.js';
import type { ShopFloorRepository } from '../../db/repositories/shop-floor.repository.js';
import type { NewStateEvent, TimelineRepository } from '../../db/repositories/timeline.repository.js';
import { announce } from './announce.js';
import type { OutboxWriter } from './outbox-writer.js';

export interface StateEventRequest {
  machineId: number;
  at?: Date | undefined;
  activityCodeId: number;
  operatorId?: number | null;
  eventId?: string | null | undefined;
  /** Corrections only: the code holds over [at, until). */
  until?: Date;
}

export interface RecordResult {
  accepted: number;
  duplicates: number;
}

/**
 * The one write path of machine states: the device API, the legacy route, jobs, tablets, the
 * scheduler and corrections all come through here. In one transaction it validates the batch (one bad
 * event refuses all), serialises per machine, appends the events (a repeated event id is a harmless
 * duplicate) and re-projects the timeline from the earliest new event. After commit it announces what
 * changed on the change feed.
 */
export class StateEventsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly timeline: TimelineRepository,
    private readonly shopFloor: ShopFloorRepository,
    private readonly outbox: OutboxWriter,
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
  ) {}

  /** Records a batch in its own transaction and announces the changes after commit. */
  async record(requests: StateEventRequest[], source: EventSource, options: { issuePath?: (i: number) => (string | number)[] } = {}): Promise<RecordResult> {
    const changes: CommittedChange[] = [];
    const result = await this.dataSource.transaction((tx) => this.recordIn(tx, requests, source, changes, options));
    this.announce(changes);
    return result;
  }

  announce(changes: CommittedChange[]): void {
    announce(this.feed, this.outbox, changes);
  }

  /** Records inside the caller's transaction; the caller announces `changes` after its commit. */
  async recordIn(
    tx: EntityManager,
    requests: StateEventRequest[],
    source: EventSource,
    changes: CommittedChange[],
    options: { issuePath?: (i: number) => (string | number)[] } = {},
  ): Promise<RecordResult> {
    const now = this.clock.now();
    const pathOf = options.issuePath ?? ((i: number) => (requests.length === 1 ? [] : ['events', i]));
    const machineIds = [...new Set(requests.map((r) => r.machineId))];
    await this.timeline.lockMachines(tx, machineIds);

    const [machines, codes, operators, open] = await Promise.all([
      this.shopFloor.machines(tx, machineIds),
      this.shopFloor.codes(tx, [...new Set(requests.map((r) => r.activityCodeId))]),
      this.shopFloor.currentOperators(tx, machineIds),
      this.timeline.openIntervals(tx, machineIds),
    ]);
    // Jobs that may cover any new event, or cut the current interval before it.
    const jobsByMachine = new Map<number, Awaited<ReturnType<TimelineRepository['jobsFrom']>>>();
    for (const machineId of machineIds) {
      if (!machines.has(machineId)) continue;
      const times = requests.filter((r) => r.machineId === machineId).map((r) => (r.at ?? now).getTime());
      const openStart = open.get(machineId)?.start.getTime() ?? Infinity;
      jobsByMachine.set(machineId, await this.timeline.jobsFrom(tx, machineId, new Date(Math.min(openStart, ...times))));
    }
    const events: NewStateEvent[] = [];
    const issues: ErrorIssue[] = [];
    let notFound = false;
    for (const [i, r] of requests.entries()) {
      const at = r.at ?? now;
      if (!machines.has(r.machineId)) {
        issues.push({ path: [...pathOf(i), 'machineId'], message: `no machine with id ${r.machineId}` });
        notFound ||= requests.length === 1;
        continue;
      }
      const code = codes.get(r.activityCodeId);
      if (!code) {
        issues.push({ path: [...pathOf(i), 'activityCodeId'], message: `no activity code with id ${r.activityCodeId}` });
        continue;
      }
      if (at.getTime() > now.getTime() + MAX_FUTURE_SKEW_SECONDS * 1000) {
        issues.push({ path: [...pathOf(i), 'at'], message: `more than ${MAX_FUTURE_SKEW_SECONDS / 60} minutes in the future` });
        continue;
      }
      if (!r.until) {
        const jobs = jobsByMachine.get(r.machineId)!;
        const check = checkStateChange({ code, hasActiveJob: jobAt(jobs, at.getTime()) !== null, upCodeId: BUILT_IN_CODES.up });
        if (!check.ok) {
          if (requests.length === 1) throw new AppError(check.code, check.status, check.message);
          issues.push({ path: [...pathOf(i), 'activityCodeId'], message: check.message });
          continue;
        }
      }
      events.push({
        machineId: r.machineId,
        at,
        until: r.until ?? null,
        activityCodeId: r.activityCodeId,
        operatorId: r.operatorId === undefined ? (operators.get(r.machineId) ?? null) : r.operatorId,
        eventId: r.eventId ?? null,
      });
    }
    if (notFound) throw AppError.notFound(`Machine ${requests[0]!.machineId}`);
    if (issues.length) throw AppError.invalid(requests.length === 1 ? issues[0]!.message : 'The batch was refused; nothing was stored', issues);

    const stored = await this.timeline.insertEvents(tx, events, source);
    const byMachine = new Map<number, typeof stored>();
    for (const e of stored) byMachine.set(e.machineId, [...(byMachine.get(e.machineId) ?? []), e]);

    for (const [machineId, machineEvents] of byMachine) {
      const earliest = new Date(Math.min(...machineEvents.map((e) => e.at.getTime())));
      const current = open.get(machineId) ?? null;
      const single = machineEvents.length === 1 && !machineEvents[0]!.until ? machineEvents[0]! : null;
      const jobs = jobsByMachine.get(machineId)!;
      // Fast path: one live event after the current state's start, no job boundary in between.
      if (single && current && single.at.getTime() > current.start.getTime() && !jobs.some((j) => inside(j.start, current.start, single.at) || (j.end !== null && inside(j.end, current.start, single.at)))) {
        const next = { activityCodeId: single.activityCodeId, jobId: jobAt(jobs, single.at.getTime()), operatorId: single.operatorId };
        if (!sameState(current, next)) await this.timeline.appendInterval(tx, current, { ...next, machineId, start: single.at });
      } else {
        await this.reproject(tx, machineId, earliest, changes);
      }
      await this.outbox.stateChanges(tx, machineEvents, codes);
      changes.push(await this.currentState(tx, machineId));
    }
    return { accepted: stored.length, duplicates: events.length - stored.length };
  }

  /** Rebuilds the timeline of one machine from the interval holding `at` onward. */
  async reproject(tx: EntityManager, machineId: number, at: Date, changes: CommittedChange[]): Promise<void> {
    const from = await this.timeline.reprojectionStart(tx, machineId, at);
    const inputs = await this.timeline.projectionInputs(tx, machineId, from);
    const projected = projectTimeline(inputs.events, inputs.corrections, inputs.jobs)
      .filter((i) => i.end === null || i.end > from.getTime())
      .map((i) => ({ ...i, start: Math.max(i.start, from.getTime()) }));
    await this.timeline.replaceFrom(tx, machineId, from, projected);
    changes.push({ kind: 'timeline', machineId, from: from.toISOString() });
  }

  private async currentState(tx: EntityManager, machineId: number): Promise<CommittedChange> {
    const open = (await this.timeline.openIntervals(tx, [machineId])).get(machineId);
    const code = open ? (await this.shopFloor.codes(tx, [open.activityCodeId])).get(open.activityCodeId) : undefined;
    return {
      kind: 'machine-state',
      machineId,
      activityCodeId: open?.activityCodeId ?? BUILT_IN_CODES.down,
      category: code?.category ?? 'unplanned_stop',
      since: (open?.start ?? this.clock.now()).toISOString(),
      jobId: open?.jobId ?? null,
      operatorId: open?.operatorId ?? null,
    };
  }
}

function inside(t: number, after: Date, before: Date): boolean {
  return t > after.getTime() && t <= before.getTime();
}
