import type { Interval } from './api';
import type { GanttBar } from './Gantt.svelte';

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
