import { z } from 'zod';
import { senderOf } from '../../core/live-window.js';
import { idParamsSchema } from '../../core/schemas/common.schema.js';
import { resumeNotesResponseSchema } from '../../core/schemas/resume-notes.schema.js';
import {
  eventsBatchSchema,
  eventsResultSchema,
  jobEndSchema,
  jobSchema,
  jobStartSchema,
  jobsQuerySchema,
  jobsResponseSchema,
  MAX_EVENTS_PER_BATCH,
  productionRecordSchema,
  productionSchema,
  rangeQuerySchema,
  timelineSchema,
  plannedWindowsQuerySchema,
  plannedWindowsSchema,
} from '../../core/schemas/shop-floor.schema.js';
import { BUILT_IN_CODES } from '../../core/state/built-in-codes.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

/** Shop-floor data of docs/api.md: devices, operators, supervisors and admins write; everyone signed in reads. */
export function registerShopFloorRoutes(routes: RouteTable, deps: AppServices): void {
  routes.add({
    method: 'post',
    path: '/api/v1/events',
    access: 'shopFloor',
    tag: 'shop-floor',
    body: eventsBatchSchema,
    response: eventsResultSchema,
    summary: `Record state changes (an atomic batch of up to ${MAX_EVENTS_PER_BATCH}; a repeated eventId is a harmless duplicate)`,
    handler: ({ body, auth }) =>
      deps.stateEvents.record(
        body.events.map((e) => ({
          machineId: e.machineId,
          at: e.at,
          activityCodeId: e.activityCodeId ?? (e.state === 'up' ? BUILT_IN_CODES.up : BUILT_IN_CODES.down),
          eventId: e.eventId,
          sender: senderOf(auth),
        })),
        'api',
        { issuePath: (i) => ['events', i] },
      ),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/machines/{id}/jobs',
    access: 'shopFloor',
    tag: 'shop-floor',
    summary:
      "Start a job (puts the machine in its job-start code); partNumber without idealCycleTimeSeconds takes the part's for this machine from the catalogue",
    params: idParamsSchema,
    body: jobStartSchema,
    status: 201,
    response: z.object({ job: jobSchema }),
    handler: async ({ params, body, auth }) => ({
      job: await deps.jobs.start({
        machineId: params.id,
        jobNumber: body.jobNumber,
        idealCycleTimeSeconds: await deps.parts.idealCycleTime(params.id, body.idealCycleTimeSeconds, body.partNumber),
        at: body.at,
        eventId: body.eventId,
        source: 'api',
        sender: senderOf(auth),
      }),
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/machines/{id}/jobs/current/end',
    access: 'shopFloor',
    tag: 'shop-floor',
    summary: 'End the running job (puts the machine in Down, records the counts over the job)',
    params: idParamsSchema,
    body: jobEndSchema,
    response: z.object({ job: jobSchema }),
    handler: async ({ params, body, auth }) => ({
      job: await deps.jobs.end({ machineId: params.id, ...body, source: 'api', sender: senderOf(auth) }),
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/machines/{id}/production',
    access: 'shopFloor',
    tag: 'shop-floor',
    summary: 'Record good and reject counts at an instant or over a span',
    params: idParamsSchema,
    body: productionSchema,
    status: 201,
    response: z.object({ record: productionRecordSchema }),
    handler: async ({ params, body, auth }) => ({
      record: await deps.production.record({ machineId: params.id, ...body, source: 'api', sender: senderOf(auth) }),
    }),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/machines/{id}/timeline',
    access: 'signedIn',
    tag: 'shop-floor',
    summary: 'State intervals overlapping [from, to), oldest first (end null = open)',
    params: idParamsSchema,
    query: rangeQuerySchema,
    response: timelineSchema,
    handler: ({ params, query }) => deps.reports.timeline(params.id, query.from, query.to),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/machines/{id}/planned-windows',
    access: 'signedIn',
    tag: 'shop-floor',
    summary: 'Planned time overlapping [from, to) (the OEE planned windows, clipped), with each shift name; at most 400 days',
    params: idParamsSchema,
    query: plannedWindowsQuerySchema,
    response: plannedWindowsSchema,
    handler: ({ params, query }) => deps.reports.plannedWindows(params.id, query.from, query.to),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/machines/{id}/resume-notes',
    access: 'signedIn',
    tag: 'shop-floor',
    summary: 'Notes operators gave when resuming paused jobs, whose pause overlaps [from, to), oldest first',
    params: idParamsSchema,
    query: rangeQuerySchema,
    response: resumeNotesResponseSchema,
    handler: ({ params, query }) => deps.resumeNotes.list(params.id, query.from, query.to),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/jobs',
    access: 'signedIn',
    tag: 'shop-floor',
    summary: 'Jobs overlapping [from, to) with their counts, oldest first',
    query: jobsQuerySchema,
    response: jobsResponseSchema,
    handler: ({ query }) => deps.jobs.list(query.from, query.to, query.machineId),
  });
}
