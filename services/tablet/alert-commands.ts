import { AppError } from '../../core/errors.js';
import type { CommandResult } from '../../core/realtime/tablet-events.js';
import type { TabletCommandInput } from '../../core/schemas/tablet.schema.js';
import type { AlertsService } from '../alerts/alerts.service.js';
import { applied, checkedTime, duplicate, type CommandContext } from './command-checks.js';
import type { TabletServiceDeps } from './tablet-deps.js';

/** What the alert commands need of the alerts service. */
export type TabletAlerts = Pick<AlertsService, 'byTablet'>;

/**
 * `alert:acknowledge` and `alert:resolve` (docs/alerts.md): an alert of the tablet's machine, recorded as
 * the tablet (and its signed-in operator), at the tap's `at`. Both are idempotent by themselves: an alert
 * already acknowledged (resolved) answers `{duplicate: true}` and keeps its first time and person, so a
 * queued tap replayed after a lost ack changes nothing; no eventId is needed for that.
 */
export async function alertCommand(
  deps: TabletServiceDeps,
  alerts: TabletAlerts | undefined,
  ctx: CommandContext,
  action: 'acknowledge' | 'resolve',
  input: TabletCommandInput<'alert:acknowledge' | 'alert:resolve'>,
): Promise<CommandResult> {
  if (!alerts) throw AppError.conflict('Alerts cannot be acted on from this tablet');
  const at = checkedTime(deps, input.at);
  const { changed } = await alerts.byTablet(ctx.tablet, input.alertId, action, input.note, at);
  return changed ? applied : duplicate;
}
