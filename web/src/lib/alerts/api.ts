import type { z } from 'zod';
import type {
  alertRuleSchema,
  alertSchema,
  reportSubscriptionSchema,
  responseTimeRowSchema,
  webhookSchema,
} from '$core/schemas/alerts.schema.js';
import { request, type Fetch } from '$lib/api';

export type Alert = z.infer<typeof alertSchema>;
export type AlertRule = z.infer<typeof alertRuleSchema>;
export type Webhook = z.infer<typeof webhookSchema>;
export type ReportSubscription = z.infer<typeof reportSubscriptionSchema>;
export type ResponseTimeRow = z.infer<typeof responseTimeRowSchema>;

/** The alert API (docs/alerts.md), from the browser with the session cookie. */
export const alertsApi = {
  open: (f: Fetch) => request<Alert[]>('GET', '/alerts', { fetch: f }),
  responseTimes: (f: Fetch, from: string, to: string) =>
    request<ResponseTimeRow[]>('GET', '/alerts/response-times', { fetch: f, query: { from, to } }),
  acknowledge: (id: number) => request<Alert>('POST', `/alerts/${id}/acknowledge`, { body: {} }),
  resolve: (id: number) => request<Alert>('POST', `/alerts/${id}/resolve`, { body: {} }),
  rules: (f: Fetch) => request<AlertRule[]>('GET', '/alert-rules', { fetch: f }),
  addRule: (body: unknown) => request<AlertRule>('POST', '/alert-rules', { body }),
  deleteRule: (id: number) => request<void>('DELETE', `/alert-rules/${id}`),
  webhooks: (f: Fetch) => request<Webhook[]>('GET', '/webhooks', { fetch: f }),
  addWebhook: (body: unknown) => request<Webhook>('POST', '/webhooks', { body }),
  subscriptions: (f: Fetch) => request<ReportSubscription[]>('GET', '/report-subscriptions', { fetch: f }),
  subscribe: (body: unknown) => request<ReportSubscription>('POST', '/report-subscriptions', { body }),
  unsubscribe: (id: number) => request<void>('DELETE', `/report-subscriptions/${id}`),
};
