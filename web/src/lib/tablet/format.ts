import { siteClock, siteHhmm } from '../site-time';

/** Clock time as the shop floor reads it: site time (`tablet:state` names the zone), whatever the tablet's own zone. */
export function hhmm(iso: string | Date, zone: string): string {
  return siteHhmm(iso, zone);
}

export function hhmmss(iso: string | Date, zone: string): string {
  return siteClock(iso, zone);
}

/** "1 h 05 min", "12 min", "40 s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** What the operator typed as a number: "1,5" is 1.5 on many tablets' keyboards. */
export function parseDecimal(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^(\d+\.?\d*|\.\d+)$/.test(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : null;
}
