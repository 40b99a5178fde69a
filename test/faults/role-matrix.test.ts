import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsForRoles, type ApiClient } from '../support/http-client.js';
import { concretePath, documentedRoutes, sampleValue, type DocumentedRoute } from '../support/openapi-routes.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every route of the OpenAPI document × (anonymous, viewer, device, operator, supervisor, admin):
 * a caller below the route's access rule gets 401/403, whatever it sends; a caller at or above it
 * is never refused for its role. Counted and printed as "unauthorised successes".
 */
let app: TestApp;
let clients: Awaited<ReturnType<typeof clientsForRoles>>;
let routes: DocumentedRoute[];

beforeAll(async () => {
  app = await startTestApp();
  clients = await clientsForRoles(app.url, ADMIN_PASSWORD);
  routes = await documentedRoutes(clients.admin);
});
afterAll(() => app.stop());

const callers = ['anonymous', 'viewer', 'device', 'operator', 'supervisor', 'admin'] as const;
type Caller = (typeof callers)[number];

/** Who each access rule admits (core/roles.ts, restated independently here on purpose). */
const admitted: Record<string, Caller[]> = {
  public: [...callers],
  signedIn: ['viewer', 'operator', 'supervisor', 'admin'],
  shopFloor: ['device', 'operator', 'supervisor', 'admin'],
  operator: ['operator', 'supervisor', 'admin'],
  supervisor: ['supervisor', 'admin'],
  admin: ['admin'],
};

function send(client: ApiClient, route: DocumentedRoute) {
  const query = (route.query ?? [])
    .filter((q) => q.required)
    .map((q) => `${q.name}=${encodeURIComponent(String(sampleValue(q.schema, q.name)))}`)
    .join('&');
  // An id that does not exist: a refused role must not learn that, an admitted one gets 404/400.
  const url = concretePath(route, 999_999, query);
  return client.request(route.method, url, route.body ? sampleValue(route.body) : undefined);
}

describe('role matrix', () => {
  it('admits exactly the roles each route allows', async () => {
    const failures: string[] = [];
    let unauthorisedSuccesses = 0;
    let checks = 0;
    for (const route of routes) {
      const allowed = admitted[route.access];
      expect(allowed, `unknown access ${route.access} on ${route.method} ${route.path}`).toBeDefined();
      for (const caller of callers) {
        // Signing out or creating sessions would disturb the shared clients: the admin session is checked elsewhere.
        if (route.path === '/api/v1/session' && route.method !== 'GET') continue;
        const res = await send(clients[caller], route);
        checks++;
        const refused = res.status === 401 || res.status === 403;
        // Tests run on loopback: routes that admit anonymous local devices admit the anonymous caller.
        if (allowed!.includes(caller) || (caller === 'anonymous' && route.anonymousWhen?.includes('loopback'))) {
          if (refused) failures.push(`${caller} refused (${res.status}) on ${route.method} ${route.path}`);
        } else if (!refused) {
          unauthorisedSuccesses++;
          failures.push(`${caller} NOT refused (${res.status}) on ${route.method} ${route.path}`);
        }
        if (res.status >= 500) failures.push(`${caller} got ${res.status} on ${route.method} ${route.path}`);
      }
    }
    console.log(
      `role matrix: ${routes.length} routes × ${callers.length} callers = ${checks} checks; unauthorised successes: ${unauthorisedSuccesses}; failures: ${failures.length}`,
    );
    expect(failures).toEqual([]);
  }, 120_000);
});
