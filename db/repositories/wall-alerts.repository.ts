import type { DataSource } from 'typeorm';
import type { LiveAlert } from '../../core/realtime/live-events.js';

/** An alert as the wall channel reads it: what the wall shows, and whether it shows it. */
export interface WallAlertRow extends LiveAlert {
  /** Its rule shows on the wall. */
  wall: boolean;
  resolved: boolean;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** The reads of the wall's alert channel (docs/alerts.md "Wall"): by alert, or the open ones of some machines. */
export class WallAlertsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** These alerts, open or not, in any order. */
  byIds(alertIds: readonly number[]): Promise<WallAlertRow[]> {
    return this.read(`a.id = ANY($1::int[])`, [alertIds]);
  }

  /** The open alerts of these machines whose rule shows on the wall, the highest level and newest first. */
  openOnWall(machineIds: readonly number[]): Promise<WallAlertRow[]> {
    if (machineIds.length === 0) return Promise.resolve([]);
    return this.read(`a."machineId" = ANY($1::int[]) AND a."resolvedAt" IS NULL AND r.wall`, [machineIds]);
  }

  private async read(where: string, params: unknown[]): Promise<WallAlertRow[]> {
    const rows: (Omit<WallAlertRow, 'stopStart' | 'detectedAt' | 'acknowledgedAt'> & {
      stopStart: Date;
      detectedAt: Date;
      acknowledgedAt: Date | null;
    })[] = await this.dataSource.query(
      `SELECT a.id, a."machineId", m.name AS "machineName", r.name AS "ruleName", r.kind, a.level, a."stopStart", a."detectedAt",
              a."acknowledgedAt", a."acknowledgedBy", r.wall, (a."resolvedAt" IS NOT NULL) AS resolved
         FROM alerts a JOIN alert_rules r ON r.id = a."ruleId" JOIN machines m ON m.id = a."machineId"
        WHERE ${where} ORDER BY a.level DESC, a."detectedAt" DESC, a.id DESC`,
      params,
    );
    return rows.map((r) => ({
      ...r,
      stopStart: r.stopStart.toISOString(),
      detectedAt: r.detectedAt.toISOString(),
      acknowledgedAt: iso(r.acknowledgedAt),
    }));
  }
}
