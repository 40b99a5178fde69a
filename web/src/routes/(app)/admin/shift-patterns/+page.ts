import { adminLoad } from '$lib/admin/load';
import type { Machine, ShiftPattern, Site } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) =>
  adminLoad(event, async (get) => {
    const [patterns, machines, site] = await Promise.all([
      get<ShiftPattern[]>('/shift-patterns'),
      get<Machine[]>('/machines'),
      get<Site>('/site'),
    ]);
    return { patterns, machines, site };
  });
