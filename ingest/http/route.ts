import type { NextFunction, Request, Response, Router } from 'express';
import { z, type ZodType } from 'zod';
import { AppError } from '../../core/errors.js';
import { roleAllows, type Access } from '../../core/roles.js';
import type { AuthContext } from '../auth/auth-context.js';
import { fromZod } from './errors.middleware.js';

/**
 * Every HTTP route is declared once with its access rule and zod schemas. The same declarations
 * produce the OpenAPI document and drive the role-matrix and fuzz tests.
 */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<B extends ZodType | undefined, Q extends ZodType | undefined, P extends ZodType | undefined> {
  method: HttpMethod;
  path: string;
  access: Access;
  summary: string;
  tag: string;
  body?: B;
  query?: Q;
  params?: P;
  response?: ZodType;
  /** Status of a successful answer (200 by default; 204 sends no body). */
  status?: number;
  /** Route answers itself through `res` (streams, redirects): the handler's return value is ignored. */
  raw?: boolean;
  /** Callers without credentials that are admitted anyway (legacy devices on local networks). */
  anonymousWhen?: { description: string; test: (req: Request) => boolean };
  handler: (input: {
    body: B extends ZodType ? z.output<B> : undefined;
    query: Q extends ZodType ? z.output<Q> : undefined;
    params: P extends ZodType ? z.output<P> : undefined;
    auth: AuthContext;
    req: Request;
    res: Response;
  }) => Promise<unknown> | unknown;
}

export interface RegisteredRoute {
  method: HttpMethod;
  path: string;
  access: Access;
  summary: string;
  tag: string;
  body?: ZodType;
  query?: ZodType;
  params?: ZodType;
  response?: ZodType;
  status: number;
  anonymousWhen?: string;
}

export class RouteTable {
  readonly routes: RegisteredRoute[] = [];

  /**
   * `first`: routes at these paths go on its router, which the app mounts ahead of the others, so
   * the requests that make most of the load (device writes) are not tested against every route.
   */
  constructor(
    private readonly router: Router,
    private readonly first?: { router: Router; paths: ReadonlySet<string> },
  ) {}

  add<B extends ZodType | undefined = undefined, Q extends ZodType | undefined = undefined, P extends ZodType | undefined = undefined>(
    spec: RouteSpec<B, Q, P>,
  ): void {
    const status = spec.status ?? 200;
    this.routes.push({
      method: spec.method,
      path: spec.path,
      access: spec.access,
      summary: spec.summary,
      tag: spec.tag,
      status,
      ...(spec.body ? { body: spec.body } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.response ? { response: spec.response } : {}),
      ...(spec.anonymousWhen ? { anonymousWhen: spec.anonymousWhen.description } : {}),
    });
    const expressPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
    const router = this.first?.paths.has(spec.path) ? this.first.router : this.router;
    router[spec.method](expressPath, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const anonymousAdmitted = !req.auth && spec.anonymousWhen?.test(req) === true;
        if (!anonymousAdmitted && spec.access !== 'public' && req.authError) throw req.authError;
        const auth = anonymousAdmitted ? ANONYMOUS : authorise(req.auth ?? null, spec.access);
        if (spec.method !== 'get' && spec.path.startsWith('/api/v1/')) requireJsonContentType(req);
        const params = parse(spec.params, req.params, 'Invalid path parameter', 404);
        const query = parse(spec.query, req.query, 'Invalid query');
        const body = spec.body ? parse(spec.body, bodyOf(req), 'Invalid body') : undefined;
        const result = await spec.handler({ body, query, params, auth, req, res } as never);
        if (spec.raw || res.headersSent) return;
        if (status === 204) res.status(204).end();
        else res.status(status).json(result);
      } catch (err) {
        next(err);
      }
    });
  }
}

function bodyOf(req: Request): unknown {
  // express.json leaves `undefined` when there is no JSON body; validate it as an empty object.
  if (req.body === undefined) {
    if (req.headers['content-type'] && !req.is('application/json')) {
      throw new AppError('invalid_input', 400, 'Send the body as application/json');
    }
    return {};
  }
  return req.body;
}

/**
 * Every write of the v1 API is JSON, bodyless ones included: a page of another site cannot send
 * `application/json` without a CORS preflight (which this API never answers), so no form or simple
 * cross-site request can reach a handler.
 */
function requireJsonContentType(req: Request): void {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'application/json')
    throw new AppError('unsupported_media_type', 415, 'Send writes with Content-Type: application/json (bodyless ones too)');
}

function authorise(auth: AuthContext | null, access: Access): AuthContext {
  if (access === 'public') return auth ?? ANONYMOUS;
  if (!auth) throw AppError.unauthenticated();
  if (!roleAllows(auth.role, access)) throw AppError.forbidden();
  return auth;
}

const ANONYMOUS: AuthContext = { role: 'viewer', userId: null, apiKeyId: null, username: null, via: 'anonymous' };

function parse<S extends ZodType | undefined>(schema: S, value: unknown, message: string, status = 400): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  if (status === 404) throw new AppError('not_found', 404, 'Not found: bad id in the path');
  throw fromZod(result.error, message);
}
