import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../support/http-client.js';
import { failures, load } from './load.js';
import { rollUpTables, writeHistory, type Codes } from './oee-history.js';
import { goal, median, percentile, seeded, timed, type BenchOptions, type BenchPart } from './parts.js';
import type { Target } from './target.js';

/**
 * Issue 19 point 6 / docs/architecture.md#budgets: the OEE read path. Seeds 100 machines in 10 groups
 * with a year of history (a month with --quick) by SQL (oee-history.ts), and one dense machine-day
 * (10 000 state changes, 2 000 with --quick) through POST /api/v1/events batches over a past job.
 */
const MACHINES = 100;
const DAY = 24 * 3_600_000;
const HOUR = 3_600_000;
const days = (o: BenchOptions) => (o.quick ? 30 : 365);
const denseChanges = (o: BenchOptions) => (o.quick ? 2_000 : 10_000);
const iso = (ms: number) => new Date(ms).toISOString();

interface OeeState {
  viewer: ApiClient;
  viewerKey: string;
  machineIds: number[];
  groups: number[];
  from: number;
  to: number;
  dense: { machineId: number; from: number; to: number };
  /** A machine as dense over the 24 hours up to now (the day a wall shows). */
  live: { machineId: number; from: number };
  /** The year window the last cold run asked for (the warm runs ask for it again). */
  lastYear: string;
}

async function get(s: OeeState, query: string) {
  const res = await s.viewer.get(`/api/v1/oee?${query}`);
  if (res.status !== 200) throw new Error(`GET /api/v1/oee?${query}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const dayQuery = (machineId: number, from: number) => `machineId=${machineId}&from=${iso(from)}&to=${iso(from + DAY)}`;

/** Random whole UTC days inside the seeded history, the same on every side and round. */
function randomDays(s: OeeState, n: number): { machineId: number; from: number }[] {
  const rng = seeded(7);
  const span = Math.round((s.to - s.from) / DAY);
  return Array.from({ length: n }, () => ({
    machineId: s.machineIds[Math.floor(rng() * s.machineIds.length)]!,
    from: Math.floor((s.from + DAY + rng() * (span - 2) * DAY) / DAY) * DAY,
  }));
}

/**
 * Seeds the dense machine-day: a job started late at the day's start (POST /api/v1/machines/{id}/jobs with
 * `at`), its state changes in batches of 1 000, then the job ended at the day's end with its counts.
 */
async function seedDenseDay(
  t: Target,
  admin: ApiClient,
  deviceKey: string,
  codes: Codes,
  o: BenchOptions,
  day: { name: string; from: number; to: number; end: boolean },
) {
  const machineId = (await admin.post('/api/v1/machines', { name: day.name })).body.id as number;
  const { from, to } = day;
  const device = new ApiClient(t.url, deviceKey);
  const n = denseChanges(o);
  const step = Math.floor((to - from) / n);
  const cycle = [1, 2, 1, codes.jam, 1, codes.changeover];
  const events = Array.from({ length: n }, (_, i) => ({
    eventId: `dense-${i}`,
    machineId,
    activityCodeId: cycle[i % cycle.length]!,
    at: iso(from + i * step),
  }));
  const check = (what: string, res: { status: number; body: unknown }, ok: number) => {
    if (res.status !== ok) throw new Error(`dense day, ${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  };
  check(
    'job start',
    await device.post(`/api/v1/machines/${machineId}/jobs`, { jobNumber: 'DENSE', idealCycleTimeSeconds: 20, at: iso(from) }),
    201,
  );
  for (let i = 0; i < events.length; i += 1000) {
    check('events', await device.post('/api/v1/events', { events: events.slice(i, i + 1000) }), 200);
  }
  if (day.end) {
    check('job end', await device.post(`/api/v1/machines/${machineId}/jobs/current/end`, { good: 1500, rejects: 30, at: iso(to) }), 200);
  }
  return { machineId, from, to };
}

/** OeeService.machineOee in a process of that side's checkout, on its database (oee-service-worker.ts). */
function inService(t: Target, requests: { machineId: number; from: number; to: number }[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = fork(
      fileURLToPath(new URL('./oee-service-worker.ts', import.meta.url)),
      [JSON.stringify({ root: t.root, databaseUrl: t.databaseUrl, requests })],
      {
        cwd: t.root,
        execArgv: ['--import', 'tsx'],
      },
    );
    child.once('message', (m: { ms?: number[]; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m.ms!)));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`OEE service worker exited with ${code}`)));
  });
}

/** A dense day's query, once to warm it, then 100 times one at a time: median (goal 10 ms) and p95. */
async function sequentialDense(s: OeeState, q: string) {
  await get(s, q);
  const runs: number[] = [];
  for (let i = 0; i < 100; i++) runs.push((await timed(() => get(s, q))).ms);
  return [
    { metric: 'median', value: median(runs), unit: 'ms', goal: goal.atMost(10) },
    { metric: 'p95', value: percentile(runs, 0.95), unit: 'ms' },
  ];
}

export const oeeBench: BenchPart<OeeState> = {
  name: 'oee',
  async setup(t, o) {
    const admin = await new ApiClient(t.url).signIn('admin', t.adminPassword);
    await admin.put('/api/v1/site', { timezone: 'Europe/London', microStopSeconds: 60 });
    const code = async (shortDescription: string, category: string, colour: string) =>
      (await admin.post('/api/v1/activity-codes', { shortDescription, category, colour })).body.id as number;
    const codes: Codes = {
      changeover: await code('Bench changeover', 'planned_stop', '#3366FF'),
      jam: await code('Bench jam', 'unplanned_stop', '#FF3366'),
    };
    const twoShifts = (
      await admin.post('/api/v1/shift-patterns', {
        name: 'Bench 2 shifts',
        shifts: [
          { days: [1, 2, 3, 4, 5], start: '06:00', end: '14:00' },
          { days: [1, 2, 3, 4, 5], start: '14:00', end: '22:00' },
        ],
      })
    ).body.id;
    const groups: number[] = [];
    for (let g = 0; g < 10; g++) groups.push((await admin.post('/api/v1/groups', { name: `Bench line ${g}` })).body.id);
    const machineIds: number[] = [];
    for (let i = 0; i < MACHINES; i++) {
      const shiftPatternId = i % 5 === 0 ? null : i % 5 === 1 ? twoShifts : 1;
      machineIds.push((await admin.post('/api/v1/machines', { name: `Bench OEE ${i}`, groupId: groups[i % 10], shiftPatternId })).body.id);
    }
    const viewerKey = (await admin.post('/api/v1/api-keys', { name: 'bench-oee-viewer', role: 'viewer' })).body.key as string;
    const deviceKey = (await admin.post('/api/v1/api-keys', { name: 'bench-oee-device', role: 'device' })).body.key as string;
    // Whole seconds, a fixed hour before now: both sides of a comparison get the same history.
    const to = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
    const from = to - days(o) * DAY;
    const write = await timed(() => writeHistory(t.sql, machineIds, from, to, codes));
    const pastDay = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
    const dense = await timed(() =>
      seedDenseDay(t, admin, deviceKey, codes, o, { name: 'Bench dense day', from: pastDay, to: pastDay + DAY, end: true }),
    );
    // The same density over the 24 hours up to now (a whole hour ago to a minute ago), its job running.
    const liveFrom = Math.floor(Date.now() / HOUR) * HOUR - 23 * HOUR;
    const live = await seedDenseDay(t, admin, deviceKey, codes, o, {
      name: 'Bench dense day to now',
      from: liveFrom,
      to: Date.now() - 60_000,
      end: false,
    });
    console.log(
      `  [${t.label}] seeded ${write.value} intervals for ${MACHINES} machines × ${days(o)} days by SQL in ${(write.ms / 1000).toFixed(1)} s;` +
        ` dense day (${denseChanges(o)} state changes via POST /api/v1/events) in ${(dense.ms / 1000).toFixed(1)} s`,
    );
    return {
      viewer: new ApiClient(t.url, viewerKey),
      viewerKey,
      machineIds,
      groups,
      from,
      to,
      dense: dense.value,
      live: { machineId: live.machineId, from: liveFrom },
      lastYear: '',
    };
  },
  cases: [
    {
      name: 'OEE dense machine-day, sequential',
      shape: (o) => `one machine-day of ${denseChanges(o)} state changes, GET /api/v1/oee one at a time, 100 requests`,
      async run(t, s) {
        return sequentialDense(s, dayQuery(s.dense.machineId, s.dense.from));
      },
    },
    {
      name: 'OEE dense day to now, sequential',
      shape: (o) =>
        `the last 24 h of another machine, ${denseChanges(o)} state changes up to a minute ago, its job running: the closed hours and the current one, GET /api/v1/oee one at a time, 100 requests`,
      async run(t, s) {
        return sequentialDense(s, `machineId=${s.live.machineId}&from=${iso(s.live.from)}&to=${iso(s.live.from + DAY)}`);
      },
    },
    {
      name: 'OEE dense machine-day, 10 conn',
      shape: (o) => `the same day, autocannon GET, 10 connections, ${o.seconds} s`,
      async run(t, s, o) {
        const r = await load({
          url: t.url,
          connections: 10,
          durationSeconds: o.seconds,
          kind: 'get',
          key: s.viewerKey,
          paths: [`/api/v1/oee?${dayQuery(s.dense.machineId, s.dense.from)}`],
        });
        return [
          { metric: 'requests/s', value: Math.round(r.rps), unit: '/s', goal: goal.atLeast(200) },
          { metric: 'p99', value: r.p99, unit: 'ms' },
          { metric: 'failed', value: failures(r), unit: 'req', goal: goal.atMost(0) },
        ];
      },
    },
    {
      name: 'OEE site year, cold',
      shape: (o) =>
        `${MACHINES} machines × ${days(o)} days, a window never asked before (stored roll-ups emptied first, if the schema has them)`,
      async run(t, s, _o, round) {
        const tables = await rollUpTables(t.sql);
        if (tables.length) await t.sql.query(`TRUNCATE ${tables.join(', ')}`);
        // Each round a window of its own (shifted by whole seconds), so nothing of an earlier answer fits.
        const shift = (round + 1) * 1000;
        s.lastYear = `from=${iso(s.from + shift)}&to=${iso(s.to - shift)}`;
        const cold = await timed(() => get(s, s.lastYear));
        // The stored roll-ups were just written: let the planner know them, as autovacuum soon would.
        for (const table of tables) await t.sql.query(`ANALYZE ${table}`);
        return [{ metric: 'time', value: cold.ms / 1000, unit: 's', goal: goal.atMost(5) }];
      },
    },
    {
      name: 'OEE site year, warm',
      shape: () => 'the window the cold run asked for, again, 5 times',
      async run(t, s) {
        const runs: number[] = [];
        for (let i = 0; i < 5; i++) runs.push((await timed(() => get(s, s.lastYear))).ms);
        return [
          { metric: 'median', value: median(runs), unit: 'ms', goal: goal.atMost(300) },
          { metric: 'max', value: Math.max(...runs), unit: 'ms' },
        ];
      },
    },
    {
      name: 'OEE group by day, year',
      shape: (o) => `one group (10 machines), bucket=day over ${days(o)} days, 3 groups`,
      async run(t, s) {
        const runs: number[] = [];
        for (let i = 0; i < 3; i++)
          runs.push((await timed(() => get(s, `groupId=${s.groups[i]}&from=${iso(s.from)}&to=${iso(s.to)}&bucket=day`))).ms);
        return [{ metric: 'median', value: median(runs), unit: 'ms' }];
      },
    },
    {
      name: 'OEE machine-day over HTTP',
      shape: () => '200 random machine-days of the sparse history (~50 changes a day), one at a time',
      async run(t, s) {
        const runs: number[] = [];
        for (const d of randomDays(s, 200)) runs.push((await timed(() => get(s, dayQuery(d.machineId, d.from)))).ms);
        return [
          { metric: 'median', value: median(runs), unit: 'ms', goal: goal.atMost(10) },
          { metric: 'p95', value: percentile(runs, 0.95), unit: 'ms' },
        ];
      },
    },
    {
      name: 'OEE machine-day in OeeService',
      shape: () => "the same 200 days, then the dense day 50 times, in a process of that side's checkout (no HTTP)",
      async run(t, s) {
        const sparse = randomDays(s, 200).map((d) => ({ machineId: d.machineId, from: d.from, to: d.from + DAY }));
        const dense = Array.from({ length: 50 }, () => s.dense);
        const ms = await inService(t, [...sparse, ...dense]);
        return [
          { metric: 'sparse median', value: median(ms.slice(0, 200)), unit: 'ms' },
          { metric: 'dense median', value: median(ms.slice(200)), unit: 'ms' },
        ];
      },
    },
    {
      name: 'OEE machine-week by day',
      shape: () => 'the last 7 days of 20 machines, bucket=day',
      async run(t, s) {
        const runs: number[] = [];
        for (let i = 0; i < 20; i++)
          runs.push((await timed(() => get(s, `machineId=${s.machineIds[i]}&from=${iso(s.to - 7 * DAY)}&to=${iso(s.to)}&bucket=day`))).ms);
        return [{ metric: 'median', value: median(runs), unit: 'ms' }];
      },
    },
  ],
};
