import { adminSections } from '$lib/admin/sections';
import { adminLoad } from '$lib/admin/load';
import type { Site } from '$lib/admin/types';
import type { PageLoad } from './$types';

/** How many of each resource exist (each page's path is its API collection's); the site card shows its time zone. */
export const load: PageLoad = (event) =>
  adminLoad(event, async (get) => {
    const lists = adminSections.filter((s) => s.href !== '/admin/site');
    const [site, ...counts] = await Promise.all([
      get<Site>('/site'),
      // A list, or (data sources) an object holding one.
      ...lists.map(async (s) => {
        const body = await get<unknown[] | { sources: unknown[] }>('api' in s ? s.api : s.href.slice('/admin'.length));
        return Array.isArray(body) ? body.length : body.sources.length;
      }),
    ]);
    return {
      counts: { ...Object.fromEntries(lists.map((s, i) => [s.href, String(counts[i])])), '/admin/site': site.timezone } as Record<
        string,
        string
      >,
    };
  });
