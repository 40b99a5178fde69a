import type { DataSource, EntityManager } from 'typeorm';
import { emptyElements, lowerBound, OEE_ELEMENT_KEYS, type LossElement, type OeeElements } from '../../core/oee/index.js';
import type { Category } from '../../core/schemas/setup.schema.js';

/** Stored rows span whole clock hours of this length. */
export const HOUR_MS = 3_600_000;

/** The additive columns of `oee_hourly`, in the order they are written. */
export const ELEMENT_COLUMNS = OEE_ELEMENT_KEYS;

/** An hour row (`hours` = 1) or a local-day row (`hours` = 23–25, the sum of the day's hours). */
export interface StoredRollup {
  machineId: number;
  start: Date;
  hours: number;
  elements: OeeElements;
}

/**
 * Rows to store, column by column: a cold year computes ~900 000 hour rows, which as objects of boxed
 * numbers (~400 bytes each) would fill the heap until written; as arrays of unboxed numbers, ~150
 * bytes, and nothing for the collector to trace. Plain arrays, on V8's heap, not typed arrays: those
 * are malloc'd, and freeing a few of ~7 MB raises glibc's mmap threshold, so the next request's
 * arrays come from its heap and stay in the process's RSS once freed (+90 MB idle after three cold
 * years). Losses (a few per row) are kept in row order.
 */
export class RollupRows {
  readonly machineIds: number[] = [];
  /** Row starts, epoch ms. */
  readonly starts: number[] = [];
  readonly hours: number[] = [];
  /** One column per ELEMENT_COLUMNS entry. */
  readonly columns: number[][] = ELEMENT_COLUMNS.map(() => []);
  /** Per loss: the index of its row (ascending), then its fields. */
  readonly lossRows: number[] = [];
  readonly lossCodes: number[] = [];
  readonly lossCategories: Category[] = [];
  readonly lossSeconds: number[] = [];
  readonly lossOccurrences: number[] = [];

  static of(list: readonly StoredRollup[]): RollupRows {
    const rows = new RollupRows();
    for (const r of list) rows.push(r.machineId, r.start.getTime(), r.hours, r.elements);
    return rows;
  }

  get length(): number {
    return this.machineIds.length;
  }

  push(machineId: number, start: number, hours: number, e: OeeElements): void {
    const row = this.machineIds.length;
    this.machineIds.push(machineId);
    this.starts.push(start);
    this.hours.push(hours);
    // Named reads in ELEMENT_COLUMNS order (a keyed read by column name costs more than the rest).
    const c = this.columns;
    c[0]!.push(e.calendarSeconds);
    c[1]!.push(e.plannedWindowSeconds);
    c[2]!.push(e.plannedShutdownSeconds);
    c[3]!.push(e.plannedProductionSeconds);
    c[4]!.push(e.runSeconds);
    c[5]!.push(e.overtimeSeconds);
    c[6]!.push(e.unplannedStopSeconds);
    c[7]!.push(e.plannedStopSeconds);
    c[8]!.push(e.smallStopSeconds);
    c[9]!.push(e.ratedRunSeconds);
    c[10]!.push(e.idealSeconds);
    c[11]!.push(e.fullyProductiveSeconds);
    c[12]!.push(e.totalCount);
    c[13]!.push(e.goodCount);
    c[14]!.push(e.rejectCount);
    c[15]!.push(e.unplannedStopCount);
    for (const l of e.losses) {
      this.lossRows.push(row);
      this.lossCodes.push(l.activityCodeId);
      this.lossCategories.push(l.category);
      this.lossSeconds.push(l.seconds);
      this.lossOccurrences.push(l.occurrences);
    }
  }

  /** Where row `i` ends, epoch ms. */
  end(i: number): number {
    return this.starts[i]! + this.hours[i]! * HOUR_MS;
  }

  /** The rows of [from, to) that `keep` keeps, in order, with their losses. */
  pick(keep: (i: number) => boolean, from = 0, to = this.length): RollupRows {
    const out = new RollupRows();
    let l = lowerBound(this.lossRows, from);
    for (let i = from; i < to; i++) {
      const kept = keep(i);
      const row = out.machineIds.length;
      if (kept) {
        out.machineIds.push(this.machineIds[i]!);
        out.starts.push(this.starts[i]!);
        out.hours.push(this.hours[i]!);
        for (let c = 0; c < ELEMENT_COLUMNS.length; c++) out.columns[c]!.push(this.columns[c]![i]!);
      }
      for (; l < this.lossRows.length && this.lossRows[l] === i; l++) {
        if (!kept) continue;
        out.lossRows.push(row);
        out.lossCodes.push(this.lossCodes[l]!);
        out.lossCategories.push(this.lossCategories[l]!);
        out.lossSeconds.push(this.lossSeconds[l]!);
        out.lossOccurrences.push(this.lossOccurrences[l]!);
      }
    }
    return out;
  }

  /** The rows as objects (for tests and logs; not for a year of them). */
  list(): StoredRollup[] {
    const list: StoredRollup[] = [];
    for (let i = 0; i < this.length; i++) {
      const elements = emptyElements();
      for (let c = 0; c < ELEMENT_COLUMNS.length; c++) elements[ELEMENT_COLUMNS[c]!] = this.columns[c]![i]!;
      list.push({ machineId: this.machineIds[i]!, start: new Date(this.starts[i]!), hours: this.hours[i]!, elements });
    }
    for (let l = 0; l < this.lossRows.length; l++) {
      list[this.lossRows[l]!]!.elements.losses.push({
        activityCodeId: this.lossCodes[l]!,
        category: this.lossCategories[l]!,
        seconds: this.lossSeconds[l]!,
        occurrences: this.lossOccurrences[l]!,
      });
    }
    return list;
  }
}

/** Which rows: clock hours or whole local days. */
export type RollupLevel = 'hour' | 'day';

export interface RollupSum {
  /** The machine id (sums by machine) or the row start in epoch ms (sums by start). */
  key: number;
  /** How many stored rows were summed (the caller compares with how many it expected). */
  rows: number;
  elements: OeeElements;
}

/** What changed in a machine's history: from an instant, or from the start of a job. */
export interface RollupInvalidation {
  machineId: number;
  from: Date | null;
  jobId: number | null;
}

/** Reads of the stored rows that see one snapshot, so "what is stored" and "its sum" agree. */
export interface RollupReader {
  /**
   * Sums of the stored rows of one level of these machines starting in [from, to), per machine or
   * per row start (over the machines). Rows exist only on the current hour grid (a time zone change
   * deletes them all) and only from a machine's first data on.
   */
  sums(machineIds: number[], range: { from: Date; to: Date }, level: RollupLevel, by: 'machine' | 'start'): Promise<RollupSum[]>;
  /** Sums of the stored hour rows of each (machine, [from, to)); `key` is the index in `pieces`. */
  pieceSums(pieces: { machineId: number; from: Date; to: Date }[]): Promise<RollupSum[]>;
  /** The starts (epoch ms) of the stored rows of one level of these machines in [from, to). */
  starts(machineIds: number[], range: { from: Date; to: Date }, level: RollupLevel): Promise<Map<number, Set<number>>>;
}

/** Rows of `cut`'s machine that end after `cut.at` (the index bound: no row is longer than 25 h). */
const touched = `h."machineId" = cut."machineId" AND h."hourStart" > cut.at - interval '25 hours' AND h."hourStart" + h.hours * interval '1 hour' > cut.at`;

const levelFilter = (level: RollupLevel) => (level === 'hour' ? 'h.hours = 1' : 'h.hours > 1');

/**
 * The `oee_hourly` cache: per-machine OEE elements of closed clock hours and local days (see
 * OeeHourlyEntity). Sums are done by Postgres.
 */
export class OeeRollupRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `fn` with reads in one REPEATABLE READ snapshot. */
  read<T>(fn: (reader: RollupReader) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('REPEATABLE READ', (tx) => fn(new SnapshotReader(tx)));
  }

  /**
   * Stores computed rows. A row already stored (by a concurrent request, from the same data) is
   * kept, and so are its losses: one statement inserts the rows and the losses of the rows it
   * inserted, and every delete removes a row and its losses in one statement, so they always come
   * and go together.
   */
  async store(rows: RollupRows): Promise<void> {
    if (rows.length === 0) return;
    const n = ELEMENT_COLUMNS.length;
    // Arrays of numbers go as array literals and times as epoch ms: a cold year writes ~1.8 M
    // rows, and the driver's per-element quoting and date formatting would cost more than the insert.
    await this.dataSource.query(
      `WITH inserted AS (
         INSERT INTO oee_hourly ("machineId", "hourStart", hours, ${ELEMENT_COLUMNS.map((c) => `"${c}"`).join(', ')})
         SELECT m, to_timestamp(s / 1000.0), h, ${ELEMENT_COLUMNS.map((_, i) => `c${i}`).join(', ')}
           FROM unnest($1::int[], $2::float8[], $3::smallint[], ${ELEMENT_COLUMNS.map((c, i) => `$${i + 4}::${c === 'unplannedStopCount' ? 'int' : 'float8'}[]`).join(', ')})
             AS r(m, s, h, ${ELEMENT_COLUMNS.map((_, i) => `c${i}`).join(', ')})
         ON CONFLICT ("machineId", "hourStart", hours) DO NOTHING
         RETURNING "machineId", "hourStart", hours
       )
       INSERT INTO oee_hourly_losses ("machineId", "hourStart", hours, "activityCodeId", category, seconds, occurrences)
       SELECT l.m, l.t, l.h, l.a, l.c, l.x, l.o
         FROM (SELECT m, to_timestamp(s / 1000.0) AS t, h, a, c, x, o
                 FROM unnest($${n + 4}::int[], $${n + 5}::float8[], $${n + 6}::smallint[], $${n + 7}::int[], $${n + 8}::text[], $${n + 9}::float8[], $${n + 10}::int[])
                   AS l(m, s, h, a, c, x, o)) l
         JOIN inserted i ON i."machineId" = l.m AND i."hourStart" = l.t AND i.hours = l.h`,
      [
        numbers(rows.machineIds),
        numbers(rows.starts),
        numbers(rows.hours),
        ...rows.columns.map((c) => numbers(c)),
        numbers(rows.lossRows.map((i) => rows.machineIds[i]!)),
        numbers(rows.lossRows.map((i) => rows.starts[i]!)),
        numbers(rows.lossRows.map((i) => rows.hours[i]!)),
        numbers(rows.lossCodes),
        rows.lossCategories,
        numbers(rows.lossSeconds),
        numbers(rows.lossOccurrences),
      ],
    );
  }

  /**
   * Deletes the stored rows a history change can have touched: for each machine, every row that
   * ends after (its earliest change − the site's microStopSeconds). The margin is there because an
   * unplanned stop is a small stop or not depending on its full length and its successor, so a
   * change at `from` can re-classify a stop that began up to `microStopSeconds` earlier. A job
   * change counts from the job's start (its ideal cycle time applies to all of it).
   */
  async invalidate(changes: RollupInvalidation[]): Promise<void> {
    if (changes.length === 0) return;
    await this.dataSource.query(
      `WITH cut AS (
         SELECT c."machineId", min(COALESCE(c."from", j.start, '-infinity'::timestamptz)) - make_interval(secs => s."microStopSeconds") AS at
           FROM unnest($1::int[], $2::timestamptz[], $3::int[]) AS c("machineId", "from", "jobId")
           LEFT JOIN jobs j ON j.id = c."jobId"
           CROSS JOIN site_settings s
          WHERE s.id = 1
          GROUP BY c."machineId", s."microStopSeconds"
       ), losses AS (
         DELETE FROM oee_hourly_losses h USING cut WHERE ${touched}
       )
       DELETE FROM oee_hourly h USING cut WHERE ${touched}`,
      [changes.map((c) => c.machineId), changes.map((c) => c.from), changes.map((c) => c.jobId)],
    );
  }

  /**
   * Deletes the stored rows of the machines that use this shift pattern from the local midnight its
   * latest version takes effect on (all of them when it has always been in force): an edit from a
   * date changes no day before it (docs/oee.md#shift-pattern-versions). The date is read here, so a
   * delete asked for by another instance's change cuts where the edit did.
   */
  async invalidateShiftPattern(shiftPatternId: number): Promise<void> {
    await this.dataSource.query(
      `WITH cut AS (
         SELECT m.id AS "machineId",
                CASE WHEN sp."effectiveFrom" IS NULL THEN '-infinity'::timestamptz
                     ELSE (sp."effectiveFrom"::date)::timestamp AT TIME ZONE s.timezone END AS at
           FROM machines m
           JOIN shift_patterns sp ON sp.id = m."shiftPatternId"
          CROSS JOIN site_settings s
          WHERE m."shiftPatternId" = $1 AND s.id = 1
       ), losses AS (
         DELETE FROM oee_hourly_losses h USING cut WHERE ${touched}
       )
       DELETE FROM oee_hourly h USING cut WHERE ${touched}`,
      [shiftPatternId],
    );
  }

  /** Deletes every stored row (site time zone, micro-stop threshold or a code's category changed). */
  async invalidateAll(): Promise<void> {
    await this.dataSource.query(`TRUNCATE oee_hourly, oee_hourly_losses`);
  }
}

type TotalsRow = { key: number; rows: number } & Record<(typeof ELEMENT_COLUMNS)[number], number>;
type LossRow = { key: number; activityCodeId: number; category: Category; seconds: number; occurrences: number };

class SnapshotReader implements RollupReader {
  constructor(private readonly tx: EntityManager) {}

  async sums(machineIds: number[], range: { from: Date; to: Date }, level: RollupLevel, by: 'machine' | 'start'): Promise<RollupSum[]> {
    if (machineIds.length === 0 || !(range.from < range.to)) return [];
    // A plain scan hashed by machine or by start (never by a computed bucket: the planner cannot
    // estimate those groups and falls back to sorting on disk).
    const key = by === 'machine' ? 'h."machineId"' : 'h."hourStart"';
    const keyOut = by === 'machine' ? 'h."machineId"' : '(EXTRACT(EPOCH FROM h."hourStart") * 1000)::float8';
    const scope = (table: string) =>
      `FROM ${table} h WHERE h."machineId" = ANY($1::int[]) AND h."hourStart" >= $2 AND h."hourStart" < $3 AND ${levelFilter(level)}`;
    const params = [machineIds, range.from, range.to];
    // One after the other: a snapshot is one connection, which runs one query at a time.
    const totals = (await this.tx.query(
      `SELECT ${keyOut} AS key, count(*)::int AS rows, ${sumColumns()} ${scope('oee_hourly')} GROUP BY ${key}`,
      params,
    )) as TotalsRow[];
    const losses = (await this.tx.query(
      `SELECT ${keyOut} AS key, h."activityCodeId", h.category, sum(h.seconds)::float8 AS seconds, sum(h.occurrences)::int AS occurrences
         ${scope('oee_hourly_losses')} GROUP BY ${key}, h."activityCodeId", h.category`,
      params,
    )) as LossRow[];
    return toSums(totals, losses);
  }

  async pieceSums(pieces: { machineId: number; from: Date; to: Date }[]): Promise<RollupSum[]> {
    if (pieces.length === 0) return [];
    const scope = (table: string) =>
      `FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS p(m, s, e, i)
       JOIN ${table} h ON h."machineId" = p.m AND h."hourStart" >= p.s AND h."hourStart" < p.e AND h.hours = 1`;
    const params = [pieces.map((p) => p.machineId), pieces.map((p) => p.from), pieces.map((p) => p.to)];
    const totals = (await this.tx.query(
      `SELECT (p.i - 1)::int AS key, count(*)::int AS rows, ${sumColumns()} ${scope('oee_hourly')} GROUP BY p.i`,
      params,
    )) as TotalsRow[];
    const losses = (await this.tx.query(
      `SELECT (p.i - 1)::int AS key, h."activityCodeId", h.category, sum(h.seconds)::float8 AS seconds, sum(h.occurrences)::int AS occurrences
         ${scope('oee_hourly_losses')} GROUP BY p.i, h."activityCodeId", h.category`,
      params,
    )) as LossRow[];
    return toSums(totals, losses);
  }

  async starts(machineIds: number[], range: { from: Date; to: Date }, level: RollupLevel): Promise<Map<number, Set<number>>> {
    const result = new Map<number, Set<number>>(machineIds.map((id) => [id, new Set()]));
    if (machineIds.length === 0 || !(range.from < range.to)) return result;
    const rows: { machineId: number; ms: number }[] = await this.tx.query(
      `SELECT h."machineId", (EXTRACT(EPOCH FROM h."hourStart") * 1000)::float8 AS ms
         FROM oee_hourly h WHERE h."machineId" = ANY($1::int[]) AND h."hourStart" >= $2 AND h."hourStart" < $3 AND ${levelFilter(level)}`,
      [machineIds, range.from, range.to],
    );
    for (const r of rows) result.get(r.machineId)?.add(r.ms);
    return result;
  }
}

/** A Postgres array literal of finite numbers (JavaScript's shortest round-trip form: exact for float8). */
function numbers(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

function sumColumns(): string {
  return ELEMENT_COLUMNS.map((c) => `sum(h."${c}")::float8 AS "${c}"`).join(', ');
}

function toSums(totals: TotalsRow[], losses: LossRow[]): RollupSum[] {
  const lossesBy = new Map<number, LossElement[]>();
  for (const l of losses) {
    const list = lossesBy.get(l.key) ?? [];
    list.push({ activityCodeId: l.activityCodeId, category: l.category, seconds: l.seconds, occurrences: l.occurrences });
    lossesBy.set(l.key, list);
  }
  return totals.map((t) => {
    const elements = emptyElements();
    for (const c of ELEMENT_COLUMNS) elements[c] = t[c];
    elements.losses = lossesBy.get(t.key) ?? [];
    return { key: t.key, rows: t.rows, elements };
  });
}
