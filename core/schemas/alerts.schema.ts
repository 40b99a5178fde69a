import { z } from 'zod';
import { idSchema, isoDateTimeSchema, nameSchema, rangeOrdered } from './common.schema.js';

/**
 * Andon alerts (docs/alerts.md): rules, their escalation ladder, webhooks, shift-report subscribers, and
 * the alerts and deliveries they produce. Every wire shape of the alert API is here.
 */

/**
 * What a rule watches (docs/alerts.md "Rule kinds"): a stop longer than the ladder's minutes, the running
 * shift's OEE below the rule's `oeeTarget` (or the machine's target), a device silent (No data), a stop
 * whose reason is still owed.
 */
export const ALERT_RULE_KINDS = ['stop_longer_than', 'oee_below_target', 'device_silent', 'reason_debt_older_than'] as const;
export const alertRuleKindSchema = z.enum(ALERT_RULE_KINDS);
export type AlertRuleKind = z.infer<typeof alertRuleKindSchema>;

/** The rule kinds the evaluator acts on: all of them. */
export const EVALUATED_RULE_KINDS: readonly AlertRuleKind[] = ALERT_RULE_KINDS;

export const STOP_CATEGORIES = ['unplanned_stop', 'planned_stop'] as const;
export const stopCategorySchema = z.enum(STOP_CATEGORIES);
export type StopCategory = z.infer<typeof stopCategorySchema>;

const emailSchema = z.email().max(254);

/** One rung of the ladder: reached `afterMinutes` after the stop began, it notifies these. */
export const alertLevelSchema = z.strictObject({
  afterMinutes: z.number().int().min(1).max(10_080),
  webhookIds: z.array(idSchema).max(10).default([]),
  emails: z.array(emailSchema).max(20).default([]),
});
export type AlertLevel = z.output<typeof alertLevelSchema>;

const ruleFields = {
  name: nameSchema,
  kind: alertRuleKindSchema,
  /** Scope: one machine, one group, or (neither) every machine. */
  machineId: idSchema.nullable().default(null),
  groupId: idSchema.nullable().default(null),
  /** Stop rules: the categories that count (default: unplanned stops). */
  categories: z.array(stopCategorySchema).min(1).max(2).default(['unplanned_stop']),
  /** Stop rules: only these codes (reasons); empty = any code of the categories. */
  activityCodeIds: z.array(idSchema).max(50).default([]),
  /** `oee_below_target`: the target as a fraction 0..1; null = each machine's own (machine, else group, else site). */
  oeeTarget: z.number().min(0).max(1).nullable().default(null),
  /** Level 1, then (optionally) level 2 and 3, each later than the one before. */
  levels: z.array(alertLevelSchema).min(1).max(3),
  /** Whether the wall shows the alert (tile flag and banner). */
  wall: z.boolean().default(true),
  enabled: z.boolean().default(true),
};

function ruleChecks(
  rule: { machineId: number | null; groupId: number | null; levels: AlertLevel[]; kind: AlertRuleKind; oeeTarget: number | null },
  ctx: z.RefinementCtx,
) {
  if (rule.machineId !== null && rule.groupId !== null)
    ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'give machineId or groupId, not both' });
  rule.levels.forEach((level, i) => {
    if (i > 0 && level.afterMinutes <= rule.levels[i - 1]!.afterMinutes)
      ctx.addIssue({ code: 'custom', path: ['levels', i, 'afterMinutes'], message: 'each level comes later than the one before' });
  });
  if (rule.kind !== 'oee_below_target' && rule.oeeTarget !== null)
    ctx.addIssue({ code: 'custom', path: ['oeeTarget'], message: 'only oee_below_target rules have a target' });
}

export const alertRuleInputSchema = z.strictObject(ruleFields).superRefine(ruleChecks);
export type AlertRuleInput = z.output<typeof alertRuleInputSchema>;

export const alertRuleSchema = z.object({ id: z.number().int(), ...ruleFields, levels: z.array(alertLevelSchema), createdAt: z.string() });
export type AlertRule = z.output<typeof alertRuleSchema>;

export const webhookInputSchema = z.strictObject({
  name: nameSchema,
  url: z.url({ protocol: /^https?$/ }).max(2_000),
  /** The HMAC-SHA256 key; write-only (answers say only whether one is set). */
  secret: z.string().min(16).max(200),
  enabled: z.boolean().default(true),
});
export type WebhookInput = z.output<typeof webhookInputSchema>;
export const webhookUpdateSchema = webhookInputSchema.partial().strict();
export type WebhookUpdate = z.output<typeof webhookUpdateSchema>;

export const webhookSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  url: z.string(),
  enabled: z.boolean(),
  createdAt: z.string(),
});
export type Webhook = z.output<typeof webhookSchema>;

export const reportSubscriptionInputSchema = z.strictObject({ groupId: idSchema, email: emailSchema });
export type ReportSubscriptionInput = z.output<typeof reportSubscriptionInputSchema>;
export const reportSubscriptionSchema = z.object({
  id: z.number().int(),
  groupId: z.number().int(),
  email: z.string(),
  createdAt: z.string(),
});
export type ReportSubscription = z.output<typeof reportSubscriptionSchema>;

export const alertSchema = z.object({
  id: z.number().int(),
  ruleId: z.number().int(),
  ruleName: z.string(),
  kind: alertRuleKindSchema,
  machineId: z.number().int(),
  machineName: z.string(),
  activityCodeId: z.number().int().nullable(),
  /** When the stop (or condition) began. */
  stopStart: z.string(),
  detectedAt: z.string(),
  level: z.number().int(),
  wall: z.boolean(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  /** null: resolved by the stop ending. */
  resolvedBy: z.string().nullable(),
});
export type Alert = z.output<typeof alertSchema>;

export const alertListQuerySchema = z.strictObject({
  state: z.enum(['open', 'all']).default('open'),
  machineId: idSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Acknowledge or resolve: an optional note; repeating it is harmless (the first time stays). */
export const alertActionSchema = z.strictObject({ note: z.string().trim().max(500).optional() }).default({});

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export const alertDeliverySchema = z.object({
  id: z.number().int(),
  alertId: z.number().int(),
  level: z.number().int(),
  channel: z.enum(['webhook', 'email']),
  target: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  responseStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});
export type AlertDelivery = z.output<typeof alertDeliverySchema>;

export const responseTimesQuerySchema = z
  .strictObject({ from: isoDateTimeSchema, to: isoDateTimeSchema, machineId: idSchema.optional() })
  .refine(rangeOrdered(), { path: ['to'], message: 'to must be after from' });

/** MTTA and MTTR of the stops that raised an alert, per machine and reason (activity code). */
export const responseTimeRowSchema = z.object({
  machineId: z.number().int(),
  activityCodeId: z.number().int().nullable(),
  stops: z.number().int(),
  acknowledged: z.number().int(),
  resolved: z.number().int(),
  /** Mean seconds from detection to acknowledgement; null when none was acknowledged. */
  mttaSeconds: z.number().nullable(),
  /** Mean seconds from detection to resolution; null when none was resolved. */
  mttrSeconds: z.number().nullable(),
});
export type ResponseTimeRow = z.output<typeof responseTimeRowSchema>;
