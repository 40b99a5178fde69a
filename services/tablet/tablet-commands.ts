import { formatSiteTime } from '../../core/calendar/site-format.js';
import { AppError } from '../../core/errors.js';
import { tabletSender } from '../../core/live-window.js';
import type { CommandResult, TabletCommandName } from '../../core/realtime/tablet-events.js';
import { roleAllows } from '../../core/roles.js';
import { tabletCommandSchemas, type TabletCommandInput } from '../../core/schemas/tablet.schema.js';
import { idealCycleTimeFromInput } from '../../core/state/job-start-input.js';
import type { CommittedChange } from '../change-feed.js';
import { verifySecret } from '../auth/hashing.js';
import type { AttemptLimiter } from '../auth/attempt-limiter.js';
import {
  applied,
  checkedTime,
  duplicate,
  offeredCode,
  signedInOperator,
  stateEventApplied,
  type CommandContext,
} from './command-checks.js';
import { alertCommand, type TabletAlerts } from './alert-commands.js';
import { pauseJob, resumeJob } from './pausable-commands.js';
import type { TabletServiceDeps as AppServices } from './tablet-deps.js';

/** What a command did: its answer, and the machine whose tablets should see a fresh `tablet:state`. */
export interface CommandOutcome {
  result: CommandResult;
  machineId: number | null;
}

/**
 * The operator commands of the `/tablet` namespace. Every write goes through the shop-floor write path
 * (state events, jobs, production), with source `tablet`, the command's `at` and `eventId`:
 * - a command whose eventId was already applied answers `{duplicate: true}` and changes nothing, even if
 *   the operator has signed out since (a queue replays in order, so its sign-out comes later);
 * - a refused command changes nothing (one transaction each);
 * - signing in or out never touches the machine's state or timeline.
 */
export class TabletCommandService {
  constructor(
    private readonly deps: AppServices,
    private readonly pinLimiter: AttemptLimiter,
    /** The alert commands (absent for the DigitME2 tablets, which send none). */
    private readonly alerts?: TabletAlerts,
  ) {}

  async run(tabletId: number, name: TabletCommandName, payload: unknown): Promise<CommandOutcome> {
    const schema = tabletCommandSchemas[name];
    // `operator:sign-out` and `job:pause` may come without a payload.
    const input = schema.parse(payload ?? {});
    const tablet = await this.deps.repos.tabletWorkflow.find(tabletId);
    if (!tablet) throw AppError.unauthenticated('This tablet was removed; ask an admin for a new tablet link');
    if (tablet.machineId === null)
      throw AppError.conflict('This tablet is not paired with a machine yet; an admin pairs it on the Tablets page');
    const machine = (await this.deps.repos.tabletWorkflow.machines([tablet.machineId])).get(tablet.machineId);
    if (!machine) throw AppError.conflict('The machine of this tablet no longer exists');
    const ctx = { tablet, machine };

    let result: CommandResult;
    switch (name) {
      case 'operator:sign-in':
        result = await this.signIn(ctx, input as TabletCommandInput<'operator:sign-in'>);
        break;
      case 'operator:sign-out':
        result = await this.signOut(ctx, input as TabletCommandInput<'operator:sign-out'>);
        break;
      case 'job:start':
        result = await this.startJob(ctx, input as TabletCommandInput<'job:start'>);
        break;
      case 'activity:set':
        result = await this.setActivity(ctx, input as TabletCommandInput<'activity:set'>);
        break;
      case 'production:record':
        result = await this.recordProduction(ctx, input as TabletCommandInput<'production:record'>);
        break;
      case 'job:end':
        result = await this.endJob(ctx, input as TabletCommandInput<'job:end'>);
        break;
      case 'job:pause':
        result = await pauseJob(this.deps, ctx, input as TabletCommandInput<'job:pause'>);
        break;
      case 'job:resume':
        result = await resumeJob(this.deps, ctx, input as TabletCommandInput<'job:resume'>);
        break;
      case 'reason:give':
        result = await this.giveReason(ctx, input as TabletCommandInput<'reason:give'>);
        break;
      case 'alert:acknowledge':
      case 'alert:resolve':
        result = await alertCommand(
          this.deps,
          this.alerts,
          ctx,
          name === 'alert:acknowledge' ? 'acknowledge' : 'resolve',
          input as TabletCommandInput<'alert:acknowledge'>,
        );
        break;
    }
    return { result, machineId: machine.id };
  }

  private async signIn(ctx: CommandContext, input: TabletCommandInput<'operator:sign-in'>): Promise<CommandResult> {
    const { repos, dataSource, feed } = this.deps;
    // A replay of an applied sign-in checks no PIN, so it needs no attempt.
    if (
      input.eventId &&
      (await repos.tabletWorkflow.operatorEventApplied(dataSource.manager, ctx.tablet.id, ctx.machine.id, input.eventId))
    )
      return duplicate;
    const subject = String(input.userId);
    const address = `tablet:${ctx.tablet.id}`;
    // Counted before the hash, so parallel guesses over many sockets cannot all pass the limit.
    await this.pinLimiter.reserve(subject, address);
    const user = await repos.tabletWorkflow.activeUser(input.userId);
    // verifySecret spends the same time for an unknown user, so ids cannot be probed by timing.
    const valid = await verifySecret(input.pin, user?.pinHash ?? null);
    if (!user || !valid) throw AppError.unauthenticated('Wrong user id or PIN');
    await this.pinLimiter.succeed(subject, address);
    if (!roleAllows(user.role, 'operator')) throw AppError.forbidden(`${user.username} may not operate machines`);
    const since = input.at ?? this.deps.clock.now();
    let changed = false;
    await dataSource.transaction(async (tx) => {
      const tablet = await repos.tabletWorkflow.lock(tx, ctx.tablet.id);
      if (!tablet) throw AppError.unauthenticated('This tablet was removed');
      if (tablet.operatorId === user.id && !input.eventId) return;
      if (tablet.operatorId !== user.id) {
        await repos.tabletWorkflow.setOperator(tx, tablet.id, user.id, since);
        changed = true;
      }
      await repos.audit.record(
        tx,
        { userId: user.id, apiKeyId: null },
        {
          action: 'tablet.sign-in',
          entity: 'tablet',
          entityId: tablet.id,
          machineId: ctx.machine.id,
          before: { operatorId: tablet.operatorId },
          after: { operatorId: user.id, eventId: input.eventId ?? null, at: since },
        },
      );
    });
    if (changed) feed.publish({ kind: 'operator', machineId: ctx.machine.id, operatorId: user.id });
    return applied;
  }

  private async signOut(ctx: CommandContext, input: TabletCommandInput<'operator:sign-out'>): Promise<CommandResult> {
    const { repos, dataSource, feed } = this.deps;
    let changed = false;
    const outcome = await dataSource.transaction(async (tx) => {
      if (input.eventId && (await repos.tabletWorkflow.operatorEventApplied(tx, ctx.tablet.id, ctx.machine.id, input.eventId)))
        return duplicate;
      const tablet = await repos.tabletWorkflow.lock(tx, ctx.tablet.id);
      if (!tablet) throw AppError.unauthenticated('This tablet was removed');
      // Already signed out: nothing to do (a queued sign-out may meet a tablet signed out elsewhere).
      if (tablet.operatorId === null && !input.eventId) return applied;
      if (tablet.operatorId !== null) {
        await repos.tabletWorkflow.setOperator(tx, tablet.id, null, null);
        changed = true;
      }
      await repos.audit.record(
        tx,
        { userId: tablet.operatorId, apiKeyId: null },
        {
          action: 'tablet.sign-out',
          entity: 'tablet',
          entityId: tablet.id,
          machineId: ctx.machine.id,
          before: { operatorId: tablet.operatorId },
          after: { operatorId: null, eventId: input.eventId ?? null, at: input.at ?? this.deps.clock.now() },
        },
      );
      return applied;
    });
    if (changed) {
      // Another tablet of the machine may still have an operator signed in.
      const operators = await repos.shopFloor.currentOperators(dataSource.manager, [ctx.machine.id]);
      feed.publish({ kind: 'operator', machineId: ctx.machine.id, operatorId: operators.get(ctx.machine.id) ?? null });
    }
    return outcome;
  }

  private async startJob(ctx: CommandContext, input: TabletCommandInput<'job:start'>): Promise<CommandResult> {
    if (await stateEventApplied(this.deps, ctx, input.eventId)) return duplicate;
    const operatorId = signedInOperator(ctx);
    if (ctx.machine.jobNumberInputType === 'number' && !/^\d+$/.test(input.jobNumber)) {
      throw AppError.invalid('This machine takes numeric job numbers', [{ path: ['jobNumber'], message: 'expected digits only' }]);
    }
    const ideal = idealCycleTimeFromInput(ctx.machine.jobStartInputType, input.input);
    if (!ideal.ok)
      throw AppError.invalid(
        ideal.message,
        ideal.issues.map((i) => ({ ...i, path: ['input', ...i.path] })),
      );
    const start = input.start === undefined ? input.at : await this.lateStart(ctx, input.start, input.at);
    await this.deps.jobs.start({
      machineId: ctx.machine.id,
      jobNumber: input.jobNumber,
      idealCycleTimeSeconds: ideal.idealCycleTimeSeconds,
      at: start,
      eventId: input.eventId,
      operatorId,
      source: 'tablet',
      sender: tabletSender(ctx.tablet.id),
    });
    return applied;
  }

  private async setActivity(ctx: CommandContext, input: TabletCommandInput<'activity:set'>): Promise<CommandResult> {
    if (await stateEventApplied(this.deps, ctx, input.eventId)) return duplicate;
    const operatorId = signedInOperator(ctx);
    await offeredCode(this.deps, ctx.machine, input.activityCodeId, 'activityCodeId');
    await this.deps.stateEvents.record(
      [
        {
          machineId: ctx.machine.id,
          at: input.at,
          activityCodeId: input.activityCodeId,
          operatorId,
          eventId: input.eventId,
          sender: tabletSender(ctx.tablet.id),
        },
      ],
      'tablet',
    );
    return applied;
  }

  /**
   * Counts belong to the job running at `at`. On a running_total machine they span from the job's previous
   * count (or its start) to `at`; elsewhere they are made at the instant `at`.
   */
  private async recordProduction(ctx: CommandContext, input: TabletCommandInput<'production:record'>): Promise<CommandResult> {
    const { dataSource, repos, production, stateEvents, timeline } = this.deps;
    if (input.eventId && (await repos.shopFloor.findProductionByEventId(dataSource.manager, ctx.machine.id, input.eventId)))
      return duplicate;
    signedInOperator(ctx);
    const at = checkedTime(this.deps, input.at);
    const changes: CommittedChange[] = [];
    const stored = await dataSource.transaction(async (tx) => {
      await timeline.lockMachines(tx, [ctx.machine.id]);
      const job = await repos.shopFloor.jobAt(tx, ctx.machine.id, at, true);
      if (!job) throw AppError.conflict('No job is running; start a job before recording production');
      let from = at;
      if (ctx.machine.workflowType === 'running_total') {
        const last = await repos.tabletWorkflow.lastCountEnd(tx, job.id, at);
        from = new Date(Math.max(last?.getTime() ?? 0, new Date(job.start).getTime()));
      }
      const before = changes.length;
      await production.recordIn(
        tx,
        {
          machineId: ctx.machine.id,
          jobId: job.id,
          from,
          to: at,
          good: input.good,
          rejects: input.rejects,
          eventId: input.eventId ?? null,
          source: 'tablet',
          sender: tabletSender(ctx.tablet.id),
        },
        changes,
      );
      return changes.length > before;
    });
    stateEvents.announce(changes);
    return stored ? applied : duplicate;
  }

  private async endJob(ctx: CommandContext, input: TabletCommandInput<'job:end'>): Promise<CommandResult> {
    if (await stateEventApplied(this.deps, ctx, input.eventId)) return duplicate;
    const operatorId = signedInOperator(ctx);
    await this.deps.jobs.end({
      machineId: ctx.machine.id,
      good: input.good,
      rejects: input.rejects,
      at: input.at,
      eventId: input.eventId,
      operatorId,
      source: 'tablet',
      sender: tabletSender(ctx.tablet.id),
    });
    return applied;
  }

  /**
   * A job started late: it may begin before the tap, but not before the machine's current state did. Older
   * history (a stop the operator already gave, the end of the previous job) is a supervisor's correction on
   * the machine page; here the new job simply takes over the current state from `start`. The live window
   * is the write path's (services/live-window.ts).
   */
  private async lateStart(ctx: CommandContext, start: Date, at: Date | undefined): Promise<Date> {
    const tapped = checkedTime(this.deps, at);
    if (start.getTime() > tapped.getTime()) {
      throw AppError.invalid('The job cannot start after the time it was started on the tablet', [
        { path: ['start'], message: `must not be after ${tapped.toISOString()}` },
      ]);
    }
    const current = (await this.deps.repos.machineStates.current([ctx.machine.id])).get(ctx.machine.id);
    const since = current?.since ? new Date(current.since) : null;
    if (since && start.getTime() < since.getTime()) {
      const code =
        current?.activityCodeId != null
          ? (await this.deps.repos.activityCodes.list()).find((c) => c.id === current.activityCodeId)
          : undefined;
      const timezone = (await this.deps.repos.site.get()).timezone;
      throw AppError.conflict(
        `The machine has been in ${code?.shortDescription ?? 'its current state'} since ${formatSiteTime(since, timezone)}; a job started on the tablet cannot begin before that (a supervisor can correct older history)`,
      );
    }
    return start;
  }

  /** The operator explains a stop after the fact: a correction authored by the operator (services/andon/reason-queue.ts). */
  private async giveReason(ctx: CommandContext, input: TabletCommandInput<'reason:give'>): Promise<CommandResult> {
    if (await stateEventApplied(this.deps, ctx, input.eventId)) return duplicate;
    const operatorId = signedInOperator(ctx);
    await offeredCode(this.deps, ctx.machine, input.activityCodeId, 'activityCodeId');
    await this.deps.reasonQueue.give(
      { userId: operatorId, apiKeyId: null },
      { machineId: ctx.machine.id, from: input.from, to: input.to, activityCodeId: input.activityCodeId, eventId: input.eventId },
    );
    return applied;
  }
}
