import { ruleInScope, type AlertMatch, type RuleScope } from './match.js';
import { levelAt } from './stop-rules.js';

/** An open reason debt (core/andon/reason-debt.ts) as the rule needs it. */
export interface OpenDebt {
  machineId: number;
  groupId: number | null;
  /** ISO start and end of the stop that owes a reason. */
  start: string;
  end: string;
  activityCodeId: number;
  plannedSeconds: number;
}

/**
 * `reason_debt_older_than` (docs/alerts.md "Rule kinds"): a stop in the reason queue. A debt exists once
 * the stop has ended, so its age (what the rungs' minutes measure) runs from the stop's end. One alert per
 * stop: the alert's `stopStart` is the stop's start (with the machine, what identifies the stop).
 */
export function matchReasonDebt(rules: readonly RuleScope[], debts: readonly OpenDebt[], now: Date): AlertMatch[] {
  const matches: AlertMatch[] = [];
  for (const debt of debts) {
    const end = new Date(debt.end);
    for (const rule of rules) {
      if (!ruleInScope(rule, debt.machineId, debt.groupId)) continue;
      const level = levelAt(rule.levels, end, now);
      if (level === 0) continue;
      matches.push({
        ruleId: rule.id,
        machineId: debt.machineId,
        activityCodeId: debt.activityCodeId,
        stopStart: new Date(debt.start),
        level,
        detail: { stopEnd: debt.end, plannedSeconds: debt.plannedSeconds },
      });
    }
  }
  return matches;
}

/**
 * When an open reason-debt alert's condition ended: null while its stop (machine, start) is still in the
 * queue; else `now` (the reason was given, or the stop left the queue's window).
 */
export function reasonDebtEndedAt(alert: { machineId: number; stopStart: Date }, debts: readonly OpenDebt[], now: Date): Date | null {
  const open = debts.some((d) => d.machineId === alert.machineId && Date.parse(d.start) === alert.stopStart.getTime());
  return open ? null : now;
}
