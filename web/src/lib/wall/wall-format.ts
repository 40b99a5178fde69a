/**
 * Formatting for the wall screen: read at 5 m, so short and fixed-width where it ticks. Pure
 * functions, no zod (the wall's bundle budget).
 */
import type { OeeResult } from '$core/realtime/live-events.js';
import type { Category } from '$core/vocabulary.js';
import { siteHhmm } from '../site-time';

/**
 * Time in state: `45 s` and `40 min` under an hour (a bare `40:44` reads as hours), `2:04:05` under a
 * day, `3d 04h` beyond.
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  const secs = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d ${two(hours)}h`;
  if (hours > 0) return `${hours}:${two(minutes)}:${two(secs)}`;
  if (minutes > 0) return `${minutes} min`;
  return `${secs} s`;
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

/**
 * What the figures cover, said on the tile: "Shift · since 06:00", or "Today · since 00:00" when the
 * window is the whole site-local day (no shift pattern, or off shift). `shiftName` when known.
 */
export function periodLabel(oee: Pick<OeeResult, 'from' | 'to'> | null, zone: string, shiftName?: string | null): string | null {
  if (!oee) return null;
  const from = Date.parse(oee.from);
  const hours = (Date.parse(oee.to) - from) / 3_600_000;
  const since = siteHhmm(from, zone);
  const wholeDay = since === '00:00' && hours >= 23 && hours <= 25;
  const name = wholeDay ? 'Today' : shiftName ? `Shift ${shiftName}` : 'Shift';
  return `${name} · since ${since}`;
}

/** Minutes after which the current stop flags the tile, from the site setting; null = never (running, or no threshold). */
export function longStopAfterMinutes(category: Category | null, thresholds: Partial<Record<Category, number | null>>): number | null {
  if (category === null || category === 'running') return null;
  return thresholds[category] ?? null;
}

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** By name as a plant counts them: "Press 2" before "Press 10" (the database sorts "Press 10" first). */
export function byName<M extends { name: string }>(machines: M[]): M[] {
  return [...machines].sort((a, b) => naturalOrder.compare(a.name, b.name));
}

/** Longest-stop-first: stopped machines by how long they have been stopped, then the running ones by name. */
export function byLongestStop<M extends { name: string; state: { category: Category | null; since: string | null } }>(machines: M[]): M[] {
  const stoppedSince = (m: M) =>
    m.state.category !== null && m.state.category !== 'running' && m.state.since !== null ? Date.parse(m.state.since) : Infinity;
  return [...machines].sort((a, b) => stoppedSince(a) - stoppedSince(b) || naturalOrder.compare(a.name, b.name));
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
