import { z } from 'zod';
import type { RouteTable } from '../http/route.js';
import type { IngestDeps } from '../ingest-deps.js';
import { openApiDocument } from '../http/openapi.js';

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'unavailable']),
  influx: z.enum(['disabled', 'ok', 'unavailable']),
  /** InfluxDB outbox lag, when InfluxDB is configured. */
  outbox: z.object({ pending: z.number(), oldestSeconds: z.number() }).optional(),
});

export function registerSystemRoutes(routes: RouteTable, deps: IngestDeps): void {
  routes.add({ method: 'get', path: '/api/v1/health', access: 'public', tag: 'system', summary: 'Health of the app and its stores (200 even when degraded)', response: healthSchema, handler: () => deps.health() });
  routes.add({ method: 'get', path: '/api/v1/openapi.json', access: 'public', tag: 'system', summary: 'This document', handler: () => openApiDocument(routes.routes) });
}
