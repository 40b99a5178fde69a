import type { LiveAlert, LiveAlertChanged } from '../../core/realtime/live-events.js';
import type { WallAlertRow, WallAlertsRepository } from '../../db/repositories/wall-alerts.repository.js';

const toLive = ({ wall: _wall, resolved: _resolved, ...alert }: WallAlertRow): LiveAlert => alert;

/**
 * What the wall shows of alerts (docs/alerts.md "Wall"): the open alerts of a scope's machines whose rule
 * has `wall: true`, in its snapshot, and `alert:changed` after each raise, escalation, acknowledgement or
 * resolution. Always read from the database, so every instance says the same whatever order it heard in.
 */
export class LiveAlerts {
  constructor(private readonly repo: Pick<WallAlertsRepository, 'byIds' | 'openOnWall'>) {}

  /** The open wall alerts of these machines, the highest level and newest first. */
  async open(machineIds: readonly number[]): Promise<LiveAlert[]> {
    return (await this.repo.openOnWall(machineIds)).map(toLive);
  }

  /** The message of an alert's change, as it is now; null when there is no such alert. */
  async changed(alertId: number): Promise<LiveAlertChanged | null> {
    const [row] = await this.repo.byIds([alertId]);
    if (!row) return null;
    return { alertId, machineId: row.machineId, alert: row.wall && !row.resolved ? toLive(row) : null };
  }
}
