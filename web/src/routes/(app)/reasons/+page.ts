import { error, redirect } from '@sveltejs/kit';
import { api } from '$lib/analysis/api';
import { ApiError } from '$lib/api';
import { maySupervise } from '$lib/supervisor/api';
import { reasons } from '$lib/supervisor/reasons';
import type { PageLoad } from './$types';

export const ssr = false;

/** The reason queue for supervisors and admins: stops that still carry Down or No data (docs/oee.md "The reason queue"). */
export const load: PageLoad = async ({ fetch, parent, url, depends }) => {
  depends('app:reasons');
  const { user } = await parent();
  if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (!maySupervise(user.role)) error(403, 'The reason queue is for supervisors and admins.');
  try {
    const [site, codes, queue] = await Promise.all([api.site(fetch), api.codes(fetch), reasons.queue(fetch)]);
    return { site, codes, debts: queue.debts };
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
    throw e;
  }
};
