/**
 * The reason queue (issue 20 point 2, docs/oee.md "The reason queue"): which stops still owe a reason.
 * Pure: the caller passes the stops with their neighbours' categories, the planned windows and the settings.
 */
import type { Category } from '../vocabulary.js';

/** How far back the queue looks (older stops are a supervisor's correction, not a prompt). */
export const REASON_QUEUE_DAYS = 7;

export interface StopCandidate {
  machineId: number;
  start: Date;
  end: Date;
  activityCodeId: number;
  /** The interval just before and after it, when they touch it (null: a gap, or none). */
  previousCategory: Category | null;
  nextCategory: Category | null;
}

export interface ReasonDebt {
  machineId: number;
  start: string;
  end: string;
  activityCodeId: number;
  /** The part of the stop inside planned windows, in seconds. */
  plannedSeconds: number;
}

export interface DebtRules {
  /** Stops with more planned time than this owe a reason. */
  thresholdSeconds: number;
  /** The site's micro-stop threshold (0 = off): a micro-stop is never prompted. */
  microStopSeconds: number;
}

/** Seconds of [start, end) inside the windows (sorted or not; they do not overlap, core/calendar merges them). */
export function plannedSecondsOf(start: Date, end: Date, windows: { start: Date; end: Date }[]): number {
  let ms = 0;
  for (const w of windows) ms += Math.max(0, Math.min(end.getTime(), w.end.getTime()) - Math.max(start.getTime(), w.start.getTime()));
  return ms / 1000;
}

/** A micro-stop as core/oee classifies one: shorter than the threshold, between two running intervals. */
export function isMicroStop(stop: StopCandidate, microStopSeconds: number): boolean {
  return (
    microStopSeconds > 0 &&
    stop.end.getTime() - stop.start.getTime() < microStopSeconds * 1000 &&
    stop.previousCategory === 'running' &&
    stop.nextCategory === 'running'
  );
}

/** The debts among the candidates (already of a generic code, ended), newest first. */
export function reasonDebts(
  candidates: StopCandidate[],
  windowsOf: (machineId: number) => { start: Date; end: Date }[],
  rules: (machineId: number) => DebtRules,
): ReasonDebt[] {
  const out: ReasonDebt[] = [];
  for (const c of candidates) {
    const r = rules(c.machineId);
    if (isMicroStop(c, r.microStopSeconds)) continue;
    const plannedSeconds = plannedSecondsOf(c.start, c.end, windowsOf(c.machineId));
    if (plannedSeconds <= r.thresholdSeconds) continue;
    out.push({
      machineId: c.machineId,
      start: c.start.toISOString(),
      end: c.end.toISOString(),
      activityCodeId: c.activityCodeId,
      plannedSeconds,
    });
  }
  return out.sort((a, b) => b.start.localeCompare(a.start) || a.machineId - b.machineId);
}
