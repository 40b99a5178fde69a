import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { clientsForRoles } from './support/http-client.js';
import { TabletClient } from './support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 17 on the `/tablet` namespace: reasons between jobs, the running job's target and the shift's OEE
 * in `tablet:state`. The clock is pinned, so every figure is exact.
 */
const DAY = '2026-11-24';
const T = (h: number, m = 0, s = 0) =>
  new Date(`${DAY}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.000Z`).toISOString();
const clock = new FixedClock(new Date(T(12)));

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let operator: { id: number; pin: string };
const codes: Record<string, number> = {};
const open: TabletClient[] = [];

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  expect((await c.admin.put('/api/v1/site', { timezone: 'UTC', microStopSeconds: 0 })).status).toBe(200);
  for (const [shortDescription, category] of [
    ['Jam', 'unplanned_stop'],
    ['Setting', 'planned_stop'],
    ['Lunch break', 'planned_shutdown'],
    ['Hidden', 'unplanned_stop'],
  ] as const) {
    codes[shortDescription] = (await c.admin.post('/api/v1/activity-codes', { shortDescription, category, colour: '#445566' })).body.id;
  }
  const user = await c.admin.post('/api/v1/users', { username: 'ines', role: 'operator', pin: '1357' });
  operator = { id: user.body.id, pin: '1357' };
});
afterAll(async () => {
  for (const client of open) client.close();
  await app?.stop();
});

async function signedIn(name: string, machine: Record<string, unknown> = {}) {
  const m = await c.admin.post('/api/v1/machines', { name, ...machine });
  expect(m.status).toBe(201);
  const t = await c.admin.post('/api/v1/tablets', { name: `Tablet ${name}`, machineId: m.body.id });
  const tablet = await TabletClient.open(app.url, t.body.token);
  open.push(tablet);
  await tablet.ok('operator:sign-in', { userId: operator.id, pin: operator.pin, at: T(5) });
  return { machineId: m.body.id as number, tablet };
}

const window = `from=${T(0)}&to=${T(23)}`;
const timeline = async (machineId: number) => (await c.viewer.get(`/api/v1/machines/${machineId}/timeline?${window}`)).body.intervals;

describe('reasons between jobs', () => {
  it('sets any offered stop code with no job; running codes still need one; excluded codes are refused', async () => {
    const { machineId, tablet } = await signedIn('Between', { excludedActivityCodeIds: [codes.Hidden] });
    expect(tablet.state.codes.map((code) => code.shortDescription)).toEqual([
      'Up',
      'Down',
      'Closed',
      'Overtime',
      'Jam',
      'Setting',
      'Lunch break',
    ]);

    await tablet.ok('job:start', { jobNumber: 'B-1', at: T(6) });
    await tablet.ok('job:end', { good: 10, rejects: 0, at: T(7) });
    await tablet.ok('activity:set', { activityCodeId: codes.Setting, at: T(7, 10) });
    expect(tablet.state.job).toBeNull();
    expect(tablet.state.current).toEqual({ activityCodeId: codes.Setting, category: 'planned_stop', since: T(7, 10) });
    await tablet.ok('activity:set', { activityCodeId: codes['Lunch break'], at: T(7, 40) });

    for (const [payload, code] of [
      [{ activityCodeId: 1, at: T(8) }, 'conflict'], // Up
      [{ activityCodeId: 4, at: T(8) }, 'conflict'], // Overtime (running)
      [{ activityCodeId: codes.Hidden, at: T(8) }, 'invalid_input'],
      [{ activityCodeId: 999_999, at: T(8) }, 'invalid_input'],
    ] as const) {
      const ack = await tablet.send('activity:set', payload);
      expect([payload.activityCodeId, ack.ok ? 'ok' : ack.error.code]).toEqual([payload.activityCodeId, code]);
    }

    const job = (await c.viewer.get(`/api/v1/jobs?${window}&machineId=${machineId}`)).body.jobs[0];
    expect(await timeline(machineId)).toEqual([
      { start: T(6), end: T(7), activityCodeId: 1, category: 'running', jobId: job.id, operatorId: operator.id },
      { start: T(7), end: T(7, 10), activityCodeId: 2, category: 'unplanned_stop', jobId: null, operatorId: operator.id },
      { start: T(7, 10), end: T(7, 40), activityCodeId: codes.Setting, category: 'planned_stop', jobId: null, operatorId: operator.id },
      {
        start: T(7, 40),
        end: null,
        activityCodeId: codes['Lunch break'],
        category: 'planned_shutdown',
        jobId: null,
        operatorId: operator.id,
      },
    ]);
  });
});

describe('the running job: target and shift OEE', () => {
  it('gives the run time so far (running time since the job start) and the shift OEE, exactly', async () => {
    clock.set(T(12));
    const { tablet } = await signedIn('Target', { jobStartInputType: 'cycle_time_seconds' });
    // No job: neither figure.
    expect([tablet.state.job, tablet.state.shiftOee]).toEqual([null, null]);

    await tablet.ok('job:start', { jobNumber: 'T-1', input: { value: 30 }, at: T(10) });
    await tablet.ok('activity:set', { activityCodeId: codes.Jam, at: T(11) });
    await tablet.ok('activity:set', { activityCodeId: 1, at: T(11, 15) });
    await tablet.ok('production:record', { good: 100, rejects: 4, at: T(11, 50) });

    // Running 10:00–11:00 and 11:15–12:00: 6300 s, so a target of 6300 / 30 = 210 parts against 104 made.
    const state = tablet.state;
    expect(state.serverTime).toBe(T(12));
    expect(state.job).toMatchObject({ jobNumber: 'T-1', idealCycleTimeSeconds: 30, good: 100, rejects: 4, runSeconds: 6300 });
    // Planned 24/7 in UTC: the shift is the local day; the history starts at 10:00, so 2 h are planned.
    expect(state.shiftOee).toEqual({
      from: T(0),
      to: new Date(Date.parse(T(0)) + 86_400_000).toISOString(),
      availability: 6300 / 7200,
      performance: (30 * 104) / 6300,
      quality: 100 / 104,
      oee: expect.any(Number),
    });
    expect(state.shiftOee!.oee).toBeCloseTo((6300 / 7200) * ((30 * 104) / 6300) * (100 / 104), 12);

    // A minute later, still running: 60 s more.
    clock.advance(60);
    await tablet.ok('production:record', { good: 1, rejects: 0 });
    expect(tablet.state.job!.runSeconds).toBe(6360);

    // Stopped: the stop adds nothing.
    await tablet.ok('activity:set', { activityCodeId: codes.Jam });
    clock.advance(600);
    await tablet.ok('production:record', { good: 1, rejects: 0 });
    expect(tablet.state.job!.runSeconds).toBe(6360);
    expect(tablet.state.shiftOee!.availability).toBe(6360 / (7200 + 660));

    await tablet.ok('job:end', { good: 0, rejects: 0 });
    expect([tablet.state.job, tablet.state.shiftOee]).toEqual([null, null]);
  });
});

describe("the machine's autofill of the job-start input", () => {
  it('is set on the machine (admin only), pre-fills the tablet and the DigitME2 tablet, and is validated', async () => {
    const created = await c.admin.post('/api/v1/machines', { name: 'Autofill', jobStartInputType: 'parts_per_hour', jobStartAutofill: 40 });
    expect([created.status, created.body.jobStartAutofill]).toEqual([201, 40]);
    const id = created.body.id as number;
    expect((await c.viewer.get(`/api/v1/machines/${id}`)).body.jobStartAutofill).toBe(40);
    // Default: none.
    expect((await c.admin.post('/api/v1/machines', { name: 'No autofill' })).body.jobStartAutofill).toBeNull();

    for (const bad of [0, -1, '40', 2e9, true]) {
      const res = await c.admin.patch(`/api/v1/machines/${id}`, { jobStartAutofill: bad });
      expect([bad, res.status, res.body.error.issues.map((i: { path: string[] }) => i.path.join('.'))]).toEqual([
        bad,
        400,
        ['jobStartAutofill'],
      ]);
    }
    for (const role of ['supervisor', 'operator', 'viewer', 'device'] as const) {
      expect([role, (await c[role].patch(`/api/v1/machines/${id}`, { jobStartAutofill: 10 })).status]).toEqual([role, 403]);
    }
    expect((await c.anonymous.patch(`/api/v1/machines/${id}`, { jobStartAutofill: 10 })).status).toBe(401);
    expect((await c.admin.patch('/api/v1/machines/999999', { jobStartAutofill: 10 })).status).toBe(404);
    // The machine's other rules still hold in the same request: a name another machine has is a conflict.
    expect((await c.admin.patch(`/api/v1/machines/${id}`, { jobStartAutofill: 10, name: 'No autofill' })).status).toBe(409);
    expect((await c.viewer.get(`/api/v1/machines/${id}`)).body.jobStartAutofill).toBe(40);

    const t = await c.admin.post('/api/v1/tablets', { name: 'Autofill tablet', machineId: id });
    const tablet = await TabletClient.open(app.url, t.body.token);
    open.push(tablet);
    expect(tablet.state.jobStartAutofill).toBe(40);
    // Input types without one number to fill get none, whatever is stored.
    const next = tablet.next((s) => s.jobStartInputType === 'planned_qty_minutes');
    expect((await c.admin.patch(`/api/v1/machines/${id}`, { jobStartInputType: 'planned_qty_minutes' })).status).toBe(200);
    expect((await next).jobStartAutofill).toBeNull();
    const back = tablet.next((s) => s.jobStartInputType === 'cycle_time_minutes');
    expect((await c.admin.patch(`/api/v1/machines/${id}`, { jobStartInputType: 'cycle_time_minutes', jobStartAutofill: 2.5 })).status).toBe(
      200,
    );
    expect((await back).jobStartAutofill).toBe(2.5);

    // The DigitME2 tablet gets it as the cycle-time field's autofill (docs/digitme2.md).
    const uuid = '6f1c2a0e-2f7b-4d3c-9a51-1f0e5d7c9b21';
    const http = c.anonymous;
    expect((await http.get(`/check-state?device_uuid=${uuid}`)).status).toBe(200);
    const legacy = ((await c.admin.get('/api/v1/tablets')).body as { id: number; deviceUuid: string | null }[]).find(
      (x) => x.deviceUuid === uuid,
    )!;
    expect((await c.admin.patch(`/api/v1/tablets/${legacy.id}`, { machineId: id })).status).toBe(200);
    expect((await http.post('/android-login', { user_id: String(operator.id), password: operator.pin, device_uuid: uuid })).body).toEqual({
      success: true,
    });
    expect((await http.get(`/check-state?device_uuid=${uuid}`)).body.requested_data).toEqual({
      job_number: { title: 'Job Number', type: 'text', autofill: '' },
      ideal_cycle_time: { title: 'Ideal cycle time (min)', type: 'number', autofill: 2.5 },
    });
  });
});

describe('a job started late on the tablet', () => {
  it('starts at `start`, checked against the tap, the current state and the live window', async () => {
    clock.set(T(12));
    const { machineId, tablet } = await signedIn('Late');
    await tablet.ok('activity:set', { activityCodeId: codes.Setting, at: T(9) });

    const refusals: [Record<string, unknown>, string][] = [
      [{ jobNumber: 'L-1', start: T(11, 50), at: T(11, 40) }, 'invalid_input'], // after the tap
      [{ jobNumber: 'L-1', start: '11:00' }, 'invalid_input'],
      [{ jobNumber: 'L-1', start: T(12, 30) }, 'invalid_input'], // after now
      [{ jobNumber: 'L-1', start: T(8, 30) }, 'conflict'], // before Setting began at 09:00
    ];
    for (const [payload, code] of refusals) {
      const ack = await tablet.send('job:start', payload);
      expect([payload, ack.ok ? 'ok' : ack.error.code]).toEqual([payload, code]);
    }
    const conflict = await tablet.send('job:start', { jobNumber: 'L-1', start: T(8, 30) });
    expect(conflict.ok ? null : conflict.error.message).toBe(
      'The machine has been in Setting since 09:00; a job started on the tablet cannot begin before that (a supervisor can correct older history)',
    );

    await tablet.ok('job:start', { jobNumber: 'L-1', input: { value: 20 }, start: T(11, 30), eventId: 'late-1' });
    expect(tablet.state.job).toMatchObject({ jobNumber: 'L-1', start: T(11, 30), runSeconds: 1800 });
    expect(tablet.state.current).toEqual({ activityCodeId: 1, category: 'running', since: T(11, 30) });
    // The replay is a duplicate, whatever its start.
    expect(await tablet.send('job:start', { jobNumber: 'L-1', start: T(11, 30), eventId: 'late-1' })).toEqual({
      ok: true,
      data: { duplicate: true },
    });
    const job = (await c.viewer.get(`/api/v1/jobs?${window}&machineId=${machineId}`)).body.jobs;
    expect(job).toMatchObject([{ jobNumber: 'L-1', start: T(11, 30), end: null, idealCycleTimeSeconds: 20 }]);
    expect((await timeline(machineId)).slice(-2)).toEqual([
      { start: T(9), end: T(11, 30), activityCodeId: codes.Setting, category: 'planned_stop', jobId: null, operatorId: operator.id },
      { start: T(11, 30), end: null, activityCodeId: 1, category: 'running', jobId: job[0].id, operatorId: operator.id },
    ]);
    await tablet.ok('job:end', { good: 0, rejects: 0 });
  });

  it('refuses a start before the live window (403) and a start with nobody signed in', async () => {
    clock.set(T(12));
    const { tablet } = await signedIn('Late window');
    const days = (await c.admin.get('/api/v1/site')).body.liveWindowDays as number;
    const old = new Date(Date.parse(T(12)) - (days + 1) * 86_400_000).toISOString();
    const ack = await tablet.send('job:start', { jobNumber: 'W-1', start: old });
    expect(ack.ok ? 'ok' : ack.error.code).toBe('forbidden');

    await tablet.ok('operator:sign-out', {});
    const unsigned = await tablet.send('job:start', { jobNumber: 'W-1', start: T(11) });
    expect(unsigned.ok ? 'ok' : unsigned.error.code).toBe('unauthenticated');
    expect(tablet.state.job).toBeNull();
  });
});

describe('resume notes', () => {
  it('are stored with the pause they explain and listed by GET /api/v1/machines/{id}/resume-notes', async () => {
    clock.set(T(12));
    const { machineId, tablet } = await signedIn('Notes', { workflowType: 'pausable' });
    await tablet.ok('job:start', { jobNumber: 'N-1', at: T(8) });
    await tablet.ok('job:pause', { at: T(9) });
    await tablet.ok('job:resume', { reason: codes.Jam, notes: 'belt slipped', at: T(9, 20) });
    await tablet.ok('job:pause', { at: T(10) });
    // A reason without notes: the job's text line, but nothing for the timeline.
    await tablet.ok('job:resume', { reason: codes.Setting, at: T(10, 5) });
    await tablet.ok('job:pause', { at: T(11) });
    await tablet.ok('job:resume', { notes: 'waited for the fork-lift', at: T(11, 30), eventId: 'resume-3' });
    // A replay adds nothing.
    expect(await tablet.send('job:resume', { notes: 'waited for the fork-lift', at: T(11, 30), eventId: 'resume-3' })).toEqual({
      ok: true,
      data: { duplicate: true },
    });
    const job = (await c.viewer.get(`/api/v1/jobs?${window}&machineId=${machineId}`)).body.jobs[0];

    const all = await c.viewer.get(`/api/v1/machines/${machineId}/resume-notes?${window}`);
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      notes: [
        {
          id: expect.any(Number),
          jobId: job.id,
          jobNumber: 'N-1',
          pausedAt: T(9),
          resumedAt: T(9, 20),
          activityCodeId: codes.Jam,
          notes: 'belt slipped',
        },
        {
          id: expect.any(Number),
          jobId: job.id,
          jobNumber: 'N-1',
          pausedAt: T(11),
          resumedAt: T(11, 30),
          activityCodeId: 2,
          notes: 'waited for the fork-lift',
        },
      ],
      truncated: false,
      next: null,
    });
    // The job's DigitME2 text keeps every line.
    expect((await app.dataSource.query(`SELECT notes FROM jobs WHERE id = $1`, [job.id]))[0].notes).toBe(
      '09:00 - Jam - belt slipped\n10:00 - Setting - \n11:00 - Down - waited for the fork-lift\n',
    );
    // A window holding only the end of the first pause, and one after both.
    expect(
      (await c.viewer.get(`/api/v1/machines/${machineId}/resume-notes?from=${T(9, 10)}&to=${T(10)}`)).body.notes.map(
        (n: { notes: string }) => n.notes,
      ),
    ).toEqual(['belt slipped']);
    expect((await c.viewer.get(`/api/v1/machines/${machineId}/resume-notes?from=${T(11, 45)}&to=${T(12)}`)).body.notes).toEqual([]);

    // Every signed-in role reads them; a device key may not (403), nobody signed in neither (401); bad
    // windows and unknown machines are refused.
    for (const role of ['admin', 'supervisor', 'operator', 'viewer'] as const) {
      expect([role, (await c[role].get(`/api/v1/machines/${machineId}/resume-notes?${window}`)).status]).toEqual([role, 200]);
    }
    expect((await c.device.get(`/api/v1/machines/${machineId}/resume-notes?${window}`)).status).toBe(403);
    expect((await c.anonymous.get(`/api/v1/machines/${machineId}/resume-notes?${window}`)).status).toBe(401);
    for (const query of [`from=${T(12)}&to=${T(11)}`, `from=yesterday&to=${T(11)}`, `from=${T(11)}`, `${window}&extra=1`]) {
      expect([query, (await c.viewer.get(`/api/v1/machines/${machineId}/resume-notes?${query}`)).status]).toEqual([query, 400]);
    }
    // A path id that is not a number names no machine, as on every route of the API.
    expect((await c.viewer.get(`/api/v1/machines/abc/resume-notes?${window}`)).status).toBe(404);
    expect((await c.viewer.get(`/api/v1/machines/999999/resume-notes?${window}`)).status).toBe(404);
  });
});
