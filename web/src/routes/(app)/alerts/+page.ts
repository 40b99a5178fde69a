import { redirect } from '@sveltejs/kit';
import { api } from '$lib/analysis/api';
import { alertsApi } from '$lib/alerts/api';
import { ApiError } from '$lib/api';
import { maySupervise } from '$lib/supervisor/api';
import type { PageLoad } from './$types';

// The JSON API is Express's, reached from the browser with the session cookie.
export const ssr = false;

/** Open alerts for everyone signed in; response times of the last 7 days; the set-up for supervisors and admins. */
export const load: PageLoad = async ({ fetch, parent, url, depends }) => {
  depends('app:alerts');
  const { user } = await parent();
  if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
  const supervises = maySupervise(user.role);
  const to = new Date();
  const from = new Date(to.getTime() - 7 * 86_400_000);
  try {
    const [alerts, times, machines, groups, rules, webhooks, subscriptions] = await Promise.all([
      alertsApi.open(fetch),
      alertsApi.responseTimes(fetch, from.toISOString(), to.toISOString()),
      api.machines(fetch),
      api.groups(fetch),
      supervises ? alertsApi.rules(fetch) : [],
      supervises ? alertsApi.webhooks(fetch) : [],
      supervises ? alertsApi.subscriptions(fetch) : [],
    ]);
    return { user, supervises, mayAct: user.role !== 'viewer', alerts, times, machines, groups, rules, webhooks, subscriptions };
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
    throw e;
  }
};
