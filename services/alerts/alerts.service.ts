import type { AlertMatch } from '../../core/alerts/index.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Alert, AlertDelivery, AlertLevel, ResponseTimeRow } from '../../core/schemas/alerts.schema.js';
import type { EntityManager } from 'typeorm';
import type { AlertRuleEntity } from '../../db/entities/index.js';
import type { CredentialRepository } from '../../db/repositories/credential.repository.js';
import { hashToken } from '../auth/hashing.js';
import type { AlertsRepository, NewDelivery } from '../../db/repositories/alerts.repository.js';
import type { AlertSetupRepository } from '../../db/repositories/alert-setup.repository.js';
import type { ShiftReportRepository } from '../../db/repositories/shift-report.repository.js';
import type { TabletWorkflowRepository } from '../../db/repositories/tablet-workflow.repository.js';
import type { AlertKind } from './alert-kinds.js';

export interface EvaluationResult {
  raised: number[];
  escalated: number[];
  resolved: number[];
}

/** Who acts on an alert (a signed-in user, an API key, a tablet's operator). */
export interface AlertActor {
  username: string | null;
  apiKeyId: number | null;
}

/** A tablet acting on its machine's alerts: its name, its machine and who is signed in on it. */
export interface AlertTablet {
  name: string;
  machineId: number | null;
  operatorId: number | null;
}

/** What a tablet's acknowledgement or resolution did; `changed` false: it had been done before (a replay). */
export interface TabletAlertOutcome {
  alert: Alert;
  changed: boolean;
}

const actorName = (actor: AlertActor) => actor.username ?? (actor.apiKeyId !== null ? `api-key:${actor.apiKeyId}` : 'unknown');

/**
 * Alerts (docs/alerts.md): the evaluation tick raises one alert per rule, machine and condition (a stop,
 * a silence, a stop owing a reason, a shift below target) and climbs its ladder until someone acknowledges
 * it; each rung reached queues its deliveries in the same transaction, so a crash loses none and a second
 * instance doubles none. A condition that ends resolves its alerts.
 */
export class AlertsService {
  constructor(
    private readonly deps: {
      alerts: AlertsRepository;
      setup: Pick<AlertSetupRepository, 'enabledRules'>;
      /** The evaluated rule kinds (alert-kinds.ts). */
      kinds: AlertKind[];
      names: Pick<ShiftReportRepository, 'activityCodeNames'>;
      credentials: Pick<CredentialRepository, 'findTabletByToken'>;
      /** The usernames of operators signed in on tablets (a tablet's action is recorded with its operator). */
      operators: Pick<TabletWorkflowRepository, 'usernames'>;
      clock: Clock;
      /** Told of alerts raised, escalated, acknowledged or resolved, after the change committed (the wall: alert-announcer.ts). */
      announce?: (alertIds: readonly number[]) => void;
    },
  ) {}

  /** One evaluation tick of every rule kind (the scheduler runs it every 15 s; tests call it with a pinned clock). */
  async evaluate(): Promise<EvaluationResult> {
    const now = this.deps.clock.now();
    const result: EvaluationResult = { raised: [], escalated: [], resolved: [] };
    const open = await this.deps.alerts.openAlerts();
    let codeNames: Map<number, string> | null = null;
    // A kind that fails (its reads, say) does not keep the others from being evaluated; the tick still fails
    // afterwards, so the scheduler logs it and the next tick tries again.
    const failures: unknown[] = [];
    for (const kind of this.deps.kinds) {
      try {
        const rules = await this.deps.setup.enabledRules(kind.kind);
        const openOfKind = open.filter((o) => o.kind === kind.kind);
        if (rules.length === 0 && openOfKind.length === 0) continue;
        const found = await kind.evaluate(rules, openOfKind, now);
        const ruleById = new Map(rules.map((r) => [r.id, r]));
        if (found.matches.length) codeNames ??= await this.deps.names.activityCodeNames();
        for (const match of found.matches) await this.raiseOrEscalate(ruleById.get(match.ruleId)!, match, now, codeNames!, result);
        // A condition that is over resolves its alerts (at the moment it ended).
        for (const o of openOfKind) {
          const ended = found.endedAt(o);
          if (ended && (await this.deps.alerts.resolveEnded(o.id, ended))) result.resolved.push(o.id);
        }
      } catch (err) {
        failures.push(err);
      }
    }
    this.deps.announce?.([...result.raised, ...result.escalated, ...result.resolved]);
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} alert rule kinds failed to evaluate`);
    return result;
  }

  /** Raises the match's alert or climbs its ladder, queuing the new rungs' deliveries in the same transaction. */
  private async raiseOrEscalate(
    rule: AlertRuleEntity,
    match: AlertMatch,
    now: Date,
    codeNames: Map<number, string>,
    result: EvaluationResult,
  ): Promise<void> {
    await this.deps.alerts.transaction(async (tx) => {
      const alert = await this.deps.alerts.raise(tx, match, now);
      let from: number | null = null;
      if (alert.created) {
        from = 1;
        result.raised.push(alert.id);
      } else if (alert.open && match.level > alert.level) {
        const previous = await this.deps.alerts.escalate(tx, alert.id, match.level);
        if (previous !== null) {
          from = previous + 1;
          result.escalated.push(alert.id);
        }
      }
      if (from !== null) await this.queueDeliveries(tx, alert.id, rule, match, from, now, codeNames);
    });
  }

  /** The deliveries of rungs `from`..`match.level`: each webhook and address of each rung, once. */
  private async queueDeliveries(
    tx: EntityManager,
    alertId: number,
    rule: AlertRuleEntity,
    match: AlertMatch,
    from: number,
    now: Date,
    codeNames: Map<number, string>,
  ): Promise<void> {
    const alert = (await this.deps.alerts.get(alertId, tx))!;
    const deliveries: NewDelivery[] = [];
    for (let level = from; level <= match.level; level++) {
      const rung: AlertLevel = rule.levels[level - 1]!;
      const payload = {
        event: level === 1 ? 'alert.raised' : 'alert.escalated',
        level,
        levels: rule.levels.length,
        alert: { ...alert, level },
        activityCodeName: match.activityCodeId === null ? null : (codeNames.get(match.activityCodeId) ?? null),
        afterMinutes: rung.afterMinutes,
        ...(match.detail ? { condition: match.detail } : {}),
      };
      for (const id of rung.webhookIds) deliveries.push({ alertId, level, channel: 'webhook', target: String(id), payload, at: now });
      for (const email of rung.emails) deliveries.push({ alertId, level, channel: 'email', target: email.toLowerCase(), payload, at: now });
    }
    await this.deps.alerts.addDeliveries(tx, deliveries);
  }

  list(filter: { state: 'open' | 'all'; machineId?: number; limit: number }): Promise<Alert[]> {
    return this.deps.alerts.list({
      open: filter.state === 'open',
      limit: filter.limit,
      ...(filter.machineId ? { machineId: filter.machineId } : {}),
    });
  }

  async get(id: number): Promise<Alert> {
    const alert = await this.deps.alerts.get(id);
    if (!alert) throw AppError.notFound('Alert');
    return alert;
  }

  /** Stops the ladder; repeating it keeps the first acknowledgement. */
  async acknowledge(id: number, actor: AlertActor, note?: string, at?: Date): Promise<Alert> {
    const alert = await this.deps.alerts.acknowledge(id, at ?? this.deps.clock.now(), actorName(actor), note ?? null);
    if (!alert) throw AppError.notFound('Alert');
    this.deps.announce?.([alert.id]);
    return alert;
  }

  /** Closes the alert (and acknowledges it when nobody had); repeating it keeps the first resolution. */
  async resolve(id: number, actor: AlertActor, note?: string, at?: Date): Promise<Alert> {
    const alert = await this.deps.alerts.resolve(id, at ?? this.deps.clock.now(), actorName(actor), note ?? null);
    if (!alert) throw AppError.notFound('Alert');
    this.deps.announce?.([alert.id]);
    return alert;
  }

  /**
   * An operator tablet's token is its credential: it may see, acknowledge and resolve the alerts of the
   * machine it is paired with (`byTablet`).
   */
  async forTablet(token: string, id: number | null, action: 'list'): Promise<Alert[]>;
  async forTablet(token: string, id: number, action: 'acknowledge' | 'resolve', note?: string): Promise<Alert>;
  async forTablet(token: string, id: number | null, action: 'list' | 'acknowledge' | 'resolve', note?: string): Promise<Alert | Alert[]> {
    const tablet = await this.deps.credentials.findTabletByToken(hashToken(token));
    if (!tablet) throw AppError.unauthenticated('Unknown tablet token');
    if (tablet.machineId === null) throw AppError.forbidden('This tablet is not paired with a machine');
    if (action === 'list') return this.deps.alerts.list({ open: true, machineId: tablet.machineId, limit: 100 });
    return (await this.byTablet(tablet, id!, action, note)).alert;
  }

  /**
   * A tablet acknowledges or resolves an alert of the machine it is paired with (the HTTP route with its
   * token, and the `/tablet` socket's `alert:*` commands). Recorded as `tablet:<name>`, or
   * `tablet:<name> (<operator>)` while an operator is signed in on it. `at` (a queued tap's time) is
   * kept when it lies between the alert's detection and now; otherwise the moment it arrives counts.
   */
  async byTablet(
    tablet: AlertTablet,
    id: number,
    action: 'acknowledge' | 'resolve',
    note?: string,
    at?: Date,
  ): Promise<TabletAlertOutcome> {
    const alert = await this.get(id);
    if (alert.machineId !== tablet.machineId) throw AppError.forbidden('This tablet is not paired with this alert’s machine');
    const done = action === 'acknowledge' ? alert.acknowledgedAt !== null : alert.resolvedAt !== null;
    if (done) return { alert, changed: false };
    const operator =
      tablet.operatorId === null ? undefined : (await this.deps.operators.usernames([tablet.operatorId])).get(tablet.operatorId);
    const actor = { username: `tablet:${tablet.name}${operator ? ` (${operator})` : ''}`, apiKeyId: null };
    const now = this.deps.clock.now();
    const when = at && at <= now && at >= new Date(alert.detectedAt) ? at : now;
    const after = action === 'acknowledge' ? await this.acknowledge(id, actor, note, when) : await this.resolve(id, actor, note, when);
    return { alert: after, changed: true };
  }

  async deliveries(id: number): Promise<AlertDelivery[]> {
    await this.get(id);
    return this.deps.alerts.deliveries(id);
  }

  responseTimes(query: { from: Date; to: Date; machineId?: number }): Promise<ResponseTimeRow[]> {
    return this.deps.alerts.responseTimes(query.from, query.to, query.machineId);
  }
}
