/**
 * Formatting for the wall screen: read at 5 m, so short and fixed-width where it ticks. Pure
 * functions, no zod (the wall's bundle budget).
 */
import type { OeeResult } from '$core/realtime/live-events.js';

/** Time in state: `4:05` under an hour, `2:04:05` under a day, `3d 04h` beyond. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  const secs = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d ${two(hours)}h`;
  if (hours > 0) return `${hours}:${two(minutes)}:${two(secs)}`;
  return `${minutes}:${two(secs)}`;
}

/** A ratio 0..1 as a whole percentage; null (nothing to divide by) as a dash. */
export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '–' : `${Math.round(ratio * 100)}%`;
}

/**
 * Target parts so far this shift: the parts the planned production time would give at the ideal
 * cycle time. Over jobs with different cycle times that is the planned production time divided by
 * the shift's average ideal seconds per part (so good / target = OEE when every job has a cycle
 * time); before the first part, the running job's cycle time. null = no ideal cycle time known.
 */
export function targetCount(oee: OeeResult | null, idealCycleTimeSeconds: number | null): number | null {
  if (!oee || !(oee.plannedProductionSeconds > 0)) return null;
  if (oee.idealSeconds > 0 && oee.totalCount > 0) return Math.floor((oee.plannedProductionSeconds * oee.totalCount) / oee.idealSeconds);
  if (idealCycleTimeSeconds && idealCycleTimeSeconds > 0) return Math.floor(oee.plannedProductionSeconds / idealCycleTimeSeconds);
  return null;
}

export function clockTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * Columns for `count` tiles on a `width` × `height` area, so tiles of the given aspect ratio come
 * out as large as possible.
 */
export function gridColumns(count: number, width: number, height: number, aspect = 1.45): number {
  if (count <= 1 || width <= 0 || height <= 0) return 1;
  let best = 1;
  let bestSize = 0;
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const tileWidth = width / columns;
    const tileHeight = height / rows;
    // The largest tile of that aspect fitting the cell.
    const size = Math.min(tileWidth, tileHeight * aspect);
    if (size > bestSize + 0.5) {
      bestSize = size;
      best = columns;
    }
  }
  return best;
}
