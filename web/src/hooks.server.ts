import type { Handle } from '@sveltejs/kit';
import { sessionUser } from '$lib/session';

export const handle: Handle = async ({ event, resolve }) => {
  // Express authenticates (session cookie) before handing the request to SvelteKit; without Express
  // (`vite dev`) there is no platform and nobody is signed in.
  event.locals.user = sessionUser(event.platform?.req.auth);

  const response = await resolve(event);

  // The server decides which pages may be framed, and by whom (OEE_FRAME_ANCESTORS, /wall only).
  const ancestors = event.platform?.req.frameAncestors;
  const csp = response.headers.get('content-security-policy');
  if (ancestors && csp)
    response.headers.set('content-security-policy', csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${ancestors}`));

  // Pages show who is signed in: keep them out of shared caches and the back/forward cache after
  // sign-out. Static assets are served before this hook and keep their own caching.
  if (!response.headers.has('cache-control') && response.headers.get('content-type')?.startsWith('text/html')) {
    response.headers.set('cache-control', 'private, no-store');
  }
  return response;
};
