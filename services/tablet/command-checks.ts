import { AppError } from '../../core/errors.js';
import type { CommandResult } from '../../core/realtime/tablet-events.js';
import { MAX_FUTURE_SKEW_SECONDS } from '../../core/schemas/shop-floor.schema.js';
import type { MachineEntity } from '../../db/entities/index.js';
import type { TabletRow } from '../../db/repositories/tablet-workflow.repository.js';
import type { TabletServiceDeps } from './tablet-deps.js';

/** The checks every operator command of the `/tablet` namespace shares (tablet-commands.ts, pausable-commands.ts). */

/** The tablet a command came from and the machine it is paired with. */
export interface CommandContext {
  tablet: TabletRow;
  machine: MachineEntity;
}

export const applied: CommandResult = { duplicate: false };
export const duplicate: CommandResult = { duplicate: true };

/** The signed-in operator's id; a command without one is refused. */
export function signedInOperator(ctx: CommandContext): number {
  if (ctx.tablet.operatorId === null) throw AppError.unauthenticated('Sign in on the tablet first');
  return ctx.tablet.operatorId;
}

/** A state-changing command with this eventId was already applied (its state event is stored). */
export async function stateEventApplied(deps: TabletServiceDeps, ctx: CommandContext, eventId: string | undefined): Promise<boolean> {
  if (!eventId) return false;
  return (await deps.timeline.findEventById(deps.dataSource.manager, ctx.machine.id, eventId)) !== null;
}

/** Tablets may set the codes they offer: active ones the machine does not exclude. */
export async function offeredCode(deps: TabletServiceDeps, machine: MachineEntity, id: number, field: string) {
  const code = (await deps.repos.activityCodes.list()).find((c) => c.id === id);
  if (!code || !code.active || code.builtIn !== null || machine.excludedActivityCodeIds.includes(id)) {
    throw AppError.invalid(`Activity code ${id} is not offered on this machine`, [
      { path: [field], message: 'not an offered activity code' },
    ]);
  }
  return code;
}

/** The command's time (now when it has none), refused when it lies too far in the future. */
export function checkedTime(deps: TabletServiceDeps, at: Date | undefined): Date {
  const now = deps.clock.now();
  const t = at ?? now;
  if (t.getTime() > now.getTime() + MAX_FUTURE_SKEW_SECONDS * 1000) {
    throw AppError.invalid('`at` lies too far in the future', [
      { path: ['at'], message: `more than ${MAX_FUTURE_SKEW_SECONDS / 60} minutes in the future` },
    ]);
  }
  return t;
}
