import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLET_UNKNOWN_TOKEN, type TabletCommandName } from '../core/realtime/tablet-events.js';
import { assertTiles, snapshot } from './support/db-snapshot.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { TabletClient } from './support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let operator: { id: number; pin: string };
let jam: number;
let setting: number;
const open: TabletClient[] = [];

/** Yesterday (UTC) at hh:mm:ss, as the API writes times. */
const dayStart = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;
const T = (h: number, m = 0, s = 0) => new Date(dayStart + ((h * 60 + m) * 60 + s) * 1000).toISOString();
const window = `from=${new Date(dayStart - 86_400_000).toISOString()}&to=${new Date(Date.now() + 86_400_000).toISOString()}`;

beforeAll(async () => {
  app = await startTestApp();
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  jam = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' })).body.id;
  setting = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Setting', category: 'planned_stop', colour: '#E6A700' }))
    .body.id;
  const user = await c.admin.post('/api/v1/users', { username: 'olga', role: 'operator', pin: '4711' });
  operator = { id: user.body.id, pin: '4711' };
});
afterAll(async () => {
  for (const client of open) client.close();
  await app?.stop();
});

async function machineWithTablet(name: string, machine: Record<string, unknown> = {}) {
  const m = await c.admin.post('/api/v1/machines', { name, ...machine });
  expect(m.status).toBe(201);
  const t = await c.admin.post('/api/v1/tablets', { name: `Tablet ${name}`, machineId: m.body.id });
  expect(t.status).toBe(201);
  const tablet = await TabletClient.open(app.url, t.body.token);
  open.push(tablet);
  return { machineId: m.body.id as number, tabletId: t.body.id as number, token: t.body.token as string, tablet };
}

const timeline = async (machineId: number) => (await c.viewer.get(`/api/v1/machines/${machineId}/timeline?${window}`)).body.intervals;
const jobs = async (machineId: number) => (await c.viewer.get(`/api/v1/jobs?${window}&machineId=${machineId}`)).body.jobs;
const production = (machineId: number) =>
  app.dataSource.query(`SELECT "from", "to", good, rejects, source FROM production_records WHERE "machineId" = $1 ORDER BY "to", id`, [
    machineId,
  ]) as Promise<{ from: Date; to: Date; good: number; rejects: number; source: string }[]>;

describe('/tablet connection', () => {
  it('refuses unknown tokens', async () => {
    expect(await TabletClient.refusal(app.url, 'tab_not-a-token')).toBe(TABLET_UNKNOWN_TOKEN);
    expect(await TabletClient.refusal(app.url, undefined)).toBe(TABLET_UNKNOWN_TOKEN);
    expect(await TabletClient.refusal(app.url, { token: 1 })).toBe(TABLET_UNKNOWN_TOKEN);
  });

  it('tells a tablet without a machine so, and refuses its commands', async () => {
    const t = await c.admin.post('/api/v1/tablets', { name: 'Unpaired' });
    const tablet = await TabletClient.open(app.url, t.body.token);
    open.push(tablet);
    expect(tablet.state).toMatchObject({
      tablet: { id: t.body.id, name: 'Unpaired' },
      machine: null,
      operator: null,
      job: null,
      codes: [],
    });
    const ack = await tablet.send('operator:sign-in', { userId: operator.id, pin: operator.pin });
    expect(ack).toMatchObject({ ok: false, error: { code: 'conflict' } });

    // Pairing it pushes the machine's state.
    const m = await c.admin.post('/api/v1/machines', { name: 'Paired later' });
    const paired = tablet.next((s) => s.machine !== null);
    expect((await c.admin.patch(`/api/v1/tablets/${t.body.id}`, { machineId: m.body.id })).status).toBe(200);
    expect((await paired).machine).toEqual({ id: m.body.id, name: 'Paired later' });
  });

  it('disconnects a tablet that is deleted', async () => {
    const { tabletId, tablet } = await machineWithTablet('Deleted tablet');
    const gone = new Promise<string>((resolve) => tablet.socket.once('disconnect', (reason) => resolve(reason)));
    expect((await c.admin.delete(`/api/v1/tablets/${tabletId}`)).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
  });

  it('offers the active codes the machine does not exclude, with the job-start input and its unit', async () => {
    await c.admin.post('/api/v1/activity-codes', {
      shortDescription: 'Retired',
      category: 'unplanned_stop',
      colour: '#333333',
      active: false,
    });
    const { tablet } = await machineWithTablet('Offers', {
      excludedActivityCodeIds: [3, 4],
      jobStartInputType: 'planned_qty_minutes',
      jobNumberInputType: 'number',
    });
    expect(tablet.state.codes.map((code) => code.shortDescription)).toEqual(['Up', 'Down', 'Jam', 'Setting']);
    expect(tablet.state.codes[2]).toEqual({ id: jam, shortDescription: 'Jam', colour: '#AA0000', category: 'unplanned_stop' });
    expect(tablet.state).toMatchObject({
      workflowType: 'default',
      jobNumberInputType: 'number',
      jobStartInputType: 'planned_qty_minutes',
      jobStartFields: [
        { key: 'plannedQuantity', label: 'Planned quantity', unit: 'parts' },
        { key: 'plannedTimeMinutes', label: 'Planned time', unit: 'min' },
      ],
      current: null,
      paused: false,
      runningTotal: null,
    });
  });
});

describe('a shift on a tablet', () => {
  it('gives exactly the expected job, counts and timeline; replaying every command changes nothing', async () => {
    const { machineId, tabletId, tablet } = await machineWithTablet('Shift', { jobStartInputType: 'parts_per_minute' });
    const sent: [TabletCommandName, Record<string, unknown>][] = [];
    const run = async (name: TabletCommandName, payload: Record<string, unknown>) => {
      const withMeta = { ...payload, eventId: randomUUID() };
      sent.push([name, withMeta]);
      const ack = await tablet.send(name, withMeta);
      expect([name, ack]).toEqual([name, { ok: true, data: { duplicate: false } }]);
      return tablet.state;
    };

    let state = await run('operator:sign-in', { userId: operator.id, pin: operator.pin, at: T(5, 55) });
    expect(state.operator).toEqual({ id: operator.id, username: 'olga' });
    expect(state.job).toBeNull();

    state = await run('job:start', { jobNumber: 'J-100', input: { value: 30 }, at: T(6) });
    expect(state.job).toMatchObject({ jobNumber: 'J-100', start: T(6), idealCycleTimeSeconds: 2, good: 0, rejects: 0 });
    expect(state.current).toEqual({ activityCodeId: 1, category: 'running', since: T(6) });

    state = await run('activity:set', { activityCodeId: jam, at: T(7, 30) });
    expect(state.current).toEqual({ activityCodeId: jam, category: 'unplanned_stop', since: T(7, 30) });
    state = await run('activity:set', { activityCodeId: 1, at: T(7, 45) });
    expect(state.current).toEqual({ activityCodeId: 1, category: 'running', since: T(7, 45) });

    state = await run('production:record', { good: 500, rejects: 12, at: T(9) });
    expect(state.job).toMatchObject({ good: 500, rejects: 12 });

    state = await run('job:end', { good: 40, rejects: 3, at: T(10) });
    expect(state.job).toBeNull();
    expect(state.current).toEqual({ activityCodeId: 2, category: 'unplanned_stop', since: T(10) });

    state = await run('operator:sign-out', { at: T(10, 5) });
    expect(state.operator).toBeNull();

    const [job] = await jobs(machineId);
    expect(await jobs(machineId)).toEqual([
      { id: job.id, machineId, jobNumber: 'J-100', start: T(6), end: T(10), idealCycleTimeSeconds: 2, good: 540, rejects: 15 },
    ]);
    const op = operator.id;
    expect(await timeline(machineId)).toEqual([
      { start: T(6), end: T(7, 30), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
      { start: T(7, 30), end: T(7, 45), activityCodeId: jam, category: 'unplanned_stop', jobId: job.id, operatorId: op },
      { start: T(7, 45), end: T(10), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
      { start: T(10), end: null, activityCodeId: 2, category: 'unplanned_stop', jobId: null, operatorId: op },
    ]);
    expect((await production(machineId)).map((p) => [p.from.toISOString(), p.to.toISOString(), p.good, p.rejects, p.source])).toEqual([
      [T(9), T(9), 500, 12, 'tablet'],
      [T(6), T(10), 40, 3, 'tablet'],
    ]);
    const events = await app.dataSource.query(
      `SELECT source, count(*)::int AS n FROM state_events WHERE "machineId" = $1 GROUP BY source`,
      [machineId],
    );
    expect(events).toEqual([{ source: 'tablet', n: 4 }]);
    await assertTiles(app.dataSource, machineId);
    const audit = await app.dataSource.query(
      `SELECT action, "userId" FROM audit_log WHERE entity = 'tablet' AND "entityId" = $1 ORDER BY id`,
      [String(tabletId)],
    );
    expect(audit).toEqual([
      { action: 'tablet.create', userId: expect.any(Number) },
      { action: 'tablet.sign-in', userId: op },
      { action: 'tablet.sign-out', userId: op },
    ]);

    // Every command again, with the same eventId: acknowledged as a duplicate, nothing changes.
    const before = await snapshot(app.dataSource);
    for (const [name, payload] of sent) {
      expect([name, await tablet.send(name, payload)]).toEqual([name, { ok: true, data: { duplicate: true } }]);
    }
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(tablet.state.operator).toBeNull();
  });

  it('refuses bad payloads with an error ack and changes nothing', async () => {
    const { machineId, tablet } = await machineWithTablet('Bad payloads', {
      excludedActivityCodeIds: [setting],
      jobNumberInputType: 'number',
    });
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    const before = await snapshot(app.dataSource);
    // Signed out: everything but sign-in is refused.
    for (const [name, payload] of [
      ['job:start', { jobNumber: '1' }],
      ['activity:set', { activityCodeId: 2 }],
      ['production:record', { good: 1, rejects: 0 }],
    ] as const) {
      expect([name, await tablet.send(name, payload)]).toMatchObject([name, { ok: false, error: { code: 'unauthenticated' } }]);
    }
    const signInCases: [unknown, string][] = [
      [{ userId: operator.id, pin: '0000' }, 'unauthenticated'],
      [{ userId: 999_999, pin: '1234' }, 'unauthenticated'],
      [{ userId: operator.id, pin: 'abcd' }, 'invalid_input'],
      [{ userId: String(operator.id), pin: operator.pin }, 'invalid_input'],
      [{ userId: operator.id, pin: operator.pin, extra: 1 }, 'invalid_input'],
      [undefined, 'invalid_input'],
      ['text', 'invalid_input'],
    ];
    for (const [payload, code] of signInCases) {
      expect([payload, await tablet.send('operator:sign-in', payload)]).toMatchObject([payload, { ok: false, error: { code } }]);
    }
    expect(await snapshot(app.dataSource)).toEqual(before);

    await tablet.ok('operator:sign-in', { userId: operator.id, pin: operator.pin });
    const signedIn = await snapshot(app.dataSource);
    const cases: [TabletCommandName, unknown, string][] = [
      ['job:start', {}, 'invalid_input'],
      ['job:start', { jobNumber: 'A-1' }, 'invalid_input'], // this machine takes numbers
      ['job:start', { jobNumber: '1', input: { value: -5 } }, 'invalid_input'],
      ['job:start', { jobNumber: '1', input: { plannedQuantity: 5, plannedTimeMinutes: 10 } }, 'invalid_input'],
      ['job:start', { jobNumber: '1', input: { value: 'fast' } }, 'invalid_input'],
      ['job:start', { jobNumber: '1', at: future }, 'invalid_input'],
      ['job:start', { jobNumber: '1', at: 'yesterday' }, 'invalid_input'],
      ['job:start', { jobNumber: '1', eventId: 'x'.repeat(101) }, 'invalid_input'],
      ['activity:set', { activityCodeId: 999_999 }, 'invalid_input'],
      ['activity:set', { activityCodeId: setting }, 'invalid_input'], // excluded on this machine
      ['activity:set', { activityCodeId: '2' }, 'invalid_input'],
      ['activity:set', undefined, 'invalid_input'],
      ['activity:set', { activityCodeId: 1 }, 'conflict'], // Up without a job: the machine's state forbids it
      ['production:record', { good: -1, rejects: 0 }, 'invalid_input'],
      ['production:record', { good: 1.5, rejects: 0 }, 'invalid_input'],
      ['production:record', { good: 1, rejects: 0 }, 'conflict'], // no job
      ['job:end', { good: 1, rejects: 0 }, 'conflict'],
      ['job:end', {}, 'invalid_input'],
      ['job:pause', {}, 'conflict'], // not a pausable machine
      ['job:resume', {}, 'conflict'],
    ];
    for (const [name, payload, code] of cases) {
      expect([name, payload, await tablet.send(name, payload)]).toMatchObject([name, payload, { ok: false, error: { code } }]);
    }
    expect(await snapshot(app.dataSource)).toEqual(signedIn);
    expect(await timeline(machineId)).toEqual([]);
  });

  it('signing in and out on a tablet never changes the machine timeline', async () => {
    const { machineId, tablet } = await machineWithTablet('Sign in mid-job');
    const device = c.device;
    expect((await device.post(`/api/v1/machines/${machineId}/jobs`, { jobNumber: 'D-1', at: T(8) })).status).toBe(201);
    const intervals = await timeline(machineId);
    const stored = () => app.dataSource.query(`SELECT * FROM state_events WHERE "machineId" = $1 ORDER BY id`, [machineId]);
    const events = await stored();

    const signedIn = tablet.next((s) => s.operator !== null);
    await tablet.ok('operator:sign-in', { userId: operator.id, pin: operator.pin });
    await signedIn;
    expect((await c.viewer.get(`/api/v1/machines/${machineId}`)).body.state).toMatchObject({ activityCodeId: 1, operatorId: operator.id });
    await tablet.ok('operator:sign-out');
    expect(tablet.state.operator).toBeNull();
    await tablet.ok('operator:sign-out'); // already out: harmless

    expect(await timeline(machineId)).toEqual(intervals);
    expect(await stored()).toEqual(events);
    expect((await c.viewer.get(`/api/v1/machines/${machineId}`)).body.state).toMatchObject({ activityCodeId: 1, operatorId: null });
  });

  it('publishes operator sign-in and sign-out on the change feed after commit', async () => {
    const { machineId, tablet } = await machineWithTablet('Feed');
    const seen: unknown[] = [];
    const stop = app.feed.subscribe((change) => {
      if (change.kind === 'operator') seen.push(change);
    });
    try {
      await tablet.ok('operator:sign-in', { userId: operator.id, pin: operator.pin });
      await tablet.ok('operator:sign-out');
    } finally {
      stop();
    }
    expect(seen).toEqual([
      { kind: 'operator', machineId, operatorId: operator.id },
      { kind: 'operator', machineId, operatorId: null },
    ]);
  });

  it('rate-limits wrong PINs per user and tablet (limits and delays in detail: security-auth.test.ts)', async () => {
    const user = await c.admin.post('/api/v1/users', { username: 'guessed', role: 'operator', pin: '2468' });
    const { tablet } = await machineWithTablet('Rate limit');
    // The 11th attempt meets the limit of 10 whatever the delays between them did.
    for (let i = 0; i < 10; i++)
      expect((await tablet.send('operator:sign-in', { userId: user.body.id, pin: String(1000 + i) })).ok).toBe(false);
    expect(await tablet.send('operator:sign-in', { userId: user.body.id, pin: '2468' })).toMatchObject({
      ok: false,
      error: { code: 'rate_limited' },
    });
    // Other users on the same tablet can still sign in.
    await tablet.ok('operator:sign-in', { userId: operator.id, pin: operator.pin });
  });

  it('lets only users with operator rights sign in', async () => {
    const viewer = await c.admin.post('/api/v1/users', { username: 'watcher', role: 'viewer', pin: '1357' });
    const { tablet } = await machineWithTablet('Viewer');
    expect(await tablet.send('operator:sign-in', { userId: viewer.body.id, pin: '1357' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const boss = await c.admin.post('/api/v1/users', { username: 'boss', role: 'supervisor', pin: '9753' });
    await tablet.ok('operator:sign-in', { userId: boss.body.id, pin: '9753' });
    expect(tablet.state.operator).toEqual({ id: boss.body.id, username: 'boss' });
  });
});

describe('job-start input', () => {
  it('stores a job started with parts_per_hour 40 with an ideal cycle time of 90 s', async () => {
    const { machineId, tablet } = await machineWithTablet('Per hour', { jobStartInputType: 'parts_per_hour' });
    expect(tablet.state.jobStartFields).toEqual([{ key: 'value', label: 'Ideal rate', unit: 'parts/h' }]);
    await tablet.ok('operator:sign-in', { userId: operator.id, pin: operator.pin });
    await tablet.ok('job:start', { jobNumber: 'PPH-40', input: { value: 40 } });
    expect(
      (await jobs(machineId)).map((j: { jobNumber: string; idealCycleTimeSeconds: number }) => [j.jobNumber, j.idealCycleTimeSeconds]),
    ).toEqual([['PPH-40', 90]]);
    expect(tablet.state.job).toMatchObject({ jobNumber: 'PPH-40', idealCycleTimeSeconds: 90 });
  });

  it('converts every input type as legacy-api.md lists', async () => {
    const cases: [string, Record<string, number> | undefined, number | null][] = [
      ['cycle_time_seconds', { value: 30 }, 30],
      ['cycle_time_minutes', { value: 1.5 }, 90],
      ['cycle_time_hours', { value: 0.5 }, 1800],
      ['parts_per_second', { value: 4 }, 0.25],
      ['parts_per_minute', { value: 30 }, 2],
      ['planned_qty_minutes', { plannedQuantity: 120, plannedTimeMinutes: 60 }, 30],
      ['no_cycle_time', { value: 5 }, null],
      ['cycle_time_seconds', undefined, null],
    ];
    for (const [i, [type, input, expected]] of cases.entries()) {
      const { machineId, tablet } = await machineWithTablet(`Input ${i} ${type}`, {
        jobStartInputType: type,
        jobNumberInputType: 'number',
      });
      await tablet.ok('operator:sign-in', { userId: operator.id, pin: operator.pin });
      await tablet.ok('job:start', { jobNumber: 1000 + i, ...(input ? { input } : {}) });
      expect([type, (await jobs(machineId))[0].idealCycleTimeSeconds, (await jobs(machineId))[0].jobNumber]).toEqual([
        type,
        expected,
        String(1000 + i),
      ]);
    }
  });
});

describe('pausable machines', () => {
  it('pause, then resume with a stop reason and notes: the pause carries the reason from its start', async () => {
    const { machineId, tablet } = await machineWithTablet('Pausable', { workflowType: 'pausable' });
    await tablet.ok('operator:sign-in', { userId: operator.id, pin: operator.pin });
    await tablet.ok('job:start', { jobNumber: 'P-1', at: T(12), eventId: 'p-start' });
    expect(tablet.state).toMatchObject({ workflowType: 'pausable', paused: false });

    await tablet.ok('job:pause', { at: T(13), eventId: 'p-pause' });
    expect(tablet.state).toMatchObject({ paused: true, current: { activityCodeId: 2, category: 'unplanned_stop', since: T(13) } });
    expect(await tablet.send('job:pause', { at: T(13, 1) })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await tablet.send('job:resume', { reason: 1, at: T(13, 20) })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    await tablet.ok('job:resume', { reason: jam, notes: 'belt slipped', at: T(13, 20), eventId: 'p-resume' });
    expect(tablet.state).toMatchObject({ paused: false, current: { activityCodeId: 1, category: 'running', since: T(13, 20) } });
    const [job] = await jobs(machineId);
    const op = operator.id;
    expect(await timeline(machineId)).toEqual([
      { start: T(12), end: T(13), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
      { start: T(13), end: T(13, 20), activityCodeId: jam, category: 'unplanned_stop', jobId: job.id, operatorId: op },
      { start: T(13, 20), end: null, activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
    ]);
    const notes = async () => (await app.dataSource.query(`SELECT notes FROM jobs WHERE id = $1`, [job.id]))[0].notes;
    const site = (await c.viewer.get('/api/v1/site')).body.timezone as string;
    const hhmm = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: site }).format(
      new Date(T(13)),
    );
    expect(await notes()).toBe(`${hhmm} - Jam - belt slipped\n`);

    const before = await snapshot(app.dataSource);
    const noteBefore = await notes();
    expect(await tablet.send('job:pause', { at: T(13), eventId: 'p-pause' })).toEqual({ ok: true, data: { duplicate: true } });
    expect(await tablet.send('job:resume', { reason: jam, notes: 'belt slipped', at: T(13, 20), eventId: 'p-resume' })).toEqual({
      ok: true,
      data: { duplicate: true },
    });
    expect(await snapshot(app.dataSource)).toEqual(before);
    expect(await notes()).toBe(noteBefore);
  });
});

describe('running_total machines', () => {
  it('records each count as a span from the previous count (or the job start) to its time', async () => {
    const { machineId, tablet } = await machineWithTablet('Running total', { workflowType: 'running_total' });
    await tablet.ok('operator:sign-in', { userId: operator.id, pin: operator.pin });
    await tablet.ok('job:start', { jobNumber: 'RT-1', at: T(14) });
    expect(tablet.state.runningTotal).toEqual({ lastUpdate: T(14), updateFrequencySeconds: 3600 });
    await tablet.ok('production:record', { good: 100, rejects: 1, at: T(15), eventId: 'rt-1' });
    expect(tablet.state.runningTotal).toEqual({ lastUpdate: T(15), updateFrequencySeconds: 3600 });
    await tablet.ok('production:record', { good: 80, rejects: 0, at: T(16), eventId: 'rt-2' });
    expect(await tablet.send('production:record', { good: 80, rejects: 0, at: T(16), eventId: 'rt-2' })).toEqual({
      ok: true,
      data: { duplicate: true },
    });
    expect((await production(machineId)).map((p) => [p.from.toISOString(), p.to.toISOString(), p.good, p.rejects])).toEqual([
      [T(14), T(15), 100, 1],
      [T(15), T(16), 80, 0],
    ]);
    expect(tablet.state.job).toMatchObject({ good: 180, rejects: 1 });
    expect(tablet.state.runningTotal!.lastUpdate).toBe(T(16));
  });
});

describe('changes from other sources', () => {
  it('pushes a fresh tablet:state when a change is posted over HTTP', async () => {
    const { machineId, tablet } = await machineWithTablet('Pushed');
    const pushed = tablet.next((s) => s.current?.activityCodeId === jam);
    expect((await c.device.post('/api/v1/events', { events: [{ machineId, activityCodeId: jam, at: T(17) }] })).status).toBe(200);
    expect((await pushed).current).toEqual({ activityCodeId: jam, category: 'unplanned_stop', since: T(17) });

    const started = tablet.next((s) => s.job !== null);
    await c.device.post(`/api/v1/machines/${machineId}/jobs`, { jobNumber: 'HTTP-1', at: T(17, 30) });
    expect((await started).job).toMatchObject({ jobNumber: 'HTTP-1', start: T(17, 30) });
    const counted = tablet.next((s) => s.job?.good === 7);
    await c.device.post(`/api/v1/machines/${machineId}/production`, { good: 7, rejects: 0, at: T(17, 40) });
    await counted;
  });

  it('pushes changes made on another app instance sharing the database', async () => {
    const other = await startTestApp({ databaseUrl: app.databaseUrl });
    try {
      const { machineId, tablet } = await machineWithTablet('Two instances');
      const device = new ApiClient(other.url, c.device.bearer);
      const pushed = tablet.next((s) => s.current?.activityCodeId === setting);
      expect((await device.post('/api/v1/events', { events: [{ machineId, activityCodeId: setting }] })).status).toBe(200);
      expect((await pushed).current?.activityCodeId).toBe(setting);
    } finally {
      await other.stop();
    }
  });
});
