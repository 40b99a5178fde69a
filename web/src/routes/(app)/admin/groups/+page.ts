import { adminLoad } from '$lib/admin/load';
import type { Group, Machine } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) =>
  adminLoad(event, async (get) => {
    const [groups, machines] = await Promise.all([get<Group[]>('/groups'), get<Machine[]>('/machines')]);
    return { groups, machines };
  });
