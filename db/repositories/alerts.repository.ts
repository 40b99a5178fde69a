import type { DataSource, EntityManager } from 'typeorm';
import type { Alert, AlertDelivery, AlertRuleKind, ResponseTimeRow } from '../../core/schemas/alerts.schema.js';
import type { AlertMatch } from '../../core/alerts/index.js';
import type { AlertDeliveryEntity } from '../entities/index.js';

/** A delivery row as the worker sees it while it holds the row's lock. */
export type DueDelivery = Pick<AlertDeliveryEntity, 'id' | 'alertId' | 'level' | 'channel' | 'target' | 'payload' | 'attempts'>;

/** What the worker writes back after an attempt. */
export interface DeliveryOutcome {
  status: 'pending' | 'delivered' | 'failed';
  attemptedAt: Date;
  nextAttemptAt: Date | null;
  responseStatus: number | null;
  error: string | null;
}

export interface NewDelivery {
  alertId: number;
  level: number;
  channel: 'webhook' | 'email';
  target: string;
  payload: Record<string, unknown>;
  /** Due at once. */
  at: Date;
}

export interface OpenAlertRow {
  id: number;
  ruleId: number;
  machineId: number;
  stopStart: Date;
  kind: AlertRuleKind;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

const ALERT_SELECT = `SELECT a.id, a."ruleId", r.name AS "ruleName", r.kind, a."machineId", m.name AS "machineName", a."activityCodeId",
       a."stopStart", a."detectedAt", a.level, r.wall, a."acknowledgedAt", a."acknowledgedBy", a."resolvedAt", a."resolvedBy"
  FROM alerts a JOIN alert_rules r ON r.id = a."ruleId" JOIN machines m ON m.id = a."machineId"`;

type AlertRow = Omit<Alert, 'stopStart' | 'detectedAt' | 'acknowledgedAt' | 'resolvedAt'> & {
  stopStart: Date;
  detectedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
};

const toAlert = (r: AlertRow): Alert => ({
  ...r,
  stopStart: iso(r.stopStart)!,
  detectedAt: iso(r.detectedAt)!,
  acknowledgedAt: iso(r.acknowledgedAt),
  resolvedAt: iso(r.resolvedAt),
});

/**
 * Alerts and their deliveries (docs/alerts.md). Uniqueness lives in PostgreSQL: one alert per (rule,
 * machine, stop start), one delivery per (alert, level, channel, target); due deliveries are claimed with
 * FOR UPDATE SKIP LOCKED and held while they are sent, so two instances never send one row together.
 */
export class AlertsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  /** Inserts the alert of a match unless its (rule, machine, stop) has one; the stored row either way. */
  async raise(
    tx: EntityManager,
    match: AlertMatch,
    detectedAt: Date,
  ): Promise<{ id: number; level: number; created: boolean; open: boolean }> {
    const inserted: { id: number; level: number }[] = await tx.query(
      `INSERT INTO alerts ("ruleId", "machineId", "activityCodeId", "stopStart", "detectedAt", level) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ("ruleId", "machineId", "stopStart") DO NOTHING RETURNING id, level`,
      [match.ruleId, match.machineId, match.activityCodeId, match.stopStart, detectedAt, match.level],
    );
    if (inserted[0]) return { ...inserted[0], created: true, open: true };
    const [row]: { id: number; level: number; open: boolean }[] = await tx.query(
      `SELECT id, level, ("acknowledgedAt" IS NULL AND "resolvedAt" IS NULL) AS open FROM alerts WHERE "ruleId" = $1 AND "machineId" = $2 AND "stopStart" = $3`,
      [match.ruleId, match.machineId, match.stopStart],
    );
    return { ...row!, created: false };
  }

  /** Raises an open, unacknowledged alert to `level`; the level it had, or null when another run did it (or it is acknowledged). */
  async escalate(tx: EntityManager, alertId: number, level: number): Promise<number | null> {
    const rows: [{ previous: number }[], number] = await tx.query(
      `UPDATE alerts a SET level = $2 FROM (SELECT id, level AS previous FROM alerts WHERE id = $1 FOR UPDATE) old
        WHERE a.id = old.id AND a.level < $2 AND a."acknowledgedAt" IS NULL AND a."resolvedAt" IS NULL RETURNING old.previous`,
      [alertId, level],
    );
    return rows[0][0]?.previous ?? null;
  }

  async addDeliveries(tx: EntityManager, deliveries: NewDelivery[]): Promise<void> {
    for (const d of deliveries) {
      await tx.query(
        `INSERT INTO alert_deliveries ("alertId", level, channel, target, payload, "nextAttemptAt") VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT ("alertId", level, channel, target) DO NOTHING`,
        [d.alertId, d.level, d.channel, d.target, JSON.stringify(d.payload), d.at],
      );
    }
  }

  async openAlerts(): Promise<OpenAlertRow[]> {
    return this.dataSource.query(
      `SELECT a.id, a."ruleId", a."machineId", a."stopStart", r.kind FROM alerts a JOIN alert_rules r ON r.id = a."ruleId" WHERE a."resolvedAt" IS NULL ORDER BY a.id`,
    );
  }

  /** Resolves an open alert automatically (its stop ended); false when it was already resolved. */
  async resolveEnded(alertId: number, at: Date): Promise<boolean> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `UPDATE alerts SET "resolvedAt" = GREATEST($2::timestamptz, "detectedAt") WHERE id = $1 AND "resolvedAt" IS NULL`,
      [alertId, at],
    );
    return count > 0;
  }

  /** Acknowledges (the first acknowledgement stays); null when there is no such alert. */
  async acknowledge(alertId: number, at: Date, by: string, note: string | null): Promise<Alert | null> {
    await this.dataSource.query(
      `UPDATE alerts SET "acknowledgedAt" = $2, "acknowledgedBy" = $3, note = COALESCE(note, $4) WHERE id = $1 AND "acknowledgedAt" IS NULL`,
      [alertId, at, by, note],
    );
    return this.get(alertId);
  }

  /** Resolves by hand (acknowledging too when nobody had); the first resolution stays. */
  async resolve(alertId: number, at: Date, by: string, note: string | null): Promise<Alert | null> {
    await this.dataSource.query(
      `UPDATE alerts SET "resolvedAt" = $2, "resolvedBy" = $3, "acknowledgedAt" = COALESCE("acknowledgedAt", $2),
              "acknowledgedBy" = COALESCE("acknowledgedBy", $3), note = COALESCE(note, $4)
        WHERE id = $1 AND "resolvedAt" IS NULL`,
      [alertId, at, by, note],
    );
    return this.get(alertId);
  }

  async get(alertId: number, tx: EntityManager = this.dataSource.manager): Promise<Alert | null> {
    const rows: AlertRow[] = await tx.query(`${ALERT_SELECT} WHERE a.id = $1`, [alertId]);
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async list(filter: { open: boolean; machineId?: number; limit: number }): Promise<Alert[]> {
    const rows: AlertRow[] = await this.dataSource.query(
      `${ALERT_SELECT} WHERE (NOT $1 OR a."resolvedAt" IS NULL) AND ($2::int IS NULL OR a."machineId" = $2) ORDER BY a."detectedAt" DESC, a.id DESC LIMIT $3`,
      [filter.open, filter.machineId ?? null, filter.limit],
    );
    return rows.map(toAlert);
  }

  /**
   * The open alerts of these machines as the tablets show them: the ones nobody acknowledged first, then
   * the highest level, then the newest (at most 20 a machine).
   */
  async openOfMachines(machineIds: readonly number[]): Promise<Alert[]> {
    if (machineIds.length === 0) return [];
    const rows: (AlertRow & { rank: string })[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT o.*, row_number() OVER (PARTITION BY o."machineId" ORDER BY o."acknowledgedAt" IS NOT NULL, o.level DESC, o."stopStart" DESC, o.id DESC) AS rank
           FROM (${ALERT_SELECT} WHERE a."resolvedAt" IS NULL AND a."machineId" = ANY($1::int[])) o
       ) ranked WHERE rank <= 20
       ORDER BY "machineId", rank`,
      [[...machineIds]],
    );
    return rows.map(({ rank: _rank, ...r }) => toAlert(r));
  }

  /**
   * Claims the oldest due delivery (skipping rows another instance holds), runs `send` while holding
   * its lock, and stores the outcome in the same transaction. false when nothing is due.
   */
  async withDueDelivery(now: Date, send: (row: DueDelivery) => Promise<DeliveryOutcome>): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const [row]: DueDelivery[] = await tx.query(
        `SELECT id, "alertId", level, channel, target, payload, attempts FROM alert_deliveries
          WHERE status = 'pending' AND "nextAttemptAt" <= $1 ORDER BY "nextAttemptAt", id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      if (!row) return false;
      const outcome = await send(row);
      await tx.query(
        `UPDATE alert_deliveries SET status = $2::text, attempts = attempts + 1, "lastAttemptAt" = $3::timestamptz, "nextAttemptAt" = $4,
                "responseStatus" = $5, "lastError" = $6, "deliveredAt" = CASE WHEN $2::text = 'delivered' THEN $3::timestamptz ELSE NULL END WHERE id = $1`,
        [row.id, outcome.status, outcome.attemptedAt, outcome.nextAttemptAt, outcome.responseStatus, outcome.error],
      );
      return true;
    });
  }

  async deliveries(alertId: number): Promise<AlertDelivery[]> {
    const rows: (Omit<AlertDelivery, 'nextAttemptAt' | 'lastAttemptAt' | 'deliveredAt'> & {
      nextAttemptAt: Date | null;
      lastAttemptAt: Date | null;
      deliveredAt: Date | null;
    })[] = await this.dataSource.query(
      `SELECT id, "alertId", level, channel, target, status, attempts, "nextAttemptAt", "lastAttemptAt", "responseStatus", "lastError", "deliveredAt"
         FROM alert_deliveries WHERE "alertId" = $1 ORDER BY level, channel, target`,
      [alertId],
    );
    return rows.map((r) => ({
      ...r,
      nextAttemptAt: r.status === 'pending' ? iso(r.nextAttemptAt) : null,
      lastAttemptAt: iso(r.lastAttemptAt),
      deliveredAt: iso(r.deliveredAt),
    }));
  }

  /**
   * MTTA and MTTR per machine and reason over the stops detected in [from, to), from the alerts of stop
   * rules (`stop_longer_than`; the other kinds' conditions are not stops): a stop is (machine, stop
   * start), detected at its first alert, acknowledged at its first acknowledgement, resolved at its last
   * resolution (every rule's alert of the stop resolved).
   */
  async responseTimes(from: Date, to: Date, machineId: number | undefined): Promise<ResponseTimeRow[]> {
    const rows: {
      machineId: number;
      activityCodeId: number | null;
      stops: number;
      acknowledged: number;
      resolved: number;
      mtta: number | null;
      mttr: number | null;
    }[] = await this.dataSource.query(
      `WITH stops AS (
           SELECT "machineId", "stopStart", (array_agg("activityCodeId" ORDER BY id))[1] AS "activityCodeId", min("detectedAt") AS detected,
                  min("acknowledgedAt") AS acknowledged, CASE WHEN bool_and("resolvedAt" IS NOT NULL) THEN max("resolvedAt") END AS resolved
             FROM alerts WHERE ($3::int IS NULL OR "machineId" = $3)
              AND "ruleId" IN (SELECT id FROM alert_rules WHERE kind = 'stop_longer_than')
            GROUP BY "machineId", "stopStart"
           HAVING min("detectedAt") >= $1 AND min("detectedAt") < $2)
         SELECT "machineId", "activityCodeId", count(*)::int AS stops, count(acknowledged)::int AS acknowledged, count(resolved)::int AS resolved,
                avg(extract(epoch FROM acknowledged - detected))::float8 AS mtta, avg(extract(epoch FROM resolved - detected))::float8 AS mttr
           FROM stops GROUP BY "machineId", "activityCodeId" ORDER BY "machineId", "activityCodeId" NULLS LAST`,
      [from, to, machineId ?? null],
    );
    return rows.map(({ mtta, mttr, ...r }) => ({ ...r, mttaSeconds: mtta, mttrSeconds: mttr }));
  }
}
