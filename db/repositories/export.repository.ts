import type { DataSource, QueryRunner } from 'typeorm';
import type { Category, DowntimeCause } from '../../core/schemas/setup.schema.js';

/**
 * Rows fetched per round trip from a cursor. Small enough that a batch is written before two minor
 * collections have passed over it, so its rows die young instead of reaching V8's old generation,
 * which only a full collection frees (measured on a 300 000-row xlsx export: with 1 000 rows a fetch
 * about 30 bytes a row of driver rows were promoted, with 250 none; docs/exports.md, "Memory and speed").
 */
export const CURSOR_BATCH_ROWS = 250;

/**
 * Rows per fetch for a writer that writes a batch in one synchronous pass (CSV): its rows die young
 * at any batch size, and each fetch is a round trip and a query through TypeORM, so fewer of them
 * leave more of the two cores to the rows (docs/exports.md, "Memory and speed").
 */
export const CURSOR_BATCH_ROWS_ONE_PASS = 1000;

/**
 * How long an export's transaction may sit idle between two fetches while a slow client drains
 * the previous batch (the pool's default kills idle transactions after a minute).
 */
const EXPORT_IDLE_TIMEOUT = '10min';

export interface ScopeMachine {
  id: number;
  name: string;
  groupId: number | null;
}

export interface TimelineExportRow {
  machineId: number;
  machine: string;
  start: Date;
  end: Date | null;
  activityCodeId: number;
  activityCode: string;
  category: Category;
  cause: DowntimeCause | null;
  jobId: number | null;
  jobNumber: string | null;
  operatorId: number | null;
  operator: string | null;
}

export interface EventExportRow {
  id: string;
  machineId: number;
  machine: string;
  at: Date;
  until: Date | null;
  activityCodeId: number;
  activityCode: string;
  category: Category;
  cause: DowntimeCause | null;
  source: string;
  sender: string | null;
  operatorId: number | null;
  operator: string | null;
  eventId: string | null;
  receivedAt: Date;
}

export interface JobExportRow {
  id: number;
  machineId: number;
  machine: string;
  jobNumber: string;
  start: Date;
  end: Date | null;
  idealCycleTimeSeconds: number | null;
  good: number;
  rejects: number;
  operatorId: number | null;
  operator: string | null;
}

export interface ProductionExportRow {
  id: string;
  machineId: number;
  machine: string;
  jobId: number | null;
  jobNumber: string | null;
  from: Date;
  to: Date;
  good: number;
  rejects: number;
  source: string;
  sender: string | null;
  eventId: string | null;
  createdAt: Date;
}

/*
 * The window predicates, one each, shared by the exports and the JSON reads so both list the same rows:
 * - an interval overlaps [from, to) (as GET /machines/:id/timeline);
 * - a job overlaps [from, to) (as GET /api/v1/jobs);
 * - a production record overlaps it, a point record (from = to) when its instant lies in it
 *   (as the OEE calculation counts them).
 * $1 = machine id(s), $2 = from, $3 = to.
 */
const TIMELINE_SQL = `
  SELECT ti."machineId", m.name AS machine, ti.start, ti."end", ti."activityCodeId", ac."shortDescription" AS "activityCode", ac.category, ac.cause,
         ti."jobId", j."jobNumber", ti."operatorId", u.username AS operator
    FROM timeline_intervals ti
    JOIN machines m ON m.id = ti."machineId"
    JOIN activity_codes ac ON ac.id = ti."activityCodeId"
    LEFT JOIN jobs j ON j.id = ti."jobId"
    LEFT JOIN users u ON u.id = ti."operatorId"
   WHERE ti."machineId" = $1 AND ti.start < $3 AND (ti."end" IS NULL OR ti."end" > $2)
     -- Intervals tile, so none overlapping the window starts before the one holding the window start: an index range, not all history.
     AND ti.start >= COALESCE((SELECT max(start) FROM timeline_intervals WHERE "machineId" = $1 AND start <= $2), $2)
   ORDER BY ti.start`;

const EVENTS_SQL = `
  SELECT e.id, e."machineId", m.name AS machine, e.at, e.until, e."activityCodeId", ac."shortDescription" AS "activityCode", ac.category, ac.cause,
         e.source, e.sender, e."operatorId", u.username AS operator, e."eventId", e."receivedAt"
    FROM state_events e
    JOIN machines m ON m.id = e."machineId"
    JOIN activity_codes ac ON ac.id = e."activityCodeId"
    LEFT JOIN users u ON u.id = e."operatorId"
   WHERE e."machineId" = $1 AND e.at >= $2 AND e.at < $3
   ORDER BY e.at, e.id`;

/** Counts as GET /api/v1/jobs sums them: every production record of the job, whatever its time. */
const JOBS_SQL = `
  SELECT j.id, j."machineId", m.name AS machine, j."jobNumber", j.start, j."end", j."idealCycleTimeSeconds",
         COALESCE(p.good, 0)::int AS good, COALESCE(p.rejects, 0)::int AS rejects, j."operatorId", u.username AS operator
    FROM jobs j
    JOIN machines m ON m.id = j."machineId"
    LEFT JOIN users u ON u.id = j."operatorId"
    LEFT JOIN LATERAL (SELECT sum(good) AS good, sum(rejects) AS rejects FROM production_records WHERE "jobId" = j.id) p ON true
   WHERE j."machineId" = ANY($1::int[]) AND j.start < $3 AND (j."end" IS NULL OR j."end" > $2)
   ORDER BY j.start, j.id`;

const PRODUCTION_WHERE = `p."machineId" = $1 AND p."from" < $3 AND (p."to" > $2 OR p."from" >= $2)`;
const PRODUCTION_SQL = `
  SELECT p.id, p."machineId", m.name AS machine, p."jobId", j."jobNumber", p."from", p."to", p.good, p.rejects, p.source, p.sender, p."eventId", p."createdAt"
    FROM production_records p
    JOIN machines m ON m.id = p."machineId"
    LEFT JOIN jobs j ON j.id = p."jobId"
   WHERE ${PRODUCTION_WHERE}
   ORDER BY p."from", p.id`;

/**
 * The reads behind the exports. Each export runs in one read-only REPEATABLE READ transaction on a
 * dedicated pooled connection (one consistent snapshot for the whole file) and reads through
 * server-side cursors (`DECLARE … CURSOR` / `FETCH 1000`), so however long the range, at most one
 * batch of rows is in memory. Per-machine cursors follow the (machineId, time) indexes in order,
 * without a sort.
 */
export class ExportRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The machines of a scope, by id: one machine, a group's, or (neither) the site's. */
  async machinesInScope(scope: { machineId?: number | undefined; groupId?: number | undefined }): Promise<ScopeMachine[]> {
    return this.dataSource.query(
      `SELECT id, name, "groupId" FROM machines WHERE ($1::int IS NULL OR id = $1) AND ($2::int IS NULL OR "groupId" = $2) ORDER BY id`,
      [scope.machineId ?? null, scope.groupId ?? null],
    );
  }

  /**
   * Runs `read` on a dedicated connection inside a read-only snapshot; the connection goes back to
   * the pool when `read` settles (the cursors close with the transaction).
   */
  async session<T>(read: (session: ExportSession) => Promise<T>, batchRows = CURSOR_BATCH_ROWS): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await runner.query(`SET LOCAL idle_in_transaction_session_timeout = '${EXPORT_IDLE_TIMEOUT}'`);
      const result = await read(new ExportSession(runner, batchRows));
      await runner.query('COMMIT');
      return result;
    } catch (err) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  /** Production records in the window (as the production export lists them), at most `limit`. */
  async productionRecords(machineIds: number[], from: Date, to: Date, limit: number): Promise<ProductionExportRow[]> {
    if (machineIds.length === 0) return [];
    return this.dataSource.query(
      `SELECT x.* FROM unnest($1::int[]) WITH ORDINALITY AS s(id, n)
         CROSS JOIN LATERAL (${PRODUCTION_SQL.replace('$1', 's.id')}) x
        ORDER BY s.n, x."from", x.id
        LIMIT $4`,
      [machineIds, from, to, limit],
    );
  }
}

/**
 * The rows of one read, a batch at a time. It keeps no reference to a batch it has returned (an async
 * generator delegating with `yield*` holds the last one while it fetches the next), so a batch lives
 * only while its consumer writes it and dies young, not in V8's old generation, which only a full
 * collection frees (docs/exports.md, "Memory and speed").
 */
export interface BatchReader<R> {
  /** The next batch, or null when there is none left. */
  read(): Promise<R[] | null>;
  /** Stops early (closes the cursor); later reads give null. */
  close(): Promise<void>;
}

/** Cursors over one export's snapshot. Each read yields batches of rows, in file order. */
export class ExportSession {
  private cursors = 0;

  constructor(
    private readonly runner: QueryRunner,
    private readonly batchRows = CURSOR_BATCH_ROWS,
  ) {}

  /** Intervals overlapping [from, to), machine by machine, oldest first (unclipped, as the timeline API). */
  timeline(machineIds: number[], from: Date, to: Date): BatchReader<TimelineExportRow> {
    return this.perMachine<TimelineExportRow>(TIMELINE_SQL, machineIds, from, to);
  }

  /** State events (corrections included) whose `at` lies in [from, to), machine by machine, in recording order. */
  events(machineIds: number[], from: Date, to: Date): BatchReader<EventExportRow> {
    return this.perMachine<EventExportRow>(EVENTS_SQL, machineIds, from, to);
  }

  /** Jobs overlapping [from, to) with their counts, oldest first (as GET /api/v1/jobs). */
  jobs(machineIds: number[], from: Date, to: Date): BatchReader<JobExportRow> {
    return this.cursor<JobExportRow>(JOBS_SQL, [machineIds, from, to]);
  }

  /** Production records overlapping [from, to), machine by machine, oldest first. */
  production(machineIds: number[], from: Date, to: Date): BatchReader<ProductionExportRow> {
    return this.perMachine<ProductionExportRow>(PRODUCTION_SQL, machineIds, from, to);
  }

  /** How many rows the dataset's read yields, in the same snapshot (the download's progress shows it). */
  async count(dataset: 'timeline' | 'events' | 'jobs' | 'production', machineIds: number[], from: Date, to: Date): Promise<number> {
    const count = async (sql: string, params: unknown[]) =>
      Number((await this.runner.query(`SELECT count(*)::int AS n FROM (${sql}) x`, params))[0].n);
    if (dataset === 'jobs') return count(JOBS_SQL, [machineIds, from, to]);
    const sql = { timeline: TIMELINE_SQL, events: EVENTS_SQL, production: PRODUCTION_SQL }[dataset];
    let total = 0;
    for (const machineId of machineIds) total += await count(sql, [machineId, from, to]);
    return total;
  }

  /** One cursor per machine, one after the other. */
  private perMachine<R>(sql: string, machineIds: number[], from: Date, to: Date): BatchReader<R> {
    let next = 0;
    let current: BatchReader<R> | null = null;
    return {
      read: async () => {
        for (;;) {
          if (current === null) {
            if (next >= machineIds.length) return null;
            current = this.cursor<R>(sql, [machineIds[next++], from, to]);
          }
          const rows = await current.read();
          if (rows !== null) return rows;
          current = null;
        }
      },
      close: async () => {
        next = machineIds.length;
        await current?.close();
        current = null;
      },
    };
  }

  /** Declares a cursor for `sql` on the first read and fetches it in batches until it is exhausted. */
  private cursor<R>(sql: string, params: unknown[]): BatchReader<R> {
    const name = `export_cursor_${++this.cursors}`;
    const runner = this.runner;
    const batchRows = this.batchRows;
    let state: 'new' | 'open' | 'closed' = 'new';
    const close = async () => {
      // A cursor left open (a consumer that stops early) would close with the transaction anyway.
      if (state === 'open' && !runner.isReleased) await runner.query(`CLOSE ${name}`).catch(() => undefined);
      state = 'closed';
    };
    return {
      read: async () => {
        if (state === 'closed') return null;
        if (state === 'new') {
          await runner.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
          state = 'open';
        }
        const rows: R[] = await runner.query(`FETCH ${batchRows} FROM ${name}`);
        if (rows.length < batchRows) await close();
        // The rows move into an array of ours and the driver's is left empty: nothing the driver
        // may still hold keeps them alive once the batch is written.
        return rows.length > 0 ? rows.splice(0) : null;
      },
      close,
    };
  }
}
