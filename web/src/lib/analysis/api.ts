import type { z } from 'zod';
import type { oeeResponseSchema, oeeResultSchema } from '$core/schemas/oee.schema.js';
import type { ActivityCode, Group, Machine } from './types';

/** JSON over the same-origin API with the session cookie. Errors carry the API's `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Fetch = typeof fetch;
export type Query = Record<string, string | number | null | undefined>;

export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `/api/v1${path}${qs ? `?${qs}` : ''}`;
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `${res.status} ${res.statusText}`);
  }
  return body as T;
}

export async function getJson<T>(fetchFn: Fetch, path: string, query?: Query): Promise<T> {
  return parse<T>(await fetchFn(apiUrl(path, query), { headers: { accept: 'application/json' } }));
}

export async function postJson<T>(fetchFn: Fetch, path: string, body: unknown): Promise<T> {
  return parse<T>(await fetchFn(apiUrl(path), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) }));
}

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

export interface Interval {
  start: string;
  end: string | null;
  activityCodeId: number;
  category: string;
  jobId: number | null;
  operatorId: number | null;
}

export interface Job {
  id: number;
  machineId: number;
  jobNumber: string;
  start: string;
  end: string | null;
  idealCycleTimeSeconds: number | null;
  good: number;
  rejects: number;
}

/**
 * The pages draw whole ranges only: a capped answer (`truncated`) would draw the start of the range as
 * if it were all, so it becomes the part's error message instead.
 */
function whole<T>(rows: T[], truncated: boolean, what: string): T[] {
  if (truncated) throw new ApiError(200, 'truncated', `More than ${rows.length.toLocaleString('en')} ${what} in this range; choose a shorter range`);
  return rows;
}

export const api = {
  site: (f: Fetch) => getJson<{ timezone: string; microStopSeconds: number }>(f, '/site'),
  codes: (f: Fetch) => getJson<ActivityCode[]>(f, '/activity-codes'),
  groups: (f: Fetch) => getJson<Group[]>(f, '/groups'),
  machines: (f: Fetch) => getJson<Machine[]>(f, '/machines'),
  machine: (f: Fetch, id: number) => getJson<Machine>(f, `/machines/${id}`),
  users: (f: Fetch) => getJson<{ id: number; username: string; role: string }[]>(f, '/users'),
  timeline: (f: Fetch, id: number, from: string, to: string) =>
    getJson<{ intervals: Interval[]; truncated: boolean }>(f, `/machines/${id}/timeline`, { from, to }).then((r) => whole(r.intervals, r.truncated, 'state intervals')),
  jobs: (f: Fetch, from: string, to: string, machineId?: number) =>
    getJson<{ jobs: Job[]; truncated: boolean }>(f, '/jobs', { from, to, machineId }).then((r) => whole(r.jobs, r.truncated, 'jobs')),
  oee: (f: Fetch, query: { from: string; to: string; machineId?: number | undefined; groupId?: number | null | undefined; bucket?: string | undefined }) =>
    getJson<OeeResponse>(f, '/oee', query),
};

export interface ActivityDurations {
  from: string;
  to: string;
  groupBy: 'machine' | 'operator';
  rows: { machineId?: number; operatorId?: number | null; name: string | null; totalSeconds: number; durations: { activityCodeId: number; seconds: number }[] }[];
}

export interface DailyProductionRow {
  machineId: number;
  date: string;
  from: string;
  to: string;
  goodCount: number;
  rejectCount: number;
  totalCount: number;
}

export type DailyOeeRow = { machineId: number; date: string } & OeeResult;

type Scope = { from: string; to: string; groupId?: number | null | undefined; machineId?: number | undefined };

export const reports = {
  activityDurations: (f: Fetch, q: Scope & { groupBy: 'machine' | 'operator' }) => getJson<ActivityDurations>(f, '/activity-durations', q),
  dailyProduction: (f: Fetch, q: Scope) => getJson<{ rows: DailyProductionRow[] }>(f, '/reports/daily-production', q).then((r) => r.rows),
  dailyOee: (f: Fetch, q: Scope) => getJson<{ rows: DailyOeeRow[] }>(f, '/reports/daily-oee', q).then((r) => r.rows),
};
