import { adminLoad } from '$lib/admin/load';
import type { User } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) => adminLoad(event, async (get) => ({ users: await get<User[]>('/users') }));
