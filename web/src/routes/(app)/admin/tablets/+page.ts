import { adminLoad } from '$lib/admin/load';
import type { Site, Machine, Tablet, User } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) =>
  adminLoad(event, async (get) => {
    const [tablets, machines, users, site] = await Promise.all([
      get<Tablet[]>('/tablets'),
      get<Machine[]>('/machines'),
      get<User[]>('/users'),
      get<Site>('/site'),
    ]);
    return { tablets, machines, users, site };
  });
