import type { RequestHandler } from 'express';
import { AppError, errorBody } from '../../core/errors.js';

/**
 * What one instance serves on its HTTP port, from its OEE_ROLES (server.ts decides, as it does for
 * Socket.IO, the scheduler and discovery; docs/operations.md, "Several instances"):
 * - `api` (the `ingest` role): the JSON API under `/api` (exports included) and the DigitME2 HTTP routes;
 * - `pages` (the `web` role): the SvelteKit pages and their sign-in and sign-out forms (`/login`, `/logout`).
 * `GET /api/v1/health` is served whatever the roles, so a load balancer can check every instance.
 */
export interface HttpSurface {
  api: boolean;
  pages: boolean;
}

const HEALTH_PATH = '/api/v1/health';

/**
 * Mounted on `/api` and the DigitME2 root paths of an instance that does not serve the API: answers
 * them with a 404 and a message naming the role to route them to, except the health check. A 404,
 * not a 503: this instance will never serve them (a 503 says "try again later", and a load balancer
 * counting 5xx would take out an instance whose sockets and pages are fine).
 */
export function apiOffGate(): RequestHandler {
  const refusal = new AppError(
    'not_found',
    404,
    'This instance does not serve the HTTP API (its OEE_ROLES has no ingest): send API requests to an instance with the ingest role',
  );
  return (req, res, next) => {
    // Express matches paths without regard to case or a trailing slash; so does this.
    const path = `${req.baseUrl}${req.path}`.toLowerCase().replace(/\/+$/, '');
    if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) return next();
    res.setHeader('Cache-Control', 'no-store');
    res.status(404).json(errorBody(refusal));
  };
}
