import { senderOf } from '../../core/live-window.js';
import {
  dataSourcesResponseSchema,
  giveReasonSchema,
  heartbeatSchema,
  reasonQueueQuerySchema,
  reasonQueueSchema,
} from '../../core/schemas/andon.schema.js';
import { correctionResultSchema } from '../../core/schemas/export.schema.js';
import { idParamsSchema } from '../../core/schemas/common.schema.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

/** Andon (issue 20, docs/oee.md "No data"): heartbeats and data sources' last contact. */
export function registerAndonRoutes(routes: RouteTable, deps: AppServices): void {
  routes.add({
    method: 'post',
    path: '/api/v1/machines/{id}/heartbeat',
    access: 'shopFloor',
    tag: 'shop-floor',
    summary:
      "A device's sign of life for a machine: its last contact, which keeps a machine with a heartbeat interval out of No data (any event counts too). Safe to repeat.",
    params: idParamsSchema,
    body: heartbeatSchema,
    status: 204,
    handler: ({ params, auth }) => deps.andon.heartbeat(params.id, senderOf(auth), 'api'),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/data-sources',
    access: 'admin',
    tag: 'setup',
    summary: 'Every data source (API key, tablet, DigitME2 device) with the machine it wrote for and its last contact, latest first',
    response: dataSourcesResponseSchema,
    handler: () => deps.andon.dataSources(),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/reason-queue',
    access: 'supervisor',
    tag: 'corrections',
    summary:
      'Stops in planned time longer than the reason-prompt threshold that still carry Down or No data (the last 7 days), newest first; of a machine, a group or the site',
    query: reasonQueueQuerySchema,
    response: reasonQueueSchema,
    handler: ({ query }) => deps.reasonQueue.list(query),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/reason-queue/reasons',
    access: 'supervisor',
    tag: 'corrections',
    summary:
      'Gives a stop of the queue its reason: a correction over exactly the stop (from, to) with a stop code other than Down and No data, authored by the caller. ' +
      '409 when the stop owes no reason; a repeated eventId answers the stored correction.',
    body: giveReasonSchema,
    status: 201,
    response: correctionResultSchema,
    handler: ({ body, auth }) => deps.reasonQueue.give({ userId: auth.userId, apiKeyId: auth.apiKeyId }, body),
  });
}
