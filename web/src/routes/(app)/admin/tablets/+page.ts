import { adminLoad } from '$lib/admin/load';
import type { Machine, Tablet, User } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) =>
  adminLoad(event, async (get) => {
    const [tablets, machines, users] = await Promise.all([get<Tablet[]>('/tablets'), get<Machine[]>('/machines'), get<User[]>('/users')]);
    return { tablets, machines, users };
  });
