import { COLUMNS } from '$core/export-columns.js';
import type { ReasonKpiRow } from './api';
import { count, duration, hoursMinutes, minutesNumber, NO_DATA, percent, percentNumber } from './format';
import type { Column } from './SortableTable.svelte';

const ratio = (r: ReasonKpiRow) => (r.explainedPercent === null ? null : r.explainedPercent / 100);

const time = (key: 'stopSeconds' | 'explainedSeconds' | 'unexplainedSeconds'): Column<ReasonKpiRow> => ({
  key,
  label: COLUMNS[key].header,
  numeric: true,
  title: 'Hours:minutes (minutes in exports)',
  value: (r) => r[key],
  format: (r) => hoursMinutes(r[key]),
  exportValue: (r) => minutesNumber(r[key]),
});

const stops = (key: 'stopsOwing' | 'stopsExplained' | 'stopsUnexplained'): Column<ReasonKpiRow> => ({
  key,
  label: COLUMNS[key].header,
  numeric: true,
  value: (r) => r[key],
  format: (r) => count(r[key]),
});

const latency = (key: 'latencyMedianSeconds' | 'latencyP90Seconds' | 'latencyMeanSeconds'): Column<ReasonKpiRow> => ({
  key,
  label: COLUMNS[key].header.replace(' (h)', ''),
  numeric: true,
  title: 'From the end of the stop until its reason was given (0 when it came with the state itself)',
  value: (r) => r[key],
  format: (r) => duration(r[key]),
  exportValue: (r) => minutesNumber(r[key]),
});

/** The columns of the Reasons table (docs/oee.md "Reason KPIs"): a row per machine and shift. */
export function reasonColumns(link: (machineId: number) => string): Column<ReasonKpiRow>[] {
  return [
    { key: 'name', label: COLUMNS.machine.header, value: (r) => r.machineName, href: (r) => link(r.machineId) },
    { key: 'shift', label: COLUMNS.shift.header, value: (r) => r.shift, format: (r) => r.shift ?? NO_DATA },
    time('stopSeconds'),
    time('explainedSeconds'),
    {
      key: 'explainedPercent',
      label: COLUMNS.explainedShare.header,
      numeric: true,
      value: ratio,
      format: (r) => percent(ratio(r)),
      exportValue: (r) => percentNumber(ratio(r)),
    },
    time('unexplainedSeconds'),
    stops('stopsOwing'),
    stops('stopsExplained'),
    stops('stopsUnexplained'),
    latency('latencyMedianSeconds'),
    latency('latencyP90Seconds'),
    latency('latencyMeanSeconds'),
  ];
}
