/** A small fetch wrapper for tests: JSON in, status and JSON out, optional bearer key or cookie. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiClient {
  cookie: string | null = null;

  constructor(
    readonly baseUrl: string,
    public bearer: string | null = null,
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    init: { raw?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.cookie) headers.cookie = this.cookie;
    let payload: string | undefined;
    if (init.raw !== undefined) {
      payload = init.raw;
      headers['content-type'] ??= 'application/json';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    } else if (method !== 'GET' && method !== 'HEAD') {
      // The v1 API takes writes as JSON only, bodyless ones included.
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body: payload, redirect: 'manual' });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie?.startsWith('oee_session=')) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  put<T = any>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body ?? {});
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body ?? {});
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  /** Signs in with a password and keeps the session cookie. */
  async signIn(username: string, password: string): Promise<this> {
    const res = await this.post('/api/v1/session', { username, password });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
    return this;
  }
}

/** An admin session plus keys for every role, for role checks. */
export async function clientsForRoles(baseUrl: string, adminPassword: string) {
  const admin = await new ApiClient(baseUrl).signIn('admin', adminPassword);
  const roles = ['supervisor', 'operator', 'viewer', 'device'] as const;
  const byRole = {} as Record<(typeof roles)[number], ApiClient>;
  for (const role of roles) {
    const res = await admin.post('/api/v1/api-keys', { name: `key-${role}`, role });
    if (res.status !== 201) throw new Error(`api key: ${res.status} ${JSON.stringify(res.body)}`);
    byRole[role] = new ApiClient(baseUrl, res.body.key);
  }
  return { admin, anonymous: new ApiClient(baseUrl), ...byRole };
}
