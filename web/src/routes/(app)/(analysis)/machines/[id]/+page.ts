import { error } from '@sveltejs/kit';
import { api, settle } from '$lib/analysis/api';
import { ApiError } from '$lib/api';
import { dayRangeInstants } from '$lib/analysis/time';
import { readBucket, readRange } from '$lib/analysis/url-state';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, url, parent, depends }) => {
  depends('app:analysis');
  const { site } = await parent();
  const id = Number(params.id);
  if (!Number.isInteger(id) || id <= 0) error(404, 'No such machine');
  const range = readRange(url, site.timezone);
  const bucket = readBucket(url, range.days);
  const window = dayRangeInstants(range.from, range.to, site.timezone);

  const machine = await api.machine(fetch, id).catch((e) => {
    if (e instanceof ApiError && e.status === 404) error(404, `Machine ${id} does not exist`);
    throw e;
  });
  const [timeline, oee, jobs, resumeNotes, planned] = await Promise.all([
    settle(api.timeline(fetch, id, window.from, window.to)),
    settle(api.oee(fetch, { from: window.from, to: window.to, machineId: id, bucket })),
    settle(api.jobs(fetch, window.from, window.to, id)),
    settle(api.resumeNotes(fetch, id, window.from, window.to)),
    settle(api.plannedWindows(fetch, id, window.from, window.to)),
  ]);
  return { machine, range, bucket, window, timeline, oee, jobs, resumeNotes, planned, loadedAt: Date.now() };
};
