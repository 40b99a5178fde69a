import {
  effectiveOeeTarget,
  matchDeviceSilent,
  matchOeeBelowTarget,
  matchReasonDebt,
  matchStopRules,
  oeeAlertEndedAt,
  oeeForTarget,
  reasonDebtEndedAt,
  ruleInScope,
  stopEndedAt,
  type AlertMatch,
  type MachineShiftOee,
  type MachineNowState,
  type StopRule,
} from '../../core/alerts/index.js';
import type { AlertRuleKind } from '../../core/schemas/alerts.schema.js';
import type { AlertRuleEntity } from '../../db/entities/index.js';
import type { OpenAlertRow } from '../../db/repositories/alerts.repository.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { ReasonQueue } from '../andon/reason-queue.js';
import type { OeeService } from '../oee/oee.service.js';

/** What one kind's evaluation found: the rules' matches now, and when an open alert's condition ended. */
export interface KindEvaluation {
  matches: AlertMatch[];
  /** null while the condition holds; else the instant it ended (the alert is resolved then). */
  endedAt(open: OpenAlertRow): Date | null;
}

/** One rule kind: reads what it needs and lets core/alerts judge it (docs/alerts.md "Rule kinds"). */
export interface AlertKind {
  readonly kind: AlertRuleKind;
  /** `rules`: the kind's enabled rules; `open`: its open alerts (rules disabled since included). */
  evaluate(rules: AlertRuleEntity[], open: OpenAlertRow[], now: Date): Promise<KindEvaluation>;
}

export interface AlertKindDeps {
  repos: Pick<Repositories, 'machineStates' | 'andon' | 'machines' | 'groups' | 'site'>;
  reasonQueue: Pick<ReasonQueue, 'open'>;
  oee: Pick<OeeService, 'currentShiftOee'>;
}

const activeStates = (deps: AlertKindDeps): Promise<MachineNowState[]> => deps.repos.machineStates.list({ activeOnly: true });
const byMachineId = <T extends { machineId: number }>(rows: T[]) => new Map(rows.map((r) => [r.machineId, r]));

/** `stop_longer_than`: the machine's current state is a stop of the rule's categories and codes. */
function stopKind(deps: AlertKindDeps): AlertKind {
  return {
    kind: 'stop_longer_than',
    async evaluate(rules, _open, now) {
      const states = await activeStates(deps);
      const byMachine = byMachineId(states);
      return {
        matches: matchStopRules(rules as StopRule[], states, now),
        endedAt: (open) => stopEndedAt(new Date(open.stopStart), byMachine.get(open.machineId), now),
      };
    },
  };
}

/** `device_silent`: the machine is in the built-in No data state; over when it is in another. */
function deviceSilentKind(deps: AlertKindDeps): AlertKind {
  return {
    kind: 'device_silent',
    async evaluate(rules, _open, now) {
      const [states, noData] = await Promise.all([activeStates(deps), deps.repos.andon.noDataCodeId()]);
      const byMachine = byMachineId(states);
      return {
        matches: matchDeviceSilent(rules, states, noData, now),
        endedAt: (open) => stopEndedAt(new Date(open.stopStart), byMachine.get(open.machineId), now),
      };
    },
  };
}

/** `reason_debt_older_than`: a stop in the reason queue; over when the queue no longer has it. */
function reasonDebtKind(deps: AlertKindDeps): AlertKind {
  return {
    kind: 'reason_debt_older_than',
    async evaluate(rules, _open, now) {
      const [views, machines] = await Promise.all([deps.reasonQueue.open(null), deps.repos.machines.list()]);
      const groupOf = new Map(machines.map((m) => [m.id, m.groupId]));
      const debts = views.map(({ machineName: _name, ...d }) => ({ ...d, groupId: groupOf.get(d.machineId) ?? null }));
      return {
        matches: matchReasonDebt(rules, debts, now),
        endedAt: (open) => reasonDebtEndedAt({ machineId: open.machineId, stopStart: new Date(open.stopStart) }, debts, now),
      };
    },
  };
}

/**
 * `oee_below_target`: the current shift's OEE (from the OEE service) of each active machine that a rule
 * covers or an open alert watches, against the rule's target or the machine's effective one.
 */
function oeeKind(deps: AlertKindDeps): AlertKind {
  return {
    kind: 'oee_below_target',
    async evaluate(rules, open, now) {
      const [machines, groups, site] = await Promise.all([deps.repos.machines.list(), deps.repos.groups.list(), deps.repos.site.get()]);
      const groupTarget = new Map(groups.map((g) => [g.id, g.oeeTarget]));
      const watched = new Set(open.map((o) => o.machineId));
      const covered = (m: { id: number; groupId: number | null }) =>
        watched.has(m.id) || rules.some((r) => ruleInScope(r, m.id, m.groupId));
      const shifts: MachineShiftOee[] = [];
      for (const m of machines.filter((m) => m.active && covered(m))) {
        const result = await deps.oee.currentShiftOee(m.id);
        shifts.push({
          machineId: m.id,
          groupId: m.groupId,
          shiftStart: new Date(result.from),
          shiftEnd: new Date(result.to),
          oee: oeeForTarget(result),
          target: effectiveOeeTarget(m.oeeTarget, m.groupId === null ? null : (groupTarget.get(m.groupId) ?? null), site.oeeTarget),
        });
      }
      const byMachine = byMachineId(shifts);
      const ruleById = new Map(rules.map((r) => [r.id, r]));
      return {
        matches: matchOeeBelowTarget(rules, shifts, now),
        endedAt: (o) => oeeAlertEndedAt({ stopStart: new Date(o.stopStart) }, ruleById.get(o.ruleId), byMachine.get(o.machineId), now),
      };
    },
  };
}

/** Every evaluated kind, in the order the tick runs them. */
export function alertKinds(deps: AlertKindDeps): AlertKind[] {
  return [stopKind(deps), deviceSilentKind(deps), reasonDebtKind(deps), oeeKind(deps)];
}
