import { adminLoad } from '$lib/admin/load';
import type { DataSources } from '$lib/supervisor/reasons';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) => adminLoad(event, async (get) => ({ sources: (await get<DataSources>('/data-sources')).sources }));
