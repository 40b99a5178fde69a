import { z, type ZodType } from 'zod';
import type { RegisteredRoute } from './route.js';

const ACCESS_TEXT: Record<string, string> = {
  public: 'No credentials needed.',
  signedIn: 'Any signed-in role (viewer and up).',
  shopFloor: 'Roles device, operator, supervisor or admin.',
  operator: 'Role operator or higher.',
  supervisor: 'Role supervisor or admin.',
  admin: 'Role admin.',
};

function jsonSchema(schema: ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });
}

const errorResponse = {
  description: 'Error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: { code: { type: 'string' }, message: { type: 'string' }, issues: { type: 'array' } },
            required: ['code', 'message'],
          },
        },
      },
    },
  },
};

/** OpenAPI 3.0 generated from the route table's zod schemas. */
export function openApiDocument(routes: RegisteredRoute[]): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
      }
    }
    const responses: Record<string, unknown> = {
      [String(r.status)]: r.response
        ? { description: 'Success', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } }
        : { description: 'Success' },
      '400': errorResponse,
    };
    if (r.access !== 'public') Object.assign(responses, { '401': errorResponse, '403': errorResponse });
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      description: ACCESS_TEXT[r.access] + (r.anonymousWhen ? ` Without credentials: ${r.anonymousWhen}.` : ''),
      tags: [r.tag],
      'x-access': r.access,
      ...(r.anonymousWhen ? { 'x-anonymous-when': r.anonymousWhen } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
      responses,
      ...(r.access === 'public' ? {} : { security: [{ bearer: [] }, { session: [] }] }),
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'OEE Monitor API', version: '1' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'oee_session' },
      },
    },
    paths,
  };
}
