/**
 * The one client of the JSON API (docs/api.md) for every page: same origin, the session cookie, JSON both
 * ways. Loads pass SvelteKit's `fetch`; event handlers in the browser may leave it out. Every failure is an
 * `ApiError` carrying the API's `{error: {code, message, issues?}}`.
 */

export interface ApiIssue {
  path: (string | number)[];
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Fetch = typeof fetch;
export type Query = Record<string, string | number | null | undefined>;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `/api/v1` + path, with the query's set values (empty strings, null and undefined are left out). */
export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `/api/v1${path}${qs ? `?${qs}` : ''}`;
}

/** One request. `path` is below `/api/v1` unless it already starts with `/api/`. */
export async function request<T>(method: Method, path: string, options: { body?: unknown; query?: Query; fetch?: Fetch } = {}): Promise<T> {
  const url = path.startsWith('/api/') ? path : apiUrl(path, options.query);
  const fetchFn = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await fetchFn(url, {
      method,
      credentials: 'same-origin',
      // Writes are JSON only, bodyless ones (DELETE) included: the API answers anything else with 415.
      headers: { accept: 'application/json', ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw networkError();
  }
  if (res.status === 204) return undefined as T;
  if (!res.ok) throw await apiErrorOf(res);
  const text = await res.text();
  try {
    return (text ? JSON.parse(text) : null) as T;
  } catch {
    // An HTML page where JSON was due (a proxy, a wrong path): fail here, not later on a missing field.
    throw new ApiError(res.status, 'not_json', `The server answered ${res.status} without JSON`);
  }
}

/** What a connection that never got an answer (offline, server down) is shown as. */
export function networkError(): ApiError {
  return new ApiError(0, 'network', 'The server could not be reached. Check the connection and try again.');
}

/**
 * The `ApiError` of a failed answer: the API's `{error: {code, message, issues?}}` when the body holds one,
 * else the status. Shared by `request` and the streaming export download (analysis/download.ts).
 */
export async function apiErrorOf(res: Response): Promise<ApiError> {
  if (res.status === 401) return new ApiError(401, 'unauthenticated', 'Your session has ended. Sign in again to continue.');
  let json: unknown = null;
  try {
    json = JSON.parse(await res.text());
  } catch {
    // not JSON (a proxy's error page, an empty body): the status speaks
  }
  const error = (json as { error?: { code?: string; message?: string; issues?: ApiIssue[] } } | null)?.error;
  return new ApiError(
    res.status,
    error?.code ?? `http_${res.status}`,
    error?.message ?? `The server answered ${res.status}`,
    error?.issues ?? [],
  );
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
