import { z } from 'zod';
import { idParamsSchema } from '../../core/schemas/common.schema.js';
import { mqttMappingInputSchema, mqttMappingSchema } from '../../core/schemas/mqtt.schema.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

const actorOf = (auth: { userId: number | null; apiKeyId: number | null }) => ({ userId: auth.userId, apiKeyId: auth.apiKeyId });

/** MQTT mappings (docs/mqtt.md "Mappings"): admins only, audited like every set-up write. */
export function registerMqttRoutes(routes: RouteTable, deps: AppServices): void {
  const { mqttMappings } = deps;
  routes.add({
    method: 'get',
    path: '/api/v1/mqtt/mappings',
    access: 'admin',
    tag: 'setup',
    summary: 'The MQTT mappings: topic filters, their machines, and how payloads become states and counts',
    response: z.array(mqttMappingSchema),
    handler: () => mqttMappings.list(),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/mqtt/mappings/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'One MQTT mapping',
    params: idParamsSchema,
    response: mqttMappingSchema,
    handler: ({ params }) => mqttMappings.get(params.id),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/mqtt/mappings',
    access: 'admin',
    tag: 'setup',
    summary: 'Add an MQTT mapping (409 when the name is taken); the subscriber follows within moments',
    body: mqttMappingInputSchema,
    status: 201,
    response: mqttMappingSchema,
    handler: ({ body, auth }) => mqttMappings.create(actorOf(auth), body),
  });
  routes.add({
    method: 'put',
    path: '/api/v1/mqtt/mappings/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Replace an MQTT mapping',
    params: idParamsSchema,
    body: mqttMappingInputSchema,
    response: mqttMappingSchema,
    handler: ({ params, body, auth }) => mqttMappings.update(actorOf(auth), params.id, body),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/mqtt/mappings/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Delete an MQTT mapping (what it wrote stays)',
    params: idParamsSchema,
    status: 204,
    handler: ({ params, auth }) => mqttMappings.delete(actorOf(auth), params.id),
  });
}
