import { ruleInScope, type AlertMatch, type RuleScope } from './match.js';
import { levelAt, type MachineNowState } from './stop-rules.js';

/**
 * `device_silent` (docs/alerts.md "Rule kinds"): the machine is in the built-in No data state (the No data
 * watcher put it there: a heartbeat machine silent past its interval). The condition starts when No data
 * began (the last contact) and ends when the machine is in another state (data returned): the same test
 * as a stop's end (`stopEndedAt`).
 */
export function matchDeviceSilent(
  rules: readonly RuleScope[],
  states: readonly MachineNowState[],
  noDataCodeId: number | null,
  now: Date,
): AlertMatch[] {
  if (noDataCodeId === null) return [];
  const matches: AlertMatch[] = [];
  for (const state of states) {
    if (state.activityCodeId !== noDataCodeId || state.since === null) continue;
    const since = new Date(state.since);
    for (const rule of rules) {
      if (!ruleInScope(rule, state.machineId, state.groupId)) continue;
      const level = levelAt(rule.levels, since, now);
      if (level > 0) matches.push({ ruleId: rule.id, machineId: state.machineId, activityCodeId: noDataCodeId, stopStart: since, level });
    }
  }
  return matches;
}
