import type pg from 'pg';
import type { EntityManager } from 'typeorm';
import type { ProjectedInterval, ProjectionJob } from '../../core/state/timeline-projection.js';
import { MACHINE_LOCK_NAMESPACE, stateEventColumns, type NewStateEvent, type StoredInterval } from './timeline.repository.js';

/** What the write path needs of one machine, read under its lock. */
export interface MachineWriteContext {
  /** The open interval, if the machine has history. */
  open: StoredInterval | null;
  /** The latest recorded instant (event time or correction end), epoch ms; null without history. */
  latest: number | null;
  /** The operator signed in on a tablet of the machine, if any. */
  operatorId: number | null;
  /** Jobs running at or after the earlier of the given time and the open interval's start, oldest first. */
  jobs: ProjectionJob[];
}

/** The timeline change of an append: open intervals that now end, ones replaced whole, and the new rows. */
export interface TimelineAppend {
  close: { id: string; end: number }[];
  remove: string[];
  add: (ProjectedInterval & { machineId: number })[];
}

const ms = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::float8`;

/** The write context of machines `f` (id, jobs from): one row per machine. */
const writeContext = (machines: string) => `SELECT f.id AS "machineId",
       o.id::text AS "openId", ${ms('o.start')} AS "openStart", o."activityCodeId", o."jobId", o."operatorId",
       ${ms(`GREATEST((SELECT max(at) FROM state_events WHERE "machineId" = f.id),
                      (SELECT max(until) FROM state_events WHERE "machineId" = f.id AND until IS NOT NULL))`)} AS latest,
       (SELECT "operatorId" FROM tablets WHERE "machineId" = f.id AND "operatorId" IS NOT NULL
         ORDER BY "operatorSince" DESC LIMIT 1) AS "tabletOperatorId",
       (SELECT json_agg(json_build_object('id', j.id, 'start', ${ms('j.start')}, 'end', ${ms('j."end"')}) ORDER BY j.start)
          FROM jobs j WHERE j."machineId" = f.id AND (j."end" IS NULL OR j."end" > LEAST(f."from", o.start))) AS jobs
  FROM ${machines}
  LEFT JOIN timeline_intervals o ON o."machineId" = f.id AND o."end" IS NULL`;
/** One machine's, as a prepared statement with scalar parameters: PostgreSQL keeps its generic plan after five calls. */
const WRITE_CONTEXT_ONE = writeContext(`(SELECT $1::int AS id, $2::timestamptz AS "from") AS f`);

/** The events and the timeline change in one statement (EventAppendRepository.append). */
const APPEND = `WITH ev AS (
   INSERT INTO state_events ("machineId", at, until, "activityCodeId", source, "operatorId", sender)
   SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[], $4::int[], $5::text[], $6::int[], $7::text[])
   RETURNING 1),
 closed AS (
   UPDATE timeline_intervals t SET "end" = c."end"
     FROM unnest($8::bigint[], $9::timestamptz[]) AS c(id, "end")
    WHERE t.id = c.id AND t."end" IS NULL
   RETURNING 1),
 removed AS (DELETE FROM timeline_intervals WHERE id = ANY($10::bigint[]) AND "end" IS NULL RETURNING 1),
 added AS (
   INSERT INTO timeline_intervals ("machineId", start, "end", "activityCodeId", "jobId", "operatorId")
   SELECT * FROM unnest($11::int[], $12::timestamptz[], $13::timestamptz[], $14::int[], $15::int[], $16::int[])
    WHERE (SELECT count(*) FROM closed) + (SELECT count(*) FROM removed) >= 0
   RETURNING 1)
 SELECT (SELECT count(*) FROM ev)::int AS events, (SELECT count(*) FROM closed)::int AS close,
        (SELECT count(*) FROM removed)::int AS remove, (SELECT count(*) FROM added)::int AS add`;

/**
 * The state-event write path in as few round trips and as little PostgreSQL work as its rules allow
 * (docs/timeline-truth.md): the machines' locks, then everything read under them, then the events and
 * the timeline in one statement. Every call takes the caller's transaction.
 *
 * The one-machine read and the append are named prepared statements (`preparedStatements`,
 * OEE_DB_PREPARED_STATEMENTS): parsing and planning them was most of PostgreSQL's time on a device
 * write (docs/timeline-truth.md#round-trips). Off, the same statements go unnamed, for a pooler that
 * cannot keep prepared statements.
 */
export class EventAppendRepository {
  constructor(private readonly options: { preparedStatements: boolean } = { preparedStatements: true }) {}

  /**
   * Takes the machines' advisory locks (in id order: no deadlocks) and then reads their write
   * context, in a statement of its own, so the read takes its snapshot after the locks are held (READ
   * COMMITTED gives each statement its own).
   *
   * One machine (every write at low concurrency): the lock as a simple query, then the prepared read,
   * parsed and planned once per connection. Several (writes grouped under load): both statements in
   * one simple query, one round trip, since a read of an array of machines would be planned on every
   * call anyway (PostgreSQL's generic plan guesses the array's length and loses to the custom one).
   * Simple queries have no parameters: only integers and ISO times, both checked, go into their text.
   */
  async lockAndRead(tx: EntityManager, jobsFrom: Map<number, number>): Promise<Map<number, MachineWriteContext>> {
    const ids = [...jobsFrom.keys()].sort((a, b) => a - b);
    if (ids.length === 0) return new Map();
    for (const id of ids) if (!Number.isSafeInteger(id)) throw new Error(`not a machine id: ${id}`);
    const idList = `ARRAY[${ids.join(',')}]::int[]`;
    const lock = `SELECT pg_advisory_xact_lock(${MACHINE_LOCK_NAMESPACE}, id) FROM unnest(${idList}) AS id ORDER BY id`;
    let found: unknown[];
    if (ids.length === 1) {
      await clientQuery(tx, lock);
      found = await this.prepared(tx, 'oee_write_context_one_1', WRITE_CONTEXT_ONE, [ids[0], new Date(jobsFrom.get(ids[0]!)!)]);
    } else {
      const fromList = `ARRAY[${ids.map((id) => `'${isoTime(jobsFrom.get(id)!)}'`).join(',')}]::timestamptz[]`;
      const results = (await clientQuery(tx, `${lock};\n${writeContext(`unnest(${idList}, ${fromList}) AS f(id, "from")`)}`)) as {
        rows: unknown[];
      }[];
      found = results[1]!.rows;
    }
    const rows = found as {
      machineId: number;
      openId: string | null;
      openStart: number | null;
      activityCodeId: number | null;
      jobId: number | null;
      operatorId: number | null;
      latest: number | null;
      tabletOperatorId: number | null;
      jobs: ProjectionJob[] | null;
    }[];
    return new Map(
      rows.map((r) => [
        r.machineId,
        {
          open:
            r.openId === null
              ? null
              : {
                  id: r.openId,
                  machineId: r.machineId,
                  start: new Date(r.openStart!),
                  end: null,
                  activityCodeId: r.activityCodeId!,
                  jobId: r.jobId,
                  operatorId: r.operatorId,
                },
          latest: r.latest,
          operatorId: r.tabletOperatorId,
          jobs: r.jobs ?? [],
        },
      ]),
    );
  }

  /**
   * In one statement: inserts `events` (ones without an eventId, which cannot be duplicates; pass
   * none when they were inserted already), ends or removes the replaced open intervals and inserts
   * the new ones. The insert waits for the update and delete (it reads their counts), so the
   * no-overlap constraint never sees the old open interval beside its continuation.
   */
  async append(tx: EntityManager, events: NewStateEvent[], timeline: TimelineAppend): Promise<void> {
    if (events.length === 0 && timeline.close.length === 0 && timeline.remove.length === 0 && timeline.add.length === 0) return;
    if (events.some((e) => e.eventId !== null))
      throw new Error('append: events with an eventId are inserted with TimelineRepository.insertEvents');
    const { close, remove, add } = timeline;
    const rows = (await this.prepared(tx, 'oee_event_append_1', APPEND, [
      ...stateEventColumns(events),
      close.map((c) => c.id),
      close.map((c) => new Date(c.end)),
      remove,
      add.map((r) => r.machineId),
      add.map((r) => new Date(r.start)),
      add.map((r) => (r.end === null ? null : new Date(r.end))),
      add.map((r) => r.activityCodeId),
      add.map((r) => r.jobId),
      add.map((r) => r.operatorId),
    ])) as { events: number; close: number; remove: number; add: number }[];
    const done = rows[0]!;
    // Everything was read under the machines' locks: anything else is a broken invariant, never committed.
    if (done.events !== events.length || done.close !== close.length || done.remove !== remove.length || done.add !== add.length)
      throw new Error(`append: the timeline changed under the machine lock (${JSON.stringify(done)})`);
  }

  /** A query with parameters, named (prepared) unless prepared statements are off. */
  private async prepared(tx: EntityManager, name: string, text: string, values: unknown[]): Promise<unknown[]> {
    const result = (await clientQuery(tx, this.options.preparedStatements ? { name, text, values } : { text, values })) as pg.QueryResult;
    return result.rows;
  }
}

function isoTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (!/^[-+0-9T:.Z]+$/.test(iso)) throw new Error(`not a time: ${ms}`);
  return iso;
}

/**
 * A query on the transaction's own connection, through the pg client: a named (prepared) statement, or
 * text without parameters (the simple protocol: one message, which may hold several statements, whose
 * results TypeORM would drop). Failures reach TypeORM's logger as its own do (health watches them).
 */
async function clientQuery(tx: EntityManager, query: string | pg.QueryConfig): Promise<unknown> {
  const runner = tx.queryRunner;
  if (!runner) throw new Error('the write path needs a transaction');
  const client = (await runner.connect()) as pg.ClientBase;
  try {
    return await client.query(query);
  } catch (err) {
    const [text, values] = typeof query === 'string' ? [query, []] : [query.text, query.values ?? []];
    tx.connection.logger.logQueryError(err as Error, text, values, runner);
    throw err;
  }
}
