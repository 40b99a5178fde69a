import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { assertTiles, snapshot } from './support/db-snapshot.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The DigitME2 Android tablet app (docs/digitme2.md "Tablet app", issue 9): its whole conversation for each
 * workflow, call by call, with the bodies the app sends (typed values as strings). Every POST is sent
 * twice, as the app's retry does: the same reply, and nothing changes the second time.
 */

const DAY = '2026-11-20';
const T = (h: number, m = 0, s = 0) =>
  `${DAY}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.000Z`;
const epoch = (iso: string) => Date.parse(iso) / 1000;
const window = `from=2026-11-19T00:00:00.000Z&to=2026-11-22T00:00:00.000Z`;
const NO_MACHINE = 'No assigned machine. Pair via the admin interface then press back to refresh.';
const onEnd = {
  quantity_good: { title: 'Good Qty', type: 'number', autofill: '' },
  rejects: { title: 'Rejects Qty', type: 'number', autofill: '' },
};

const clock = new FixedClock(new Date(T(5)));
let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
/** The app: no credentials, JSON bodies. */
let tabletHttp: ApiClient;
let operator: { id: number; pin: string; username: string };
let jam: number;
let setting: number;
let codes: { id: number; shortDescription: string; colour: string; category: string; active: boolean; flag: string | null }[];

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  tabletHttp = new ApiClient(app.url);
  jam = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' })).body.id;
  setting = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Setting', category: 'planned_stop', colour: '#E6A700' }))
    .body.id;
  await c.admin.post('/api/v1/activity-codes', {
    shortDescription: 'Retired',
    category: 'unplanned_stop',
    colour: '#333333',
    active: false,
  });
  const user = await c.admin.post('/api/v1/users', { username: 'olga', role: 'operator', pin: '1234' });
  operator = { id: user.body.id, pin: '1234', username: 'olga' };
  codes = (await c.viewer.get('/api/v1/activity-codes')).body;
});
afterAll(async () => {
  await app?.stop();
});

/** The spinner items the app gets: active codes the machine does not exclude (never the built-in No data). */
const offered = (excluded: number[] = []) =>
  codes
    .filter((code) => code.active && code.flag === null && !excluded.includes(code.id))
    .map((code) => ({ activity_code_id: code.id, colour: code.colour, description: code.shortDescription }));
const colourOf = (id: number) => codes.find((code) => code.id === id)!.colour;

const timeline = async (machineId: number) => (await c.viewer.get(`/api/v1/machines/${machineId}/timeline?${window}`)).body.intervals;
const jobs = async (machineId: number) => (await c.viewer.get(`/api/v1/jobs?${window}&machineId=${machineId}`)).body.jobs;
const production = async (machineId: number) =>
  (
    (await app.dataSource.query(
      `SELECT "from", "to", good, rejects, source FROM production_records WHERE "machineId" = $1 ORDER BY "to", id`,
      [machineId],
    )) as {
      from: Date;
      to: Date;
      good: number;
      rejects: number;
      source: string;
    }[]
  ).map((p) => [p.from.toISOString(), p.to.toISOString(), p.good, p.rejects, p.source]);
const notes = async (jobId: number) => (await app.dataSource.query(`SELECT notes FROM jobs WHERE id = $1`, [jobId]))[0].notes as string;

async function checkState(uuid: string) {
  const res = await tabletHttp.get(`/check-state?device_uuid=${encodeURIComponent(uuid)}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** One POST of the app, then its retry (same body, no id): the same reply, and no second effect. */
async function post(path: string, body: Record<string, unknown>) {
  const first = await tabletHttp.post(path, body);
  expect([path, first.status]).toEqual([path, 200]);
  const before = await snapshot(app.dataSource);
  const retry = await tabletHttp.post(path, body);
  expect([path, retry.status, retry.body]).toEqual([path, 200, first.body]);
  expect(await snapshot(app.dataSource)).toEqual(before);
  return first.body;
}

/**
 * `/android-logout` and, at once, again (what the app's retry does): `{"success": true}`, then
 * `{"success": false, "reason": "User is logged out"}` as DigitME2 answered; the second changes nothing.
 */
async function logoutTwice(uuid: string) {
  const first = await tabletHttp.post('/android-logout', { device_uuid: uuid });
  expect([first.status, first.body]).toEqual([200, { success: true }]);
  const before = await snapshot(app.dataSource);
  const second = await tabletHttp.post('/android-logout', { device_uuid: uuid });
  expect([second.status, second.body]).toEqual([200, { success: false, reason: 'User is logged out' }]);
  expect(await snapshot(app.dataSource)).toEqual(before);
}

async function newMachine(name: string, machine: Record<string, unknown> = {}) {
  const res = await c.admin.post('/api/v1/machines', { name, ...machine });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

/** A new tablet as the app makes one: its first /check-state registers it; the admin pairs it. */
async function pairedTablet(machineId: number) {
  const uuid = randomUUID();
  const first = await checkState(uuid);
  const tablet = ((await c.admin.get('/api/v1/tablets')).body as { id: number; deviceUuid: string | null }[]).find(
    (t) => t.deviceUuid === uuid,
  )!;
  expect(first).toEqual({ workflow_type: 'default', state: 'no_user', machine: NO_MACHINE, device_name: `Tablet ${tablet.id}` });
  expect((await c.admin.patch(`/api/v1/tablets/${tablet.id}`, { machineId })).status).toBe(200);
  return { uuid, tabletId: tablet.id };
}

async function signIn(uuid: string) {
  expect(await post('/android-login', { user_id: String(operator.id), password: operator.pin, device_uuid: uuid })).toEqual({
    success: true,
  });
}

describe('registration and pairing', () => {
  it('registers an unknown device_uuid as an unpaired "Tablet <id>", once; the admin pairs it', async () => {
    const uuid = randomUUID();
    const before = (await c.admin.get('/api/v1/tablets')).body.length;
    const [a, b] = await Promise.all([checkState(uuid), checkState(uuid)]);
    expect(b).toEqual(a);
    const tablets = (await c.admin.get('/api/v1/tablets')).body as {
      id: number;
      name: string;
      machineId: number | null;
      deviceUuid: string | null;
      operatorId: number | null;
    }[];
    expect(tablets.length).toBe(before + 1);
    const tablet = tablets.find((t) => t.deviceUuid === uuid)!;
    expect(tablet).toEqual({ id: tablet.id, name: `Tablet ${tablet.id}`, machineId: null, deviceUuid: uuid, operatorId: null });
    expect(a).toEqual({ workflow_type: 'default', state: 'no_user', machine: NO_MACHINE, device_name: `Tablet ${tablet.id}` });
    const audit = await app.dataSource.query(`SELECT action, "userId", after FROM audit_log WHERE entity = 'tablet' AND "entityId" = $1`, [
      String(tablet.id),
    ]);
    // The device uuid is the tablet's credential: kept out of the audit log (issue 15 point 9).
    expect(audit).toEqual([
      { action: 'tablet.register', userId: null, after: { name: `Tablet ${tablet.id}`, machineId: null, autoPaired: false } },
    ]);

    // Not paired: nobody can sign in.
    expect(await post('/android-login', { user_id: String(operator.id), password: operator.pin, device_uuid: uuid })).toEqual({
      success: false,
      reason: NO_MACHINE,
    });

    const machineId = await newMachine('Pairing', { workflowType: 'pausable' });
    expect((await c.admin.patch(`/api/v1/tablets/${tablet.id}`, { machineId, name: 'Press tablet' })).status).toBe(200);
    expect(await checkState(uuid)).toEqual({
      workflow_type: 'pausable',
      state: 'no_user',
      machine: 'Pairing',
      device_name: 'Press tablet',
    });
  });

  it('pairs a new tablet with the first active machine without a tablet when the site auto-pairs', async () => {
    await app.dataSource.query(`UPDATE site_settings SET "autoPairTablets" = true`);
    try {
      await newMachine('Auto-paired');
      const [expected] = await app.dataSource.query(
        `SELECT m.id, m.name FROM machines m WHERE m.active AND NOT EXISTS (SELECT 1 FROM tablets t WHERE t."machineId" = m.id) ORDER BY m.id LIMIT 1`,
      );
      const uuid = randomUUID();
      const reply = await checkState(uuid);
      expect(reply).toMatchObject({ state: 'no_user', machine: expected.name });
      const tablet = ((await c.admin.get('/api/v1/tablets')).body as { deviceUuid: string; machineId: number }[]).find(
        (t) => t.deviceUuid === uuid,
      )!;
      expect(tablet.machineId).toBe(expected.id);
    } finally {
      await app.dataSource.query(`UPDATE site_settings SET "autoPairTablets" = false`);
    }
  });
});

describe('the default workflow', () => {
  it('replays the app: login, start job, change activity, end job, logout — exact replies, job, counts and timeline', async () => {
    const machineId = await newMachine('Lathe', { jobNumberInputType: 'number', excludedActivityCodeIds: [setting] });
    const { uuid, tabletId } = await pairedTablet(machineId);
    expect(await checkState(uuid)).toEqual({
      workflow_type: 'default',
      state: 'no_user',
      machine: 'Lathe',
      device_name: `Tablet ${tabletId}`,
    });

    clock.set(T(6));
    await signIn(uuid);
    expect(await timeline(machineId)).toEqual([]); // signing in changes no machine state
    expect(await checkState(uuid)).toEqual({
      workflow_type: 'default',
      state: 'no_job',
      machine_name: 'Lathe',
      user_name: 'olga',
      requested_data: {
        job_number: { title: 'Job Number', type: 'number', autofill: '' },
        ideal_cycle_time: { title: 'Ideal cycle time (sec)', type: 'number', autofill: '' },
      },
    });

    clock.set(T(6, 5));
    expect(await post('/android-start-job', { job_number: '1001', ideal_cycle_time: '30', device_uuid: uuid })).toEqual({ success: true });
    const active = {
      machine_id: machineId,
      workflow_type: 'default',
      state: 'active_job',
      job_number: '1001',
      current_activity_code_id: 1,
      current_machine_state: 1,
      colour: colourOf(1),
      activity_codes: offered([setting]),
      requested_data_on_end: onEnd,
    };
    expect(await checkState(uuid)).toEqual(active);

    clock.set(T(7, 30));
    expect(await post('/android-update', { device_uuid: uuid, activity_code_id: jam })).toEqual({ success: true });
    expect(await checkState(uuid)).toEqual({ ...active, current_activity_code_id: jam, current_machine_state: 2, colour: '#AA0000' });
    clock.set(T(7, 45));
    expect(await post('/android-update', { device_uuid: uuid, activity_code_id: 1 })).toEqual({ success: true });
    // A code this machine does not offer is refused.
    expect(await post('/android-update', { device_uuid: uuid, activity_code_id: setting })).toEqual({
      success: false,
      reason: `Activity code ${setting} is not offered on this machine`,
    });

    clock.set(T(10));
    expect(await post('/android-end-job', { quantity_good: '40', rejects: '3', device_uuid: uuid })).toEqual({ success: true });
    expect(await checkState(uuid)).toMatchObject({ state: 'no_job', user_name: 'olga' });
    clock.set(T(10, 0, 30));
    expect(await post('/android-end-job', { quantity_good: '40', rejects: '3', device_uuid: uuid })).toEqual({
      success: false,
      reason: 'No job is running on this machine',
    });

    clock.set(T(10, 5));
    await logoutTwice(uuid);
    expect(await checkState(uuid)).toEqual({
      workflow_type: 'default',
      state: 'no_user',
      machine: 'Lathe',
      device_name: `Tablet ${tabletId}`,
    });
    clock.set(T(10, 6));
    expect(await post('/android-logout', { device_uuid: uuid })).toEqual({ success: false, reason: 'User is logged out' });

    const [job] = await jobs(machineId);
    expect(await jobs(machineId)).toEqual([
      { id: job.id, machineId, jobNumber: '1001', start: T(6, 5), end: T(10), idealCycleTimeSeconds: 30, good: 40, rejects: 3 },
    ]);
    const op = operator.id;
    expect(await timeline(machineId)).toEqual([
      { start: T(6, 5), end: T(7, 30), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
      { start: T(7, 30), end: T(7, 45), activityCodeId: jam, category: 'unplanned_stop', jobId: job.id, operatorId: op },
      { start: T(7, 45), end: T(10), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
      { start: T(10), end: null, activityCodeId: 2, category: 'unplanned_stop', jobId: null, operatorId: op },
    ]);
    expect(await production(machineId)).toEqual([[T(6, 5), T(10), 40, 3, 'tablet']]);
    await assertTiles(app.dataSource, machineId);
    const audit = await app.dataSource.query(
      `SELECT action, "userId" FROM audit_log WHERE entity = 'tablet' AND "entityId" = $1 ORDER BY id`,
      [String(tabletId)],
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'tablet.register',
      'tablet.update',
      'tablet.sign-in',
      'tablet.sign-out',
    ]);
  });

  it('a retry that arrives while the first request still runs gets its reply and changes nothing more', async () => {
    const machineId = await newMachine('Concurrent retry', { workflowType: 'running_total' });
    const { uuid } = await pairedTablet(machineId);
    clock.set(T(11));
    await signIn(uuid);
    expect(await post('/android-start-job', { job_number: 'R-1', ideal_cycle_time: '10', device_uuid: uuid })).toEqual({ success: true });
    clock.set(T(11, 30));
    const body = { quantity_good: '5', rejects: '0', device_uuid: uuid };
    const [a, b] = await Promise.all([
      tabletHttp.post('/android-update-quantity', body),
      tabletHttp.post('/android-update-quantity', body),
    ]);
    expect(a.body).toEqual({ success: true, quantity_produced: 5, quantity_rejects: 0, last_update: epoch(T(11, 30)) });
    expect(b.body).toEqual(a.body);
    expect(await production(machineId)).toEqual([[T(11), T(11, 30), 5, 0, 'tablet']]);

    // The same count sent again after the retry window is a new count.
    clock.set(T(11, 31));
    expect((await tabletHttp.post('/android-update-quantity', body)).body).toEqual({
      success: true,
      quantity_produced: 10,
      quantity_rejects: 0,
      last_update: epoch(T(11, 31)),
    });
  });
});

describe('the pausable workflow', () => {
  it('replays the app: pause, relabel the stop, resume with notes — exact replies, notes and timeline', async () => {
    const machineId = await newMachine('Press', { workflowType: 'pausable', jobStartInputType: 'parts_per_minute' });
    const { uuid } = await pairedTablet(machineId);
    clock.set(T(12));
    await signIn(uuid);
    expect(await checkState(uuid)).toEqual({
      workflow_type: 'pausable',
      state: 'no_job',
      machine_name: 'Press',
      user_name: 'olga',
      requested_data: {
        job_number: { title: 'Job Number', type: 'text', autofill: '' },
        ideal_cycle_time: { title: 'Parts per minute', type: 'number', autofill: '' },
      },
    });
    clock.set(T(12, 5));
    expect(await post('/android-start-job', { job_number: 'P-7', ideal_cycle_time: '30', device_uuid: uuid })).toEqual({ success: true });
    const running = {
      machine_id: machineId,
      workflow_type: 'pausable',
      state: 'active_job',
      job_number: 'P-7',
      current_activity_code_id: 1,
      current_machine_state: 1,
      colour: colourOf(1),
      activity_codes: offered(),
      requested_data_on_end: onEnd,
    };
    expect(await checkState(uuid)).toEqual(running);
    // Not paused: there is no stop to relabel.
    expect(await post('/pausable-android-update', { device_uuid: uuid, activity_code_id: jam })).toEqual({
      success: false,
      reason: 'The job is not paused',
    });

    clock.set(T(13));
    expect(await post('/pausable-pause-job', { device_uuid: uuid })).toEqual({ success: true });
    expect(await checkState(uuid)).toEqual({
      ...running,
      state: 'paused',
      current_activity_code_id: 2,
      current_machine_state: 2,
      colour: colourOf(2),
    });

    // The reason spinner relabels the stop in place, from its start.
    clock.set(T(13, 5));
    expect(await post('/pausable-android-update', { device_uuid: uuid, activity_code_id: jam })).toEqual({ success: true });
    expect(await checkState(uuid)).toEqual({
      ...running,
      state: 'paused',
      current_activity_code_id: jam,
      current_machine_state: 2,
      colour: '#AA0000',
    });
    clock.set(T(13, 6));
    expect(await post('/pausable-android-update', { device_uuid: uuid, activity_code_id: 1 })).toEqual({
      success: false,
      reason: 'The reason must be a stop code',
    });
    clock.set(T(13, 7));
    const unchanged = await snapshot(app.dataSource);
    expect(await post('/pausable-android-update', { device_uuid: uuid, activity_code_id: jam })).toEqual({ success: true }); // already so
    expect(await snapshot(app.dataSource)).toEqual(unchanged);

    clock.set(T(13, 20));
    expect(await post('/pausable-resume-job', { device_uuid: uuid, downtime_reason: 'Jam', notes: 'belt slipped' })).toEqual({
      success: true,
    });
    expect(await checkState(uuid)).toEqual(running);
    clock.set(T(13, 21));
    expect(await post('/pausable-resume-job', { device_uuid: uuid, downtime_reason: 'Jam', notes: 'belt slipped' })).toEqual({
      success: false,
      reason: 'The job is not paused',
    });

    // Paused again; the reason named on resume relabels the pause (the spinner's update did not come).
    clock.set(T(14));
    expect(await post('/pausable-pause-job', { device_uuid: uuid })).toEqual({ success: true });
    clock.set(T(14, 0, 30));
    expect(await post('/pausable-pause-job', { device_uuid: uuid })).toEqual({ success: false, reason: 'The job is already paused' });
    clock.set(T(14, 10));
    expect(await post('/pausable-resume-job', { device_uuid: uuid, downtime_reason: 'Setting', notes: '' })).toEqual({ success: true });

    // Once more with no notes and the code it already has: nothing is added to the notes.
    clock.set(T(14, 30));
    expect(await post('/pausable-pause-job', { device_uuid: uuid })).toEqual({ success: true });
    clock.set(T(14, 35));
    expect(await post('/pausable-resume-job', { device_uuid: uuid, downtime_reason: 'Down', notes: '' })).toEqual({ success: true });

    clock.set(T(15));
    expect(await post('/android-end-job', { quantity_good: '50', rejects: '2', device_uuid: uuid })).toEqual({ success: true });

    const [job] = await jobs(machineId);
    expect(await jobs(machineId)).toEqual([
      { id: job.id, machineId, jobNumber: 'P-7', start: T(12, 5), end: T(15), idealCycleTimeSeconds: 2, good: 50, rejects: 2 },
    ]);
    const op = operator.id;
    expect(await timeline(machineId)).toEqual([
      { start: T(12, 5), end: T(13), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
      { start: T(13), end: T(13, 20), activityCodeId: jam, category: 'unplanned_stop', jobId: job.id, operatorId: op },
      { start: T(13, 20), end: T(14), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
      { start: T(14), end: T(14, 10), activityCodeId: setting, category: 'planned_stop', jobId: job.id, operatorId: op },
      { start: T(14, 10), end: T(14, 30), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
      { start: T(14, 30), end: T(14, 35), activityCodeId: 2, category: 'unplanned_stop', jobId: job.id, operatorId: op },
      { start: T(14, 35), end: T(15), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
      { start: T(15), end: null, activityCodeId: 2, category: 'unplanned_stop', jobId: null, operatorId: op },
    ]);
    const timezone = (await c.viewer.get('/api/v1/site')).body.timezone as string;
    const hhmm = (iso: string) =>
      new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: timezone }).format(new Date(iso));
    expect(await notes(job.id)).toBe(`${hhmm(T(13))} - Jam - belt slipped\n${hhmm(T(14))} - Setting - \n`);
    await assertTiles(app.dataSource, machineId);
  });
});

describe('the running_total workflow', () => {
  it('replays the app: planned quantity and time, counts since the last count, end job', async () => {
    const machineId = await newMachine('Packer', { workflowType: 'running_total', jobStartInputType: 'planned_qty_minutes' });
    const { uuid } = await pairedTablet(machineId);
    clock.set(T(16));
    await signIn(uuid);
    expect(await checkState(uuid)).toEqual({
      workflow_type: 'running_total',
      state: 'no_job',
      machine_name: 'Packer',
      user_name: 'olga',
      requested_data: {
        job_number: { title: 'Job Number', type: 'text', autofill: '' },
        planned_quantity: { title: 'Planned quantity', type: 'number', autofill: '' },
        planned_time: { title: 'Planned time (min)', type: 'number', autofill: '' },
      },
    });
    clock.set(T(16, 5));
    // 120 parts planned in 60 minutes: 30 s per part.
    expect(
      await post('/android-start-job', { job_number: 'RT-9', planned_quantity: '120', planned_time: '60', device_uuid: uuid }),
    ).toEqual({ success: true });
    const active = {
      machine_id: machineId,
      workflow_type: 'running_total',
      state: 'active_job',
      job_number: 'RT-9',
      current_activity_code_id: 1,
      current_machine_state: 1,
      colour: colourOf(1),
      activity_codes: offered(),
      requested_data_on_end: onEnd,
      last_update: epoch(T(16, 5)),
      current_quantity: 0,
      update_frequency: 3600,
    };
    expect(await checkState(uuid)).toEqual(active);

    clock.set(T(17, 5));
    expect(await post('/android-update-quantity', { quantity_good: '100', rejects: '1', device_uuid: uuid })).toEqual({
      success: true,
      quantity_produced: 100,
      quantity_rejects: 1,
      last_update: epoch(T(17, 5)),
    });
    expect(await checkState(uuid)).toEqual({ ...active, last_update: epoch(T(17, 5)), current_quantity: 100 });
    clock.set(T(17, 30));
    expect(await post('/android-update', { device_uuid: uuid, activity_code_id: jam })).toEqual({ success: true });
    expect(await checkState(uuid)).toEqual({
      ...active,
      current_activity_code_id: jam,
      current_machine_state: 2,
      colour: '#AA0000',
      last_update: epoch(T(17, 5)),
      current_quantity: 100,
    });
    clock.set(T(17, 40));
    expect(await post('/android-update', { device_uuid: uuid, activity_code_id: 1 })).toEqual({ success: true });
    clock.set(T(18, 5));
    expect(await post('/android-update-quantity', { quantity_good: '80', rejects: '0', device_uuid: uuid })).toEqual({
      success: true,
      quantity_produced: 180,
      quantity_rejects: 1,
      last_update: epoch(T(18, 5)),
    });

    clock.set(T(19));
    expect(await post('/android-end-job', { quantity_good: '10', rejects: '0', device_uuid: uuid })).toEqual({ success: true });
    expect(await checkState(uuid)).toMatchObject({ state: 'no_job' });

    const [job] = await jobs(machineId);
    expect(await jobs(machineId)).toEqual([
      { id: job.id, machineId, jobNumber: 'RT-9', start: T(16, 5), end: T(19), idealCycleTimeSeconds: 30, good: 190, rejects: 1 },
    ]);
    expect(await production(machineId)).toEqual([
      [T(16, 5), T(17, 5), 100, 1, 'tablet'],
      [T(17, 5), T(18, 5), 80, 0, 'tablet'],
      [T(16, 5), T(19), 10, 0, 'tablet'],
    ]);
    const op = operator.id;
    expect(await timeline(machineId)).toEqual([
      { start: T(16, 5), end: T(17, 30), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
      { start: T(17, 30), end: T(17, 40), activityCodeId: jam, category: 'unplanned_stop', jobId: job.id, operatorId: op },
      { start: T(17, 40), end: T(19), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: op },
      { start: T(19), end: null, activityCodeId: 2, category: 'unplanned_stop', jobId: null, operatorId: op },
    ]);
  });
});

describe('job-start input types', () => {
  it('asks for and converts all eight input types (strings as the app sends them)', async () => {
    const cases: [string, Record<string, string>, Record<string, unknown>, number | null][] = [
      [
        'cycle_time_seconds',
        { ideal_cycle_time: '30' },
        { ideal_cycle_time: { title: 'Ideal cycle time (sec)', type: 'number', autofill: '' } },
        30,
      ],
      [
        'cycle_time_minutes',
        { ideal_cycle_time: '1.5' },
        { ideal_cycle_time: { title: 'Ideal cycle time (min)', type: 'number', autofill: '' } },
        90,
      ],
      [
        'cycle_time_hours',
        { ideal_cycle_time: '0.5' },
        { ideal_cycle_time: { title: 'Ideal cycle time (hrs)', type: 'number', autofill: '' } },
        1800,
      ],
      [
        'parts_per_second',
        { ideal_cycle_time: '4' },
        { ideal_cycle_time: { title: 'Parts per second', type: 'number', autofill: '' } },
        0.25,
      ],
      [
        'parts_per_minute',
        { ideal_cycle_time: '30' },
        { ideal_cycle_time: { title: 'Parts per minute', type: 'number', autofill: '' } },
        2,
      ],
      ['parts_per_hour', { ideal_cycle_time: '40' }, { ideal_cycle_time: { title: 'Parts per hour', type: 'number', autofill: '' } }, 90],
      [
        'planned_qty_minutes',
        { planned_quantity: '120', planned_time: '60' },
        {
          planned_quantity: { title: 'Planned quantity', type: 'number', autofill: '' },
          planned_time: { title: 'Planned time (min)', type: 'number', autofill: '' },
        },
        30,
      ],
      ['no_cycle_time', {}, {}, null],
    ];
    for (const [i, [type, fields, requested, ideal]] of cases.entries()) {
      const machineId = await newMachine(`Input ${type}`, { jobStartInputType: type, jobNumberInputType: 'number' });
      const { uuid } = await pairedTablet(machineId);
      clock.set(T(20, i * 5));
      await signIn(uuid);
      expect([type, (await checkState(uuid)).requested_data]).toEqual([
        type,
        { job_number: { title: 'Job Number', type: 'number', autofill: '' }, ...requested },
      ]);
      clock.set(T(20, i * 5 + 1));
      expect([type, await post('/android-start-job', { job_number: String(500 + i), ...fields, device_uuid: uuid })]).toEqual([
        type,
        { success: true },
      ]);
      const [job] = await jobs(machineId);
      expect([type, job.jobNumber, job.idealCycleTimeSeconds]).toEqual([type, String(500 + i), ideal]);
    }
  });

  it('refuses bad or missing cycle-time fields and job numbers with a reason, storing nothing', async () => {
    const machineId = await newMachine('Bad input', { jobStartInputType: 'parts_per_hour', jobNumberInputType: 'number' });
    const planned = await newMachine('Bad planned input', { jobStartInputType: 'planned_qty_minutes' });
    const { uuid } = await pairedTablet(machineId);
    const other = await pairedTablet(planned);
    clock.set(T(21));
    await signIn(uuid);
    await signIn(other.uuid);
    const before = await snapshot(app.dataSource);
    const cases: [string, Record<string, unknown>, string][] = [
      [uuid, { ideal_cycle_time: '40' }, 'No job_number supplied'],
      [uuid, { job_number: '  ', ideal_cycle_time: '40' }, 'No job_number supplied'],
      [uuid, { job_number: 'A-1', ideal_cycle_time: '40' }, 'This machine takes numeric job numbers'],
      [uuid, { job_number: '7' }, 'ideal_cycle_time: required'],
      [uuid, { job_number: '7', ideal_cycle_time: '0' }, 'ideal_cycle_time: expected a number greater than 0'],
      [uuid, { job_number: '7', ideal_cycle_time: 'fast' }, 'ideal_cycle_time: expected a number greater than 0'],
      [other.uuid, { job_number: 'X', planned_quantity: '120' }, 'planned_time: required'],
      [other.uuid, { job_number: 'X', planned_quantity: '0', planned_time: '60' }, 'planned_quantity: expected a number greater than 0'],
    ];
    for (const [device, fields, reason] of cases) {
      expect([fields, await post('/android-start-job', { ...fields, device_uuid: device })]).toEqual([fields, { success: false, reason }]);
    }
    expect(await snapshot(app.dataSource)).toEqual(before);
  });
});

describe('failures are {"success": false, "reason"} with HTTP 200, and change nothing', () => {
  const posts: [string, Record<string, unknown>][] = [
    ['/android-login', { user_id: '3', password: '1234' }],
    ['/android-logout', {}],
    ['/android-start-job', { job_number: '1', ideal_cycle_time: '30' }],
    ['/android-update', { activity_code_id: 2 }],
    ['/android-end-job', { quantity_good: '1', rejects: '0' }],
    ['/pausable-pause-job', {}],
    ['/pausable-android-update', { activity_code_id: 2 }],
    ['/pausable-resume-job', { downtime_reason: 'Down', notes: '' }],
    ['/android-update-quantity', { quantity_good: '1', rejects: '0' }],
  ];

  it('unknown tablets and missing device_uuid', async () => {
    const before = await snapshot(app.dataSource);
    for (const [path, body] of posts) {
      expect([path, await post(path, { ...body, device_uuid: randomUUID() })]).toEqual([
        path,
        { success: false, reason: 'Unknown tablet' },
      ]);
      expect([path, await post(path, body)]).toEqual([path, { success: false, reason: 'No device_uuid supplied' }]);
    }
    expect(await checkState('')).toEqual({ success: false, reason: 'No device_uuid supplied' });
    expect((await tabletHttp.get('/check-state')).body).toEqual({ success: false, reason: 'No device_uuid supplied' });
    expect(await snapshot(app.dataSource)).toEqual(before);
  });

  it('logged-out tablets, missing fields, wrong PINs, bad bodies', async () => {
    const machineId = await newMachine('Failures', { workflowType: 'pausable' });
    const { uuid } = await pairedTablet(machineId);
    clock.set(T(22));
    const before = await snapshot(app.dataSource);
    for (const [path, body] of posts.slice(2)) {
      expect([path, await post(path, { ...body, device_uuid: uuid })]).toEqual([path, { success: false, reason: 'User is logged out' }]);
    }
    expect(await post('/android-logout', { device_uuid: uuid })).toEqual({ success: false, reason: 'User is logged out' });

    const refusals: [string, Record<string, unknown>, string][] = [
      ['/android-login', { password: '1234' }, 'No user_id supplied'],
      ['/android-login', { user_id: String(operator.id) }, 'No password supplied'],
      ['/android-login', { user_id: String(operator.id), password: '9999' }, 'Wrong user id or PIN'],
      ['/android-login', { user_id: '999999', password: '1234' }, 'Wrong user id or PIN'],
      ['/android-login', { user_id: String(operator.id), password: '12' }, 'Wrong user id or PIN'],
      ['/android-login', { user_id: 'olga', password: '1234' }, 'Invalid user_id'],
      ['/android-end-job', { quantity_good: '1' }, 'No rejects supplied'],
      ['/android-end-job', { rejects: '0' }, 'No quantity_good supplied'],
      ['/android-end-job', { quantity_good: '-1', rejects: '0' }, 'quantity_good must be a whole number of 0 or more'],
      ['/android-update-quantity', { quantity_good: '2.5', rejects: '0' }, 'quantity_good must be a whole number of 0 or more'],
      ['/android-update', {}, 'No activity_code_id supplied'],
      ['/pausable-android-update', {}, 'No activity_code_id supplied'],
      ['/pausable-resume-job', { notes: 'x' }, 'No downtime_reason supplied'],
    ];
    for (const [path, body, reason] of refusals) {
      expect([path, body, await post(path, { ...body, device_uuid: uuid })]).toEqual([path, body, { success: false, reason }]);
    }
    expect(await snapshot(app.dataSource)).toEqual(before);

    // Signed in, without a job: the commands' own refusals, as reasons.
    await signIn(uuid);
    const signedIn = await snapshot(app.dataSource);
    for (const [path, body, reason] of [
      ['/android-update', { activity_code_id: 1 }, 'Cannot set a machine to up when there is no active job'],
      ['/android-update', { activity_code_id: 999999 }, 'Activity code 999999 is not offered on this machine'],
      ['/android-end-job', { quantity_good: '1', rejects: '0' }, 'No job is running on this machine'],
      ['/pausable-pause-job', {}, 'No job is running'],
      ['/android-update-quantity', { quantity_good: '1', rejects: '0' }, 'No job is running; start a job before recording production'],
    ] as [string, Record<string, unknown>, string][]) {
      const reply = await post(path, { ...body, device_uuid: uuid });
      expect([path, reply.success, typeof reply.reason]).toEqual([path, false, 'string']);
      expect([path, reply.reason.toLowerCase()]).toEqual([path, reason.toLowerCase()]);
    }
    expect(await snapshot(app.dataSource)).toEqual(signedIn);

    // Bodies the app never sends: still a JSON failure with 200.
    for (const raw of ['{"device_uuid": ', '[1, 2]', '"text"']) {
      const res = await tabletHttp.request('POST', '/android-login', undefined, { raw });
      expect([raw, res.status, res.body.success, typeof res.body.reason]).toEqual([raw, 200, false, 'string']);
    }
    expect(await snapshot(app.dataSource)).toEqual(signedIn);
  });

  it('accepts form-encoded bodies and numbers as numbers', async () => {
    const machineId = await newMachine('Form');
    const { uuid } = await pairedTablet(machineId);
    clock.set(T(22, 30));
    const form = new URLSearchParams({ user_id: String(operator.id), password: operator.pin, device_uuid: uuid }).toString();
    const res = await tabletHttp.request('POST', '/android-login', undefined, {
      raw: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([res.status, res.body]).toEqual([200, { success: true }]);
    clock.set(T(22, 31));
    expect(await post('/android-start-job', { job_number: 42, ideal_cycle_time: 12.5, device_uuid: uuid })).toEqual({ success: true });
    expect((await jobs(machineId))[0]).toMatchObject({ jobNumber: '42', idealCycleTimeSeconds: 12.5 });
    clock.set(T(22, 32));
    expect(await post('/android-end-job', { quantity_good: 3, rejects: '0', device_uuid: uuid })).toEqual({ success: true });
  });

  it('refuses callers outside the networks OEE_LEGACY_ANONYMOUS admits', async () => {
    const uuid = randomUUID();
    const before = await snapshot(app.dataSource);
    // Tests call over loopback, a trusted proxy by default: the forwarded address is the client's.
    const res = await tabletHttp.request('GET', `/check-state?device_uuid=${uuid}`, undefined, {
      headers: { 'x-forwarded-for': '8.8.8.8' },
    });
    expect([res.status, res.body]).toEqual([
      200,
      { success: false, reason: 'This server accepts DigitME2 tablets only on its local network' },
    ]);
    const login = await tabletHttp.request(
      'POST',
      '/android-login',
      { user_id: '1', password: '1234', device_uuid: uuid },
      { headers: { 'x-forwarded-for': '8.8.8.8' } },
    );
    expect(login.body).toEqual({ success: false, reason: 'This server accepts DigitME2 tablets only on its local network' });
    expect(await snapshot(app.dataSource)).toEqual(before);
  });
});

describe('operators and the machine state', () => {
  it('tablet login and logout do not change the machine state, even mid-job', async () => {
    const machineId = await newMachine('Mid-job');
    const { uuid } = await pairedTablet(machineId);
    clock.set(T(23));
    expect((await c.device.post(`/api/v1/machines/${machineId}/jobs`, { jobNumber: 'D-1' })).status).toBe(201);
    const intervals = await timeline(machineId);
    const events = async () => app.dataSource.query(`SELECT * FROM state_events WHERE "machineId" = $1 ORDER BY id`, [machineId]);
    const stored = await events();
    clock.set(T(23, 1));
    await signIn(uuid);
    expect((await c.viewer.get(`/api/v1/machines/${machineId}`)).body.state).toMatchObject({ activityCodeId: 1, operatorId: operator.id });
    clock.set(T(23, 2));
    await logoutTwice(uuid);
    expect(await timeline(machineId)).toEqual(intervals);
    expect(await events()).toEqual(stored);
    expect((await c.viewer.get(`/api/v1/machines/${machineId}`)).body.state).toMatchObject({
      activityCodeId: 1,
      jobId: expect.any(Number),
      operatorId: null,
    });
  });

  it('an admin forces a logout (audited); others may not', async () => {
    const machineId = await newMachine('Forced');
    const { uuid, tabletId } = await pairedTablet(machineId);
    clock.set(T(23, 10));
    await signIn(uuid);
    expect((await c.operator.post(`/api/v1/tablets/${tabletId}/logout`)).status).toBe(403);
    expect((await c.supervisor.post(`/api/v1/tablets/${tabletId}/logout`)).status).toBe(403);
    const res = await c.admin.post(`/api/v1/tablets/${tabletId}/logout`);
    expect([res.status, res.body]).toEqual([
      200,
      { id: tabletId, name: `Tablet ${tabletId}`, machineId, deviceUuid: uuid, operatorId: null },
    ]);
    expect(await checkState(uuid)).toMatchObject({ state: 'no_user' });
    expect(await timeline(machineId)).toEqual([]);
    const audit = await app.dataSource.query(
      `SELECT action, "userId", before, after FROM audit_log WHERE entity = 'tablet' AND "entityId" = $1 AND action LIKE 'tablet.%' ORDER BY id`,
      [String(tabletId)],
    );
    const admin = (await c.admin.get('/api/v1/session')).body.user.id;
    expect(audit.slice(-2)).toEqual([
      expect.objectContaining({ action: 'tablet.sign-out', userId: operator.id }),
      { action: 'tablet.force-logout', userId: admin, before: { operatorId: operator.id }, after: { operatorId: null } },
    ]);
    expect((await c.admin.post(`/api/v1/tablets/${tabletId}/logout`)).status).toBe(200); // nobody signed in: harmless
    expect((await c.admin.post('/api/v1/tablets/999999/logout')).status).toBe(404);
  });
});
