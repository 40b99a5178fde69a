import type { ReasonKpiRow } from '../../core/schemas/reason-kpis.schema.js';
import type { Value } from './table-writer.js';

/** A row of the reasons export in the columns of DATASET_COLUMNS.reasons (seconds, and the share as a ratio). */
export function reasonValues(r: ReasonKpiRow): Value[] {
  return [
    r.machineId,
    r.machineName,
    r.shift,
    r.stopSeconds,
    r.explainedSeconds,
    r.unexplainedSeconds,
    r.explainedPercent === null ? null : r.explainedPercent / 100,
    r.stopsOwing,
    r.stopsExplained,
    r.stopsUnexplained,
    r.latencyMedianSeconds,
    r.latencyP90Seconds,
    r.latencyMeanSeconds,
  ];
}
