import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

/** Admin pages need a signed-in person; the layout tells non-admins the pages are for admins only. */
export const load: LayoutServerLoad = ({ locals, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  return {};
};
