import { redirect } from '@sveltejs/kit';
import { api } from '$lib/analysis/api';
import { ApiError } from '$lib/api';
import type { LayoutLoad } from './$types';

// The analysis pages read the JSON API from the browser with the session cookie (the API is served
// by Express, not by SvelteKit, so a server-side fetch would not reach it).
export const ssr = false;

/** Reference data every analysis page needs, loaded once per visit. Signed-in people only. */
export const load: LayoutLoad = async ({ fetch, parent, url }) => {
  const { user } = await parent();
  const toLogin = () => redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (!user) toLogin();
  try {
    const [site, codes, groups, machines, users] = await Promise.all([
      api.site(fetch),
      api.codes(fetch),
      api.groups(fetch),
      api.machines(fetch),
      // Operator names for tooltips and tables; a role that may not list users just sees ids.
      api.users(fetch).catch(() => []),
    ]);
    return { site, codes, groups, machines, users };
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) toLogin();
    throw e;
  }
};
