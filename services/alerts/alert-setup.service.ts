import { AppError } from '../../core/errors.js';
import type {
  AlertRule,
  AlertRuleInput,
  ReportSubscription,
  ReportSubscriptionInput,
  Webhook,
  WebhookInput,
  WebhookUpdate,
} from '../../core/schemas/alerts.schema.js';
import type { Clock } from '../../core/clock.js';
import { isUniqueViolation, pgCode } from '../../db/pg-errors.js';
import type { AlertSetupRepository } from '../../db/repositories/alert-setup.repository.js';
import type { AlertRuleEntity, ReportSubscriptionEntity, WebhookEntity } from '../../db/entities/index.js';

const toRule = (r: AlertRuleEntity): AlertRule => ({ ...r, createdAt: r.createdAt.toISOString() });
const toWebhook = ({ secret: _secret, ...w }: WebhookEntity): Webhook => ({ ...w, createdAt: w.createdAt.toISOString() });
const toSubscription = (s: ReportSubscriptionEntity): ReportSubscription => ({
  id: s.id,
  groupId: s.groupId,
  email: s.email,
  createdAt: new Date(s.createdAt).toISOString(),
});

/** A missing machine or group (foreign key), or a duplicate name, as the 4xx it is. */
function explain(err: unknown, duplicate: string): never {
  if (isUniqueViolation(err)) throw AppError.conflict(duplicate);
  if (pgCode(err) === '23503') throw AppError.invalid('The machine or group does not exist');
  throw err;
}

/** Alert rules, webhooks and shift-report subscribers: the admin API's use cases (docs/alerts.md). */
export class AlertSetupService {
  constructor(private readonly deps: { repo: AlertSetupRepository; clock: Clock }) {}

  async listRules(): Promise<AlertRule[]> {
    return (await this.deps.repo.rules()).map(toRule);
  }

  /** Creates (id null) or replaces a rule; a rule's webhooks must exist. */
  async saveRule(id: number | null, input: AlertRuleInput): Promise<AlertRule> {
    const wanted = [...new Set(input.levels.flatMap((l) => l.webhookIds))];
    if (wanted.length) {
      const found = new Set((await this.deps.repo.webhooks(wanted)).map((w) => w.id));
      const missing = wanted.filter((w) => !found.has(w));
      if (missing.length) throw AppError.invalid(`No webhook ${missing.join(', ')}`);
    }
    if (id !== null && !(await this.deps.repo.rule(id))) throw AppError.notFound('Alert rule');
    const saved = await this.deps.repo
      .saveRule(id, input)
      .catch((err: unknown) => explain(err, `An alert rule named "${input.name}" already exists`));
    return toRule(saved);
  }

  async deleteRule(id: number): Promise<void> {
    if (!(await this.deps.repo.deleteRule(id))) throw AppError.notFound('Alert rule');
  }

  async listWebhooks(): Promise<Webhook[]> {
    return (await this.deps.repo.webhooks()).map(toWebhook);
  }

  async createWebhook(input: WebhookInput): Promise<Webhook> {
    return toWebhook(
      await this.deps.repo.createWebhook(input).catch((err: unknown) => explain(err, `A webhook named "${input.name}" already exists`)),
    );
  }

  async updateWebhook(id: number, input: WebhookUpdate): Promise<Webhook> {
    const updated = await this.deps.repo
      .updateWebhook(id, input)
      .catch((err: unknown) => explain(err, `A webhook named "${input.name ?? ''}" already exists`));
    if (!updated) throw AppError.notFound('Webhook');
    return toWebhook(updated);
  }

  /** Deliveries already made keep their log; pending ones to it fail ("webhook removed"). */
  async deleteWebhook(id: number): Promise<void> {
    if (!(await this.deps.repo.deleteWebhook(id))) throw AppError.notFound('Webhook');
  }

  async listSubscriptions(groupId?: number): Promise<ReportSubscription[]> {
    return (await this.deps.repo.subscriptions(groupId)).map(toSubscription);
  }

  /** Idempotent: subscribing an address twice keeps one subscription. */
  async subscribe(input: ReportSubscriptionInput): Promise<{ subscription: ReportSubscription; created: boolean }> {
    const { row, created } = await this.deps.repo
      .subscribe(input.groupId, input.email.toLowerCase(), this.deps.clock.now())
      .catch((err: unknown) => explain(err, 'Already subscribed'));
    return { subscription: toSubscription(row), created };
  }

  async unsubscribe(id: number): Promise<void> {
    if (!(await this.deps.repo.unsubscribe(id))) throw AppError.notFound('Subscription');
  }
}
