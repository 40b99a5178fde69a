import type { DataSource } from 'typeorm';
import { insertTimelines, type IntervalRow } from '../support/oee-fixtures.js';
import { seeded } from './parts.js';
import type { Sql } from './target.js';

/**
 * A year (or, with --quick, a month) of history for the site's machines, written with SQL straight into
 * the tables the OEE calculation reads (timeline_intervals, jobs, production_records) of one side's
 * database: far faster than ~1.8 M events through the API, and the same rows on both sides of a
 * comparison (a fixed seed). Those tables' columns are the ones of this checkout's schema.
 */
const HOUR = 3_600_000;
const UP = 1;
const DOWN = 2;
const CLOSED = 3;

export interface Codes {
  changeover: number;
  jam: number;
}

/**
 * One machine's history: jobs of 4–12 h back to back (small gaps), each with one production record over
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

/** test/support/oee-fixtures.ts writes through a DataSource's query(); this side's pool does the same. */
const asDataSource = (sql: Sql) => ({ query: (text: string, params?: unknown[]) => sql.query(text, params) }) as unknown as DataSource;

export async function writeHistory(sql: Sql, machineIds: number[], from: number, to: number, codes: Codes): Promise<number> {
  const rng = seeded(4242);
  const [{ next }] = await sql.query(`SELECT COALESCE(MAX(id), 0) + 1 AS next FROM jobs`);
  let jobId = Number(next);
  let count = 0;
  // A few machines per statement (fast, flat memory), one statement at a time so that both sides get
  // the same job ids.
  for (let i = 0; i < machineIds.length; i += 4) {
    const batch = machineIds.slice(i, i + 4).map((machineId) => {
      const h = machineHistory(rng, machineId, from, to, codes, jobId);
      jobId += h.jobs.length;
      return { machineId, ...h };
    });
    const jobs = batch.flatMap((b) => b.jobs.map((j) => ({ ...j, machineId: b.machineId })));
    await sql.query(
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
    await sql.query(
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
    await insertTimelines(asDataSource(sql), intervals);
    count += intervals.length;
  }
  await sql.query(`SELECT setval(pg_get_serial_sequence('jobs', 'id'), (SELECT MAX(id) FROM jobs))`);
  await sql.query(`ANALYZE timeline_intervals; ANALYZE jobs; ANALYZE production_records`);
  return count;
}

/** The stored OEE roll-up tables this side's schema has (none once OEE is computed live). */
export async function rollUpTables(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('oee_hourly', 'oee_hourly_losses') ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

export { HOUR };
