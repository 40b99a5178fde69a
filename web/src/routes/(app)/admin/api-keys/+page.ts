import { adminLoad } from '$lib/admin/load';
import type { ApiKey, Machine } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) =>
  adminLoad(event, async (get) => {
    const [keys, machines] = await Promise.all([get<ApiKey[]>('/api-keys'), get<Machine[]>('/machines')]);
    return { keys, machines };
  });
