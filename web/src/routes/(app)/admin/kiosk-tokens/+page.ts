import { adminLoad } from '$lib/admin/load';
import type { Site, Group, KioskToken } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) =>
  adminLoad(event, async (get) => {
    const [tokens, groups, site] = await Promise.all([get<KioskToken[]>('/kiosk-tokens'), get<Group[]>('/groups'), get<Site>('/site')]);
    return { tokens, groups, site };
  });
