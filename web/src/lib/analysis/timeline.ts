import type { Interval, PlannedWindows } from './api';
import type { GanttBar, GanttPlanned } from './Gantt.svelte';

/** Timeline intervals as Gantt bars; the open interval lasts until now (or the window's end). */
export function toBars(intervals: Interval[], toMs: number, nowMs = Date.now()): GanttBar[] {
  return intervals.map((i) => ({
    startMs: Date.parse(i.start),
    endMs: i.end ? Date.parse(i.end) : Math.max(Date.parse(i.start), Math.min(nowMs, toMs)),
    activityCodeId: i.activityCodeId,
    category: i.category,
    jobId: i.jobId,
    operatorId: i.operatorId,
    open: i.end === null,
  }));
}

/** Seconds per activity code inside [fromMs, toMs) (for legends and stacked bars: plain sums of time). */
export function secondsByCode(
  bars: GanttBar[],
  fromMs: number,
  toMs: number,
  key: (b: GanttBar) => number | null = (b) => b.activityCodeId,
): Map<number, number> {
  const totals = new Map<number, number>();
  for (const b of bars) {
    const k = key(b);
    if (k === null) continue;
    const s = Math.max(0, Math.min(b.endMs, toMs) - Math.max(b.startMs, fromMs)) / 1000;
    if (s > 0) totals.set(k, (totals.get(k) ?? 0) + s);
  }
  return totals;
}

/** Planned windows as the Gantt shades them; `undefined` for a machine planned 24/7 (nothing to shade). */
export function toPlanned(answer: PlannedWindows): GanttPlanned[] | undefined {
  if (answer.always) return undefined;
  return answer.windows.map((w) => ({
    startMs: Date.parse(w.start),
    endMs: Date.parse(w.end),
    ...(w.name === undefined ? {} : { name: w.name }),
  }));
}

/** Seconds of a code inside planned time and outside it (the legend's split; docs/oee.md#planned-windows). */
export interface PlannedSplit {
  inside: number;
  outside: number;
}

/**
 * Seconds per activity code inside [fromMs, toMs), split into planned time and the rest. `planned` are
 * each row's windows (disjoint, as the API gives them); a row without them (planned 24/7) is all inside.
 */
export function splitByPlanned(
  rows: { bars: GanttBar[]; planned?: GanttPlanned[] | undefined }[],
  fromMs: number,
  toMs: number,
): Map<number, PlannedSplit> {
  const totals = new Map<number, PlannedSplit>();
  for (const row of rows) {
    for (const b of row.bars) {
      const start = Math.max(b.startMs, fromMs);
      const end = Math.min(b.endMs, toMs);
      if (end <= start) continue;
      let inside = row.planned ? 0 : end - start;
      for (const w of row.planned ?? []) inside += Math.max(0, Math.min(end, w.endMs) - Math.max(start, w.startMs));
      const t = totals.get(b.activityCodeId) ?? { inside: 0, outside: 0 };
      t.inside += inside / 1000;
      t.outside += (end - start - inside) / 1000;
      totals.set(b.activityCodeId, t);
    }
  }
  return totals;
}
