import { adminLoad } from '$lib/admin/load';
import type { Group, KioskToken } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) =>
  adminLoad(event, async (get) => {
    const [tokens, groups] = await Promise.all([get<KioskToken[]>('/kiosk-tokens'), get<Group[]>('/groups')]);
    return { tokens, groups };
  });
