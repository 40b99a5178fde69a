import type { ApiClient } from './http-client.js';

export interface DocumentedRoute {
  method: string;
  /** OpenAPI path with {params}. */
  path: string;
  access: string;
  /** Set when callers without credentials are admitted under a condition (described). */
  anonymousWhen?: string;
  body?: { properties?: Record<string, JsonSchema>; required?: string[] } & JsonSchema;
  query?: { name: string; required: boolean; schema: JsonSchema }[];
  pathParams: string[];
}

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  format?: string;
  anyOf?: JsonSchema[];
  nullable?: boolean;
}

/** Every route of the app, read from its own OpenAPI document (the route table of ingest/http). */
export async function documentedRoutes(client: ApiClient): Promise<DocumentedRoute[]> {
  const doc = (await client.get('/api/v1/openapi.json')).body as {
    paths: Record<
      string,
      Record<
        string,
        {
          'x-access': string;
          'x-anonymous-when'?: string;
          requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
          parameters?: { name: string; in: string; required: boolean; schema: JsonSchema }[];
        }
      >
    >;
  };
  const routes: DocumentedRoute[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      routes.push({
        method: method.toUpperCase(),
        path,
        access: op['x-access'],
        ...(op['x-anonymous-when'] ? { anonymousWhen: op['x-anonymous-when'] } : {}),
        ...(op.requestBody ? { body: op.requestBody.content['application/json'].schema as DocumentedRoute['body'] } : {}),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: p.required, schema: p.schema })),
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
      });
    }
  }
  return routes;
}

/** A concrete URL for a documented path: ids filled with `id`. */
export function concretePath(route: DocumentedRoute, id: string | number, query = ''): string {
  const path = route.path.replace(/\{\w+\}/g, String(id));
  return query ? `${path}?${query}` : path;
}

/** A plausible value for a schema (the fuzzer starts from these and breaks them). */
export function sampleValue(schema: JsonSchema | undefined, name = ''): unknown {
  if (!schema) return 'x';
  if (schema.enum?.length) return schema.enum[0];
  if (schema.anyOf?.length) return sampleValue(schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0], name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [sampleValue(schema.items, name)];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) if ((schema.required ?? []).includes(k)) out[k] = sampleValue(v, k);
      return out;
    }
    default:
      if (schema.format === 'date-time' || /^(at|from|to|start|end|until)$/.test(name)) return '2026-11-24T10:00:00Z';
      if (schema.format === 'date' || name === 'date') return '2026-11-24';
      return `sample-${name || 'text'}`;
  }
}
