import { AppError } from '../../core/errors.js';
import { formatSiteTime } from '../../core/calendar/site-format.js';
import { tabletSender } from '../../core/live-window.js';
import type { CommandResult } from '../../core/realtime/tablet-events.js';
import type { TabletCommandInput } from '../../core/schemas/tablet.schema.js';
import { BUILT_IN_CODES } from '../../core/state/built-in-codes.js';
import type { CommittedChange } from '../change-feed.js';
import type { MachineEntity } from '../../db/entities/index.js';
import type { StateEventRequest } from '../state-events.service.js';
import {
  applied,
  checkedTime,
  duplicate,
  offeredCode,
  signedInOperator,
  stateEventApplied,
  type CommandContext,
} from './command-checks.js';
import type { TabletServiceDeps } from './tablet-deps.js';

/** The pause and resume commands of pausable machines (DigitME2's paused screen), run by TabletCommandService. */

function pausableOnly(machine: MachineEntity): void {
  if (machine.workflowType !== 'pausable')
    throw AppError.conflict('Pause and resume are for pausable machines; choose a stop reason instead');
}

/** pausable: a running job stops in Down; the operator gives the reason when resuming. */
export async function pauseJob(
  deps: TabletServiceDeps,
  ctx: CommandContext,
  input: TabletCommandInput<'job:pause'>,
): Promise<CommandResult> {
  pausableOnly(ctx.machine);
  if (await stateEventApplied(deps, ctx, input.eventId)) return duplicate;
  const operatorId = signedInOperator(ctx);
  const { dataSource, repos, stateEvents, timeline } = deps;
  const at = checkedTime(deps, input.at);
  const changes: CommittedChange[] = [];
  await dataSource.transaction(async (tx) => {
    await timeline.lockMachines(tx, [ctx.machine.id]);
    if (!(await repos.shopFloor.runningJob(tx, ctx.machine.id))) throw AppError.conflict('No job is running');
    const open = (await timeline.openIntervals(tx, [ctx.machine.id])).get(ctx.machine.id);
    const category = open ? (await repos.shopFloor.codes(tx, [open.activityCodeId])).get(open.activityCodeId)?.category : undefined;
    if (category !== 'running') throw AppError.conflict('The job is already paused');
    await stateEvents.recordIn(
      tx,
      [
        {
          machineId: ctx.machine.id,
          at,
          activityCodeId: BUILT_IN_CODES.down,
          operatorId,
          eventId: input.eventId ?? null,
          sender: tabletSender(ctx.tablet.id),
        },
      ],
      'tablet',
      changes,
    );
  });
  stateEvents.announce(changes);
  return applied;
}

/**
 * pausable: back to running. `reason` (a stop code) relabels the pause from its start, as DigitME2's
 * paused screen did; a line "HH:MM - reason - notes" is appended to the job's notes.
 */
export async function resumeJob(
  deps: TabletServiceDeps,
  ctx: CommandContext,
  input: TabletCommandInput<'job:resume'>,
): Promise<CommandResult> {
  pausableOnly(ctx.machine);
  if (await stateEventApplied(deps, ctx, input.eventId)) return duplicate;
  const operatorId = signedInOperator(ctx);
  const { dataSource, repos, stateEvents, timeline } = deps;
  const reason = input.reason === undefined ? null : await offeredCode(deps, ctx.machine, input.reason, 'reason');
  if (reason && reason.category === 'running')
    throw AppError.invalid('The reason must be a stop code', [{ path: ['reason'], message: 'expected a stop code' }]);
  const at = checkedTime(deps, input.at);
  const codes = new Map((await repos.activityCodes.list()).map((c) => [c.id, c]));
  const startCode = codes.get(ctx.machine.jobStartActivityCodeId);
  const runningCode = startCode?.category === 'running' ? startCode.id : BUILT_IN_CODES.up;
  const timezone = (await repos.site.get()).timezone;
  const changes: CommittedChange[] = [];
  await dataSource.transaction(async (tx) => {
    await timeline.lockMachines(tx, [ctx.machine.id]);
    const job = await repos.shopFloor.runningJob(tx, ctx.machine.id);
    if (!job) throw AppError.conflict('No job is running');
    const open = (await timeline.openIntervals(tx, [ctx.machine.id])).get(ctx.machine.id);
    if (!open || codes.get(open.activityCodeId)?.category === 'running') throw AppError.conflict('The job is not paused');
    const events: StateEventRequest[] = [];
    if (reason && reason.id !== open.activityCodeId) {
      // Same instant as the pause, recorded later: it wins, so the pause carries the reason from its start.
      events.push({
        machineId: ctx.machine.id,
        at: open.start,
        activityCodeId: reason.id,
        operatorId: open.operatorId,
        eventId: input.eventId ? `${input.eventId}:reason` : null,
        sender: tabletSender(ctx.tablet.id),
      });
    }
    events.push({
      machineId: ctx.machine.id,
      at,
      activityCodeId: runningCode,
      operatorId,
      eventId: input.eventId ?? null,
      sender: tabletSender(ctx.tablet.id),
    });
    await stateEvents.recordIn(tx, events, 'tablet', changes);
    const reasonName = (reason ?? codes.get(open.activityCodeId))?.shortDescription ?? '';
    if (input.reason !== undefined || input.notes) {
      await repos.tabletWorkflow.appendJobNotes(
        tx,
        job.id,
        `${formatSiteTime(open.start, timezone)} - ${reasonName} - ${input.notes ?? ''}\n`,
      );
      changes.push({ kind: 'job', machineId: ctx.machine.id, jobId: job.id, action: 'updated' });
    }
    // What was written goes on the timeline too, at the pause it explains (the machine page's notes).
    if (input.notes) {
      await repos.tabletWorkflow.addResumeNote(tx, {
        jobId: job.id,
        machineId: ctx.machine.id,
        pausedAt: open.start,
        resumedAt: at,
        activityCodeId: reason?.id ?? open.activityCodeId,
        notes: input.notes,
      });
    }
  });
  stateEvents.announce(changes);
  return applied;
}
