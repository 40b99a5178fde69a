import type { Handle } from '@sveltejs/kit';
import { sessionUser } from '$lib/session';

export const handle: Handle = async ({ event, resolve }) => {
  // Express authenticates (session cookie) before handing the request to SvelteKit; without Express
  // (`vite dev`) there is no platform and nobody is signed in.
  event.locals.user = sessionUser(event.platform?.req.auth);

  const response = await resolve(event);

  // Pages show who is signed in: keep them out of shared caches and the back/forward cache after
  // sign-out. Static assets are served before this hook and keep their own caching.
  if (!response.headers.has('cache-control') && response.headers.get('content-type')?.startsWith('text/html')) {
    response.headers.set('cache-control', 'private, no-store');
  }
  return response;
};
