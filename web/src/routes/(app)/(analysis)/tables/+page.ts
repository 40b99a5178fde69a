import { api, reports, settle, type Loaded } from '$lib/analysis/api';
import { dayRangeInstants } from '$lib/analysis/time';
import { tables, type TableId } from '$lib/analysis/tables';
import { readGroupId, readRange } from '$lib/analysis/url-state';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, parent, depends }) => {
  depends('app:analysis');
  const { site, groups, machines } = await parent();
  const range = readRange(url, site.timezone);
  const requested = url.searchParams.get('table');
  const table = (tables.find((t) => t.id === requested) ?? tables[0]).id as TableId;
  const group = groups.find((g) => g.id === readGroupId(url)) ?? null;
  const window = dayRangeInstants(range.from, range.to, site.timezone);
  const scope = { from: window.from, to: window.to, groupId: group?.id };

  // Each table loads only what it shows.
  const none = Promise.resolve(null);
  // Shift buckets follow each machine's own pattern (a group's buckets would merge all patterns): one read per machine.
  const shiftOeeOf = () =>
    Promise.all(
      machines
        .filter((m) => group === null || m.groupId === group.id)
        .map(async (m) => ({
          machineId: m.id,
          buckets: (await api.oee(fetch, { from: window.from, to: window.to, machineId: m.id, bucket: 'shift' })).buckets ?? [],
        })),
    );
  const [oee, dailyOee, dailyProduction, jobs, durations, shiftOee, reasons] = await Promise.all([
    table === 'oee' || table === 'daily-oee' || table === 'losses-cause' ? settle(api.oee(fetch, scope)) : none,
    table === 'daily-oee' ? settle(reports.dailyOee(fetch, scope)) : none,
    table === 'daily-production' ? settle(reports.dailyProduction(fetch, scope)) : none,
    table === 'jobs' ? settle(api.jobs(fetch, window.from, window.to)) : none,
    table === 'durations-machine' || table === 'durations-operator'
      ? settle(reports.activityDurations(fetch, { ...scope, groupBy: table === 'durations-machine' ? 'machine' : 'operator' }))
      : none,
    table === 'shift-oee' ? settle(shiftOeeOf()) : none,
    table === 'reasons' ? settle(reports.reasons(fetch, scope)) : none,
  ]);
  return {
    range,
    window,
    group,
    table,
    results: { oee, dailyOee, dailyProduction, jobs, durations, shiftOee, reasons } as {
      oee: Loaded<Awaited<ReturnType<typeof api.oee>>> | null;
      dailyOee: Loaded<Awaited<ReturnType<typeof reports.dailyOee>>> | null;
      dailyProduction: Loaded<Awaited<ReturnType<typeof reports.dailyProduction>>> | null;
      jobs: Loaded<Awaited<ReturnType<typeof api.jobs>>> | null;
      durations: Loaded<Awaited<ReturnType<typeof reports.activityDurations>>> | null;
      shiftOee: Loaded<Awaited<ReturnType<typeof shiftOeeOf>>> | null;
      reasons: Loaded<Awaited<ReturnType<typeof reports.reasons>>> | null;
    },
  };
};
