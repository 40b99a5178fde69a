import { adminLoad } from '$lib/admin/load';
import type { ActivityCode } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) => adminLoad(event, async (get) => ({ codes: await get<ActivityCode[]>('/activity-codes') }));
