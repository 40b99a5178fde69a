import { adminLoad } from '$lib/admin/load';
import type { ActivityCode, Group, Machine, ShiftPattern } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) =>
  adminLoad(event, async (get) => {
    const [machines, groups, patterns, codes] = await Promise.all([
      get<Machine[]>('/machines'),
      get<Group[]>('/groups'),
      get<ShiftPattern[]>('/shift-patterns'),
      get<ActivityCode[]>('/activity-codes'),
    ]);
    return { machines, groups, patterns, codes };
  });
