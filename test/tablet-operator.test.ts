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
const T = (h: number, m = 0, s = 0) => new Date(`${DAY}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.000Z`).toISOString();
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
    expect(tablet.state.codes.map((code) => code.shortDescription)).toEqual(['Up', 'Down', 'Closed', 'Overtime', 'Jam', 'Setting', 'Lunch break']);

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
      { start: T(7, 40), end: null, activityCodeId: codes['Lunch break'], category: 'planned_shutdown', jobId: null, operatorId: operator.id },
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
