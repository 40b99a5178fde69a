import { api, reports, settle } from '$lib/analysis/api';
import { dayRangeInstants } from '$lib/analysis/time';
import { readBucket, readGroupId, readRange } from '$lib/analysis/url-state';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, parent, depends }) => {
  depends('app:analysis');
  const { site, machines, groups } = await parent();
  const range = readRange(url, site.timezone);
  const bucket = readBucket(url, range.days);
  const requested = readGroupId(url);
  const group = groups.find((g) => g.id === requested) ?? null;
  const window = dayRangeInstants(range.from, range.to, site.timezone);
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  const inScope = machines
    .filter((m) => group === null || m.groupId === group.id)
    .sort(
      (a, b) =>
        (groupName.get(a.groupId ?? -1) ?? '\uffff').localeCompare(groupName.get(b.groupId ?? -1) ?? '\uffff') ||
        a.name.localeCompare(b.name, 'en', { numeric: true }),
    );

  const [oee, jobs, durations, timelines, planned] = await Promise.all([
    settle(api.oee(fetch, { from: window.from, to: window.to, groupId: group?.id, bucket })),
    settle(api.jobs(fetch, window.from, window.to)),
    settle(reports.activityDurations(fetch, { from: window.from, to: window.to, groupId: group?.id, groupBy: 'machine' })),
    Promise.all(inScope.map((m) => settle(api.timeline(fetch, m.id, window.from, window.to)))),
    Promise.all(inScope.map((m) => settle(api.plannedWindows(fetch, m.id, window.from, window.to)))),
  ]);
  return { range, bucket, window, group, inScope, oee, jobs, durations, timelines, planned, loadedAt: Date.now() };
};
