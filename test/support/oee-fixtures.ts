import type { DataSource } from 'typeorm';

/**
 * History rows written straight into the tables the OEE calculation reads (timeline_intervals,
 * jobs, production_records), for tests and the benchmark. The ingest API is the real way in;
 * these skip it so OEE tests can state a timeline exactly. They do not publish on the change feed,
 * so write a machine's history before asking for its OEE (or invalidate yourself).
 */
type Time = Date | string;
const at = (t: Time) => (t instanceof Date ? t : new Date(t));

export interface IntervalRow {
  start: Time;
  /** null: the open interval (lasts until now). */
  end: Time | null;
  activityCodeId: number;
  jobId?: number | null;
}

/** One machine's intervals; they must tile without overlap (the exclusion constraint checks). */
export async function insertTimeline(ds: DataSource, machineId: number, intervals: IntervalRow[]): Promise<void> {
  await insertTimelines(
    ds,
    intervals.map((iv) => ({ ...iv, machineId })),
  );
}

/** Intervals of many machines in one multi-row insert. */
export async function insertTimelines(ds: DataSource, rows: (IntervalRow & { machineId: number })[]): Promise<void> {
  if (rows.length === 0) return;
  await ds.query(
    `INSERT INTO timeline_intervals ("machineId", start, "end", "activityCodeId", "jobId")
     SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[], $4::int[], $5::int[])`,
    [
      rows.map((r) => r.machineId),
      rows.map((r) => at(r.start)),
      rows.map((r) => (r.end === null ? null : at(r.end))),
      rows.map((r) => r.activityCodeId),
      rows.map((r) => r.jobId ?? null),
    ],
  );
}

export interface JobRow {
  jobNumber?: string;
  start: Time;
  end: Time | null;
  idealCycleTimeSeconds: number | null;
}

/** Jobs of one machine (they must not overlap); returns their ids in order. */
export async function insertJobs(ds: DataSource, machineId: number, jobs: JobRow[]): Promise<number[]> {
  if (jobs.length === 0) return [];
  const rows: { id: number }[] = await ds.query(
    `INSERT INTO jobs ("machineId", "jobNumber", start, "end", "idealCycleTimeSeconds")
     SELECT $1::int, n, s, e, c FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[], $5::float8[]) WITH ORDINALITY AS j(n, s, e, c, i) ORDER BY i
     RETURNING id`,
    [
      machineId,
      jobs.map((j, i) => j.jobNumber ?? `J${i + 1}`),
      jobs.map((j) => at(j.start)),
      jobs.map((j) => (j.end === null ? null : at(j.end))),
      jobs.map((j) => j.idealCycleTimeSeconds),
    ],
  );
  return rows.map((r) => r.id);
}

export interface ProductionRow {
  /** A span [from, to), or a point record when to = from. */
  from: Time;
  to: Time;
  good: number;
  rejects: number;
  jobId: number | null;
}

export async function insertProduction(ds: DataSource, machineId: number, records: ProductionRow[]): Promise<void> {
  if (records.length === 0) return;
  await ds.query(
    `INSERT INTO production_records ("machineId", "jobId", "from", "to", good, rejects, source)
     SELECT $1::int, j, f, t, g, r, 'test' FROM unnest($2::int[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::int[]) AS p(j, f, t, g, r)`,
    [
      machineId,
      records.map((r) => r.jobId),
      records.map((r) => at(r.from)),
      records.map((r) => at(r.to)),
      records.map((r) => r.good),
      records.map((r) => r.rejects),
    ],
  );
}
