/** Number formatting for the analysis pages. Ratios arrive as fractions 0..1; null means "no data". */

export const NO_DATA = '—';

export function percent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return NO_DATA;
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** A ratio as a number of percent for exports (null stays empty). */
export function percentNumber(ratio: number | null | undefined, digits = 1): number | null {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return null;
  return Number((ratio * 100).toFixed(digits));
}

const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

export function count(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NO_DATA;
  return integer.format(Math.round(n));
}

/** Seconds as a readable duration: "2 h 05 min", "45 min", "30 s". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NO_DATA;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 100) return rest ? `${hours} h ${String(rest).padStart(2, '0')} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${days} d ${h} h` : `${days} d`;
}

/** Seconds as h:mm for table columns (sorts and reads well in columns). */
export function hoursMinutes(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NO_DATA;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Seconds as minutes with one decimal, for exports. */
export function minutesNumber(seconds: number | null | undefined): number | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  return Math.round(seconds / 6) / 10;
}

const durationSteps = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 14_400, 21_600, 43_200, 86_400, 172_800, 604_800, 1_209_600, 2_592_000];

/**
 * Round-duration axis ticks (minutes, hours, days) from 0 to at least `maxSeconds`, about `count`
 * of them, and a label format in one unit for the whole axis.
 */
export function durationTicks(maxSeconds: number, count = 5): { ticks: number[]; max: number; format: (seconds: number) => string } {
  const max = Math.max(60, maxSeconds);
  const step = durationSteps.find((s) => max / s <= count) ?? durationSteps[durationSteps.length - 1]!;
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top + 1e-6; t += step) ticks.push(t);
  const unit = top <= 2 * 3600 ? 60 : top <= 400 * 3600 ? 3600 : 86_400;
  const suffix = unit === 60 ? ' min' : unit === 3600 ? ' h' : ' d';
  const format = (seconds: number) => (seconds === 0 ? '0' : `${Number((seconds / unit).toFixed(1))}${suffix}`);
  return { ticks, max: top, format };
}
