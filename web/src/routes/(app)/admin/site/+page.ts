import { adminLoad } from '$lib/admin/load';
import type { Site } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) => adminLoad(event, async (get) => ({ site: await get<Site>('/site') }));
