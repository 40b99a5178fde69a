import { In, type DataSource } from 'typeorm';
import type { AlertRuleInput, AlertRuleKind, WebhookInput, WebhookUpdate } from '../../core/schemas/alerts.schema.js';
import { AlertRuleEntity, ReportSubscriptionEntity, WebhookEntity } from '../entities/index.js';

/** The alert set-up: rules, webhooks and shift-report subscribers (docs/alerts.md). */
export class AlertSetupRepository {
  constructor(private readonly dataSource: DataSource) {}

  rules(): Promise<AlertRuleEntity[]> {
    return this.dataSource.manager.find(AlertRuleEntity, { order: { id: 'ASC' } });
  }

  enabledRules(kind: AlertRuleKind): Promise<AlertRuleEntity[]> {
    return this.dataSource.manager.find(AlertRuleEntity, { where: { kind, enabled: true }, order: { id: 'ASC' } });
  }

  rule(id: number): Promise<AlertRuleEntity | null> {
    return this.dataSource.manager.findOneBy(AlertRuleEntity, { id });
  }

  /** Throws the database's unique or foreign-key violation for the service to explain. */
  async saveRule(id: number | null, input: AlertRuleInput): Promise<AlertRuleEntity> {
    const repo = this.dataSource.getRepository(AlertRuleEntity);
    if (id === null) return repo.save(repo.create(input));
    await repo.update({ id }, input);
    return (await repo.findOneBy({ id }))!;
  }

  async deleteRule(id: number): Promise<boolean> {
    return ((await this.dataSource.manager.delete(AlertRuleEntity, { id })).affected ?? 0) > 0;
  }

  webhooks(ids?: number[]): Promise<WebhookEntity[]> {
    return this.dataSource.manager.find(WebhookEntity, { ...(ids ? { where: { id: In(ids) } } : {}), order: { id: 'ASC' } });
  }

  webhook(id: number): Promise<WebhookEntity | null> {
    return this.dataSource.manager.findOneBy(WebhookEntity, { id });
  }

  async createWebhook(input: WebhookInput): Promise<WebhookEntity> {
    const repo = this.dataSource.getRepository(WebhookEntity);
    return repo.save(repo.create(input));
  }

  async updateWebhook(id: number, input: WebhookUpdate): Promise<WebhookEntity | null> {
    const repo = this.dataSource.getRepository(WebhookEntity);
    if (Object.keys(input).length) await repo.update({ id }, input);
    return repo.findOneBy({ id });
  }

  async deleteWebhook(id: number): Promise<boolean> {
    return ((await this.dataSource.manager.delete(WebhookEntity, { id })).affected ?? 0) > 0;
  }

  subscriptions(groupId?: number): Promise<ReportSubscriptionEntity[]> {
    return this.dataSource.manager.find(ReportSubscriptionEntity, {
      ...(groupId === undefined ? {} : { where: { groupId } }),
      order: { groupId: 'ASC', email: 'ASC' },
    });
  }

  /** Adds a subscriber, or returns the one there is (a repeated request changes nothing). */
  async subscribe(groupId: number, email: string, at: Date): Promise<{ row: ReportSubscriptionEntity; created: boolean }> {
    const inserted: { id: number }[] = await this.dataSource.query(
      `INSERT INTO report_subscriptions ("groupId", email, "createdAt") VALUES ($1, $2, $3) ON CONFLICT ("groupId", email) DO NOTHING RETURNING id`,
      [groupId, email, at],
    );
    const row = await this.dataSource.manager.findOneByOrFail(ReportSubscriptionEntity, { groupId, email });
    return { row, created: inserted.length > 0 };
  }

  async unsubscribe(id: number): Promise<boolean> {
    return ((await this.dataSource.manager.delete(ReportSubscriptionEntity, { id })).affected ?? 0) > 0;
  }
}
