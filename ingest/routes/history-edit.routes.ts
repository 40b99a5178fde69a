import { z } from 'zod';
import { idParamsSchema } from '../../core/schemas/common.schema.js';
import {
  auditQuerySchema,
  auditResponseSchema,
  correctionResultSchema,
  correctionSchema,
  jobUpdateSchema,
  productionCreateSchema,
  productionListRecordSchema,
  productionUpdateSchema,
} from '../../core/schemas/export.schema.js';
import { jobSchema } from '../../core/schemas/shop-floor.schema.js';
import type { AuthContext } from '../auth/auth-context.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

const actorOf = (auth: AuthContext) => ({ userId: auth.userId, apiKeyId: auth.apiKeyId });
const productionRecordSchema = productionListRecordSchema.omit({ source: true });

/** Supervisors correct past data; every change is audited (who, when, before, after, note). */
export function registerHistoryEditRoutes(routes: RouteTable, deps: AppServices): void {
  routes.add({
    method: 'post',
    path: '/api/v1/machines/{id}/corrections',
    access: 'supervisor',
    tag: 'corrections',
    summary:
      'The machine was in this code over [from, to): a correction through the event log (the timeline is re-projected and OEE follows). ' +
      "400 when the span reaches into the machine's current (open) interval or the future, starts before its history, or from >= to. " +
      'A repeated eventId (or the same correction again) answers with the stored correction and changes nothing.',
    params: idParamsSchema,
    body: correctionSchema,
    status: 201,
    response: correctionResultSchema,
    handler: ({ params, body, auth }) => deps.historyEdits.correct(actorOf(auth), { machineId: params.id, ...body }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/jobs/{id}',
    access: 'supervisor',
    tag: 'corrections',
    summary:
      "Edit a job's number, times or ideal cycle time (end only once it has ended). New times re-assign the intervals and production records " +
      'of the affected span (the job running at their start) and re-project the timeline. 409 when it would overlap another job of the machine.',
    params: idParamsSchema,
    body: jobUpdateSchema,
    response: z.object({ job: jobSchema }),
    handler: async ({ params, body, auth }) => ({
      job: await deps.jobs.get(await deps.historyEdits.updateJob(actorOf(auth), params.id, body)),
    }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/production',
    access: 'supervisor',
    tag: 'corrections',
    summary:
      'Add a production record by hand (audited, with a note), at an instant or over [from, to); it belongs to the job running at its start. A repeated eventId answers with the stored record.',
    body: productionCreateSchema,
    status: 201,
    response: z.object({ record: productionRecordSchema }),
    handler: async ({ body, auth }) => ({ record: await deps.historyEdits.createProduction(actorOf(auth), body) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/production/{id}',
    access: 'supervisor',
    tag: 'corrections',
    summary: "Edit a production record's counts or span (a new span re-assigns its job)",
    params: idParamsSchema,
    body: productionUpdateSchema,
    response: z.object({ record: productionRecordSchema }),
    handler: async ({ params, body, auth }) => ({ record: await deps.historyEdits.updateProduction(actorOf(auth), params.id, body) }),
  });

  routes.add({
    method: 'delete',
    path: '/api/v1/production/{id}',
    access: 'supervisor',
    tag: 'corrections',
    summary: 'Delete a production record (deleting it again answers 204 too)',
    params: idParamsSchema,
    status: 204,
    handler: ({ params, auth }) => deps.historyEdits.deleteProduction(actorOf(auth), params.id),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/audit',
    access: 'supervisor',
    tag: 'corrections',
    summary:
      'The audit log, oldest first: every correction of past data and every set-up change (who, when, before, after, note); from/to filter on when the change was made',
    query: auditQuerySchema,
    response: auditResponseSchema,
    handler: ({ query }) => deps.historyEdits.auditLog(query),
  });
}
