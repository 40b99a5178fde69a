import type { Logger } from 'pino';
import type { WallAlertsRepository } from '../../db/repositories/wall-alerts.repository.js';
import type { ChangeFeed } from '../change-feed.js';

/**
 * The `announce` hook of AlertsService: after alerts were raised, escalated, acknowledged or resolved
 * (committed), an `alert` change for each on the change feed, so every instance's walls re-read them
 * (docs/alerts.md "Wall"). Fire and forget: a failure is logged, and a wall's next snapshot is right anyway.
 */
export class AlertAnnouncer {
  constructor(
    private readonly repo: Pick<WallAlertsRepository, 'byIds'>,
    private readonly feed: Pick<ChangeFeed, 'publish'>,
    private readonly logger: Logger,
  ) {}

  announce(alertIds: readonly number[]): void {
    if (alertIds.length === 0) return;
    this.publish(alertIds).catch((err: unknown) => this.logger.warn({ err, alertIds }, 'alerts: could not announce to the walls'));
  }

  private async publish(alertIds: readonly number[]): Promise<void> {
    for (const row of await this.repo.byIds([...new Set(alertIds)]))
      this.feed.publish({ kind: 'alert', alertId: row.id, machineId: row.machineId });
  }
}
