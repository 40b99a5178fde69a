import type { AlertLevel } from '../schemas/alerts.schema.js';

/**
 * A rule that holds for a machine's condition, and the ladder level it has reached: the evaluator raises
 * one alert per (rule, machine, `stopStart`) and climbs to `level`. `stopStart` is the condition's start
 * (the stop, the No data interval, the stop that owes a reason, the shift); `detail` goes into the
 * deliveries' payload as `condition`.
 */
export interface AlertMatch {
  ruleId: number;
  machineId: number;
  activityCodeId: number | null;
  stopStart: Date;
  level: number;
  detail?: Record<string, unknown>;
}

/** The scope of a rule: one machine, one group, or (neither) every machine. */
export interface RuleScope {
  id: number;
  machineId: number | null;
  groupId: number | null;
  levels: readonly Pick<AlertLevel, 'afterMinutes'>[];
}

export function ruleInScope(rule: Pick<RuleScope, 'machineId' | 'groupId'>, machineId: number, groupId: number | null): boolean {
  if (rule.machineId !== null && rule.machineId !== machineId) return false;
  return rule.groupId === null || rule.groupId === groupId;
}
