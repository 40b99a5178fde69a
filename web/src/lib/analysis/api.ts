import type { z } from 'zod';
import type {
  activityDurationsResponseSchema,
  dailyOeeResponseSchema,
  dailyProductionResponseSchema,
} from '$core/schemas/export.schema.js';
import type { oeeResponseSchema, oeeResultSchema } from '$core/schemas/oee.schema.js';
import type { Site, userSchema } from '$core/schemas/setup.schema.js';
import type { intervalSchema, Job, jobsResponseSchema, plannedWindowsSchema, timelineSchema } from '$core/schemas/shop-floor.schema.js';
import type { ResumeNote, ResumeNotesResponse } from '$core/schemas/resume-notes.schema.js';
import type { ReasonKpiRow, reasonKpisResponseSchema } from '$core/schemas/reason-kpis.schema.js';
import { ApiError, request, type Fetch, type Query } from '$lib/api';
import type { ActivityCode, Group, Machine } from './types';

/**
 * The reads of the analysis pages, typed by the response schemas the server's routes declare
 * (core/schemas; type-only imports, so zod stays out of the bundle). Loads pass SvelteKit's `fetch`.
 */

/** Resolves to the value, or to an error message the page shows in place of that part. */
export type Loaded<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

export async function settle<T>(promise: Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (e) {
    if (e instanceof ApiError) return { ok: false, status: e.status, message: e.message };
    return { ok: false, status: 0, message: e instanceof Error ? e.message : String(e) };
  }
}

export type OeeResult = z.infer<typeof oeeResultSchema>;
export type OeeResponse = z.infer<typeof oeeResponseSchema>;
export type Interval = z.infer<typeof intervalSchema>;
export type PlannedWindows = z.infer<typeof plannedWindowsSchema>;
export type { Job };
export type User = z.infer<typeof userSchema>;
export type ActivityDurations = z.infer<typeof activityDurationsResponseSchema>;
export type DailyProductionRow = z.infer<typeof dailyProductionResponseSchema>['rows'][number];
export type DailyOeeRow = z.infer<typeof dailyOeeResponseSchema>['rows'][number];
export type { ReasonKpiRow };

const get = <T>(f: Fetch, path: string, query?: Query) => request<T>('GET', path, { fetch: f, query });

/**
 * The pages draw whole ranges only: a capped answer (`truncated`) would draw the start of the range as
 * if it were all, so it becomes the part's error message instead.
 */
function whole<T>(rows: T[], truncated: boolean, what: string): T[] {
  if (truncated)
    throw new ApiError(200, 'truncated', `More than ${rows.length.toLocaleString('en')} ${what} in this range; choose a shorter range`);
  return rows;
}

export const api = {
  site: (f: Fetch) => get<Site>(f, '/site'),
  codes: (f: Fetch) => get<ActivityCode[]>(f, '/activity-codes'),
  groups: (f: Fetch) => get<Group[]>(f, '/groups'),
  machines: (f: Fetch) => get<Machine[]>(f, '/machines'),
  machine: (f: Fetch, id: number) => get<Machine>(f, `/machines/${id}`),
  users: (f: Fetch) => get<User[]>(f, '/users'),
  timeline: (f: Fetch, id: number, from: string, to: string) =>
    get<z.infer<typeof timelineSchema>>(f, `/machines/${id}/timeline`, { from, to }).then((r) =>
      whole(r.intervals, r.truncated, 'state intervals'),
    ),
  /** The machine's planned time in the range (what timelines shade); `always` = no pattern, planned 24/7. */
  plannedWindows: (f: Fetch, id: number, from: string, to: string) =>
    get<z.infer<typeof plannedWindowsSchema>>(f, `/machines/${id}/planned-windows`, { from, to }),
  /** What operators wrote when resuming paused jobs (the timeline's notes and the jobs table). */
  resumeNotes: (f: Fetch, id: number, from: string, to: string): Promise<ResumeNote[]> =>
    get<ResumeNotesResponse>(f, `/machines/${id}/resume-notes`, { from, to }).then((r) => whole(r.notes, r.truncated, 'resume notes')),
  jobs: (f: Fetch, from: string, to: string, machineId?: number) =>
    get<z.infer<typeof jobsResponseSchema>>(f, '/jobs', { from, to, machineId }).then((r) => whole(r.jobs, r.truncated, 'jobs')),
  oee: (
    f: Fetch,
    query: { from: string; to: string; machineId?: number | undefined; groupId?: number | null | undefined; bucket?: string | undefined },
  ) => get<OeeResponse>(f, '/oee', query),
};

type Scope = { from: string; to: string; groupId?: number | null | undefined; machineId?: number | undefined };

export const reports = {
  activityDurations: (f: Fetch, q: Scope & { groupBy: 'machine' | 'operator' }) => get<ActivityDurations>(f, '/activity-durations', q),
  dailyProduction: (f: Fetch, q: Scope) =>
    get<z.infer<typeof dailyProductionResponseSchema>>(f, '/reports/daily-production', q).then((r) => r.rows),
  dailyOee: (f: Fetch, q: Scope) => get<z.infer<typeof dailyOeeResponseSchema>>(f, '/reports/daily-oee', q).then((r) => r.rows),
  /** The reason KPIs per machine and shift (docs/oee.md "Reason KPIs"). */
  reasons: (f: Fetch, q: Scope) => get<z.infer<typeof reasonKpisResponseSchema>>(f, '/reports/reasons', q).then((r) => r.rows),
};
