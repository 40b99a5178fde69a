import {
  DELIVERY_HEADER,
  MAX_DELIVERY_ATTEMPTS,
  retryDelayMs,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from '../../core/alerts/index.js';
import type { Clock } from '../../core/clock.js';
import type { AlertsRepository, DeliveryOutcome, DueDelivery } from '../../db/repositories/alerts.repository.js';
import type { AlertSetupRepository } from '../../db/repositories/alert-setup.repository.js';
import type { Mailer } from './mailer.js';

/** A webhook has this long to answer. */
const WEBHOOK_TIMEOUT_MS = 10_000;
/** Deliveries one run sends at most (the next run takes the rest). */
const BATCH = 50;

interface AttemptResult {
  ok: boolean;
  responseStatus: number | null;
  error: string | null;
  /** A failure no retry can mend (the webhook was removed, SMTP is not configured). */
  final?: boolean;
}

/**
 * Sends due deliveries (webhooks and e-mail) one row at a time, each claimed with FOR UPDATE SKIP LOCKED
 * and held while it is sent; a failure is retried with backoff (core/alerts/retry.ts) and every attempt
 * is logged on the row. A crash mid-send releases the row and it is sent again: receivers de-duplicate by
 * the X-OEE-Delivery id.
 */
export class AlertDeliveryService {
  constructor(
    private readonly deps: {
      alerts: Pick<AlertsRepository, 'withDueDelivery'>;
      setup: Pick<AlertSetupRepository, 'webhook'>;
      mailer: Mailer | null;
      clock: Clock;
    },
  ) {}

  /** Sends what is due now; the number of attempts made. */
  async deliverDue(): Promise<number> {
    let attempts = 0;
    while (attempts < BATCH && (await this.deps.alerts.withDueDelivery(this.deps.clock.now(), (row) => this.attempt(row)))) attempts++;
    return attempts;
  }

  private async attempt(row: DueDelivery): Promise<DeliveryOutcome> {
    const result = await (row.channel === 'webhook' ? this.sendWebhook(row) : this.sendEmail(row)).catch((err: unknown): AttemptResult => ({
      ok: false,
      responseStatus: null,
      error: (err as Error).message ?? String(err),
    }));
    const attemptedAt = this.deps.clock.now();
    const attempts = row.attempts + 1;
    if (result.ok) return { status: 'delivered', attemptedAt, nextAttemptAt: null, responseStatus: result.responseStatus, error: null };
    const giveUp = result.final === true || attempts >= MAX_DELIVERY_ATTEMPTS;
    return {
      status: giveUp ? 'failed' : 'pending',
      attemptedAt,
      nextAttemptAt: giveUp ? null : new Date(attemptedAt.getTime() + retryDelayMs(attempts)),
      responseStatus: result.responseStatus,
      error: result.error,
    };
  }

  private async sendWebhook(row: DueDelivery): Promise<AttemptResult> {
    const webhook = await this.deps.setup.webhook(Number(row.target));
    if (!webhook) return { ok: false, responseStatus: null, error: 'the webhook was removed', final: true };
    if (!webhook.enabled) return { ok: false, responseStatus: null, error: 'the webhook is disabled', final: true };
    const body = JSON.stringify({ deliveryId: row.id, ...row.payload });
    const timestamp = Math.floor(this.deps.clock.now().getTime() / 1000);
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'oee-monitor-alerts',
        [SIGNATURE_HEADER]: signWebhook(webhook.secret, timestamp, body),
        [TIMESTAMP_HEADER]: String(timestamp),
        [DELIVERY_HEADER]: String(row.id),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel().catch(() => undefined);
    const ok = response.status >= 200 && response.status < 300;
    return { ok, responseStatus: response.status, error: ok ? null : `HTTP ${response.status}` };
  }

  private async sendEmail(row: DueDelivery): Promise<AttemptResult> {
    if (!this.deps.mailer) return { ok: false, responseStatus: null, error: 'SMTP is not configured (SMTP_URL or SMTP_HOST)', final: true };
    const p = row.payload as {
      level: number;
      alert: { machineName: string; ruleName: string; stopStart: string };
      activityCodeName: string | null;
    };
    const what = p.activityCodeName ? ` (${p.activityCodeName})` : '';
    await this.deps.mailer.send({
      to: [row.target],
      subject: `[OEE alert, level ${p.level}] ${p.alert.machineName}: ${p.alert.ruleName}${what}`,
      text:
        `${p.alert.machineName} has been stopped${what} since ${p.alert.stopStart} (rule "${p.alert.ruleName}", level ${p.level}).\n` +
        `Acknowledge it on the alerts page.\n`,
    });
    return { ok: true, responseStatus: null, error: null };
  }
}
