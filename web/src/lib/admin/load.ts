import { error, redirect } from '@sveltejs/kit';
import { ApiError, request, type Fetch } from '$lib/api';
import type { SessionUser } from '$lib/session';

/** What every admin load depends on; `reload()` invalidates it after a write. */
export const ADMIN_DATA = 'app:admin';

interface AdminLoadEvent {
  fetch: Fetch;
  url: URL;
  depends: (...deps: `${string}:${string}`[]) => void;
  parent: () => Promise<{ user: SessionUser | null }>;
}

/**
 * An admin page's data, read from the JSON API in the browser (the admin layout turns SSR off: the API is
 * Express's, not SvelteKit's). `get` is `request('GET', …)` with SvelteKit's `fetch`. An ended session goes to
 * the sign-in page; any other failure to SvelteKit's error page with the API's message.
 */
export async function adminLoad<T>(event: AdminLoadEvent, load: (get: <R>(path: string) => Promise<R>) => Promise<T>): Promise<T> {
  event.depends(ADMIN_DATA);
  const { user } = await event.parent();
  // Non-admins see the layout's "Admins only" notice and never this page, so there is nothing to load (the
  // API would answer 403).
  if (user?.role !== 'admin') return {} as T;
  try {
    return await load((path) => request('GET', path, { fetch: event.fetch }));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401)
      redirect(303, `/login?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
    if (err instanceof ApiError) error(err.status || 503, err.message);
    throw err;
  }
}
