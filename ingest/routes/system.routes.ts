import { z } from 'zod';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';
import { openApiDocument } from '../http/openapi.js';
import { mqttStatusSchema } from '../../core/schemas/mqtt.schema.js';

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  /** `out_of_resources`: writes met a full disk or another SQLSTATE class 53 fault in the last minute. */
  database: z.enum(['ok', 'unavailable', 'out_of_resources']),
  influx: z.enum(['disabled', 'ok', 'unavailable']),
  /** InfluxDB outbox lag, when InfluxDB is configured. */
  outbox: z.object({ pending: z.number(), oldestSeconds: z.number() }).optional(),
  /** The MQTT connection, when MQTT_URL is set: `standby` on an instance that does not hold the subscriber's lease. */
  mqtt: mqttStatusSchema.optional(),
  /** Why the database is not ok, for people. */
  reason: z.string().optional(),
});

export function registerSystemRoutes(routes: RouteTable, deps: AppServices): void {
  routes.add({
    method: 'get',
    path: '/api/v1/health',
    access: 'public',
    tag: 'system',
    summary: 'Health of the app and its stores (200 even when degraded)',
    response: healthSchema,
    handler: () => deps.health(),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/openapi.json',
    access: 'public',
    tag: 'system',
    summary: 'This document',
    handler: () => openApiDocument(routes.routes),
  });
}
