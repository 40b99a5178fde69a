import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { assertTiles, snapshot } from './support/db-snapshot.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
const machines: number[] = [];
/** Codes this suite adds (after the seeded 1–5). */
let SETTING = 0;
let JAM = 0;

beforeAll(async () => {
  app = await startTestApp();
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  for (let i = 1; i <= 8; i++) machines.push((await c.admin.post('/api/v1/machines', { name: `M${i}` })).body.id);
  SETTING = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Setting', category: 'running', colour: '#00AA00' })).body.id;
  JAM = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' })).body.id;
});
afterAll(() => app.stop());

const timeline = async (machineId: number, from = '2026-01-01T00:00:00Z', to = '2027-01-01T00:00:00Z') =>
  (await c.viewer.get(`/api/v1/machines/${machineId}/timeline?from=${from}&to=${to}`)).body.intervals as {
    start: string;
    end: string | null;
    activityCodeId: number;
    jobId: number | null;
  }[];

describe('legacy device API: POST /api/machine-state-change', () => {
  it('answers exactly as legacy-api.md says', async () => {
    const anon = new ApiClient(app.url);
    const m = machines[0]!;
    expect((await anon.post('/api/machine-state-change', { machine_id: 999_999, machine_state: 2 })).status).toBe(404);
    const up = await anon.post('/api/machine-state-change', { machine_id: m, machine_state: 1 });
    expect(up.status).toBe(400);
    expect(up.body.error.message).toBe('Cannot set a machine to up when there is no active job');
    const running = await anon.post('/api/machine-state-change', { machine_id: m, activity_code_id: SETTING });
    expect(running.status).toBe(409);
    expect(running.body.error.message).toBe('Cannot set a machine to up when there is no active job');
    expect((await anon.post('/api/machine-state-change', { machine_id: m, machine_state: 2, extra: 'ignored' })).status).toBe(200);
    expect((await anon.post('/api/machine-state-change', { machine_id: String(m), machine_state: '0' })).status).toBe(200);
    expect((await anon.post('/api/machine-state-change', { machine_id: m, activity_code_id: JAM })).status).toBe(200);
    expect((await anon.post('/api/machine-state-change', { machine_id: 'x', machine_state: 1 })).status).toBe(400);
    expect((await anon.post('/api/machine-state-change', { machine_id: m })).status).toBe(400);
    expect((await anon.post('/api/machine-state-change', { machine_id: m, activity_code_id: 999_999 })).status).toBe(400);
    expect((await anon.request('POST', '/api/machine-state-change', undefined, { raw: '{"machine_id": 1,' })).status).toBe(400);
    // With a job running, Up is accepted.
    expect((await c.device.post(`/api/v1/machines/${m}/jobs`, { jobNumber: 'J1' })).status).toBe(201);
    expect((await anon.post('/api/machine-state-change', { machine_id: m, machine_state: 1 })).status).toBe(200);
    const intervals = await timeline(m, '2026-11-01T00:00:00Z');
    expect(intervals.at(-1)!.activityCodeId).toBe(1);
    expect(intervals.at(-1)!.end).toBeNull();
  });

  it('needs a device key when anonymous calls are switched off', async () => {
    const strict = await startTestApp({ env: { OEE_LEGACY_ANONYMOUS: 'off' } });
    try {
      const admin = await new ApiClient(strict.url).signIn('admin', ADMIN_PASSWORD);
      const m = (await admin.post('/api/v1/machines', { name: 'Strict' })).body.id;
      const key = (await admin.post('/api/v1/api-keys', { name: 'dev', role: 'device' })).body.key;
      const viewer = (await admin.post('/api/v1/api-keys', { name: 'view', role: 'viewer' })).body.key;
      expect((await new ApiClient(strict.url).post('/api/machine-state-change', { machine_id: m, machine_state: 2 })).status).toBe(401);
      expect((await new ApiClient(strict.url, viewer).post('/api/machine-state-change', { machine_id: m, machine_state: 2 })).status).toBe(
        403,
      );
      expect((await new ApiClient(strict.url, key).post('/api/machine-state-change', { machine_id: m, machine_state: 2 })).status).toBe(
        200,
      );
    } finally {
      await strict.stop();
    }
  });
});

describe('POST /api/v1/events', () => {
  it('puts a late event where it belongs: 10:00, 12:00, then 11:00 → 10–11, 11–12, 12–open', async () => {
    const m = machines[1]!;
    await c.device.post('/api/v1/events', { events: [{ machineId: m, at: '2026-11-24T10:00:00Z', activityCodeId: 2 }] });
    await c.device.post('/api/v1/events', { events: [{ machineId: m, at: '2026-11-24T12:00:00Z', activityCodeId: 3 }] });
    const late = await c.device.post('/api/v1/events', { events: [{ machineId: m, at: '2026-11-24T11:00:00Z', activityCodeId: JAM }] });
    expect(late.body).toEqual({ accepted: 1, duplicates: 0 });
    expect(await timeline(m)).toEqual([
      {
        start: '2026-11-24T10:00:00.000Z',
        end: '2026-11-24T11:00:00.000Z',
        activityCodeId: 2,
        category: 'unplanned_stop',
        jobId: null,
        operatorId: null,
      },
      {
        start: '2026-11-24T11:00:00.000Z',
        end: '2026-11-24T12:00:00.000Z',
        activityCodeId: JAM,
        category: 'unplanned_stop',
        jobId: null,
        operatorId: null,
      },
      { start: '2026-11-24T12:00:00.000Z', end: null, activityCodeId: 3, category: 'planned_shutdown', jobId: null, operatorId: null },
    ]);
  });

  it('reports a replayed batch as duplicates and changes nothing', async () => {
    const m = machines[2]!;
    const batch = {
      events: [0, 1, 2, 3].map((i) => ({
        eventId: `dev-${i}`,
        machineId: m,
        at: `2026-11-24T0${i}:00:00Z`,
        activityCodeId: i % 2 ? JAM : 2,
      })),
    };
    expect((await c.device.post('/api/v1/events', batch)).body).toEqual({ accepted: 4, duplicates: 0 });
    const before = await snapshot(app.dataSource);
    expect((await c.device.post('/api/v1/events', batch)).body).toEqual({ accepted: 0, duplicates: 4 });
    expect(await snapshot(app.dataSource)).toEqual(before);
  });

  it('refuses a whole batch for one bad event, naming its index, and stores nothing', async () => {
    const m = machines[3]!;
    const before = await snapshot(app.dataSource);
    const res = await c.device.post('/api/v1/events', {
      events: [
        { machineId: m, activityCodeId: 2 },
        { machineId: 999_999, activityCodeId: 2 },
        { machineId: m, activityCodeId: 2 },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([{ path: ['events', 1, 'machineId'], message: 'no machine with id 999999' }]);
    const up = await c.device.post('/api/v1/events', {
      events: [
        { machineId: m, activityCodeId: 2 },
        { machineId: m, state: 'up' },
      ],
    });
    expect(up.status).toBe(400);
    expect(up.body.error.issues[0].path).toEqual(['events', 1, 'activityCodeId']);
    expect(await snapshot(app.dataSource)).toEqual(before);
  });

  it('refuses bad input with a clear 4xx and leaves the database unchanged', async () => {
    const m = machines[3]!;
    const before = await snapshot(app.dataSource);
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    const cases: [unknown, number][] = [
      [{ events: [{ machineId: m, at: future, activityCodeId: 2 }] }, 400],
      [{ events: [{ machineId: m, at: 'yesterday', activityCodeId: 2 }] }, 400],
      [{ events: [{ machineId: m, activityCodeId: 2, state: 'down' }] }, 400],
      [{ events: [{ machineId: m }] }, 400],
      [{ events: [{ machineId: '1; DROP TABLE machines', activityCodeId: 2 }] }, 400],
      [{ events: [] }, 400],
      [{ events: [{ machineId: m, activityCodeId: 999_999 }] }, 400],
      [{ events: [{ machineId: m, activityCodeId: 2, eventId: 'x'.repeat(101) }] }, 400],
      [{ events: [{ machineId: 999_999, activityCodeId: 2 }] }, 404],
      [{ events: [{ machineId: m, state: 'up' }] }, 409],
      [{ events: [{ machineId: m, activityCodeId: 1 }] }, 409],
      [{ events: [{ machineId: m, activityCodeId: SETTING }] }, 409],
      [[1, 2, 3], 400],
      ['text', 400],
    ];
    for (const [body, status] of cases) {
      const res = await c.device.post('/api/v1/events', body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), status]);
      expect(res.body.error.code).toBeTypeOf('string');
    }
    // Up without an active job: well formed, but in conflict with the machine's state (no job).
    const up = await c.device.post('/api/v1/events', { events: [{ machineId: m, state: 'up' }] });
    expect([up.status, up.body.error.code, up.body.error.message]).toEqual([
      409,
      'conflict',
      'Cannot set a machine to up when there is no active job',
    ]);
    expect((await c.device.request('POST', '/api/v1/events', undefined, { raw: '{"events": [' })).status).toBe(400);
    const huge = JSON.stringify({ events: [{ machineId: m, activityCodeId: 2, eventId: 'x'.repeat(3_000_000) }] });
    const tooLarge = await c.device.request('POST', '/api/v1/events', undefined, { raw: huge });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('payload_too_large');
    const tooMany = await c.device.post('/api/v1/events', {
      events: Array.from({ length: 5001 }, () => ({ machineId: m, activityCodeId: 2 })),
    });
    expect(tooMany.status).toBe(400);
    expect((await c.viewer.post('/api/v1/events', { events: [{ machineId: m, activityCodeId: 2 }] })).status).toBe(403);
    expect((await c.anonymous.post('/api/v1/events', { events: [{ machineId: m, activityCodeId: 2 }] })).status).toBe(401);
    expect(await snapshot(app.dataSource)).toEqual(before);
  });

  it('keeps every machine tiled under 10 concurrent writers × 5 machines × hundreds of events, in any order', async () => {
    const targets = machines.slice(3, 8);
    // A device may write up to 31 days back (the site's live window): the spread of ~7 days ends before now.
    const base = Math.floor(Date.now() / 1000) * 1000 - 8 * 86_400_000;
    const perWriter = 60;
    const writers = Array.from({ length: 10 }, (_, w) =>
      (async () => {
        for (let i = 0; i < perWriter; i++) {
          const machineId = targets[(w + i) % targets.length]!;
          // Spread times so writers interleave out of order; distinct times per event.
          const at = new Date(base + (((i * 10 + w) * 7919) % 600_000) * 1000 + w).toISOString();
          const single = i % 3 !== 0;
          const events = single
            ? [{ eventId: `w${w}-${i}`, machineId, at, activityCodeId: [2, 3, JAM][(w + i) % 3] }]
            : [0, 1, 2].map((k) => ({
                eventId: `w${w}-${i}-${k}`,
                machineId: targets[(w + i + k) % targets.length]!,
                at: new Date(Date.parse(at) + k * 1000).toISOString(),
                activityCodeId: [2, 3, JAM][(w + k) % 3],
              }));
          const res = await c.device.post('/api/v1/events', { events });
          if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
        }
      })(),
    );
    await Promise.all(writers);
    const expectedEvents = 10 * (perWriter / 3) * 2 + 10 * (perWriter / 3) * 3;
    const [row] = await app.dataSource.query(`SELECT count(*)::int AS n FROM state_events WHERE "eventId" LIKE 'w%'`);
    expect(row.n).toBe(expectedEvents);
    for (const machineId of targets) await assertTiles(app.dataSource, machineId);
    // The projection equals a projection from scratch: re-project each machine and compare.
    for (const machineId of targets) {
      const before = await timeline(machineId, '2020-01-01T00:00:00Z');
      const events: { at: Date; activityCodeId: number }[] = await app.dataSource.query(
        `SELECT at, "activityCodeId" FROM state_events WHERE "machineId" = $1 ORDER BY at, id`,
        [machineId],
      );
      const expected: { start: string; activityCodeId: number }[] = [];
      for (const [i, e] of events.entries()) {
        const next = events[i + 1];
        if (next && next.at.getTime() === e.at.getTime()) continue;
        if (expected.at(-1)?.activityCodeId === e.activityCodeId) continue;
        expected.push({ start: e.at.toISOString(), activityCodeId: e.activityCodeId });
      }
      expect(before.map((i) => ({ start: i.start, activityCodeId: i.activityCodeId }))).toEqual(expected);
    }
  });
});

describe('jobs and production', () => {
  it('starts a job, counts production, ends it with counts, and answers retries with the same result', async () => {
    const m = machines[0]!;
    // machine 0 has a running job from the legacy test: end it first
    await c.device.post(`/api/v1/machines/${m}/jobs/current/end`, { at: new Date(Date.now() - 1000).toISOString() });
    const m2 = (await c.admin.post('/api/v1/machines', { name: 'Jobs machine' })).body.id as number;
    const start = { jobNumber: 'A-100', idealCycleTimeSeconds: 30, at: '2026-11-24T08:00:00Z', eventId: 'job-start-1' };
    const started = await c.operator.post(`/api/v1/machines/${m2}/jobs`, start);
    expect(started.status).toBe(201);
    expect(started.body.job).toEqual({
      id: started.body.job.id,
      machineId: m2,
      jobNumber: 'A-100',
      start: '2026-11-24T08:00:00.000Z',
      end: null,
      idealCycleTimeSeconds: 30,
      good: 0,
      rejects: 0,
    });
    expect((await c.operator.post(`/api/v1/machines/${m2}/jobs`, start)).body.job).toEqual(started.body.job);
    const again = await c.operator.post(`/api/v1/machines/${m2}/jobs`, { ...start, eventId: 'job-start-2' });
    expect(again.status).toBe(409);

    const prod = { good: 40, rejects: 2, from: '2026-11-24T08:00:00Z', to: '2026-11-24T09:00:00Z', eventId: 'p-1' };
    const recorded = await c.device.post(`/api/v1/machines/${m2}/production`, prod);
    expect(recorded.status).toBe(201);
    expect(recorded.body.record).toMatchObject({ machineId: m2, jobId: started.body.job.id, good: 40, rejects: 2 });
    expect((await c.device.post(`/api/v1/machines/${m2}/production`, prod)).body.record.id).toBe(recorded.body.record.id);
    expect((await c.device.post(`/api/v1/machines/${m2}/production`, { good: 1, rejects: 0, at: '2026-11-24T09:30:00Z' })).status).toBe(
      201,
    );

    const end = { good: 10, rejects: 1, at: '2026-11-24T10:00:00Z', eventId: 'job-end-1' };
    const ended = await c.operator.post(`/api/v1/machines/${m2}/jobs/current/end`, end);
    expect(ended.status).toBe(200);
    expect(ended.body.job).toMatchObject({ end: '2026-11-24T10:00:00.000Z', good: 51, rejects: 3 });
    expect((await c.operator.post(`/api/v1/machines/${m2}/jobs/current/end`, end)).body.job).toEqual(ended.body.job);
    expect((await c.operator.post(`/api/v1/machines/${m2}/jobs/current/end`, { eventId: 'job-end-2' })).status).toBe(409);

    expect(await timeline(m2)).toEqual([
      {
        start: '2026-11-24T08:00:00.000Z',
        end: '2026-11-24T10:00:00.000Z',
        activityCodeId: 1,
        category: 'running',
        jobId: started.body.job.id,
        operatorId: null,
      },
      { start: '2026-11-24T10:00:00.000Z', end: null, activityCodeId: 2, category: 'unplanned_stop', jobId: null, operatorId: null },
    ]);
    const jobs = (await c.viewer.get(`/api/v1/jobs?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&machineId=${m2}`)).body.jobs;
    expect(jobs).toEqual([ended.body.job]);
    const machine = (await c.viewer.get(`/api/v1/machines/${m2}`)).body;
    expect(machine.state).toMatchObject({ activityCodeId: 2, category: 'unplanned_stop', since: '2026-11-24T10:00:00.000Z', jobId: null });
  });

  it('refuses bad job and production input without storing anything', async () => {
    const m = (await c.admin.post('/api/v1/machines', { name: 'Strict jobs' })).body.id as number;
    await c.device.post(`/api/v1/machines/${m}/jobs`, { jobNumber: 'B', at: '2026-11-24T08:00:00Z' });
    const before = await snapshot(app.dataSource);
    expect((await c.device.post(`/api/v1/machines/${m}/jobs/current/end`, { at: '2026-11-24T07:00:00Z' })).status).toBe(400);
    expect((await c.device.post(`/api/v1/machines/${m}/jobs`, { jobNumber: '' })).status).toBe(400);
    expect((await c.device.post(`/api/v1/machines/999999/jobs`, { jobNumber: 'X' })).status).toBe(404);
    expect((await c.device.post(`/api/v1/machines/${m}/production`, { good: -1, rejects: 0 })).status).toBe(400);
    expect((await c.device.post(`/api/v1/machines/${m}/production`, { good: 1, rejects: 0, from: '2026-11-24T09:00:00Z' })).status).toBe(
      400,
    );
    expect(
      (
        await c.device.post(`/api/v1/machines/${m}/production`, {
          good: 1,
          rejects: 0,
          from: '2026-11-24T09:00:00Z',
          to: '2026-11-24T08:00:00Z',
        })
      ).status,
    ).toBe(400);
    expect((await c.device.post(`/api/v1/machines/${m}/production`, { good: 1.5, rejects: 0 })).status).toBe(400);
    expect((await c.viewer.post(`/api/v1/machines/${m}/production`, { good: 1, rejects: 0 })).status).toBe(403);
    expect((await c.viewer.get(`/api/v1/machines/${m}/timeline?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z`)).status).toBe(400);
    expect((await c.viewer.get(`/api/v1/machines/999999/timeline?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z`)).status).toBe(404);
    expect(await snapshot(app.dataSource)).toEqual(before);
  });
});
