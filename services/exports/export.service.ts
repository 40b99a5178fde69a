import type { Writable } from 'node:stream';
import { COLUMNS, DATASET_COLUMNS, dayColumn, OEE_NUMBER_KEYS, type ExportColumn } from '../../core/export-columns.js';
import { AppError } from '../../core/errors.js';
import type { OeeResult } from '../../core/oee/index.js';
import {
  EXPORT_DATASETS,
  EXPORT_FORMATS,
  exportDatasetSchema,
  exportFormatSchema,
  type ExportDataset,
  type ExportFormat,
  type ExportQuery,
} from '../../core/schemas/export.schema.js';
import {
  CURSOR_BATCH_ROWS,
  CURSOR_BATCH_ROWS_ONE_PASS,
  type BatchReader,
  type EventExportRow,
  type ExportSession,
  type JobExportRow,
  type ProductionExportRow,
  type ScopeMachine,
  type TimelineExportRow,
} from '../../db/repositories/export.repository.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { ReportsService } from '../reports.service.js';
import { CSV_CONTENT_TYPE, createCsvWriter } from './csv-writer.js';
import { localTimeFormatter } from '../../core/calendar/local-time.js';
import type { TableWriter, Value } from './table-writer.js';
import { createXlsxWriter, XLSX_CONTENT_TYPE } from './xlsx-writer.js';
import { fileName } from './file-name.js';
import { reasonValues } from './reason-rows.js';

/**
 * Exports hold a pooled connection each for as long as the client downloads; more at once would
 * starve the ingest path of connections. Further requests get a 429.
 */
export const MAX_CONCURRENT_EXPORTS = 4;
/** Slots one caller (a user, an API key) may hold: one slow download cannot take them all. */
export const MAX_EXPORTS_PER_CALLER = 2;

/** Seconds a caller turned away with a 429 should wait before asking again (the route's Retry-After). */
export const EXPORT_RETRY_AFTER_SECONDS = 5;

/**
 * What the file is, known once its first batch is read and before a byte of it is written: the
 * HTTP route sends it as headers (`rowCount` as X-Export-Rows, which the download's progress shows).
 */
export interface ExportFile {
  contentType: string;
  fileName: string;
  rowCount: number;
}

/**
 * Where the file goes: called once, with the file's description, when the export starts; returns
 * the stream to write it to. The service writes, heeds its back-pressure (`drain`) and ends it; a
 * stream destroyed meanwhile (the client left) stops the export and closes its cursor.
 */
export type ExportTarget = (file: ExportFile) => Writable;

interface Input {
  session: ExportSession | null;
  reports: ReportsService;
  machines: ScopeMachine[];
  query: ExportQuery;
  /** Site-local `YYYY-MM-DD` of an instant. */
  localDate: (instant: Date) => string;
}

/**
 * What a dataset streams: its columns (known once the first batch is read), its row count, and its
 * batches, each written as it is read.
 */
interface Source {
  columns: ExportColumn[];
  rowCount: number;
  /** Writes the next batch (the first was read when the source opened); false when there is none left. */
  writeNext(writer: TableWriter): Promise<boolean>;
  /** Stops early: lets the rows' iterator close its cursor. */
  close(): Promise<void>;
}

interface Dataset {
  sheet: string;
  /** Whether the rows are read through a cursor session (else `session` is null). */
  cursor: boolean;
  open: (input: Input) => Promise<Source>;
}

const columnsOf = (keys: readonly (keyof typeof COLUMNS)[]): ExportColumn[] => keys.map((k) => COLUMNS[k]);
const seconds = (start: Date, end: Date | null): number | null => (end === null ? null : (end.getTime() - start.getTime()) / 1000);
const ids = (machines: ScopeMachine[]) => machines.map((m) => m.id);

/**
 * Reads the first batch (so a failure is still a JSON error). Rows become values one at a time as the
 * writer takes them, and no batch is kept once written: what lives across the writer's waits is the
 * one batch of rows being written (docs/exports.md, "Memory and speed").
 */
async function source<R>(
  shape: (first: R[] | null) => { columns: ExportColumn[]; rowCount: number },
  reader: BatchReader<R>,
  values: (row: R) => Value[],
): Promise<Source> {
  let pending: Promise<R[] | null> | null = Promise.resolve(await reader.read());
  let exhausted = false;
  const first = await pending;
  return {
    ...shape(first),
    async writeNext(writer) {
      if (exhausted) return false;
      const batch = await (pending ?? reader.read());
      pending = null;
      if (batch === null) {
        exhausted = true;
        return false;
      }
      if (writer.readAhead) {
        pending = reader.read();
        // Awaited by the next writeNext or by close; this only keeps a failure from being unhandled meanwhile.
        pending.catch(() => undefined);
      }
      await writer.write(batch, values);
      return true;
    },
    async close() {
      await pending?.catch(() => undefined);
      pending = null;
      if (!exhausted) await reader.close();
      exhausted = true;
    },
  };
}

/** The OEE service's batches (an async generator: a machine's buckets each) as a reader. */
function readerOf<R>(batches: AsyncIterable<R[]>): BatchReader<R> {
  const iterator = batches[Symbol.asyncIterator]();
  return {
    read: async () => {
      const next = await iterator.next();
      return next.done ? null : next.value;
    },
    close: async () => {
      await iterator.return?.(undefined);
    },
  };
}

/** Lists of rows read through a cursor, counted first in the same snapshot. */
function listed<R>(
  name: 'timeline' | 'events' | 'jobs' | 'production',
  read: (s: ExportSession, input: Input) => BatchReader<R>,
  values: (row: R) => Value[],
): Dataset['open'] {
  return async (input) => {
    const { session, machines, query } = input;
    const count = await session!.count(name, ids(machines), query.from, query.to);
    return source(() => ({ columns: columnsOf(DATASET_COLUMNS[name]), rowCount: count }), read(session!, input), values);
  };
}

const oeeNumbers = (r: OeeResult): Value[] => OEE_NUMBER_KEYS.map((k) => r[k]);

/** The columns and reads of each dataset, for both formats (columns in core/export-columns.ts). */
const DATASETS: { [K in ExportDataset]: Dataset } = {
  timeline: {
    sheet: 'Timeline',
    cursor: true,
    open: listed<TimelineExportRow>(
      'timeline',
      (s, { machines, query }) => s.timeline(ids(machines), query.from, query.to),
      (r) => [
        r.machineId,
        r.machine,
        r.start,
        r.end,
        seconds(r.start, r.end),
        r.activityCodeId,
        r.activityCode,
        r.category,
        r.cause,
        r.jobId,
        r.jobNumber,
        r.operatorId,
        r.operator,
      ],
    ),
  },
  events: {
    sheet: 'Events',
    cursor: true,
    open: listed<EventExportRow>(
      'events',
      (s, { machines, query }) => s.events(ids(machines), query.from, query.to),
      (r) => [
        Number(r.id),
        r.machineId,
        r.machine,
        r.at,
        r.until,
        r.activityCodeId,
        r.activityCode,
        r.category,
        r.cause,
        r.source,
        r.sender,
        r.operatorId,
        r.operator,
        r.eventId,
        r.receivedAt,
      ],
    ),
  },
  jobs: {
    sheet: 'Jobs',
    cursor: true,
    open: listed<JobExportRow>(
      'jobs',
      (s, { machines, query }) => s.jobs(ids(machines), query.from, query.to),
      (r) => [
        r.id,
        r.machineId,
        r.machine,
        r.jobNumber,
        r.start,
        r.end,
        seconds(r.start, r.end),
        r.idealCycleTimeSeconds,
        r.good,
        r.rejects,
        r.operatorId,
        r.operator,
      ],
    ),
  },
  production: {
    sheet: 'Production',
    cursor: true,
    open: listed<ProductionExportRow>(
      'production',
      (s, { machines, query }) => s.production(ids(machines), query.from, query.to),
      (r) => [
        Number(r.id),
        r.machineId,
        r.machine,
        r.jobId,
        r.jobNumber,
        r.from,
        r.to,
        r.good,
        r.rejects,
        r.source,
        r.sender,
        r.eventId,
        r.createdAt,
      ],
    ),
  },
  oee: {
    sheet: 'OEE',
    cursor: false,
    open: async ({ reports, machines, query }) => {
      type Row = { machine: ScopeMachine; result: OeeResult };
      const rows = (async function* () {
        for await (const batch of reports.bucketOee(machines, query.from, query.to, query.bucket))
          yield batch.flatMap(({ machine, buckets }) => buckets.map((result) => ({ machine, result })));
      })();
      // Every machine has the buckets of the first.
      const shape = (first: Row[] | null) => ({
        columns: columnsOf(DATASET_COLUMNS.oee),
        rowCount: (first?.length ?? 0) * machines.length,
      });
      return source<Row>(shape, readerOf(rows), ({ machine, result }) => [
        machine.id,
        machine.name,
        new Date(result.from),
        new Date(result.to),
        result.shiftName ?? null,
        ...oeeNumbers(result),
        result.warnings.join(' ') || null,
      ]);
    },
  },
  'oee-daily': {
    sheet: 'Daily OEE',
    cursor: false,
    // The grid of the Daily OEE table: a machine a row, a site-local day a column, then the whole range.
    open: async ({ reports, machines, query, localDate }) => {
      reports.checkDayBuckets(query.from, query.to);
      type Row = { machine: ScopeMachine; whole: OeeResult; buckets: OeeResult[] };
      // Every machine has the day buckets of the first.
      const shape = (first: Row[] | null) => ({
        columns: [
          COLUMNS.machine,
          ...(first?.[0]?.buckets ?? []).map((b) => dayColumn(localDate(new Date(b.from)))),
          COLUMNS.wholeRangeOee,
        ],
        rowCount: machines.length,
      });
      const rows = reports.bucketOee(machines, query.from, query.to, 'day');
      return source<Row>(shape, readerOf(rows), ({ machine, whole, buckets }) => [machine.name, ...buckets.map((b) => b.oee), whole.oee]);
    },
  },
  reasons: {
    sheet: 'Reasons',
    cursor: false,
    // The Reasons table: a row per machine and shift (docs/oee.md "Reason KPIs"), one batch.
    open: async ({ reports, machines, query }) => {
      const rows = await reports.reasonKpis(machines, query.from, query.to);
      const batches = (async function* () {
        if (rows.length > 0) yield rows;
      })();
      return source(() => ({ columns: columnsOf(DATASET_COLUMNS.reasons), rowCount: rows.length }), readerOf(batches), reasonValues);
    },
  },
};

/**
 * `GET /api/v1/export/<dataset>.<format>`: streams a dataset as CSV or xlsx. Rows come in batches
 * from a database cursor (or, for the OEE datasets, machine by machine from the OEE service) and each
 * batch is written before the next is read, waiting while the client is slow, so memory holds one
 * batch whatever the range. The first batch is read before the headers are sent, so a failure to
 * start is still a proper JSON error; a failure later can only cut the download short.
 */
export class ExportService {
  private running = 0;
  private readonly byCaller = new Map<string, number>();

  constructor(
    private readonly repos: Repositories,
    private readonly reports: ReportsService,
  ) {}

  /** `caller`: who holds the slot (`user:<id>`, `key:<id>`). A 429 asks to wait EXPORT_RETRY_AFTER_SECONDS. */
  async export(datasetName: string, formatName: string, query: ExportQuery, caller: string, target: ExportTarget): Promise<void> {
    const dataset = exportDatasetSchema.safeParse(datasetName);
    const format = exportFormatSchema.safeParse(formatName);
    if (!dataset.success)
      throw new AppError('not_found', 404, `No export dataset "${datasetName}": use one of ${EXPORT_DATASETS.join(', ')}`);
    if (!format.success) throw new AppError('not_found', 404, `No export format "${formatName}": use one of ${EXPORT_FORMATS.join(', ')}`);
    const scope = await this.reports.scope(query);
    const timezone = (await this.repos.site.get()).timezone;
    const time = localTimeFormatter(timezone);
    const mine = this.byCaller.get(caller) ?? 0;
    if (mine >= MAX_EXPORTS_PER_CALLER)
      throw new AppError('rate_limited', 429, `You have ${MAX_EXPORTS_PER_CALLER} exports running; wait for one to finish`);
    if (this.running >= MAX_CONCURRENT_EXPORTS)
      throw new AppError('rate_limited', 429, `${MAX_CONCURRENT_EXPORTS} exports are running; try again shortly`);
    this.running++;
    this.byCaller.set(caller, mine + 1);
    try {
      const file = fileName(dataset.data, format.data, scope.label, query.from, query.to, time);
      const def = DATASETS[dataset.data];
      const run = async (session: ExportSession | null) => {
        const input: Input = { session, reports: this.reports, machines: scope.machines, query, localDate: (d) => time(d).slice(0, 10) };
        await stream(target, format.data, file, def.sheet, await def.open(input), { separator: query.separator, timezone });
      };
      if (def.cursor) await this.repos.exports.session(run, format.data === 'csv' ? CURSOR_BATCH_ROWS_ONE_PASS : CURSOR_BATCH_ROWS);
      else await run(null);
    } finally {
      this.running--;
      const left = (this.byCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.byCaller.set(caller, left);
      else this.byCaller.delete(caller);
    }
  }
}

async function stream(
  target: ExportTarget,
  format: ExportFormat,
  file: string,
  sheet: string,
  source: Source,
  options: { separator: ExportQuery['separator']; timezone: string },
): Promise<void> {
  const contentType = format === 'csv' ? CSV_CONTENT_TYPE : XLSX_CONTENT_TYPE;
  const out = target({ contentType, fileName: file, rowCount: source.rowCount });
  // Closed before it finished: the client left (an HTTP response closes with its connection).
  let gone = false;
  out.once('close', () => (gone = !out.writableFinished));
  const writer: TableWriter =
    format === 'csv' ? createCsvWriter(out, source.columns, options) : createXlsxWriter(out, sheet, source.columns, options.timezone);
  try {
    while (!gone && !out.destroyed && (await source.writeNext(writer)));
  } finally {
    // Stopped early (client gone, or an error): let the source close its cursor.
    await source.close().catch(() => undefined);
  }
  if (!gone && !out.destroyed) await writer.end();
}
