/**
 * The admin pages talk to the JSON API of docs/api.md from the browser (same origin, session cookie).
 * Every failure becomes an `ApiError` carrying the API's `{error: {code, message, issues?}}`.
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

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      // Writes are JSON only, bodyless ones (DELETE) included: the API answers anything else with 415.
      headers: { accept: 'application/json', ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached. Check the connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: handled below
  }
  if (res.ok) return json as T;
  const error = (json as { error?: { code?: string; message?: string; issues?: ApiIssue[] } } | null)?.error;
  if (res.status === 401) throw new ApiError(401, 'unauthenticated', 'Your session has ended. Sign in again to continue.');
  throw new ApiError(res.status, error?.code ?? 'http_' + res.status, error?.message ?? `The server answered ${res.status}`, error?.issues ?? []);
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: (path: string) => request<void>('DELETE', path),
};

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
