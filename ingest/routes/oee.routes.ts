import { oeeQuerySchema, oeeResponseSchema } from '../../core/schemas/oee.schema.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';
import { registerLegacyOeeRoutes } from './legacy-oee.routes.js';

/** `GET /api/v1/oee` (docs/api.md "Results"): a machine, a group or the whole site, optionally bucketed; and the legacy reads. */
export function registerOeeRoutes(routes: RouteTable, deps: AppServices): void {
  routes.add({
    method: 'get',
    path: '/api/v1/oee',
    access: 'signedIn',
    tag: 'results',
    summary: 'OEE of a machine, a group or the whole site over [from, to), optionally in hour, shift, day or week buckets',
    query: oeeQuerySchema,
    response: oeeResponseSchema,
    handler: ({ query }) =>
      query.machineId !== undefined
        ? deps.oee.machineOee(query.machineId, query.from, query.to, query.bucket)
        : deps.oee.groupOee(query.groupId ?? null, query.from, query.to, query.bucket),
  });
  registerLegacyOeeRoutes(routes, deps);
}
