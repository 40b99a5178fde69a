import { error, redirect } from '@sveltejs/kit';
import { api, settle } from '$lib/analysis/api';
import { ApiError } from '$lib/api';
import { addDays, dayRangeInstants, todayIn } from '$lib/analysis/time';
import { readRange } from '$lib/analysis/url-state';
import { maySupervise, supervisor } from '$lib/supervisor/api';
import type { PageLoad } from './$types';

// The JSON API is Express's, reached from the browser with the session cookie (as the analysis pages).
export const ssr = false;

/** Entries one screen shows, newest first; the CSV export holds up to 10 000. */
const AUDIT_PAGE_LIMIT = 1_000;

const idParam = (url: URL, name: string): number | null => {
  const v = url.searchParams.get(name);
  return v && /^\d{1,9}$/.test(v) && Number(v) > 0 ? Number(v) : null;
};

/**
 * The audit log for supervisors and admins: `?from&to` (site-local days, both included; the last 7
 * days by default), `machineId`, `userId`.
 */
export const load: PageLoad = async ({ fetch, parent, url, depends }) => {
  depends('app:audit');
  const { user } = await parent();
  if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (!maySupervise(user.role)) error(403, 'The audit log is for supervisors and admins.');
  try {
    const [site, machines, users, codes] = await Promise.all([
      api.site(fetch),
      api.machines(fetch),
      api.users(fetch).catch(() => []),
      api.codes(fetch),
    ]);
    const today = todayIn(site.timezone);
    const range =
      url.searchParams.has('from') || url.searchParams.has('to')
        ? readRange(url, site.timezone)
        : { from: addDays(today, -6), to: today, days: 7 };
    const window = dayRangeInstants(range.from, range.to, site.timezone);
    const filter = { machineId: idParam(url, 'machineId'), userId: idParam(url, 'userId') };
    const query = { from: window.from, to: window.to, machineId: filter.machineId, userId: filter.userId };
    const audit = await settle(supervisor.audit(fetch, { ...query, order: 'desc', limit: AUDIT_PAGE_LIMIT }));
    return { site, machines, users, codes, range, filter, query, limit: AUDIT_PAGE_LIMIT, audit };
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
    throw e;
  }
};
