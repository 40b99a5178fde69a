import { ruleInScope, type AlertMatch, type RuleScope } from './match.js';
import { levelAt } from './stop-rules.js';

/** The site's OEE target when nothing is set (the column's default). */
export const DEFAULT_OEE_TARGET = 0.85;

/** A machine's effective OEE target: its own, else its group's, else the site's. */
export function effectiveOeeTarget(machine: number | null, group: number | null, site: number | null | undefined): number {
  return machine ?? group ?? site ?? DEFAULT_OEE_TARGET;
}

/**
 * The OEE a rule compares with its target: the result's OEE; when that is unknown but the availability is
 * 0 (planned time passed without a second of run, so no count and no rate), 0; otherwise unknown (null).
 */
export function oeeForTarget(result: { oee: number | null; availability: number | null }): number | null {
  return result.oee ?? (result.availability === 0 ? 0 : null);
}

export interface OeeRule extends RuleScope {
  /** The rule's own target; null = the machine's effective target. */
  oeeTarget: number | null;
}

/** A machine's current (or, between shifts, last) shift and its OEE so far, from the OEE service. */
export interface MachineShiftOee {
  machineId: number;
  groupId: number | null;
  shiftStart: Date;
  shiftEnd: Date;
  /** `oeeForTarget` of the shift so far. */
  oee: number | null;
  /** The machine's effective target. */
  target: number;
}

export const ruleTarget = (rule: Pick<OeeRule, 'oeeTarget'>, machine: Pick<MachineShiftOee, 'target'>) => rule.oeeTarget ?? machine.target;

const running = (m: MachineShiftOee, now: Date) => m.shiftStart.getTime() <= now.getTime() && now.getTime() < m.shiftEnd.getTime();
const below = (m: MachineShiftOee, target: number) => m.oee !== null && m.oee < target;
const reached = (m: MachineShiftOee, target: number) => m.oee !== null && m.oee >= target;

/**
 * `oee_below_target` (docs/alerts.md "Rule kinds"): one alert per rule, machine and shift (`stopStart` =
 * the shift's start). Level n is reached once the shift has run the rung's minutes with its OEE still
 * below the target; an OEE not known (`oeeForTarget` null: no planned time yet, no count) is not below.
 */
export function matchOeeBelowTarget(rules: readonly OeeRule[], machines: readonly MachineShiftOee[], now: Date): AlertMatch[] {
  const matches: AlertMatch[] = [];
  for (const m of machines) {
    if (!running(m, now)) continue;
    for (const rule of rules) {
      if (!ruleInScope(rule, m.machineId, m.groupId)) continue;
      const target = ruleTarget(rule, m);
      const level = levelAt(rule.levels, m.shiftStart, now);
      if (level === 0 || !below(m, target)) continue;
      matches.push({
        ruleId: rule.id,
        machineId: m.machineId,
        activityCodeId: null,
        stopStart: m.shiftStart,
        level,
        detail: { oee: m.oee, target, shiftEnd: m.shiftEnd.toISOString() },
      });
    }
  }
  return matches;
}

/**
 * When an open OEE alert's condition ended: at its shift's end once the shift is over (at the next
 * shift's start when that is what the machine is in now), at `now` once the OEE is back at or above the
 * target; null while it holds (an OEE not known does not end it). `rule` is undefined when the rule is no longer enabled: then only the
 * shift's end resolves it. A machine no longer watched (inactive) resolves at `now`.
 */
export function oeeAlertEndedAt(
  alert: { stopStart: Date },
  rule: Pick<OeeRule, 'oeeTarget'> | undefined,
  machine: MachineShiftOee | undefined,
  now: Date,
): Date | null {
  if (!machine) return now;
  if (machine.shiftStart.getTime() > alert.stopStart.getTime()) return new Date(Math.min(machine.shiftStart.getTime(), now.getTime()));
  if (machine.shiftStart.getTime() < alert.stopStart.getTime()) return now;
  if (!running(machine, now)) return machine.shiftEnd;
  return rule && reached(machine, ruleTarget(rule, machine)) ? now : null;
}
