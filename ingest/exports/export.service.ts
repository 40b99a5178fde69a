import type { Response } from 'express';
import { AppError } from '../../core/errors.js';
import { EXPORT_DATASETS, EXPORT_FORMATS, exportDatasetSchema, exportFormatSchema, type ExportDataset, type ExportFormat, type ScopedRangeQuery } from '../../core/schemas/export.schema.js';
import { oeeResultSchema } from '../../core/schemas/oee.schema.js';
import type { EventExportRow, ExportSession, JobExportRow, ProductionExportRow, ScopeMachine, TimelineExportRow } from '../../db/repositories/export.repository.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { DailyOeeRow, ReportsService } from '../services/reports.service.js';
import { CSV_CONTENT_TYPE, createCsvWriter } from './csv-writer.js';
import { HeapGuard } from './heap-guard.js';
import { localTimeFormatter } from './local-time.js';
import type { Cell, TableWriter } from './table-writer.js';
import { createXlsxWriter, XLSX_CONTENT_TYPE } from './xlsx-writer.js';

/**
 * Exports hold a pooled connection each for as long as the client downloads; more at once would
 * starve the ingest path of connections. Further requests get a 429.
 */
export const MAX_CONCURRENT_EXPORTS = 4;
/** Slots one caller (a user, an API key) may hold: one slow download cannot take them all. */
export const MAX_EXPORTS_PER_CALLER = 2;

type Time = (instant: Date) => string;

interface Column<R> {
  /** The header: the API's field name where the API has the field. */
  header: string;
  /** xlsx column width, in characters. */
  width: number;
  value: (row: R, time: Time) => Cell;
}

interface Dataset<R> {
  sheet: string;
  columns: Column<R>[];
  /** Whether the rows are read through a cursor session (else `session` is null). */
  cursor: boolean;
  /** Batches of rows in file order. */
  rows: (input: { session: ExportSession | null; reports: ReportsService; machines: ScopeMachine[]; from: Date; to: Date }) => AsyncIterable<R[]>;
}

const col = <R>(header: string, width: number, value: (row: R, time: Time) => Cell): Column<R> => ({ header, width, value });
const at = <R>(header: string, get: (row: R) => Date | null): Column<R> => col(header, 26, (row, time) => {
  const instant = get(row);
  return instant === null ? null : time(instant);
});
const seconds = (start: Date, end: Date | null): number | null => (end === null ? null : (end.getTime() - start.getTime()) / 1000);
const machineColumns = <R extends { machineId: number; machine: string }>(): Column<R>[] => [col('machineId', 10, (r) => r.machineId), col('machine', 20, (r) => r.machine)];

/** Every number of the OEE result shape (docs/oee.md), in the schema's order; lists (losses, warnings) are not columns. */
const OEE_NUMBER_FIELDS = Object.keys(oeeResultSchema.shape).filter((k) => !['from', 'to', 'losses', 'warnings'].includes(k)) as (keyof DailyOeeRow['result'])[];

/** The columns of each dataset, defined once for both formats. */
const DATASETS: { [K in ExportDataset]: Dataset<any> } = {
  timeline: {
    sheet: 'Timeline',
    cursor: true,
    columns: [
      ...machineColumns<TimelineExportRow>(),
      at('start', (r) => r.start),
      at('end', (r) => r.end),
      col('durationSeconds', 16, (r) => seconds(r.start, r.end)),
      col('activityCodeId', 14, (r) => r.activityCodeId),
      col('activityCode', 20, (r) => r.activityCode),
      col('category', 18, (r) => r.category),
      col('jobId', 8, (r) => r.jobId),
      col('jobNumber', 16, (r) => r.jobNumber),
      col('operatorId', 11, (r) => r.operatorId),
      col('operator', 16, (r) => r.operator),
    ] satisfies Column<TimelineExportRow>[],
    rows: ({ session, machines, from, to }) => session!.timeline(ids(machines), from, to),
  },
  events: {
    sheet: 'Events',
    cursor: true,
    columns: [
      col('id', 12, (r) => Number(r.id)),
      ...machineColumns<EventExportRow>(),
      at('at', (r) => r.at),
      at('until', (r) => r.until),
      col('activityCodeId', 14, (r) => r.activityCodeId),
      col('activityCode', 20, (r) => r.activityCode),
      col('category', 18, (r) => r.category),
      col('source', 12, (r) => r.source),
      col('sender', 14, (r) => r.sender),
      col('operatorId', 11, (r) => r.operatorId),
      col('operator', 16, (r) => r.operator),
      col('eventId', 24, (r) => r.eventId),
      at('receivedAt', (r) => r.receivedAt),
    ] satisfies Column<EventExportRow>[],
    rows: ({ session, machines, from, to }) => session!.events(ids(machines), from, to),
  },
  jobs: {
    sheet: 'Jobs',
    cursor: true,
    columns: [
      col('id', 8, (r) => r.id),
      ...machineColumns<JobExportRow>(),
      col('jobNumber', 16, (r) => r.jobNumber),
      at('start', (r) => r.start),
      at('end', (r) => r.end),
      col('durationSeconds', 16, (r) => seconds(r.start, r.end)),
      col('idealCycleTimeSeconds', 22, (r) => r.idealCycleTimeSeconds),
      col('good', 10, (r) => r.good),
      col('rejects', 10, (r) => r.rejects),
      col('operatorId', 11, (r) => r.operatorId),
      col('operator', 16, (r) => r.operator),
    ] satisfies Column<JobExportRow>[],
    rows: ({ session, machines, from, to }) => session!.jobs(ids(machines), from, to),
  },
  production: {
    sheet: 'Production',
    cursor: true,
    columns: [
      col('id', 10, (r) => Number(r.id)),
      ...machineColumns<ProductionExportRow>(),
      col('jobId', 8, (r) => r.jobId),
      col('jobNumber', 16, (r) => r.jobNumber),
      at('from', (r) => r.from),
      at('to', (r) => r.to),
      col('good', 10, (r) => r.good),
      col('rejects', 10, (r) => r.rejects),
      col('source', 12, (r) => r.source),
      col('sender', 14, (r) => r.sender),
      col('eventId', 24, (r) => r.eventId),
      at('createdAt', (r) => r.createdAt),
    ] satisfies Column<ProductionExportRow>[],
    rows: ({ session, machines, from, to }) => session!.production(ids(machines), from, to),
  },
  'oee-daily': {
    sheet: 'OEE by day',
    cursor: false,
    columns: [
      col('machineId', 10, (r) => r.machine.id),
      col('machine', 20, (r) => r.machine.name),
      col('date', 12, (r) => r.date),
      at('from', (r) => new Date(r.result.from)),
      at('to', (r) => new Date(r.result.to)),
      ...OEE_NUMBER_FIELDS.map((field) => col<DailyOeeRow>(field, Math.max(12, field.length + 2), (r) => r.result[field] as number | null)),
      col('warnings', 22, (r) => r.result.warnings.join(' ') || null),
    ] satisfies Column<DailyOeeRow>[],
    rows: ({ reports, machines, from, to }) => reports.dailyOee(machines, from, to),
  },
};

function ids(machines: ScopeMachine[]): number[] {
  return machines.map((m) => m.id);
}

/**
 * `GET /api/v1/export/<dataset>.<format>`: streams a dataset as CSV or xlsx. Rows come in batches
 * from a database cursor (or, for `oee-daily`, machine by machine from the OEE service) and each
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
  async export(datasetName: string, formatName: string, query: ScopedRangeQuery, res: Response, caller: string): Promise<void> {
    const dataset = exportDatasetSchema.safeParse(datasetName);
    const format = exportFormatSchema.safeParse(formatName);
    if (!dataset.success) throw new AppError('not_found', 404, `No export dataset "${datasetName}": use one of ${EXPORT_DATASETS.join(', ')}`);
    if (!format.success) throw new AppError('not_found', 404, `No export format "${formatName}": use one of ${EXPORT_FORMATS.join(', ')}`);
    const scope = await this.reports.scope(query);
    const time = localTimeFormatter((await this.repos.site.get()).timezone);
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
      const rows = (session: ExportSession | null) => def.rows({ session, reports: this.reports, machines: scope.machines, from: query.from, to: query.to });
      if (def.cursor) await this.repos.exports.session((session) => stream(res, format.data, file, def, rows(session), time));
      else await stream(res, format.data, file, def, rows(null), time);
    } finally {
      this.running--;
      const left = (this.byCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.byCaller.set(caller, left);
      else this.byCaller.delete(caller);
    }
  }
}

async function stream<R>(res: Response, format: ExportFormat, file: string, def: Dataset<R>, rows: AsyncIterable<R[]>, time: Time): Promise<void> {
  const iterator = rows[Symbol.asyncIterator]();
  let next = await iterator.next();
  let gone = false;
  res.once('close', () => (gone = !res.writableFinished));
  res.status(200);
  res.setHeader('Content-Type', format === 'csv' ? CSV_CONTENT_TYPE : XLSX_CONTENT_TYPE);
  res.setHeader('Content-Disposition', `attachment; filename="${file}"`);
  const writer: TableWriter =
    format === 'csv'
      ? createCsvWriter(res, def.columns.map((c) => c.header))
      : createXlsxWriter(res, def.sheet, def.columns.map((c) => ({ header: c.header, width: c.width })));
  const heap = new HeapGuard();
  try {
    while (!next.done && !gone) {
      await writer.write(next.value.map((row) => def.columns.map((c) => c.value(row, time))));
      heap.check();
      if (gone || res.destroyed) break;
      next = await iterator.next();
    }
  } finally {
    // Stopped early (client gone, or an error): let the source close its cursor.
    if (!next.done) await iterator.return?.(undefined)?.catch(() => undefined);
  }
  if (!gone && !res.destroyed) await writer.end();
}

/** `oee-monitor_<dataset>_<machine|group|site>_<from>_<to>.<ext>`, times local to the site (a date alone at midnight). */
export function fileName(dataset: ExportDataset, format: ExportFormat, label: string, from: Date, to: Date, time: Time): string {
  const local = (d: Date) => {
    const text = time(d); // YYYY-MM-DDTHH:mm:ss[.sss]±HH:MM
    const clock = text.slice(11, 19);
    if (clock === '00:00:00') return text.slice(0, 10);
    return `${text.slice(0, 10)}T${clock.slice(0, 2)}${clock.slice(3, 5)}${clock.endsWith(':00') ? '' : clock.slice(6, 8)}`;
  };
  const slug = label.normalize('NFKD').replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'scope';
  return `oee-monitor_${dataset}_${slug}_${local(from)}_${local(to)}.${format}`;
}
