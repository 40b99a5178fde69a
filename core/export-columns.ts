/**
 * The one column vocabulary of the exports (CSV and xlsx) and of the analysis tables: every column
 * has a key, a header in words with its unit, and a kind that says how its value is written
 * (docs/exports.md). Plain data without zod, so the browser imports it too.
 *
 * Values arrive in the API's units (seconds, ratios 0..1, instants) and each writer converts them
 * by kind: xlsx keeps real dates, durations and ratios under a number format; CSV writes hours and
 * percent as numbers, which is what the headers' units say.
 */
import { OEE_ELEMENT_KEYS } from './oee/oee-types.js';

export const COLUMN_KINDS = ['id', 'text', 'datetime', 'date', 'duration', 'percent', 'count', 'number'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export interface ExportColumn {
  key: string;
  /** In words, with the unit in brackets where there is one. */
  header: string;
  kind: ColumnKind;
  /** xlsx width in characters. */
  width: number;
}

/** The xlsx number format of each kind (null: the cell is text or has the General format). */
export const XLSX_NUMBER_FORMATS: Record<ColumnKind, string | null> = {
  id: '0',
  text: null,
  datetime: 'yyyy-mm-dd hh:mm:ss',
  date: 'yyyy-mm-dd',
  duration: '[h]:mm:ss',
  percent: '0.0%',
  count: '#,##0',
  number: null,
};

const column = (key: string, header: string, kind: ColumnKind, width?: number): ExportColumn => ({
  key,
  header,
  kind,
  width:
    width ??
    Math.max(header.length + 2, { id: 10, text: 16, datetime: 20, date: 12, duration: 12, percent: 10, count: 10, number: 10 }[kind]),
});

/** Every column an export or table can have, by key. */
export const COLUMNS = {
  machineId: column('machineId', 'Machine ID', 'id'),
  machine: column('machine', 'Machine', 'text', 22),
  start: column('start', 'Start', 'datetime'),
  end: column('end', 'End', 'datetime'),
  duration: column('duration', 'Duration (h)', 'duration'),
  activityCodeId: column('activityCodeId', 'Activity code ID', 'id'),
  activityCode: column('activityCode', 'Activity', 'text', 20),
  category: column('category', 'Category', 'text', 18),
  cause: column('cause', 'Cause', 'text', 12),
  jobId: column('jobId', 'Job ID', 'id'),
  jobNumber: column('jobNumber', 'Job number', 'text'),
  operatorId: column('operatorId', 'Operator ID', 'id'),
  operator: column('operator', 'Operator', 'text'),
  eventRecordId: column('eventRecordId', 'Event record ID', 'id'),
  at: column('at', 'At', 'datetime'),
  until: column('until', 'Until', 'datetime'),
  source: column('source', 'Source', 'text', 12),
  sender: column('sender', 'Sent by', 'text', 16),
  eventId: column('eventId', 'Device event ID', 'text', 24),
  receivedAt: column('receivedAt', 'Received at', 'datetime'),
  idealCycleTimeSeconds: column('idealCycleTimeSeconds', 'Ideal cycle time (s)', 'number'),
  good: column('good', 'Good (parts)', 'count'),
  rejects: column('rejects', 'Rejects (parts)', 'count'),
  productionRecordId: column('productionRecordId', 'Production record ID', 'id'),
  from: column('from', 'From', 'datetime'),
  to: column('to', 'To', 'datetime'),
  createdAt: column('createdAt', 'Recorded at', 'datetime'),
  date: column('date', 'Date', 'date'),
  shift: column('shift', 'Shift', 'text'),
  calendarSeconds: column('calendarSeconds', 'Calendar time (h)', 'duration'),
  plannedWindowSeconds: column('plannedWindowSeconds', 'Planned window (h)', 'duration'),
  plannedShutdownSeconds: column('plannedShutdownSeconds', 'Planned shutdown (h)', 'duration'),
  plannedProductionSeconds: column('plannedProductionSeconds', 'Planned production time (h)', 'duration'),
  runSeconds: column('runSeconds', 'Run time (h)', 'duration'),
  overtimeSeconds: column('overtimeSeconds', 'Overtime (h)', 'duration'),
  unplannedStopSeconds: column('unplannedStopSeconds', 'Unplanned stops (h)', 'duration'),
  plannedStopSeconds: column('plannedStopSeconds', 'Planned stops (h)', 'duration'),
  smallStopSeconds: column('smallStopSeconds', 'Small stops (h)', 'duration'),
  ratedRunSeconds: column('ratedRunSeconds', 'Rated run time (h)', 'duration'),
  idealSeconds: column('idealSeconds', 'Ideal time (h)', 'duration'),
  fullyProductiveSeconds: column('fullyProductiveSeconds', 'Fully productive time (h)', 'duration'),
  totalCount: column('totalCount', 'Total count (parts)', 'count'),
  goodCount: column('goodCount', 'Good count (parts)', 'count'),
  rejectCount: column('rejectCount', 'Reject count (parts)', 'count'),
  unplannedStopCount: column('unplannedStopCount', 'Unplanned stops (count)', 'count'),
  mtbfSeconds: column('mtbfSeconds', 'MTBF (h)', 'duration'),
  mttrSeconds: column('mttrSeconds', 'MTTR (h)', 'duration'),
  availability: column('availability', 'Availability (%)', 'percent'),
  performance: column('performance', 'Performance (%)', 'percent'),
  quality: column('quality', 'Quality (%)', 'percent'),
  oee: column('oee', 'OEE (%)', 'percent'),
  teep: column('teep', 'TEEP (%)', 'percent'),
  warnings: column('warnings', 'Warnings', 'text', 22),
  wholeRangeOee: column('wholeRangeOee', 'Whole range OEE (%)', 'percent'),
  partNumber: column('partNumber', 'Part number', 'text', 18),
  partName: column('partName', 'Part name', 'text', 24),
  group: column('group', 'Group', 'text', 18),
  stopSeconds: column('stopSeconds', 'Stop time (h)', 'duration'),
  explainedSeconds: column('explainedSeconds', 'Explained stop time (h)', 'duration'),
  unexplainedSeconds: column('unexplainedSeconds', 'Unexplained stop time (h)', 'duration'),
  explainedShare: column('explainedShare', 'Explained stop time (%)', 'percent'),
  stopsOwing: column('stopsOwing', 'Stops owing a reason (count)', 'count'),
  stopsExplained: column('stopsExplained', 'Stops explained (count)', 'count'),
  stopsUnexplained: column('stopsUnexplained', 'Stops still unexplained (count)', 'count'),
  latencyMedianSeconds: column('latencyMedianSeconds', 'Median reason latency (h)', 'duration'),
  latencyP90Seconds: column('latencyP90Seconds', 'P90 reason latency (h)', 'duration'),
  latencyMeanSeconds: column('latencyMeanSeconds', 'Mean reason latency (h)', 'duration'),
} as const satisfies Record<string, ExportColumn>;
export type ColumnKey = keyof typeof COLUMNS;

/** The numbers of the OEE result (docs/oee.md) in the order the `oee` export lists them. */
export const OEE_NUMBER_KEYS = [
  ...OEE_ELEMENT_KEYS,
  'mtbfSeconds',
  'mttrSeconds',
  'availability',
  'performance',
  'quality',
  'oee',
  'teep',
] as const satisfies readonly ColumnKey[];

/** A column of the daily grid: one site-local date, its OEE. */
export function dayColumn(date: string): ExportColumn {
  return { key: `day:${date}`, header: `${date} OEE (%)`, kind: 'percent', width: 18 };
}

/** The columns of each export dataset, in file order (the daily grid adds a column per day). */
export const DATASET_COLUMNS = {
  timeline: [
    'machineId',
    'machine',
    'start',
    'end',
    'duration',
    'activityCodeId',
    'activityCode',
    'category',
    'cause',
    'jobId',
    'jobNumber',
    'operatorId',
    'operator',
  ],
  events: [
    'eventRecordId',
    'machineId',
    'machine',
    'at',
    'until',
    'activityCodeId',
    'activityCode',
    'category',
    'cause',
    'source',
    'sender',
    'operatorId',
    'operator',
    'eventId',
    'receivedAt',
  ],
  jobs: [
    'jobId',
    'machineId',
    'machine',
    'jobNumber',
    'start',
    'end',
    'duration',
    'idealCycleTimeSeconds',
    'good',
    'rejects',
    'operatorId',
    'operator',
  ],
  production: [
    'productionRecordId',
    'machineId',
    'machine',
    'jobId',
    'jobNumber',
    'from',
    'to',
    'good',
    'rejects',
    'source',
    'sender',
    'eventId',
    'createdAt',
  ],
  oee: ['machineId', 'machine', 'from', 'to', 'shift', ...OEE_NUMBER_KEYS, 'warnings'],
  reasons: [
    'machineId',
    'machine',
    'shift',
    'stopSeconds',
    'explainedSeconds',
    'unexplainedSeconds',
    'explainedShare',
    'stopsOwing',
    'stopsExplained',
    'stopsUnexplained',
    'latencyMedianSeconds',
    'latencyP90Seconds',
    'latencyMeanSeconds',
  ],
} as const satisfies Record<string, readonly ColumnKey[]>;

/**
 * The part catalogue's file (export and import, docs/api.md "Part catalogue"): one row per entry; Machine and
 * Group empty for an entry that is for every machine.
 */
export const PART_CATALOGUE_COLUMNS = [
  'partNumber',
  'partName',
  'idealCycleTimeSeconds',
  'machine',
  'group',
] as const satisfies readonly ColumnKey[];
