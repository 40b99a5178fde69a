import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oeeResponseSchema } from '../core/schemas/oee.schema.js';
import { liveMachineSchema } from '../core/realtime/live-events.schema.js';
import { ApiClient } from './support/http-client.js';
import { LiveTestClient } from './support/live-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/** Effective OEE targets (docs/oee.md "Targets"): machine, else group, else site, in the OEE answers and on the wall. */
let app: TestApp;
let admin: ApiClient;
let live: LiveTestClient | undefined;

beforeAll(async () => {
  app = await startTestApp({ env: { OEE_ROLES: 'ingest,realtime' } });
  admin = await new ApiClient(app.url).signIn('admin', ADMIN_PASSWORD);
});
afterAll(async () => {
  live?.close();
  await app?.stop();
});

const window = () => {
  const to = new Date();
  return `from=${encodeURIComponent(new Date(to.getTime() - 3_600_000).toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
};

describe('OEE targets', () => {
  it('answers each machine’s, group’s and the site’s effective target', async () => {
    const withTarget = (await admin.post('/api/v1/groups', { name: 'Targeted', oeeTarget: 0.7 })).body.id as number;
    const without = (await admin.post('/api/v1/groups', { name: 'Untargeted' })).body.id as number;
    const own = (await admin.post('/api/v1/machines', { name: 'Own', groupId: withTarget, oeeTarget: 0.6 })).body.id as number;
    const ofGroup = (await admin.post('/api/v1/machines', { name: 'Of group', groupId: withTarget })).body.id as number;
    const ofSite = (await admin.post('/api/v1/machines', { name: 'Of site', groupId: without })).body.id as number;
    const target = async (query: string) => {
      const res = await admin.get(`/api/v1/oee?${window()}${query}`);
      expect(res.status).toBe(200);
      return oeeResponseSchema.parse(res.body);
    };
    expect((await target(`&machineId=${own}`)).target).toBe(0.6);
    expect((await target(`&machineId=${ofGroup}`)).target).toBe(0.7);
    expect((await target(`&machineId=${ofSite}`)).target).toBe(0.85);
    const group = await target(`&groupId=${withTarget}&bucket=hour`);
    expect(group.target).toBe(0.7);
    expect(group.machines!.map((m) => [m.machineId, m.target])).toEqual([
      [own, 0.6],
      [ofGroup, 0.7],
    ]);
    expect((await target(`&groupId=${without}`)).target).toBe(0.85);
    expect((await target('')).target).toBe(0.85);

    // The site's target moves every answer that falls back on it, and the wall's snapshot.
    const site = (await admin.get('/api/v1/site')).body;
    expect(
      (await admin.put('/api/v1/site', { timezone: site.timezone, microStopSeconds: site.microStopSeconds, oeeTarget: 0.8 })).status,
    ).toBe(200);
    expect((await target(`&machineId=${ofSite}`)).target).toBe(0.8);
    expect((await target(`&groupId=${without}`)).target).toBe(0.8);
    expect((await target('')).target).toBe(0.8);
    expect((await target(`&machineId=${ofGroup}`)).target).toBe(0.7);

    const token = (await admin.post('/api/v1/kiosk-tokens', { name: 'Targets TV' })).body.token as string;
    live = await LiveTestClient.connect(app.url, { token });
    const machines = live.lastSnapshot().machines;
    for (const m of machines) liveMachineSchema.parse(m);
    expect(Object.fromEntries(machines.map((m) => [m.machineId, m.oeeTarget]))).toMatchObject({
      [own]: 0.6,
      [ofGroup]: 0.7,
      [ofSite]: 0.8,
    });
  });
});
