import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { seededRandom } from '../core/seeded-random.js';
import { ApiClient } from './support/http-client.js';
import { ADMIN_PASSWORD, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The write path's statements are prepared (db/repositories/event-append.repository.ts) unless
 * OEE_DB_PREPARED_STATEMENTS=off. Both ways must store the same timeline from the same deliveries,
 * well past the fifth call of each statement (when PostgreSQL may switch to a generic plan), for one
 * machine per write and for several in one batch (the two forms of the write-context read).
 */
const UP = 1;
const DOWN = 2;
const DAY = Date.parse('2026-05-04T06:00:00.000Z');
const iso = (minute: number) => new Date(DAY + minute * 60_000).toISOString();

let prepared: TestApp;
let unprepared: TestApp;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  const clock = new FixedClock(new Date(DAY + 12 * 3_600_000));
  const env = { OEE_SESSION_SECRET: 'a shared secret of at least 32 characters' };
  prepared = await startTestApp({ databaseUrl, clock, env });
  unprepared = await startTestApp({ databaseUrl, clock, env: { ...env, OEE_DB_PREPARED_STATEMENTS: 'off' } });
});

afterAll(async () => {
  await Promise.all([prepared?.stop(), unprepared?.stop()]);
});

interface Delivery {
  /** Index into a pair of machines; both: one batch for the two. */
  machines: (0 | 1)[];
  events: { minute: number; code: number; eventId: string | null }[];
}

/** Deliveries in arrival order: mostly in time order, some late (re-projection), some repeated (duplicates). */
function deliveries(seed: number, n: number): Delivery[] {
  const next = seededRandom(seed);
  const out: Delivery[] = [];
  let minute = 0;
  for (let i = 0; i < n; i++) {
    const late = next() < 0.2 && minute > 30;
    const at = late ? Math.floor(next() * minute) : (minute += 1 + Math.floor(next() * 10));
    const events = [{ minute: at, code: next() < 0.5 ? UP : DOWN, eventId: next() < 0.3 ? `e-${seed}-${i}` : null }];
    if (next() < 0.2) events.push({ minute: at + 1, code: events[0]!.code === UP ? DOWN : UP, eventId: null });
    out.push({ machines: next() < 0.3 ? [0, 1] : [next() < 0.5 ? 0 : 1], events });
    // A retry of a delivery with event ids: a duplicate, whichever instance takes it.
    if (events.every((e) => e.eventId !== null) && next() < 0.5) out.push(out.at(-1)!);
  }
  return out;
}

async function timeline(viewer: ApiClient, machineId: number) {
  const res = await viewer.get(`/api/v1/machines/${machineId}/timeline?from=${iso(-60)}&to=${iso(600)}`);
  expect(res.status).toBe(200);
  return (res.body.intervals as { start: string; end: string | null; activityCodeId: number; jobId: number | null }[]).map((i) => [
    i.start,
    i.end,
    i.activityCodeId,
    i.jobId === null ? null : 'its job', // each machine has a job of its own
  ]);
}

describe('prepared and unprepared write statements', () => {
  it('store the same timelines and answers for the same deliveries (120 deliveries, one machine and two per batch)', async () => {
    const admin = await new ApiClient(prepared.url).signIn('admin', ADMIN_PASSWORD);
    const key = (await admin.post('/api/v1/api-keys', { name: 'device', role: 'device' })).body.key as string;
    // Each machine runs a job from before every delivery (Up needs one).
    const machine = async (name: string) => {
      const id = (await admin.post('/api/v1/machines', { name })).body.id as number;
      const job = await admin.post(`/api/v1/machines/${id}/jobs`, { jobNumber: `J-${name}`, idealCycleTimeSeconds: 30, at: iso(-30) });
      expect(job.status).toBe(201);
      return id;
    };
    const pairs = {
      prepared: { device: new ApiClient(prepared.url, key), ids: [await machine('P0'), await machine('P1')] },
      unprepared: { device: new ApiClient(unprepared.url, key), ids: [await machine('U0'), await machine('U1')] },
    };
    const answers: Record<keyof typeof pairs, [number, unknown][]> = { prepared: [], unprepared: [] };
    for (const d of deliveries(19_004, 120)) {
      for (const side of ['prepared', 'unprepared'] as const) {
        const { device, ids } = pairs[side];
        const events = d.machines.flatMap((m) =>
          d.events.map((e) => ({
            machineId: ids[m],
            at: iso(e.minute),
            activityCodeId: e.code,
            ...(e.eventId ? { eventId: `${e.eventId}-${m}` } : {}),
          })),
        );
        const res = await device.post('/api/v1/events', { events });
        answers[side].push([res.status, res.body]);
      }
    }
    expect(answers.unprepared).toEqual(answers.prepared);
    expect(answers.prepared.filter(([status]) => status !== 200)).toEqual([]);
    for (const m of [0, 1]) {
      const stored = await timeline(admin, pairs.prepared.ids[m]!);
      expect(stored.length).toBeGreaterThan(10);
      expect(await timeline(admin, pairs.unprepared.ids[m]!)).toEqual(stored);
    }
  });

  it('refuses a value of OEE_DB_PREPARED_STATEMENTS other than on or off at start-up', async () => {
    await expect(startTestApp({ env: { OEE_DB_PREPARED_STATEMENTS: 'yes' } })).rejects.toThrow(/OEE_DB_PREPARED_STATEMENTS/);
  });
});
