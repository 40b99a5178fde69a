import { z } from 'zod';
import { localTimeFormatter } from '../../core/calendar/local-time.js';
import { idParamsSchema } from '../../core/schemas/common.schema.js';
import {
  auditExportQuerySchema,
  auditQuerySchema,
  auditResponseSchema,
  correctionResultSchema,
  correctionSchema,
  jobUpdateSchema,
  productionCreateSchema,
  productionListRecordSchema,
  productionUpdateSchema,
} from '../../core/schemas/export.schema.js';
import { correctionPreviewResultSchema, correctionPreviewSchema, pastJobCreateSchema } from '../../core/schemas/history-edit.schema.js';
import { jobSchema } from '../../core/schemas/shop-floor.schema.js';
import type { AuthContext } from '../auth/auth-context.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';
import { createCsvWriter, CSV_CONTENT_TYPE } from '../../services/exports/csv-writer.js';

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
    method: 'post',
    path: '/api/v1/machines/{id}/corrections/preview',
    access: 'supervisor',
    tag: 'corrections',
    summary:
      'What the correction with this body would do, without doing it: the same correction run in a transaction that is rolled back. ' +
      "Answers the span's intervals before and after it and the seconds it moves from one code (and category) to another, the largest first; " +
      'the same refusals as POST /corrections (400, 404, 409). Nothing is stored or audited.',
    params: idParamsSchema,
    body: correctionPreviewSchema,
    response: correctionPreviewResultSchema,
    handler: ({ params, body, auth }) => deps.historyEdits.previewCorrection(actorOf(auth), { machineId: params.id, ...body }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/jobs',
    access: 'supervisor',
    tag: 'corrections',
    summary:
      'Add a job that ran in the past, [start, end) (audited as job.create): the intervals and production records of its span become its own and the timeline is re-projected. ' +
      'good/rejects become one production record over the job; activityCodeId records what the machine was doing over it as a correction of the span (the rules of POST /corrections apply). ' +
      '409 when it would overlap another job of the machine. The same job again (number, start, end) answers with the stored one.',
    body: pastJobCreateSchema,
    status: 201,
    response: z.object({ job: jobSchema }),
    handler: async ({ body, auth }) => ({ job: await deps.jobs.get(await deps.historyEdits.createJob(actorOf(auth), body)) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/jobs/{id}',
    access: 'supervisor',
    tag: 'corrections',
    summary:
      "Edit a job's number, times, ideal cycle time or counts (end only once it has ended). New times re-assign the intervals and production records " +
      'of the affected span (the job running at their start) and re-project the timeline. good/rejects set the counts of its one production record ' +
      '(a job without records gets one over its span; 409 when it has several: edit those one by one). 409 when it would overlap another job of the machine.',
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
      'The audit log: every correction of past data and every set-up change (who, when, before, after, note); from/to filter on when the change was made, ' +
      'userId on who made it (a session user), machineId on the machine it concerns. order=asc (default, oldest first) or desc; truncated when more than limit match',
    query: auditQuerySchema,
    response: auditResponseSchema,
    handler: ({ query }) => deps.historyEdits.auditLog(query),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/audit.csv',
    access: 'supervisor',
    tag: 'corrections',
    summary:
      'The audit log of GET /audit (same filters) as CSV in the export format of docs/exports.md: UTF-8 with a byte-order mark, times in the site zone with their offset, ' +
      'the user or API key by name, before and after as JSON text; separator=semicolon for ; and a decimal comma. X-Export-Rows gives the number of rows, ' +
      'X-Export-Truncated is true when more than limit entries match.',
    query: auditExportQuerySchema,
    raw: true,
    handler: async ({ query, res }) => {
      const { separator, ...filter } = query;
      const table = await deps.historyEdits.auditTable(filter);
      const day = localTimeFormatter(table.timezone);
      const range = [filter.from, filter.to].map((d) => (d ? day(d).slice(0, 10) : null));
      res.status(200);
      res.setHeader('Content-Type', CSV_CONTENT_TYPE);
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="oee-monitor_audit${filter.machineId ? `_machine-${filter.machineId}` : ''}${range[0] ? `_${range[0]}` : ''}${range[1] ? `_${range[1]}` : ''}.csv"`,
      );
      res.setHeader('X-Export-Rows', String(table.rows.length));
      res.setHeader('X-Export-Truncated', String(table.truncated));
      const writer = createCsvWriter(res, [...table.columns], { separator, timezone: table.timezone });
      await writer.write(table.rows, (row) => row);
      await writer.end();
    },
  });
}
