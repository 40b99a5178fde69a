import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { roleSchema } from '../../core/roles.js';
import { sessionCreateSchema } from '../../core/schemas/setup.schema.js';
import { sessionCookieName } from '../../services/auth/authenticator.js';
import { SESSION_TTL_MS } from '../../services/auth/session.service.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

const sessionUserSchema = z.object({ user: z.object({ id: z.number(), username: z.string(), role: roleSchema }) });
const whoAmISchema = z.object({
  user: z.object({ id: z.number(), username: z.string(), role: roleSchema }).nullable(),
  role: roleSchema,
  via: z.enum(['session', 'apiKey']),
});

function setSessionCookie(req: Request, res: Response, token: string): void {
  res.cookie(sessionCookieName(req.secure), token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
    maxAge: SESSION_TTL_MS,
  });
}

function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(sessionCookieName(req.secure), { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
}

/** `?next=` may only lead back into this site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export function registerSessionRoutes(routes: RouteTable, deps: AppServices): void {
  routes.add({
    method: 'post',
    path: '/api/v1/session',
    access: 'public',
    tag: 'access',
    summary: 'Sign in with username and password',
    body: sessionCreateSchema,
    response: sessionUserSchema,
    handler: async ({ body, req, res }) => {
      const { user, token } = await deps.sessions.signIn(body.username, body.password, req.ip ?? 'unknown');
      setSessionCookie(req, res, token);
      return { user };
    },
  });
  routes.add({
    method: 'get',
    path: '/api/v1/session',
    access: 'signedIn',
    tag: 'access',
    summary: 'Who is calling: the signed-in user (null for an API key) and the role',
    response: whoAmISchema,
    handler: ({ auth }) => ({
      user: auth.via === 'session' && auth.userId !== null ? { id: auth.userId, username: auth.username!, role: auth.role } : null,
      role: auth.role,
      via: auth.via as 'session' | 'apiKey',
    }),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/session',
    access: 'public',
    tag: 'access',
    summary: 'Sign out',
    status: 204,
    handler: async ({ req, res }) => {
      await deps.sessions.signOut(req.cookies?.[sessionCookieName(req.secure)]);
      clearSessionCookie(req, res);
    },
  });
}

/** The plain HTML form of /login (works without JavaScript): answers with 303 redirects. */
export function registerLoginForm(app: Express, deps: AppServices): void {
  app.post('/login', async (req, res, next) => {
    const nextPath = safeNext(req.body?.next);
    const parsed = sessionCreateSchema.safeParse({ username: req.body?.username, password: req.body?.password });
    if (!parsed.success) return res.redirect(303, `/login?error=1&next=${encodeURIComponent(nextPath)}`);
    try {
      const { token } = await deps.sessions.signIn(parsed.data.username, parsed.data.password, req.ip ?? 'unknown');
      setSessionCookie(req, res, token);
      res.redirect(303, nextPath);
    } catch (err) {
      if (err instanceof AppError && err.status === 401) return res.redirect(303, `/login?error=1&next=${encodeURIComponent(nextPath)}`);
      if (err instanceof AppError && err.status === 429) return res.redirect(303, `/login?error=rate&next=${encodeURIComponent(nextPath)}`);
      next(err);
    }
  });
  app.post('/logout', async (req, res, next) => {
    try {
      await deps.sessions.signOut(req.cookies?.[sessionCookieName(req.secure)]);
      clearSessionCookie(req, res);
      res.redirect(303, '/login');
    } catch (err) {
      next(err);
    }
  });
}
