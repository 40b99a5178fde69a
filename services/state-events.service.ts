import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../core/clock.js';
import { AppError, type ErrorIssue } from '../core/errors.js';
import type { Sender } from '../core/live-window.js';
import { MAX_FUTURE_SKEW_SECONDS } from '../core/schemas/shop-floor.schema.js';
import type { Category } from '../core/schemas/setup.schema.js';
import { BUILT_IN_CODES } from '../core/state/built-in-codes.js';
import { checkStateChange } from '../core/state/machine-state.rules.js';
import { jobAt, projectTimeline, sameState, type ProjectedInterval } from '../core/state/timeline-projection.js';
import type { ChangeFeed, CommittedChange } from './change-feed.js';
import type { EventSource } from '../db/entities/state-event.entity.js';
import type { EventAppendRepository, MachineWriteContext, TimelineAppend } from '../db/repositories/event-append.repository.js';
import type { NewStateEvent, TimelineRepository } from '../db/repositories/timeline.repository.js';
import { noContacts, type ContactSink } from './andon/contacts.js';
import { announce } from './announce.js';
import type { LiveWindowGuard, TimedWrite } from './live-window.js';
import type { OutboxWriter } from './outbox-writer.js';
import { WriteBatcher } from './write-batcher.js';
import type { WriteMetadata } from './write-metadata.js';

export interface StateEventRequest {
  machineId: number;
  at?: Date | undefined;
  activityCodeId: number;
  operatorId?: number | null;
  eventId?: string | null | undefined;
  /** Corrections only: the code holds over [at, until). */
  until?: Date;
  /** Who sent it: stored with the event, and it decides how far back `at` may reach (LiveWindowGuard). */
  sender: Sender;
  /** False: not a contact with the machine (an MQTT death: the device is gone); by default a device write is one. */
  contact?: boolean;
}

export interface RecordResult {
  accepted: number;
  duplicates: number;
}

interface RecordOptions {
  issuePath?: (i: number) => (string | number)[];
}

/**
 * The one write path of machine states: the device API, the legacy route, jobs, tablets, the
 * scheduler and corrections all come through here. In one transaction it validates a batch (one bad
 * event refuses all), serialises per machine, appends the events (a repeated event id is a harmless
 * duplicate) and brings the timeline up to date: appended in bulk when every new event is strictly
 * after the machine's latest recorded event, re-projected from the earliest new event otherwise.
 * After commit it announces what changed.
 *
 * Concurrent `record` calls are grouped into shared transactions by a WriteBatcher, so one commit
 * (and one fsync) serves many devices; an answer still means "committed".
 */
export class StateEventsService {
  private readonly batcher: WriteBatcher<{ requests: StateEventRequest[]; source: EventSource; options: RecordOptions }, RecordResult>;
  /** Last contacts (services/andon/contacts.ts), set by the composition root: every device write is one. */
  contacts: ContactSink = noContacts;

  constructor(
    private readonly dataSource: DataSource,
    private readonly timeline: TimelineRepository,
    private readonly eventAppend: EventAppendRepository,
    private readonly metadata: WriteMetadata,
    private readonly outbox: OutboxWriter,
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
    private readonly liveWindow: LiveWindowGuard,
  ) {
    this.batcher = new WriteBatcher({
      maxItems: 5_000,
      weight: (item) => item.requests.length,
      runGroup: (items) => this.recordGroup(items),
      runOne: (item) => this.recordAlone(item.requests, item.source, item.options),
    });
  }

  /** Records a batch (atomically) and announces the changes after commit. */
  record(requests: StateEventRequest[], source: EventSource, options: RecordOptions = {}): Promise<RecordResult> {
    return this.batcher.submit({ requests, source, options });
  }

  announce(changes: CommittedChange[]): void {
    announce(this.feed, this.outbox, changes);
  }

  private async recordAlone(requests: StateEventRequest[], source: EventSource, options: RecordOptions): Promise<RecordResult> {
    const changes: CommittedChange[] = [];
    await this.metadata.ready();
    const result = await this.dataSource.transaction((tx) => this.recordIn(tx, requests, source, changes, options));
    this.announce(changes);
    return result;
  }

  /** Several callers' batches in one transaction; any refusal throws, and the batcher retries each alone. */
  private async recordGroup(items: { requests: StateEventRequest[]; source: EventSource }[]): Promise<RecordResult[]> {
    const changes: CommittedChange[] = [];
    await this.metadata.ready();
    const perItem = await this.dataSource.transaction(async (tx) => {
      const tagged = items.flatMap((item, index) => item.requests.map((r) => ({ r, index, source: item.source })));
      const stored = await this.store(
        tx,
        tagged.map((t) => t.r),
        tagged.map((t) => t.source),
        changes,
        () => [],
      );
      return items.map((_, index) => {
        const mine = tagged.map((t, i) => (t.index === index ? stored[i]! : null)).filter((s) => s !== null);
        const accepted = mine.filter(Boolean).length;
        return { accepted, duplicates: mine.length - accepted };
      });
    });
    this.announce(changes);
    return perItem;
  }

  /** Records inside the caller's transaction; the caller announces `changes` after its commit. */
  async recordIn(
    tx: EntityManager,
    requests: StateEventRequest[],
    source: EventSource,
    changes: CommittedChange[],
    options: RecordOptions = {},
  ): Promise<RecordResult> {
    const pathOf = options.issuePath ?? ((i: number) => (requests.length === 1 ? [] : ['events', i]));
    const stored = await this.store(
      tx,
      requests,
      requests.map(() => source),
      changes,
      pathOf,
    );
    const accepted = stored.filter(Boolean).length;
    return { accepted, duplicates: stored.length - accepted };
  }

  /** Validates, appends and projects. Returns, per request, whether it was stored (false = duplicate). */
  private async store(
    tx: EntityManager,
    requests: StateEventRequest[],
    sources: EventSource[],
    changes: CommittedChange[],
    pathOf: (i: number) => (string | number)[],
  ): Promise<boolean[]> {
    for (const [i, r] of requests.entries()) if (r.contact !== false) this.contacts.touch(r.sender.label, r.machineId, sources[i]!);
    const now = this.clock.now();
    const writes = requests.map((r, i): TimedWrite => ({
      machineId: r.machineId,
      at: r.at ?? now,
      sender: r.sender,
      path: [...pathOf(i), 'at'],
      summary: { activityCodeId: r.activityCodeId, eventId: r.eventId ?? null },
      audit: !r.until,
      eventId: r.eventId ?? null,
    }));
    const backdated = await this.liveWindow.check(tx, 'state_events', writes, now);
    const machines = await this.metadata.machines(tx, [...new Set(requests.map((r) => r.machineId))]);
    // Jobs that may cover a new event or cut the current interval after it began (the read adds the open interval's start).
    const jobsFrom = new Map<number, number>();
    for (const r of requests) {
      if (!machines.has(r.machineId)) continue;
      jobsFrom.set(r.machineId, Math.min((r.at ?? now).getTime(), jobsFrom.get(r.machineId) ?? Infinity));
    }
    const context = await this.eventAppend.lockAndRead(tx, jobsFrom);
    // An event without a time is stamped now that its machines are locked, so stamps follow the order
    // of the transactions: a write that waited for another's lock is never "late" behind it.
    const stamp = this.clock.now();
    const codes = await this.metadata.codes(tx, [
      ...new Set([
        ...requests.map((r) => r.activityCodeId),
        ...[...context.values()].flatMap((c) => (c.open ? [c.open.activityCodeId] : [])),
      ]),
    ]);

    const events: NewStateEvent[] = [];
    const issues: ErrorIssue[] = [];
    for (const [i, r] of requests.entries()) {
      const at = r.at ?? stamp;
      const machine = context.get(r.machineId);
      if (!machine) {
        if (requests.length === 1) throw AppError.notFound(`Machine ${r.machineId}`);
        issues.push({ path: [...pathOf(i), 'machineId'], message: `no machine with id ${r.machineId}` });
        continue;
      }
      const code = codes.get(r.activityCodeId);
      if (!code) {
        issues.push({ path: [...pathOf(i), 'activityCodeId'], message: `no activity code with id ${r.activityCodeId}` });
        continue;
      }
      if (r.at && r.at.getTime() > now.getTime() + MAX_FUTURE_SKEW_SECONDS * 1000) {
        issues.push({ path: [...pathOf(i), 'at'], message: `more than ${MAX_FUTURE_SKEW_SECONDS / 60} minutes in the future` });
        continue;
      }
      if (!r.until) {
        const check = checkStateChange({
          code,
          hasActiveJob: jobAt(machine.jobs, at.getTime()) !== null,
          upCodeId: BUILT_IN_CODES.up,
        });
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
        operatorId: r.operatorId === undefined ? machine.operatorId : r.operatorId,
        eventId: r.eventId ?? null,
        source: sources[i]!,
        sender: r.sender.label,
      });
    }
    if (issues.length)
      throw AppError.invalid(requests.length === 1 ? issues[0]!.message : 'The batch was refused; nothing was stored', issues);

    // Events without an eventId cannot be duplicates: when they all extend their timelines, they are
    // inserted with the timeline change in one statement. Otherwise first, to learn the duplicates
    // (and for a re-projection to read them).
    const deferInsert =
      events.every((e) => e.eventId === null) && [...byMachine(events)].every(([id, list]) => appendable(context.get(id)!, list));
    const stored = deferInsert ? events.map(() => true) : storedFlags(events, await this.timeline.insertEvents(tx, events));
    // Every request became an event (any refusal threw above), so indexes line up; a duplicate is not audited again.
    const storedWrites = new Set(writes.filter((_, i) => stored[i]));
    await this.liveWindow.record(
      tx,
      'events.backdate',
      backdated.filter((w) => storedWrites.has(w)),
    );
    const newEvents = events.filter((_, i) => stored[i]);

    const timeline: TimelineAppend = { close: [], remove: [], add: [] };
    for (const [machineId, machineEvents] of byMachine(newEvents)) {
      const machine = context.get(machineId)!;
      const current = machine.open;
      if (!appendable(machine, machineEvents)) {
        await this.reproject(tx, machineId, new Date(Math.min(...machineEvents.map((e) => e.at.getTime()))), changes);
        changes.push(await this.currentState(tx, machineId));
        continue;
      }
      // The current state continues from its start; the new events follow it in recording order.
      const base = current
        ? [{ at: current.start.getTime(), seq: 0, activityCodeId: current.activityCodeId, operatorId: current.operatorId }]
        : [];
      const projected = projectTimeline(
        [
          ...base,
          ...machineEvents.map((e, k) => ({ at: e.at.getTime(), seq: k + 1, activityCodeId: e.activityCodeId, operatorId: e.operatorId })),
        ],
        [],
        machine.jobs,
      );
      const last = projected[projected.length - 1]!;
      const first = projected[0]!;
      if (!current) timeline.add.push(...projected.map((p) => ({ ...p, machineId })));
      else if (first.start === current.start.getTime() && sameState(first, current)) {
        // The open interval goes on as the first projected one: it ends where the next begins (or stays open).
        if (first.end !== null) timeline.close.push({ id: current.id, end: first.end });
        timeline.add.push(...projected.slice(1).map((p) => ({ ...p, machineId })));
      } else {
        timeline.remove.push(current.id);
        timeline.add.push(...projected.map((p) => ({ ...p, machineId })));
      }
      changes.push(stateChange(machineId, last, codes.get(last.activityCodeId)?.category ?? 'unplanned_stop'));
    }
    await this.eventAppend.append(tx, deferInsert ? newEvents : [], timeline);
    await this.outbox.stateChanges(tx, newEvents, codes);
    return stored;
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

  /** The machine's current state as a change to announce (after a re-projection that may have changed it). */
  async currentState(tx: EntityManager, machineId: number): Promise<CommittedChange> {
    const open = (await this.timeline.openIntervals(tx, [machineId])).get(machineId);
    if (!open) throw new Error(`machine ${machineId} has events but no open interval`);
    const code = (await this.metadata.codes(tx, [open.activityCodeId])).get(open.activityCodeId);
    return stateChange(machineId, { ...open, start: open.start.getTime() }, code?.category ?? 'unplanned_stop');
  }
}

function stateChange(machineId: number, interval: Omit<ProjectedInterval, 'end'>, category: Category): CommittedChange {
  return {
    kind: 'machine-state',
    machineId,
    activityCodeId: interval.activityCodeId,
    category,
    since: new Date(interval.start).toISOString(),
    jobId: interval.jobId,
    operatorId: interval.operatorId,
  };
}

/**
 * Only events strictly after the machine's latest recorded instant can extend the open interval: a
 * repeat of the current state leaves no interval boundary, so the open interval's start says nothing
 * about it (docs/timeline-truth.md).
 */
function appendable(machine: MachineWriteContext, events: NewStateEvent[]): boolean {
  return (
    (machine.latest === null) === (machine.open === null) &&
    events.every((e) => !e.until && (machine.latest === null || e.at.getTime() > machine.latest))
  );
}

/** Events by machine, each machine's in recording order. */
function byMachine(events: NewStateEvent[]): Map<number, NewStateEvent[]> {
  const out = new Map<number, NewStateEvent[]>();
  for (const e of events) {
    const list = out.get(e.machineId);
    if (list) list.push(e);
    else out.set(e.machineId, [e]);
  }
  return out;
}

/** Which events were stored: all without an eventId, and the first of each (machine, eventId) the insert returned. */
function storedFlags(events: NewStateEvent[], inserted: { machineId: number; eventId: string | null }[]): boolean[] {
  const fresh = new Set(inserted.filter((r) => r.eventId !== null).map((r) => `${r.machineId}\u0000${r.eventId}`));
  return events.map((e) => {
    if (e.eventId === null) return true;
    const key = `${e.machineId}\u0000${e.eventId}`;
    return fresh.delete(key);
  });
}
