import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { computeElements } from '../core/oee/index.js';
import type { OeeElements } from '../core/oee/index.js';
import type { Category } from '../core/schemas/setup.schema.js';
import {
  projectTimeline,
  type ProjectedInterval,
  type ProjectionCorrection,
  type ProjectionEvent,
  type ProjectionJob,
} from '../core/state/timeline-projection.js';
import { testRunEnv } from '../env.js';
import { ApiClient, clientsForRoles } from './support/http-client.js';
import { TabletClient } from './support/tablet-client.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app.js';
import { OEE_ELEMENT_KEYS } from '../core/oee/index.js';
import { seededRandom } from '../core/seeded-random.js';

/**
 * The invariant of docs/timeline-truth.md, tried on random histories: after EVERY delivery, a machine's
 * stored timeline equals the from-scratch projection (core) of what the API accepted so far, whatever
 * the order, batching, concurrency, retries and transport (device API, legacy route, tablet namespace).
 * At the end, OEE over random windows and every stored roll-up equal the raw calculation.
 *
 * Seeded: PROPERTY_SEED picks the first seed, PROPERTY_RUNS the number of histories (default 300).
 * A failure names its seed and prints the history; rerun it alone with PROPERTY_SEED=<seed> PROPERTY_RUNS=1.
 */
const RUNS = testRunEnv().propertyRuns ?? 300;
const FIRST_SEED = testRunEnv().propertySeed ?? 14_000;

const UP = 1;
const DOWN = 2;
const CLOSED = 3;
let JAM: number;
let SETTING: number;
const DAY = Date.parse('2026-06-10T06:00:00.000Z'); // histories lie in [06:00, 16:00) of this day
const END = new Date(DAY + 14 * 3_600_000); // the clock while deliveries run and OEE is read: 20:00
const minute = (m: number) => DAY + m * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

let app: TestApp;
let c: Awaited<ReturnType<typeof clientsForRoles>>;
let anonymous: ApiClient;
let tablet: TabletClient;
let tabletId: number;
let operatorId: number;
let categories: Map<number, Category>;
const clock = new FixedClock(END);

/** A small seeded generator (mulberry32), so a failing seed can be rerun. */
function rng(seed: number) {
  const next = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  return { next, int, pick: <T>(xs: readonly T[]) => xs[int(0, xs.length - 1)]!, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;
function shuffle<T>(r: Rng, xs: T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

type Transport = 'api' | 'legacy' | 'tablet';
type Item =
  | { kind: 'event'; at: number; code: number; transport: Transport; eventId?: string }
  | { kind: 'job-start'; job: number; at: number; ideal: number | null }
  | { kind: 'job-end'; job: number; at: number; good: number; rejects: number }
  | { kind: 'correction'; from: number; to: number; code: number }
  | { kind: 'production'; transport: 'api' | 'tablet'; from: number; to: number; good: number; rejects: number };

/** 5–20 inputs on distinct minutes: jobs, states with many repeats, corrections, counts. */
function generate(r: Rng, seed: number): Item[] {
  const minutes = shuffle(
    r,
    Array.from({ length: 600 }, (_, i) => i),
  );
  let used = 0;
  const take = () => minutes[used++]!;
  const items: Item[] = [];
  const jobs: { start: number; end: number | null }[] = [];
  const jobCount = r.pick([0, 1, 1, 2, 2]);
  const jobTimes = Array.from({ length: jobCount * 2 }, take).sort((a, b) => a - b);
  for (let j = 0; j < jobCount; j++) {
    const start = jobTimes[2 * j]!;
    const end = j === jobCount - 1 && r.chance(0.3) ? null : jobTimes[2 * j + 1]!;
    jobs.push({ start, end });
    items.push({ kind: 'job-start', job: j, at: minute(start), ideal: r.pick([null, 30, 60]) });
    if (end !== null) items.push({ kind: 'job-end', job: j, at: minute(end), good: r.pick([0, 0, 40]), rejects: r.pick([0, 5]) });
  }
  const inJob = (m: number) => jobs.some((j) => j.start <= m && (j.end === null || m < j.end));
  const stops = [DOWN, JAM, SETTING, CLOSED];
  const times = Array.from({ length: r.int(2, 8) }, take);
  // Now and then two states at the same instant: the later-recorded one wins.
  for (let k = 1; k < times.length; k++) if (r.chance(0.15)) times[k] = times[r.int(0, k - 1)]!;
  times.sort((a, b) => a - b);
  let previous = DOWN;
  for (const [k, m] of times.entries()) {
    // Half of the states repeat the one before (heartbeats), as long as the rules allow it there.
    let code = r.chance(0.5) ? previous : inJob(m) && r.chance(0.6) ? UP : r.pick(stops);
    if (code === UP && !inJob(m)) code = r.pick(stops);
    previous = code;
    const transport: Transport = r.pick(['api', 'api', 'legacy', 'tablet', 'tablet']);
    const eventId = transport !== 'legacy' && r.chance(0.6) ? `s${seed}-e${k}` : undefined;
    const item: Item = { kind: 'event', at: minute(m), code, transport, ...(eventId ? { eventId } : {}) };
    items.push(item);
    if (eventId && r.chance(0.3)) items.push({ ...item }); // a retry: a duplicate event id
  }
  for (let k = r.int(0, 2); k > 0; k--) {
    const a = r.int(0, 598);
    const b = r.int(a + 1, Math.min(599, a + 120));
    items.push({ kind: 'correction', from: minute(a), to: minute(b), code: r.pick(stops) });
  }
  for (let k = r.int(0, 2); k > 0; k--) {
    const transport = r.pick(['api', 'tablet'] as const);
    const a = r.int(0, 599);
    const b = transport === 'tablet' ? a : Math.min(599, a + r.int(0, 90));
    items.push({ kind: 'production', transport, from: minute(a), to: minute(b), good: r.int(0, 50), rejects: r.int(0, 5) });
  }
  // Random arrival order, except that a machine's jobs start and end in their own order.
  const order = shuffle(r, items);
  const jobSlots = order.flatMap((it, i) => (it.kind === 'job-start' || it.kind === 'job-end' ? [i] : []));
  const jobOps = items.filter((it) => it.kind === 'job-start' || it.kind === 'job-end');
  jobSlots.forEach((slot, i) => (order[slot] = jobOps[i]!));
  return order;
}

/** The test's model of what was accepted. */
interface Model {
  events: ProjectionEvent[];
  corrections: (ProjectionCorrection & { id: number })[];
  jobs: (ProjectionJob & { ideal: number | null })[];
  jobIds: Map<number, number>; // generated job index → job id
  eventIds: Set<string>;
}

/** One delivery: one request, or several at once. Returns the items to retry (refused states, once). */
async function deliver(m: number, group: Item[][], model: Model, log: string[]): Promise<Item[][]> {
  const retry: Item[][] = [];
  await Promise.all(
    group.map(async (batch) => {
      const first = batch[0]!;
      const outcome = await send(m, batch, model);
      log.push(`${JSON.stringify(batch.map(describeItem))} → ${outcome}`);
      if (outcome.startsWith('refused') && first.kind === 'event') retry.push(batch);
    }),
  );
  return retry;
}

async function send(m: number, batch: Item[], model: Model): Promise<string> {
  const first = batch[0]!;
  const acceptEvent = (e: Extract<Item, { kind: 'event' }>) => {
    if (e.eventId !== undefined) {
      if (model.eventIds.has(e.eventId)) return;
      model.eventIds.add(e.eventId);
    }
    model.events.push({ at: e.at, seq: model.events.length, activityCodeId: e.code, operatorId });
  };
  switch (first.kind) {
    case 'event': {
      const events = batch as Extract<Item, { kind: 'event' }>[];
      if (first.transport === 'api') {
        const res = await c.device.post('/api/v1/events', {
          events: events.map((e) => ({
            machineId: m,
            at: iso(e.at),
            activityCodeId: e.code,
            ...(e.eventId ? { eventId: e.eventId } : {}),
          })),
        });
        if (res.status !== 200) return `refused ${res.status} ${res.body?.error?.message}`;
        events.forEach(acceptEvent);
        return `ok ${JSON.stringify(res.body)}`;
      }
      if (first.transport === 'legacy') {
        // DigitME2 devices send no time: the server's clock is the event's time.
        clock.set(new Date(first.at));
        try {
          const res = await anonymous.post(
            '/api/machine-state-change',
            first.code === UP ? { machine_id: m, machine_state: 1 } : { machine_id: m, activity_code_id: first.code },
          );
          if (res.status !== 200) return `refused ${res.status} ${res.body?.error?.message}`;
        } finally {
          clock.set(END);
        }
        acceptEvent(first);
        return 'ok';
      }
      const ack = await tablet.send('activity:set', {
        activityCodeId: first.code,
        at: iso(first.at),
        ...(first.eventId ? { eventId: first.eventId } : {}),
      });
      if (!ack.ok) return `refused ${ack.error.code} ${ack.error.message}`;
      acceptEvent(first);
      return `ok ${JSON.stringify(ack)}`;
    }
    case 'job-start': {
      const res = await c.device.post(`/api/v1/machines/${m}/jobs`, {
        jobNumber: `J${first.job}`,
        idealCycleTimeSeconds: first.ideal,
        at: iso(first.at),
      });
      if (res.status !== 201) return `refused ${res.status} ${res.body?.error?.message}`;
      model.jobIds.set(first.job, res.body.job.id);
      model.jobs.push({ id: res.body.job.id, start: first.at, end: null, ideal: first.ideal });
      model.events.push({ at: first.at, seq: model.events.length, activityCodeId: UP, operatorId });
      return 'ok';
    }
    case 'job-end': {
      const res = await c.device.post(`/api/v1/machines/${m}/jobs/current/end`, {
        at: iso(first.at),
        good: first.good,
        rejects: first.rejects,
      });
      if (res.status !== 200) return `refused ${res.status} ${res.body?.error?.message}`;
      model.jobs.find((j) => j.id === model.jobIds.get(first.job))!.end = first.at;
      model.events.push({ at: first.at, seq: model.events.length, activityCodeId: DOWN, operatorId });
      return 'ok';
    }
    case 'correction': {
      const res = await c.supervisor.post(`/api/v1/machines/${m}/corrections`, {
        from: iso(first.from),
        to: iso(first.to),
        activityCodeId: first.code,
      });
      if (res.status !== 201) return `refused ${res.status} ${res.body?.error?.message}`;
      const id = res.body.correction.id as number;
      if (!model.corrections.some((k) => k.id === id))
        model.corrections.push({ id, at: first.from, until: first.to, seq: model.corrections.length, activityCodeId: first.code });
      return `ok ${id}`;
    }
    case 'production': {
      if (first.transport === 'tablet') {
        const ack = await tablet.send('production:record', { good: first.good, rejects: first.rejects, at: iso(first.to) });
        return ack.ok ? 'ok' : `refused ${ack.error.code}`;
      }
      const res = await c.device.post(`/api/v1/machines/${m}/production`, {
        good: first.good,
        rejects: first.rejects,
        from: iso(first.from),
        to: iso(first.to),
      });
      return res.status === 201 ? 'ok' : `refused ${res.status} ${res.body?.error?.message}`;
    }
  }
}

function describeItem(it: Item): string {
  const t = (ms: number) => iso(ms).slice(11, 16);
  switch (it.kind) {
    case 'event':
      return `${it.transport} ${t(it.at)} code ${it.code}${it.eventId ? ` id ${it.eventId}` : ''}`;
    case 'job-start':
      return `job ${it.job} start ${t(it.at)}`;
    case 'job-end':
      return `job ${it.job} end ${t(it.at)} +${it.good}/${it.rejects}`;
    case 'correction':
      return `correction ${t(it.from)}–${t(it.to)} code ${it.code}`;
    case 'production':
      return `${it.transport} counts ${t(it.from)}–${t(it.to)} ${it.good}/${it.rejects}`;
  }
}

/** Cuts the arrival order into deliveries: device-API states in random batches, some deliveries run concurrently. */
function plan(r: Rng, order: Item[]): Item[][][] {
  const batches: Item[][] = [];
  for (const it of order) {
    const last = batches.at(-1);
    if (
      last &&
      it.kind === 'event' &&
      it.transport === 'api' &&
      last[0]!.kind === 'event' &&
      (last[0] as { transport: Transport }).transport === 'api' &&
      last.length < 4 &&
      r.chance(0.5)
    )
      last.push(it);
    else batches.push([it]);
  }
  const concurrentOk = (b: Item[]) =>
    (b[0]!.kind === 'event' && (b[0] as { transport: Transport }).transport !== 'legacy') || b[0]!.kind === 'production';
  // Concurrent requests commit in an unknown order, so states at the same instant never race (the model could not tell the winner).
  const groups: Item[][][] = [];
  for (const b of batches) {
    const last = groups.at(-1);
    // (A retry may race its original: the event id decides.)
    const clash =
      last !== undefined &&
      b.some(
        (x) =>
          x.kind === 'event' &&
          last.flat().some((y) => y.kind === 'event' && y.at === x.at && !(x.eventId !== undefined && x.eventId === y.eventId)),
      );
    if (last && !clash && concurrentOk(b) && last.every(concurrentOk) && last.length < 3 && r.chance(0.4)) last.push(b);
    else groups.push([b]);
  }
  return groups;
}

type Row = { start: string; end: string | null; activityCodeId: number; jobId: number | null; operatorId: number | null };
const show = (rows: Row[]) =>
  rows
    .map(
      (r) => `${r.start.slice(11, 16)}–${r.end?.slice(11, 16) ?? 'open'} code ${r.activityCodeId} job ${r.jobId} operator ${r.operatorId}`,
    )
    .join('; ');
const asRows = (intervals: ProjectedInterval[]): Row[] =>
  intervals.map((i) => ({
    start: iso(i.start),
    end: i.end === null ? null : iso(i.end),
    activityCodeId: i.activityCodeId,
    jobId: i.jobId,
    operatorId: i.operatorId,
  }));

async function storedTimeline(m: number): Promise<Row[]> {
  const rows: { start: Date; end: Date | null; activityCodeId: number; jobId: number | null; operatorId: number | null }[] =
    await app.dataSource.query(
      `SELECT start, "end", "activityCodeId", "jobId", "operatorId" FROM timeline_intervals WHERE "machineId" = $1 ORDER BY start`,
      [m],
    );
  return rows.map((r) => ({
    start: r.start.toISOString(),
    end: r.end ? r.end.toISOString() : null,
    activityCodeId: r.activityCodeId,
    jobId: r.jobId,
    operatorId: r.operatorId,
  }));
}

/** The same projection from the inputs as stored, to tell a model slip from a projection slip. */
async function projectionOfStoredInputs(m: number): Promise<Row[]> {
  const events: { at: Date; id: string; activityCodeId: number; operatorId: number | null; until: Date | null }[] =
    await app.dataSource.query(`SELECT at, id, "activityCodeId", "operatorId", until FROM state_events WHERE "machineId" = $1`, [m]);
  const jobs: { id: number; start: Date; end: Date | null }[] = await app.dataSource.query(
    `SELECT id, start, "end" FROM jobs WHERE "machineId" = $1 ORDER BY start`,
    [m],
  );
  return asRows(
    projectTimeline(
      events
        .filter((e) => !e.until)
        .map((e) => ({ at: e.at.getTime(), seq: Number(e.id), activityCodeId: e.activityCodeId, operatorId: e.operatorId })),
      events
        .filter((e) => e.until)
        .map((e) => ({ at: e.at.getTime(), until: e.until!.getTime(), seq: Number(e.id), activityCodeId: e.activityCodeId })),
      jobs.map((j) => ({ id: j.id, start: j.start.getTime(), end: j.end ? j.end.getTime() : null })),
    ),
  );
}

/** The additive elements, in core's one order (docs/oee.md). */
const ELEMENT_KEYS = OEE_ELEMENT_KEYS;

/** OEE.md's calculation straight from the model: the machine has no shift pattern, so it is planned 24/7. */
async function rawElements(m: number, model: Model, from: number, to: number, microStopSeconds: number): Promise<OeeElements> {
  const production: { from: Date; to: Date; good: number; rejects: number; jobId: number | null }[] = await app.dataSource.query(
    `SELECT "from", "to", good, rejects, "jobId" FROM production_records WHERE "machineId" = $1`,
    [m],
  );
  return computeElements({
    from: new Date(from),
    to: new Date(to),
    now: END,
    intervals: projectTimeline(model.events, model.corrections, model.jobs).map((i) => ({
      start: new Date(i.start),
      end: i.end === null ? null : new Date(i.end),
      activityCodeId: i.activityCodeId,
      category: categories.get(i.activityCodeId)!,
      jobId: i.jobId,
    })),
    plannedWindows: [{ start: new Date(DAY - 30 * 86_400_000), end: new Date(DAY + 30 * 86_400_000) }],
    jobs: model.jobs.map((j) => ({
      id: j.id,
      start: new Date(j.start),
      end: j.end === null ? null : new Date(j.end),
      idealCycleTimeSeconds: j.ideal,
    })),
    production: production.map((p) => ({ ...p, good: Number(p.good), rejects: Number(p.rejects) })),
    microStopSeconds,
  });
}

function differences(label: string, actual: Record<string, unknown>, expected: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of ELEMENT_KEYS) {
    const a = Number(actual[k]);
    const e = Number(expected[k]);
    if (!(Math.abs(a - e) <= 1e-6 * Math.max(1, Math.abs(e)))) out.push(`${label} ${k}: ${a} vs raw ${e}`);
  }
  return out;
}

beforeAll(async () => {
  app = await startTestApp({ clock });
  c = await clientsForRoles(app.url, ADMIN_PASSWORD);
  anonymous = new ApiClient(app.url);
  JAM = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Jam', category: 'unplanned_stop', colour: '#AA0000' })).body.id;
  SETTING = (await c.admin.post('/api/v1/activity-codes', { shortDescription: 'Setting', category: 'planned_stop', colour: '#E6A700' }))
    .body.id;
  // Stops under 30 minutes between two runs are small stops: OEE then depends on each stop's neighbours.
  const site = (await c.admin.get('/api/v1/site')).body;
  expect((await c.admin.put('/api/v1/site', { ...site, microStopSeconds: 1_800 })).status).toBe(200);
  categories = new Map(
    ((await c.viewer.get('/api/v1/activity-codes')).body as { id: number; category: Category }[]).map((a) => [a.id, a.category]),
  );
  operatorId = (await c.admin.post('/api/v1/users', { username: 'olga', role: 'operator', pin: '4711' })).body.id;
  const first = (await c.admin.post('/api/v1/machines', { name: 'P0' })).body.id;
  const created = await c.admin.post('/api/v1/tablets', { name: 'Tablet', machineId: first });
  tabletId = created.body.id;
  tablet = await TabletClient.open(app.url, created.body.token);
  // One operator signed in for the whole run: every event carries her, whichever way it came.
  await tablet.ok('operator:sign-in', { userId: operatorId, pin: '4711' });
}, 120_000);
afterAll(async () => {
  tablet?.close();
  await app?.stop();
});

describe('the stored timeline is the projection of everything accepted', () => {
  it(`holds after every delivery of ${RUNS} random histories (seeds ${FIRST_SEED}…), and OEE and roll-ups equal the raw calculation`, async () => {
    const microStopSeconds = Number((await app.dataSource.query(`SELECT "microStopSeconds" FROM site_settings`))[0].microStopSeconds);
    let deliveries = 0;
    let refusals = 0;
    let rollupRows = 0;
    let upWithoutJob = 0; // histories where accepted Up events lay outside any job at some moment (a job ended later, in the past)
    for (let run = 0; run < RUNS; run++) {
      const seed = FIRST_SEED + run;
      const r = rng(seed);
      const order = generate(r, seed);
      const log: string[] = [];
      const fail = (what: string) => {
        throw new Error(
          `seed ${seed}: ${what}\nhistory (arrival order):\n  ${order.map(describeItem).join('\n  ')}\ndeliveries:\n  ${log.join('\n  ')}\nrerun: PROPERTY_SEED=${seed} PROPERTY_RUNS=1`,
        );
      };
      const m = (await c.admin.post('/api/v1/machines', { name: `H${seed}` })).body.id as number;
      expect((await c.admin.patch(`/api/v1/tablets/${tabletId}`, { machineId: m })).status).toBe(200);
      const model: Model = { events: [], corrections: [], jobs: [], jobIds: new Map(), eventIds: new Set() };

      let sawUpWithoutJob = false;
      const queue = plan(r, order);
      let attempts = 0;
      while (queue.length > 0) {
        const group = queue.shift()!;
        const retry = await deliver(m, group, model, log);
        deliveries++;
        refusals += retry.length;
        // A refused state (an Up before its job was started) is sent again later, as a device would.
        if (retry.length && attempts++ < 6) queue.push(...retry.map((b) => [b]));
        // Now and then a long OEE read mid-history stores roll-ups, which later deliveries must invalidate.
        if (r.chance(0.15)) await c.viewer.get(`/api/v1/oee?machineId=${m}&from=${iso(DAY - 3 * 86_400_000)}&to=${iso(END.getTime())}`);
        const stored = await storedTimeline(m);
        const expected = asRows(projectTimeline(model.events, model.corrections, model.jobs));
        sawUpWithoutJob ||= expected.some((i) => categories.get(i.activityCodeId) === 'running' && i.jobId === null);
        if (JSON.stringify(stored) !== JSON.stringify(expected)) {
          fail(
            `after delivery ${log.length}:\nstored:   ${show(stored)}\nexpected: ${show(expected)}\nprojection of the stored inputs: ${show(await projectionOfStoredInputs(m))}`,
          );
        }
      }
      if (sawUpWithoutJob) upWithoutJob++;
      const fromInputs = await projectionOfStoredInputs(m);
      if (JSON.stringify(fromInputs) !== JSON.stringify(await storedTimeline(m))) fail(`the stored inputs project to ${show(fromInputs)}`);
      if (model.events.length === 0) continue;

      // OEE: a short window (computed raw) and a long one (stored hours), against the model.
      const windows: [number, number][] = [];
      const a = DAY - 3_600_000 + r.int(0, 13 * 60) * 60_000;
      windows.push([a, a + r.int(1, 8 * 60) * 60_000]);
      windows.push([DAY - 3 * 86_400_000 + r.int(0, 600) * 60_000, DAY + r.int(0, 15 * 60) * 60_000]);
      const problems: string[] = [];
      for (const [from, to] of windows) {
        const res = await c.viewer.get(`/api/v1/oee?machineId=${m}&from=${iso(from)}&to=${iso(to)}`);
        if (res.status !== 200) fail(`GET /api/v1/oee ${iso(from)}..${iso(to)}: ${res.status}`);
        problems.push(
          ...differences(`oee ${iso(from)}..${iso(to)}`, res.body, { ...(await rawElements(m, model, from, to, microStopSeconds)) }),
        );
      }
      // Roll-ups are deleted a moment after a change (batched), and every reader runs the pending
      // deletes first: this read over all of the history does, before the table is read directly.
      const whole = await c.viewer.get(`/api/v1/oee?machineId=${m}&from=${iso(DAY - 3 * 86_400_000)}&to=${iso(END.getTime())}`);
      problems.push(
        ...differences('oee whole history', whole.body, {
          ...(await rawElements(m, model, DAY - 3 * 86_400_000, END.getTime(), microStopSeconds)),
        }),
      );
      await app.flushRollups();
      const stored: (Record<string, unknown> & { hourStart: Date; hours: number })[] = await app.dataSource.query(
        `SELECT * FROM oee_hourly WHERE "machineId" = $1`,
        [m],
      );
      rollupRows += stored.length;
      for (const row of stored) {
        const from = row.hourStart.getTime();
        problems.push(
          ...differences(`roll-up ${iso(from)} ×${row.hours}h`, row, {
            ...(await rawElements(m, model, from, from + row.hours * 3_600_000, microStopSeconds)),
          }),
        );
      }
      if (problems.length) fail(problems.join('\n'));
    }
    // The generator must really exercise the paths it claims to.
    expect(deliveries).toBeGreaterThan(RUNS * 4);
    expect(rollupRows).toBeGreaterThan(0);
    console.log(
      `timeline property: ${RUNS} histories, ${deliveries} deliveries, ${refusals} refused and retried, ${rollupRows} stored roll-up rows checked, ${upWithoutJob} showed Up outside a job at some moment`,
    );
  }, 600_000);
});
