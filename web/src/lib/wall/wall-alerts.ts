/**
 * The alerts of the wall (docs/alerts.md "Wall"): kept from the snapshot and `alert:changed`, ordered for
 * the banner, written for the tile's flag. Pure functions, no zod (the wall's bundle budget).
 */
import type { LiveAlert, LiveAlertChanged } from '$core/realtime/live-events.js';

/** How far an alert has gone: higher levels, then acknowledged. A change never takes an alert back. */
export function alertRank(alert: LiveAlert): number {
  return (alert.acknowledgedAt === null ? 0 : 10) + alert.level;
}

/** The alerts after a change: `alert` null takes it off the wall; an older view of an alert than the one kept is ignored. */
export function applyAlertChange(alerts: LiveAlert[], change: LiveAlertChanged): LiveAlert[] {
  const i = alerts.findIndex((a) => a.id === change.alertId);
  if (change.alert === null) return i < 0 ? alerts : alerts.filter((a) => a.id !== change.alertId);
  if (i < 0) return [...alerts, change.alert];
  if (alertRank(alerts[i]!) > alertRank(change.alert)) return alerts;
  return alerts.map((a, j) => (j === i ? change.alert! : a));
}

/** The banner's order: alerts nobody acknowledged first, then the highest level, then the newest. */
export function bannerOrder(alerts: readonly LiveAlert[]): LiveAlert[] {
  return [...alerts].sort(
    (x, y) =>
      Number(x.acknowledgedAt !== null) - Number(y.acknowledgedAt !== null) ||
      y.level - x.level ||
      Date.parse(y.detectedAt) - Date.parse(x.detectedAt) ||
      y.id - x.id,
  );
}

/** Whole minutes since the stop (or condition) began. */
export function alertMinutes(alert: LiveAlert, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - Date.parse(alert.stopStart)) / 60_000));
}

/** The flag's headline: `Alert L2 · 14 min`. */
export function alertHeadline(alert: LiveAlert, nowMs: number): string {
  return `Alert L${alert.level} · ${alertMinutes(alert, nowMs)} min`;
}

/** The banner shows this many alerts, then "+N more". */
export const BANNER_MAX = 4;

/** The alerts of each machine, keeping their order. */
export function alertsByMachine(alerts: readonly LiveAlert[]): Record<number, LiveAlert[]> {
  const out: Record<number, LiveAlert[]> = {};
  for (const alert of alerts) (out[alert.machineId] ??= []).push(alert);
  return out;
}
