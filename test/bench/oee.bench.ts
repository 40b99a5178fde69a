import type { DataSource } from 'typeorm';
import { systemClock } from '../../core/clock.js';
import { createRepositories } from '../../db/repositories/index.js';
import { OeeService } from '../../services/oee/oee.service.js';
import { ApiClient } from '../support/http-client.js';
import { insertTimelines, type IntervalRow } from '../support/oee-fixtures.js';
import type { BenchPart } from './parts.js';

/**
 * docs/architecture.md: OEE for one machine-day ≤ 10 ms; for 100 machines over one year ≤ 1 s. Writes a year
 * of history for 100 machines (~50 state changes per machine per day, ~1.8 M intervals, jobs and
 * counts) straight into the tables, then times the results API over HTTP.
 */
const MACHINES = 100;
const DAYS = 365;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const UP = 1;
const DOWN = 2;
const CLOSED = 3;

/** mulberry32, so every run writes the same history. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Codes {
  changeover: number;
  jam: number;
}

/**
 * One machine's year: jobs of 4–12 h back to back (small gaps), each with one production record over
 * its span; a state change every ~29 min on average: mostly running with stops by day, mostly
 * closed at night; whole seconds.
 */
function machineHistory(rng: () => number, machineId: number, from: number, to: number, codes: Codes, firstJobId: number) {
  const jobs: { id: number; start: number; end: number | null; ideal: number }[] = [];
  for (let t = from, id = firstJobId; t < to; id++) {
    const end = t + Math.round((4 + rng() * 8) * 3600) * 1000;
    jobs.push({ id, start: t, end: end >= to ? null : end, ideal: Math.round(10 + rng() * 50) });
    t = end + Math.round(rng() * 1800) * 1000;
  }
  const intervals: (IntervalRow & { machineId: number })[] = [];
  let job = 0;
  for (let t = from; t < to;) {
    while (job < jobs.length && jobs[job]!.end !== null && jobs[job]!.end! <= t) job++;
    const current = jobs[job] && jobs[job]!.start <= t ? jobs[job]! : null;
    const hour = new Date(t).getUTCHours();
    const day = hour >= 6 && hour < 22;
    const r = rng();
    let code: number;
    let seconds: number;
    if (!day) [code, seconds] = r < 0.85 ? [CLOSED, 600 + rng() * 5400] : [UP, 300 + rng() * 1800];
    else if (r < 0.55) [code, seconds] = [UP, 600 + rng() * 3600];
    else if (r < 0.75) [code, seconds] = [DOWN, 20 + rng() * 900];
    else if (r < 0.88) [code, seconds] = [codes.jam, 30 + rng() * 600];
    else [code, seconds] = [codes.changeover, 300 + rng() * 1800];
    const end = Math.min(t + Math.round(seconds) * 1000, to);
    intervals.push({
      machineId,
      start: new Date(t),
      end: end >= to ? null : new Date(end),
      activityCodeId: code,
      jobId: current?.id ?? null,
    });
    t = end;
  }
  return { jobs, intervals };
}

async function writeHistory(ds: DataSource, machineIds: number[], from: number, to: number, codes: Codes): Promise<number> {
  const rng = seeded(4242);
  const [{ next }] = await ds.query(`SELECT COALESCE(MAX(id), 0) + 1 AS next FROM jobs`);
  let jobId = Number(next);
  let count = 0;
  // A few machines per statement (fast, flat memory), three statements at a time (the exclusion
  // constraint's index is CPU-bound in Postgres).
  const batches: number[][] = [];
  for (let i = 0; i < machineIds.length; i += 4) batches.push(machineIds.slice(i, i + 4));
  const write = async (ids: number[]) => {
    const batch = ids.map((machineId) => {
      const h = machineHistory(rng, machineId, from, to, codes, jobId);
      jobId += h.jobs.length;
      return { machineId, ...h };
    });
    const jobs = batch.flatMap((b) => b.jobs.map((j) => ({ ...j, machineId: b.machineId })));
    await ds.query(
      `INSERT INTO jobs (id, "machineId", "jobNumber", start, "end", "idealCycleTimeSeconds")
       SELECT id, m, 'B' || id, s, e, c FROM unnest($1::int[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::float8[]) AS j(id, m, s, e, c)`,
      [
        jobs.map((j) => j.id),
        jobs.map((j) => j.machineId),
        jobs.map((j) => new Date(j.start)),
        jobs.map((j) => (j.end === null ? null : new Date(j.end))),
        jobs.map((j) => j.ideal),
      ],
    );
    // One record per job over its span: half the ideal output, 2 % of it rejects.
    const records = jobs.map((j) => {
      const end = j.end ?? to;
      const parts = Math.floor(((end - j.start) / 1000 / j.ideal) * 0.5);
      return {
        machineId: j.machineId,
        jobId: j.id,
        from: new Date(j.start),
        to: new Date(end),
        good: Math.round(parts * 0.98),
        rejects: Math.round(parts * 0.02),
      };
    });
    await ds.query(
      `INSERT INTO production_records ("machineId", "jobId", "from", "to", good, rejects, source)
       SELECT m, j, f, t, g, r, 'bench' FROM unnest($1::int[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::int[]) AS p(m, j, f, t, g, r)`,
      [
        records.map((r) => r.machineId),
        records.map((r) => r.jobId),
        records.map((r) => r.from),
        records.map((r) => r.to),
        records.map((r) => r.good),
        records.map((r) => r.rejects),
      ],
    );
    const intervals = batch.flatMap((b) => b.intervals);
    await insertTimelines(ds, intervals);
    count += intervals.length;
  };
  const queue = [...batches];
  await Promise.all(
    [0, 1, 2].map(async () => {
      for (let ids = queue.shift(); ids; ids = queue.shift()) await write(ids);
    }),
  );
  await ds.query(`SELECT setval(pg_get_serial_sequence('jobs', 'id'), (SELECT MAX(id) FROM jobs))`);
  await ds.query(`ANALYZE timeline_intervals; ANALYZE jobs; ANALYZE production_records`);
  return count;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export const oeeBench: BenchPart = {
  name: 'oee',
  async run({ app, adminPassword }) {
    const admin = await new ApiClient(app.url).signIn('admin', adminPassword);
    await admin.put('/api/v1/site', { timezone: 'Europe/London', microStopSeconds: 60 });
    const codes: Codes = {
      changeover: (
        await admin.post('/api/v1/activity-codes', { shortDescription: 'Bench changeover', category: 'planned_stop', colour: '#3366FF' })
      ).body.id,
      jam: (await admin.post('/api/v1/activity-codes', { shortDescription: 'Bench jam', category: 'unplanned_stop', colour: '#FF3366' }))
        .body.id,
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
    const viewer = new ApiClient(app.url, (await admin.post('/api/v1/api-keys', { name: 'bench-oee-viewer', role: 'viewer' })).body.key);

    const now = Date.now();
    const to = Math.floor(now / 1000) * 1000;
    const from = to - DAYS * DAY;
    const write = await timed(() => writeHistory(app.dataSource, machineIds, from, to, codes));
    console.log(`history: ${write.value} intervals for ${MACHINES} machines × ${DAYS} days written in ${(write.ms / 1000).toFixed(1)} s`);

    const get = async (query: string) => {
      const res = await viewer.get(`/api/v1/oee?${query}`);
      if (res.status !== 200) throw new Error(`GET /api/v1/oee?${query}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const iso = (ms: number) => new Date(ms).toISOString();
    const year = `from=${iso(from)}&to=${iso(to)}`;

    const cold = await timed(() => get(year));
    // The stored roll-ups were just written: let the planner know them, as autovacuum soon would.
    await app.dataSource.query('ANALYZE oee_hourly; ANALYZE oee_hourly_losses');
    const [{ hours, days }] = await app.dataSource.query(
      `SELECT count(*) FILTER (WHERE hours = 1)::int AS hours, count(*) FILTER (WHERE hours > 1)::int AS days FROM oee_hourly`,
    );
    console.log(
      `site-wide OEE for the year, cold (computes and stores ${hours} machine-hours and ${days} machine-days): ${(cold.ms / 1000).toFixed(2)} s; OEE ${cold.value.oee?.toFixed(4)}`,
    );
    const warmRuns: number[] = [];
    for (let i = 0; i < 5; i++) warmRuns.push((await timed(() => get(year))).ms);
    console.log(
      `site-wide OEE for the year, warm: median ${median(warmRuns).toFixed(0)} ms, max ${Math.max(...warmRuns).toFixed(0)} ms (budget ≤ 1000)`,
    );

    const groupRuns: number[] = [];
    let buckets = 0;
    for (let i = 0; i < 3; i++) {
      const r = await timed(() => get(`groupId=${groups[i]}&${year}&bucket=day`));
      groupRuns.push(r.ms);
      buckets = r.value.buckets.length;
    }
    console.log(`one group (10 machines) by day for the year (${buckets} buckets), warm: median ${median(groupRuns).toFixed(0)} ms`);

    const dayRuns: number[] = [];
    const rng = seeded(7);
    for (let i = 0; i < 200; i++) {
      const machineId = machineIds[Math.floor(rng() * machineIds.length)]!;
      const dayStart = Math.floor((from + DAY + rng() * (DAYS - 2) * DAY) / DAY) * DAY;
      dayRuns.push((await timed(() => get(`machineId=${machineId}&from=${iso(dayStart)}&to=${iso(dayStart + DAY)}`))).ms);
    }
    console.log(
      `one machine-day over HTTP (200 random): median ${median(dayRuns).toFixed(1)} ms, p95 ${percentile(dayRuns, 0.95).toFixed(1)} ms (budget ≤ 10)`,
    );
    // The same without HTTP, to tell the calculation from the transport.
    const service = new OeeService(createRepositories(app.dataSource), systemClock);
    const serviceRuns: number[] = [];
    const rng2 = seeded(7);
    for (let i = 0; i < 200; i++) {
      const machineId = machineIds[Math.floor(rng2() * machineIds.length)]!;
      const dayStart = Math.floor((from + DAY + rng2() * (DAYS - 2) * DAY) / DAY) * DAY;
      serviceRuns.push((await timed(() => service.machineOee(machineId, new Date(dayStart), new Date(dayStart + DAY)))).ms);
    }
    console.log(
      `one machine-day in OeeService (context, intervals and counts: 3 queries in parallel): median ${median(serviceRuns).toFixed(1)} ms, p95 ${percentile(serviceRuns, 0.95).toFixed(1)} ms`,
    );

    const weekRuns: number[] = [];
    for (let i = 0; i < 20; i++) {
      const machineId = machineIds[i]!;
      weekRuns.push((await timed(() => get(`machineId=${machineId}&from=${iso(to - 7 * DAY)}&to=${iso(to)}&bucket=day`))).ms);
    }
    console.log(`one machine-week by day (stored hours): median ${median(weekRuns).toFixed(1)} ms`);
  },
};
