import { adminLoad } from '$lib/admin/load';
import type { Group, Machine, Part } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) =>
  adminLoad(event, async (get) => {
    const [parts, machines, groups] = await Promise.all([get<Part[]>('/parts'), get<Machine[]>('/machines'), get<Group[]>('/groups')]);
    return { parts, machines, groups };
  });
