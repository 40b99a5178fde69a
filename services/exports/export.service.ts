import type { Response } from 'express';
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
import type {
  EventExportRow,
  ExportSession,
  JobExportRow,
  ProductionExportRow,
  ScopeMachine,
  TimelineExportRow,
} from '../../db/repositories/export.repository.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { ReportsService } from '../reports.service.js';
import { CSV_CONTENT_TYPE, createCsvWriter } from './csv-writer.js';
import { HeapGuard } from './heap-guard.js';
import { localTimeFormatter } from '../../core/calendar/local-time.js';
import type { TableWriter, Value } from './table-writer.js';
import { createXlsxWriter, XLSX_CONTENT_TYPE } from './xlsx-writer.js';

/**
 * Exports hold a pooled connection each for as long as the client downloads; more at once would
 * starve the ingest path of connections. Further requests get a 429.
 */
export const MAX_CONCURRENT_EXPORTS = 4;
/** Slots one caller (a user, an API key) may hold: one slow download cannot take them all. */
export const MAX_EXPORTS_PER_CALLER = 2;

/** The number of data rows of the file, sent before it (the download's progress shows it). */
export const ROW_COUNT_HEADER = 'X-Export-Rows';

interface Input {
  session: ExportSession | null;
  reports: ReportsService;
  machines: ScopeMachine[];
  query: ExportQuery;
  /** Site-local `YYYY-MM-DD` of an instant. */
  localDate: (instant: Date) => string;
}

/** What a dataset streams: its columns (known once the first batch is read) and its rows as values. */
interface Source {
  columns: ExportColumn[];
  rowCount: number;
  first: Value[][] | null;
  rest: AsyncIterator<Value[][]>;
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

/** Reads the first batch (so a failure is still a JSON error) and maps every batch to values. */
async function source<R>(
  shape: (first: R[] | null) => { columns: ExportColumn[]; rowCount: number },
  rows: AsyncIterable<R[]>,
  values: (row: R) => Value[],
): Promise<Source> {
  const iterator = rows[Symbol.asyncIterator]();
  const head = await iterator.next();
  const first = head.done ? null : head.value;
  const rest: AsyncIterator<Value[][]> = {
    async next() {
      const next = await iterator.next();
      return next.done ? { done: true, value: undefined } : { done: false, value: next.value.map(values) };
    },
    async return() {
      await iterator.return?.(undefined);
      return { done: true, value: undefined };
    },
  };
  return { ...shape(first), first: first && first.map(values), rest };
}

/** Lists of rows read through a cursor, counted first in the same snapshot. */
function listed<R>(
  name: 'timeline' | 'events' | 'jobs' | 'production',
  read: (s: ExportSession, input: Input) => AsyncIterable<R[]>,
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
      return source<Row>(shape, rows, ({ machine, result }) => [
        machine.id,
        machine.name,
        new Date(result.from),
        new Date(result.to),
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
      return source<Row>(shape, rows, ({ machine, whole, buckets }) => [machine.name, ...buckets.map((b) => b.oee), whole.oee]);
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

  /** `caller`: who holds the slot (`user:<id>`, `key:<id>`). */
  async export(datasetName: string, formatName: string, query: ExportQuery, res: Response, caller: string): Promise<void> {
    const dataset = exportDatasetSchema.safeParse(datasetName);
    const format = exportFormatSchema.safeParse(formatName);
    if (!dataset.success)
      throw new AppError('not_found', 404, `No export dataset "${datasetName}": use one of ${EXPORT_DATASETS.join(', ')}`);
    if (!format.success) throw new AppError('not_found', 404, `No export format "${formatName}": use one of ${EXPORT_FORMATS.join(', ')}`);
    const scope = await this.reports.scope(query);
    const timezone = (await this.repos.site.get()).timezone;
    const time = localTimeFormatter(timezone);
    const mine = this.byCaller.get(caller) ?? 0;
    if (mine >= MAX_EXPORTS_PER_CALLER) {
      res.setHeader('Retry-After', '5');
      throw new AppError('rate_limited', 429, `You have ${MAX_EXPORTS_PER_CALLER} exports running; wait for one to finish`);
    }
    if (this.running >= MAX_CONCURRENT_EXPORTS) {
      res.setHeader('Retry-After', '5');
      throw new AppError('rate_limited', 429, `${MAX_CONCURRENT_EXPORTS} exports are running; try again shortly`);
    }
    this.running++;
    this.byCaller.set(caller, mine + 1);
    try {
      const file = fileName(dataset.data, format.data, scope.label, query.from, query.to, time);
      const def = DATASETS[dataset.data];
      const run = async (session: ExportSession | null) => {
        const input: Input = { session, reports: this.reports, machines: scope.machines, query, localDate: (d) => time(d).slice(0, 10) };
        await stream(res, format.data, file, def.sheet, await def.open(input), { separator: query.separator, timezone });
      };
      if (def.cursor) await this.repos.exports.session(run);
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
  res: Response,
  format: ExportFormat,
  file: string,
  sheet: string,
  source: Source,
  options: { separator: ExportQuery['separator']; timezone: string },
): Promise<void> {
  let gone = false;
  res.once('close', () => (gone = !res.writableFinished));
  res.status(200);
  res.setHeader('Content-Type', format === 'csv' ? CSV_CONTENT_TYPE : XLSX_CONTENT_TYPE);
  res.setHeader('Content-Disposition', `attachment; filename="${file}"`);
  res.setHeader(ROW_COUNT_HEADER, String(source.rowCount));
  const writer: TableWriter =
    format === 'csv' ? createCsvWriter(res, source.columns, options) : createXlsxWriter(res, sheet, source.columns, options.timezone);
  let done = source.first === null;
  const heap = new HeapGuard();
  try {
    let batch = source.first;
    while (batch !== null && !gone) {
      await writer.write(batch);
      heap.check();
      if (gone || res.destroyed) break;
      const next = await source.rest.next();
      if (next.done) done = true;
      batch = next.done ? null : next.value;
    }
  } finally {
    // Stopped early (client gone, or an error): let the source close its cursor.
    if (!done) await source.rest.return?.().catch(() => undefined);
  }
  if (!gone && !res.destroyed) await writer.end();
}

/** `oee-monitor_<dataset>_<machine|group|site>_<from>_<to>.<ext>`, times local to the site (a date alone at midnight). */
export function fileName(
  dataset: ExportDataset,
  format: ExportFormat,
  label: string,
  from: Date,
  to: Date,
  time: (instant: Date) => string,
): string {
  const local = (d: Date) => {
    const text = time(d); // YYYY-MM-DDTHH:mm:ss[.sss]±HH:MM
    const clock = text.slice(11, 19);
    if (clock === '00:00:00') return text.slice(0, 10);
    return `${text.slice(0, 10)}T${clock.slice(0, 2)}${clock.slice(3, 5)}${clock.endsWith(':00') ? '' : clock.slice(6, 8)}`;
  };
  const slug =
    label
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'scope';
  return `oee-monitor_${dataset}_${slug}_${local(from)}_${local(to)}.${format}`;
}
