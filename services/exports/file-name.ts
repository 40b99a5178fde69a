import type { ExportDataset, ExportFormat } from '../../core/schemas/export.schema.js';

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
