import { z } from 'zod';
import { idParamsSchema } from '../../core/schemas/common.schema.js';
import {
  alertActionSchema,
  alertDeliverySchema,
  alertListQuerySchema,
  alertRuleInputSchema,
  alertRuleSchema,
  alertSchema,
  reportSubscriptionInputSchema,
  reportSubscriptionSchema,
  responseTimeRowSchema,
  responseTimesQuerySchema,
  webhookInputSchema,
  webhookSchema,
  webhookUpdateSchema,
} from '../../core/schemas/alerts.schema.js';
import type { Request } from 'express';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

const actorOf = (auth: { username: string | null; apiKeyId: number | null }) => ({ username: auth.username, apiKeyId: auth.apiKeyId });
/** An operator tablet's own token (`tab_…`), which the authenticator does not know: checked by the alerts service. */
const tabletToken = (req: Request): string | null => {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer tab_') ? header.slice(7).trim() : null;
};
const tabletAdmitted = {
  description: "an operator tablet paired with the alert's machine (Authorization: Bearer <tablet token>)",
  test: (req: Request) => tabletToken(req) !== null,
};
const subscriptionQuerySchema = z.strictObject({ groupId: z.coerce.number().int().positive().optional() });

/** Andon alerts (docs/alerts.md): the alert list, acknowledge and resolve, response times, and the alert set-up. */
export function registerAlertRoutes(routes: RouteTable, deps: AppServices): void {
  const { alerts, alertSetup } = deps;

  routes.add({
    method: 'get',
    path: '/api/v1/alerts',
    access: 'signedIn',
    tag: 'alerts',
    summary: "Alerts, newest first: the open ones (not resolved) by default, or all (state=all). A tablet sees its machine's open alerts",
    query: alertListQuerySchema,
    response: z.array(alertSchema),
    anonymousWhen: tabletAdmitted,
    handler: ({ query, auth, req }) => (auth.via === 'anonymous' ? alerts.forTablet(tabletToken(req)!, null, 'list') : alerts.list(query)),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/alerts/response-times',
    access: 'signedIn',
    tag: 'alerts',
    summary:
      'MTTA and MTTR of the stops that raised alerts in [from, to), per machine and reason: detected (first alert) → acknowledged (first acknowledgement) → resolved (all its alerts resolved)',
    query: responseTimesQuerySchema,
    response: z.array(responseTimeRowSchema),
    handler: ({ query }) => alerts.responseTimes(query),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/alerts/{id}',
    access: 'signedIn',
    tag: 'alerts',
    summary: 'One alert',
    params: idParamsSchema,
    response: alertSchema,
    handler: ({ params }) => alerts.get(params.id),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/alerts/{id}/deliveries',
    access: 'supervisor',
    tag: 'alerts',
    summary: "The alert's delivery log: each webhook and e-mail of each level, its status, attempts, last answer and error",
    params: idParamsSchema,
    response: z.array(alertDeliverySchema),
    handler: ({ params }) => alerts.deliveries(params.id),
  });
  // Acknowledge and resolve: the same route but for the action and its summary.
  const actions = {
    acknowledge: 'Acknowledge: the ladder stops climbing. Repeating it keeps the first acknowledgement',
    resolve:
      'Resolve (acknowledging it too when nobody had). Repeating it keeps the first resolution; a stop that ends resolves its alerts by itself',
  } as const;
  for (const action of ['acknowledge', 'resolve'] as const) {
    routes.add({
      method: 'post',
      path: `/api/v1/alerts/{id}/${action}`,
      access: 'operator',
      tag: 'alerts',
      summary: actions[action],
      params: idParamsSchema,
      body: alertActionSchema,
      response: alertSchema,
      anonymousWhen: tabletAdmitted,
      handler: ({ params, body, auth, req }) =>
        auth.via === 'anonymous'
          ? alerts.forTablet(tabletToken(req)!, params.id, action, body.note)
          : alerts[action](params.id, actorOf(auth), body.note),
    });
  }

  routes.add({
    method: 'get',
    path: '/api/v1/alert-rules',
    access: 'supervisor',
    tag: 'alerts',
    summary: 'The alert rules',
    response: z.array(alertRuleSchema),
    handler: () => alertSetup.listRules(),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/alert-rules',
    access: 'supervisor',
    tag: 'alerts',
    summary: 'Add a rule (409 when the name is taken, so a repeated request adds nothing)',
    body: alertRuleInputSchema,
    status: 201,
    response: alertRuleSchema,
    handler: ({ body }) => alertSetup.saveRule(null, body),
  });
  routes.add({
    method: 'put',
    path: '/api/v1/alert-rules/{id}',
    access: 'supervisor',
    tag: 'alerts',
    summary: 'Replace a rule',
    params: idParamsSchema,
    body: alertRuleInputSchema,
    response: alertRuleSchema,
    handler: ({ params, body }) => alertSetup.saveRule(params.id, body),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/alert-rules/{id}',
    access: 'supervisor',
    tag: 'alerts',
    summary: 'Delete a rule and its alerts',
    params: idParamsSchema,
    status: 204,
    handler: ({ params }) => alertSetup.deleteRule(params.id),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/webhooks',
    access: 'supervisor',
    tag: 'alerts',
    summary: 'The webhooks alerts are sent to (secrets are never shown)',
    response: z.array(webhookSchema),
    handler: () => alertSetup.listWebhooks(),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/webhooks',
    access: 'admin',
    tag: 'alerts',
    summary: 'Add a webhook: its URL and the secret that signs each request (409 when the name is taken)',
    body: webhookInputSchema,
    status: 201,
    response: webhookSchema,
    handler: ({ body }) => alertSetup.createWebhook(body),
  });
  routes.add({
    method: 'patch',
    path: '/api/v1/webhooks/{id}',
    access: 'admin',
    tag: 'alerts',
    summary: 'Edit a webhook',
    params: idParamsSchema,
    body: webhookUpdateSchema,
    response: webhookSchema,
    handler: ({ params, body }) => alertSetup.updateWebhook(params.id, body),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/webhooks/{id}',
    access: 'admin',
    tag: 'alerts',
    summary: 'Delete a webhook (its pending deliveries fail)',
    params: idParamsSchema,
    status: 204,
    handler: ({ params }) => alertSetup.deleteWebhook(params.id),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/report-subscriptions',
    access: 'supervisor',
    tag: 'alerts',
    summary: 'Who gets which group’s shift report',
    query: subscriptionQuerySchema,
    response: z.array(reportSubscriptionSchema),
    handler: ({ query }) => alertSetup.listSubscriptions(query.groupId),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/report-subscriptions',
    access: 'supervisor',
    tag: 'alerts',
    summary: "Subscribe an address to a group's shift report (a repeated request answers the same subscription)",
    body: reportSubscriptionInputSchema,
    status: 201,
    response: reportSubscriptionSchema,
    handler: async ({ body }) => (await alertSetup.subscribe(body)).subscription,
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/report-subscriptions/{id}',
    access: 'supervisor',
    tag: 'alerts',
    summary: 'Unsubscribe',
    params: idParamsSchema,
    status: 204,
    handler: ({ params }) => alertSetup.unsubscribe(params.id),
  });
}
