import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  liveMachineSchema,
  liveSnapshotMetaSchema,
  machineOeeUpdatedSchema,
  machineStateChangedSchema,
} from '../core/realtime/live-events.schema.js';
import { clientsForRoles } from './support/http-client.js';
import { LiveTestClient } from './support/live-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
const clients: LiveTestClient[] = [];
let groupA: number;
let groupB: number;
const m: Record<string, number> = {};
const tokens: Record<'site' | 'a' | 'b', string> = { site: '', a: '', b: '' };

async function connect(options: Parameters<typeof LiveTestClient.connect>[1]): Promise<LiveTestClient> {
  const client = await LiveTestClient.connect(app.url, options);
  clients.push(client);
  return client;
}

async function postState(machineId: number, activityCodeId: number): Promise<void> {
  const res = await c.device.post('/api/v1/events', { events: [{ machineId, activityCodeId }] });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  app = await startTestApp();
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  groupA = (await c.admin.post('/api/v1/groups', { name: 'Line A' })).body.id;
  groupB = (await c.admin.post('/api/v1/groups', { name: 'Line B' })).body.id;
  for (const [name, groupId] of [
    ['A1', groupA],
    ['A2', groupA],
    ['B1', groupB],
    ['B2', groupB],
    ['U1', null],
    ['O1', groupA],
  ] as const) {
    const res = await c.admin.post('/api/v1/machines', { name, groupId });
    expect(res.status).toBe(201);
    m[name] = res.body.id;
  }
  tokens.site = (await c.admin.post('/api/v1/kiosk-tokens', { name: 'Hall' })).body.token;
  tokens.a = (await c.admin.post('/api/v1/kiosk-tokens', { name: 'Line A TV', groupId: groupA })).body.token;
  tokens.b = (await c.admin.post('/api/v1/kiosk-tokens', { name: 'Line B TV', groupId: groupB })).body.token;
  await postState(m.A1!, 2);
});

afterAll(async () => {
  for (const client of clients) client.close();
  await app?.stop();
});

describe('/live: snapshot on connect', () => {
  it('sends every active machine the socket may see, with state, job, operator and OEE, and the codes to draw them', async () => {
    const site = await connect({ token: tokens.site });
    const { machines, meta } = site.lastSnapshot();
    for (const machine of machines) liveMachineSchema.parse(machine);
    liveSnapshotMetaSchema.parse(meta);
    // Site time, the long-stop thresholds and the date format, so a screen needs nothing else (issue 18).
    expect(meta).toMatchObject({
      timezone: (await c.admin.get('/api/v1/site')).body.timezone,
      longStopMinutes: { unplanned_stop: 15, planned_stop: 30 },
      dateFormat: 'YYYY-MM-DD',
    });
    expect(machines.map((x) => x.name).sort()).toEqual(['A1', 'A2', 'B1', 'B2', 'O1', 'U1']);
    const a1 = machines.find((x) => x.machineId === m.A1)!;
    expect(a1).toMatchObject({
      name: 'A1',
      groupId: groupA,
      state: { activityCodeId: 2, category: 'unplanned_stop', jobId: null, operatorId: null, offShift: false },
      job: null,
      operator: null,
    });
    expect(Object.keys(a1).sort()).toEqual(['groupId', 'job', 'machineId', 'name', 'oee', 'oeeTarget', 'operator', 'state']);
    expect(a1.oeeTarget).toBe(0.85);
    expect(meta.alerts).toEqual([]);
    expect(a1.oee).not.toBeNull();
    expect(a1.oee!.calendarSeconds).toBeGreaterThanOrEqual(0);
    expect(meta.groupId).toBeNull();
    expect(meta.activityCodes.find((code) => code.id === 2)).toMatchObject({ shortDescription: 'Down', category: 'unplanned_stop' });
    expect(meta.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['Line A', 'Line B']));

    const kioskA = await connect({ token: tokens.a });
    expect(
      kioskA
        .lastSnapshot()
        .machines.map((x) => x.name)
        .sort(),
    ).toEqual(['A1', 'A2', 'O1']);
    expect(kioskA.lastSnapshot().meta).toMatchObject({ groupId: groupA, groups: [{ id: groupA, name: 'Line A' }] });

    const viewer = await connect({ token: c.viewer.bearer!, groupId: groupB });
    expect(
      viewer
        .lastSnapshot()
        .machines.map((x) => x.name)
        .sort(),
    ).toEqual(['B1', 'B2']);

    const session = await connect({ cookie: c.admin.cookie! });
    expect(session.lastSnapshot().machines).toHaveLength(6);
  });
});

describe('/live: changes', () => {
  it('delivers every committed change exactly once to every client allowed to see it, and nothing to the others', async () => {
    const site1 = await connect({ token: tokens.site });
    const site2 = await connect({ token: tokens.site });
    const viewer = await connect({ token: c.viewer.bearer! });
    const session = await connect({ cookie: c.admin.cookie! });
    const kioskA = await connect({ token: tokens.a });
    const kioskB = await connect({ token: tokens.b });
    const narrowedA = await connect({ token: c.supervisor.bearer! });
    expect(await narrowedA.watch({ groupId: groupA })).toEqual({ ok: true, data: { groupId: groupA } });
    await narrowedA.waitFor(() => narrowedA.snapshots.length === 2, 'the snapshot of group A');
    expect(
      narrowedA
        .lastSnapshot()
        .machines.map((x) => x.name)
        .sort(),
    ).toEqual(['A1', 'A2', 'O1']);

    const sent: { machineId: number; activityCodeId: number }[] = [];
    for (let i = 0; i < 6; i++) {
      for (const machineId of [m.A1!, m.B1!, m.U1!]) {
        const activityCodeId = i % 2 === 0 ? 3 : 2;
        await postState(machineId, activityCodeId);
        sent.push({ machineId, activityCodeId });
      }
    }
    // A barrier per group: events reach each socket in order, so once it has the barrier it has everything before it.
    await postState(m.A2!, 3);
    await postState(m.B2!, 3);
    const barrier = (client: LiveTestClient, machineIds: number[]) =>
      client.waitFor(() => machineIds.every((id) => client.stateChanges.some((s) => s.machineId === id)), `barrier ${machineIds}`);

    const allowed = new Map<LiveTestClient, Set<number>>([
      [site1, new Set([m.A1!, m.B1!, m.U1!])],
      [site2, new Set([m.A1!, m.B1!, m.U1!])],
      [viewer, new Set([m.A1!, m.B1!, m.U1!])],
      [session, new Set([m.A1!, m.B1!, m.U1!])],
      [kioskA, new Set([m.A1!])],
      [narrowedA, new Set([m.A1!])],
      [kioskB, new Set([m.B1!])],
    ]);
    await Promise.all([
      barrier(site1, [m.A2!, m.B2!]),
      barrier(site2, [m.A2!, m.B2!]),
      barrier(viewer, [m.A2!, m.B2!]),
      barrier(session, [m.A2!, m.B2!]),
      barrier(kioskA, [m.A2!]),
      barrier(narrowedA, [m.A2!]),
      barrier(kioskB, [m.B2!]),
    ]);
    for (const [client, machines] of allowed) {
      const got = client.stateChanges.filter((s) => s.machineId !== m.A2 && s.machineId !== m.B2);
      expect(got.map((s) => ({ machineId: s.machineId, activityCodeId: s.activityCodeId }))).toEqual(
        sent.filter((s) => machines.has(s.machineId)),
      );
      expect(client.stateChanges.filter((s) => s.machineId === m.A2 || s.machineId === m.B2)).toHaveLength(
        machines.has(m.B1!) && machines.has(m.A1!) ? 2 : 1,
      );
    }
    const change = site1.stateChanges.find((s) => s.machineId === m.B1)!;
    machineStateChangedSchema.parse(change);
    expect(change).toMatchObject({
      machineId: m.B1,
      activityCodeId: 3,
      category: 'planned_shutdown',
      jobId: null,
      operatorId: null,
      offShift: false,
      job: null,
      operator: null,
    });
    expect(Date.parse(change.since!)).not.toBeNaN();
  });

  it('names the job a change belongs to, and sends the shift OEE shortly after changes', async () => {
    const kioskA = await connect({ token: tokens.a });
    const kioskB = await connect({ token: tokens.b });
    const started = await c.device.post(`/api/v1/machines/${m.O1}/jobs`, { jobNumber: 'J-42', idealCycleTimeSeconds: 10 });
    expect(started.status).toBe(201);
    await kioskA.waitFor(() => kioskA.stateChanges.some((s) => s.machineId === m.O1 && s.job?.jobNumber === 'J-42'), 'the job start');
    const change = kioskA.stateChanges.find((s) => s.machineId === m.O1)!;
    expect(change).toMatchObject({
      activityCodeId: 1,
      category: 'running',
      jobId: started.body.job.id,
      job: { id: started.body.job.id, jobNumber: 'J-42', idealCycleTimeSeconds: 10 },
    });

    expect((await c.device.post(`/api/v1/machines/${m.O1}/production`, { good: 5, rejects: 1 })).status).toBe(201);
    await kioskA.waitFor(
      () => kioskA.oeeUpdates.some((u) => u.machineId === m.O1 && u.shift.goodCount === 5),
      'the OEE with the new counts',
    );
    const update = kioskA.oeeUpdates.find((u) => u.machineId === m.O1 && u.shift.goodCount === 5)!;
    machineOeeUpdatedSchema.parse(update);
    expect(update.shift).toMatchObject({ goodCount: 5, rejectCount: 1, totalCount: 6 });
    expect(update.shift.availability).not.toBeNull();

    // A new snapshot carries the job and the cached OEE too.
    const late = await connect({ token: tokens.a });
    expect(late.lastSnapshot().machines.find((x) => x.machineId === m.O1)).toMatchObject({
      job: { jobNumber: 'J-42' },
      state: { category: 'running' },
    });
    expect(kioskB.stateChanges.concat(late.stateChanges).some((s) => s.machineId === m.O1)).toBe(false);
    expect(kioskB.oeeUpdates.some((u) => u.machineId === m.O1)).toBe(false);
  });

  it('shows a machine created after the screen connected, with a fresh snapshot', async () => {
    const site = await connect({ token: tokens.site });
    const kioskB = await connect({ token: tokens.b });
    const created = (await c.admin.post('/api/v1/machines', { name: 'A-new', groupId: groupA })).body.id as number;
    await postState(created, 2);
    await site.waitFor(() => site.stateChanges.some((s) => s.machineId === created), 'the new machine’s change');
    await site.waitFor(() => site.lastSnapshot().machines.some((x) => x.machineId === created), 'a snapshot with the new machine');
    await postState(m.B2!, 2);
    await kioskB.waitFor(() => kioskB.stateChanges.some((s) => s.machineId === m.B2), 'barrier');
    expect(kioskB.stateChanges.some((s) => s.machineId === created)).toBe(false);
    expect(kioskB.snapshots.every((s) => s.machines.every((x) => x.groupId === groupB))).toBe(true);
  });
});

describe('/live: access', () => {
  it('refuses missing, wrong and revoked credentials, and keys of devices, with a clear message', async () => {
    const none = await LiveTestClient.refusal(app.url);
    expect(none.code).toBe('unauthenticated');
    expect(none.message).toMatch(/sign in|kiosk token/i);
    const wrong = await LiveTestClient.refusal(app.url, { token: 'kiosk_not-a-real-token' });
    expect(wrong).toMatchObject({ code: 'unauthenticated' });
    expect(wrong.message).toMatch(/unknown or revoked/i);
    const device = await LiveTestClient.refusal(app.url, { token: c.device.bearer! });
    expect(device.code).toBe('forbidden');
    expect(device.message).toMatch(/device/);
    expect(await LiveTestClient.refusal(app.url, { auth: { token: 42 } })).toMatchObject({ code: 'invalid_input' });
    expect(await LiveTestClient.refusal(app.url, { cookie: 'oee_session=forged' })).toMatchObject({ code: 'unauthenticated' });
    expect(await LiveTestClient.refusal(app.url, { token: tokens.a, auth: { token: tokens.a, groupId: groupB } })).toMatchObject({
      code: 'forbidden',
    });

    // Revoking a kiosk token closes the screens open with it, and they cannot come back.
    const temporary = (await c.admin.post('/api/v1/kiosk-tokens', { name: 'Temporary' })).body as { id: number; token: string };
    const screen = await connect({ token: temporary.token });
    const closed = new Promise<string>((resolve) => screen.socket.once('disconnect', (reason) => resolve(reason)));
    expect((await c.admin.delete(`/api/v1/kiosk-tokens/${temporary.id}`)).status).toBe(204);
    expect(await closed).toBe('io server disconnect');
    expect(await LiveTestClient.refusal(app.url, { token: temporary.token })).toMatchObject({ code: 'unauthenticated' });
  });

  it('accepts the session cookie only from this site’s pages', async () => {
    const refused = await new Promise<string>((resolve, reject) => {
      void import('socket.io-client').then(({ io }) => {
        const socket = io(`${app.url}/live`, {
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          extraHeaders: { cookie: c.admin.cookie!, origin: 'https://evil.example' },
        });
        socket.once('connect', () => reject(new Error('connected')));
        socket.once('connect_error', (err) => {
          socket.close();
          resolve(err.message);
        });
      });
    });
    expect(refused).toMatch(/this site/);
  });

  it('answers group:watch with an ack: bad payloads, unknown groups and widening a pinned token are refused', async () => {
    const viewer = await connect({ token: c.viewer.bearer! });
    expect(await viewer.watch({ groupId: 'A' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await viewer.watch({})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await viewer.watch({ groupId: groupA, extra: 1 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await viewer.watch(null)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await viewer.watch({ groupId: 999_999 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(viewer.snapshots).toHaveLength(1);

    const kioskA = await connect({ token: tokens.a });
    const widen = await kioskA.watch({ groupId: null });
    expect(widen).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await kioskA.watch({ groupId: groupB })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await kioskA.watch({ groupId: groupA })).toEqual({ ok: true, data: { groupId: groupA } });

    // A narrowed socket can widen again (it is not pinned).
    expect(await viewer.watch({ groupId: groupB })).toEqual({ ok: true, data: { groupId: groupB } });
    await viewer.waitFor(() => viewer.snapshots.length === 2, 'snapshot of B');
    expect(await viewer.watch({ groupId: null })).toEqual({ ok: true, data: { groupId: null } });
    await viewer.waitFor(() => viewer.snapshots.length === 3, 'snapshot of the site');
    expect(viewer.lastSnapshot().meta.groupId).toBeNull();
    expect(viewer.lastSnapshot().machines.length).toBeGreaterThanOrEqual(6);
  });
});
