import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLET_COMMANDS } from '../../core/realtime/tablet-events.js';
import { ApiClient } from '../support/http-client.js';
import { LiveTestClient } from '../support/live-client.js';
import { TabletClient } from '../support/tablet-client.js';
import { snapshot } from '../support/db-snapshot.js';
import { concretePath, documentedRoutes, sampleValue, type DocumentedRoute, type JsonSchema } from '../support/openapi-routes.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Generated bad requests against every route of the OpenAPI document, sent as admin (so they get
 * past authorisation): wrong types, missing and extra fields, huge values and arrays, deep nesting,
 * odd Unicode, injection strings, ancient and far-future times, malformed JSON, bad ids and bad query
 * values; then the same kinds of payload over every Socket.IO command. Expect 0 answers ≥ 500 (no
 * `internal` ack), and every refused request leaves the stored data exactly as it was. Ancient and
 * far-future times may be refused or accepted; only a 5xx is a failure.
 */
let app: TestApp;
let admin: ApiClient;
let routes: DocumentedRoute[];
let machineId: number;

beforeAll(async () => {
  app = await startTestApp();
  const session = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
  // Fuzzed writes land on id 2 of every resource: throwaway rows, never the fuzzer's own admin key (id 3).
  for (const name of ['one', 'two']) {
    await session.post('/api/v1/api-keys', { name: `throwaway ${name}`, role: 'viewer' });
    await session.post('/api/v1/users', { username: `throwaway-${name}`, role: 'viewer' });
    await session.post('/api/v1/machines', { name: `Fuzz target ${name}` });
    await session.post('/api/v1/groups', { name: `Fuzz group ${name}` });
    await session.post('/api/v1/shift-patterns', { name: `Fuzz pattern ${name}`, shifts: [] });
    await session.post('/api/v1/tablets', { name: `Fuzz tablet ${name}` });
    await session.post('/api/v1/kiosk-tokens', { name: `Fuzz wall ${name}` });
  }
  admin = new ApiClient(app.url, (await session.post('/api/v1/api-keys', { name: 'fuzzer', role: 'admin' })).body.key);
  machineId = 2;
  await admin.post('/api/v1/events', { events: [{ machineId, at: '2026-11-24T08:00:00Z', activityCodeId: 2 }] });
  routes = await documentedRoutes(admin);
});
afterAll(() => app.stop());

const nasty: unknown[] = [
  null,
  -1,
  0,
  1.5,
  2 ** 53,
  -(2 ** 31) - 1,
  1e308,
  '',
  ' ',
  'x'.repeat(10_000),
  "'; DROP TABLE machines; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '\u0000',
  '\uD800',
  '🏭🔧',
  'Ω≈ç√∫˜µ≤',
  '2026-02-30T25:61:00Z',
  '9999-12-31T23:59:59Z',
  '0001-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  true,
  [],
  [1, 2, 3],
  {},
  { $ne: null },
  { __proto__: { admin: true } },
  nestedArray(40),
  Array.from({ length: 20_000 }, (_, i) => i),
];

function nestedArray(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function fieldsOf(schema: JsonSchema | undefined): [string, JsonSchema][] {
  return Object.entries(schema?.properties ?? {});
}

function* badBodies(route: DocumentedRoute): Generator<{ label: string; body?: unknown; raw?: string }> {
  const valid = sampleValue(route.body) as Record<string, unknown>;
  yield { label: 'malformed JSON', raw: '{"a": ' };
  yield { label: 'JSON array', body: [valid] };
  yield { label: 'JSON string', raw: '"just a string"' };
  yield { label: 'nested 100 000 deep', raw: '['.repeat(100_000) + ']'.repeat(100_000) };
  yield { label: 'nested 33 deep in a field', raw: JSON.stringify(valid).replace(/^\{/, `{"deep": ${'['.repeat(33)}${']'.repeat(33)},`) };
  yield {
    label: 'huge array (1.9 MB)',
    body: Array.from({ length: Math.floor(1_900_000 / (JSON.stringify(valid).length + 1)) }, () => valid),
  };
  yield { label: 'empty object', body: {} };
  yield { label: 'extra field', body: { ...valid, unexpected: 'field' } };
  yield {
    label: 'prototype pollution',
    raw: JSON.stringify(valid).replace(/^\{/, '{"__proto__": {"role": "admin"}, "constructor": {"prototype": {"x": 1}},'),
  };
  for (const [field] of fieldsOf(route.body)) {
    const { [field]: _dropped, ...missing } = valid;
    yield { label: `missing ${field}`, body: missing };
    for (const value of nasty) yield { label: `${field} = ${JSON.stringify(value)?.slice(0, 30)}`, body: { ...valid, [field]: value } };
  }
}

function* badPaths(route: DocumentedRoute): Generator<string> {
  if (route.pathParams.length === 0) return;
  for (const id of ['0', '-1', 'abc', '1.5', '99999999999999999999', '%00', "1'--", '😀'])
    yield concretePath(route, id, requiredQuery(route));
}

function requiredQuery(route: DocumentedRoute): string {
  return (route.query ?? [])
    .filter((q) => q.required)
    .map((q) => `${q.name}=${encodeURIComponent(String(sampleValue(q.schema, q.name)))}`)
    .join('&');
}

function* badQueries(route: DocumentedRoute): Generator<string> {
  const base = concretePath(route, machineId);
  for (const q of route.query ?? []) {
    for (const value of [
      '',
      'null',
      '-1',
      'x'.repeat(5000),
      "' OR 1=1",
      '2026-13-45',
      '[]',
      '0001-01-01T00:00:00Z',
      '+275760-09-13T00:00:00Z',
      '1970-01-01',
    ]) {
      const others = (route.query ?? [])
        .filter((o) => o.name !== q.name && o.required)
        .map((o) => `${o.name}=${encodeURIComponent(String(sampleValue(o.schema, o.name)))}`);
      yield `${base}?${[...others, `${q.name}=${encodeURIComponent(value)}`].join('&')}`;
    }
    yield `${base}?${q.name}=a&${q.name}=b`;
  }
}

describe('fuzzing every documented route', () => {
  it('answers no request with a 5xx and stores nothing from a refused one', async () => {
    let sent = 0;
    let fiveHundreds = 0;
    let changedOnRefusal = 0;
    const problems: string[] = [];
    const skip = (r: DocumentedRoute) => r.path === '/api/v1/session' && r.method === 'DELETE';
    for (const route of routes.filter((r) => !skip(r))) {
      const attempts: { url: string; body?: unknown; raw?: string; label: string }[] = [];
      if (route.body) for (const b of badBodies(route)) attempts.push({ url: concretePath(route, machineId, requiredQuery(route)), ...b });
      for (const url of badPaths(route))
        attempts.push({ url, label: `bad id ${url}`, ...(route.body ? { body: sampleValue(route.body) } : {}) });
      for (const url of badQueries(route)) attempts.push({ url, label: `bad query ${url.slice(0, 80)}` });
      for (const attempt of attempts) {
        const before = route.method === 'GET' ? null : await snapshot(app.dataSource);
        const res = await admin.request(route.method, attempt.url, attempt.body, attempt.raw !== undefined ? { raw: attempt.raw } : {});
        sent++;
        if (res.status >= 500) {
          fiveHundreds++;
          problems.push(`${res.status} ${route.method} ${route.path} [${attempt.label}] ${JSON.stringify(res.body).slice(0, 200)}`);
        } else if (res.status >= 400 && before) {
          const after = await snapshot(app.dataSource);
          if (JSON.stringify(after) !== JSON.stringify(before)) {
            changedOnRefusal++;
            problems.push(`refused ${res.status} but data changed: ${route.method} ${route.path} [${attempt.label}]`);
          }
        }
      }
    }
    expect((await admin.get('/api/v1/session')).status).toBe(200);
    console.log(
      `fuzz: ${routes.length} routes, ${sent} bad requests sent; 5xx: ${fiveHundreds}; data changed by a refused request: ${changedOnRefusal}`,
    );
    expect(problems).toEqual([]);
  }, 600_000);
});

/** A valid payload of each tablet command, to vary one field at a time. */
function validCommand(name: string, operatorId: number): Record<string, unknown> {
  switch (name) {
    case 'operator:sign-in':
      return { userId: operatorId, pin: '4711' };
    case 'job:start':
      return { jobNumber: 'FUZZ-1' };
    case 'activity:set':
      return { activityCodeId: 2 };
    case 'production:record':
    case 'job:end':
      return { good: 1, rejects: 0 };
    case 'alert:acknowledge':
    case 'alert:resolve':
      return { alertId: 1, note: 'fuzz' };
    default:
      return {};
  }
}

describe('fuzzing every socket command', () => {
  it('answers no command with internal and stores nothing from a refused one', async () => {
    const session = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
    const machine = (await session.post('/api/v1/machines', { name: 'Socket fuzz' })).body.id as number;
    const operatorId = (await session.post('/api/v1/users', { username: 'socket-fuzz', role: 'operator', pin: '4711' })).body.id as number;
    const tabletToken = (await session.post('/api/v1/tablets', { name: 'Socket fuzz tablet', machineId: machine })).body.token as string;
    const kiosk = (await session.post('/api/v1/kiosk-tokens', { name: 'Socket fuzz wall' })).body.token as string;
    const tablet = await TabletClient.open(app.url, tabletToken);
    const wall = await LiveTestClient.connect(app.url, { token: kiosk });
    const problems: string[] = [];
    let sent = 0;
    try {
      const payloads = (name: string): { label: string; payload: unknown }[] => {
        const valid = validCommand(name, operatorId);
        const fields = [...new Set([...Object.keys(valid), 'eventId', 'at'])];
        return [
          { label: 'no payload', payload: undefined },
          { label: 'string', payload: 'just a string' },
          { label: 'array', payload: [valid] },
          { label: 'extra field', payload: { ...valid, unexpected: 1 } },
          { label: 'nested 200 deep', payload: { ...valid, deep: nestedArray(200) } },
          // Just under the 256 kB Socket.IO message limit (a larger one closes the socket, by design).
          { label: 'huge array', payload: Array.from({ length: Math.floor(200_000 / (JSON.stringify(valid).length + 1)) }, () => valid) },
          ...fields.flatMap((field) =>
            nasty.map((value) => ({ label: `${field} = ${JSON.stringify(value)?.slice(0, 30)}`, payload: { ...valid, [field]: value } })),
          ),
        ];
      };
      for (const name of TABLET_COMMANDS) {
        for (const { label, payload } of payloads(name)) {
          const before = await snapshot(app.dataSource);
          const ack = await tablet.send(name, payload);
          sent++;
          if (!ack.ok && ack.error.code === 'internal') problems.push(`internal: ${name} [${label}]`);
          else if (!ack.ok && JSON.stringify(await snapshot(app.dataSource)) !== JSON.stringify(before))
            problems.push(`refused ${ack.error.code} but data changed: ${name} [${label}]`);
        }
      }
      for (const request of [
        undefined,
        'x',
        { groupId: '\u0000' },
        { groupId: nestedArray(200) },
        { groupId: -1 },
        { groupId: 2 ** 53 },
        Array.from({ length: 50_000 }, () => 1),
      ]) {
        const ack = await wall.socket.timeout(10_000).emitWithAck('group:watch', request as never);
        sent++;
        if (!ack.ok && ack.error.code === 'internal') problems.push(`internal: group:watch ${JSON.stringify(request)?.slice(0, 40)}`);
      }
      expect(tablet.socket.connected).toBe(true);
      expect(wall.socket.connected).toBe(true);
    } finally {
      tablet.close();
      wall.close();
    }
    console.log(`socket fuzz: ${TABLET_COMMANDS.length + 1} commands, ${sent} bad payloads sent; problems: ${problems.length}`);
    expect(problems).toEqual([]);
  }, 600_000);
});
