import type { z } from 'zod';
import type { AuthContext } from '$core/auth.js';
import type { userSchema } from '$core/schemas/setup.schema.js';

/** The signed-in person, from the Express auth middleware's `req.auth`: a user as the API lists them, in part. */
export type SessionUser = Pick<z.infer<typeof userSchema>, 'id' | 'username' | 'role'>;

/** What the Express auth middleware sets on the Node request before SvelteKit sees it. */
export type RequestAuth = AuthContext | null;

/** Pages are for people signed in with a session; API keys do not open pages. */
export function sessionUser(auth: RequestAuth | undefined): SessionUser | null {
  if (!auth || auth.via !== 'session' || auth.userId === null || auth.username === null) return null;
  return { id: auth.userId, username: auth.username, role: auth.role };
}

/**
 * The `next` target after signing in: a path on this site only. Anything else (absolute URLs,
 * protocol-relative `//host`, backslash tricks) falls back to `/` so the form cannot be turned into an
 * open redirect. The server must apply the same rule when it answers `POST /login`.
 */
export function safeNext(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value;
}
