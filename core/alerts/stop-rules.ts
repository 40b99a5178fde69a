import type { AlertLevel, StopCategory } from '../schemas/alerts.schema.js';
import type { Category } from '../schemas/setup.schema.js';
import { ruleInScope, type AlertMatch } from './match.js';

/** What a stop rule needs to judge a machine (a subset of the stored rule). */
export interface StopRule {
  id: number;
  machineId: number | null;
  groupId: number | null;
  categories: readonly StopCategory[];
  activityCodeIds: readonly number[];
  levels: readonly Pick<AlertLevel, 'afterMinutes'>[];
}

/** A machine's current state: its open interval's code, category and start. */
export interface MachineNowState {
  machineId: number;
  groupId: number | null;
  activityCodeId: number | null;
  category: Category | null;
  /** ISO start of the current state; null before the first event. */
  since: string | null;
}

/** A rule that holds for a machine's current stop, and the ladder level it has reached by `now`. */
export interface StopMatch extends AlertMatch {
  activityCodeId: number;
}

const MINUTE_MS = 60_000;

/** Whether the rule's scope and filters take this machine's current state. */
export function ruleCovers(rule: StopRule, state: MachineNowState): boolean {
  if (!ruleInScope(rule, state.machineId, state.groupId)) return false;
  if (state.category === null || state.activityCodeId === null || state.since === null) return false;
  if (!(rule.categories as readonly string[]).includes(state.category)) return false;
  return rule.activityCodeIds.length === 0 || rule.activityCodeIds.includes(state.activityCodeId);
}

/**
 * The ladder level a stop that began at `start` has reached at `now`: 0 before the first rung, else the
 * highest rung whose `afterMinutes` have passed (level 1 is the rule's "longer than N minutes").
 */
export function levelAt(levels: readonly Pick<AlertLevel, 'afterMinutes'>[], start: Date, now: Date): number {
  const elapsed = now.getTime() - start.getTime();
  let level = 0;
  levels.forEach((rung, i) => {
    if (elapsed >= rung.afterMinutes * MINUTE_MS) level = i + 1;
  });
  return level;
}

/** When the next rung after `level` is due (null at the top of the ladder). */
export function nextLevelDue(levels: readonly Pick<AlertLevel, 'afterMinutes'>[], start: Date, level: number): Date | null {
  const rung = levels[level];
  return rung ? new Date(start.getTime() + rung.afterMinutes * MINUTE_MS) : null;
}

/**
 * Every (rule, machine) whose current stop has lasted at least the rule's first rung. A stop is one open
 * timeline interval: identified by its machine and start, so a rule fires once per stop.
 */
export function matchStopRules(rules: readonly StopRule[], states: readonly MachineNowState[], now: Date): StopMatch[] {
  const matches: StopMatch[] = [];
  for (const state of states) {
    for (const rule of rules) {
      if (!ruleCovers(rule, state)) continue;
      const stopStart = new Date(state.since!);
      const level = levelAt(rule.levels, stopStart, now);
      if (level > 0) matches.push({ ruleId: rule.id, machineId: state.machineId, activityCodeId: state.activityCodeId!, stopStart, level });
    }
  }
  return matches;
}

/**
 * Whether an open stop alert's stop is over: the machine is in another state than the one that began at
 * `stopStart`. Then the stop ended when the current state began (or, without one, at `now`).
 */
export function stopEndedAt(stopStart: Date, state: MachineNowState | undefined, now: Date): Date | null {
  if (state?.since && new Date(state.since).getTime() === stopStart.getTime()) return null;
  if (state?.since && new Date(state.since).getTime() > stopStart.getTime()) return new Date(state.since);
  return now;
}
