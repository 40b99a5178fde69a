import { describe, expect, it } from 'vitest';
import {
  effectiveOeeTarget,
  matchDeviceSilent,
  matchOeeBelowTarget,
  matchReasonDebt,
  oeeAlertEndedAt,
  oeeForTarget,
  reasonDebtEndedAt,
  stopEndedAt,
  type MachineShiftOee,
  type OeeRule,
  type OpenDebt,
} from './index.js';

const t0 = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const NO_DATA = 9;
const scope = { id: 1, machineId: null, groupId: null, levels: [{ afterMinutes: 5 }, { afterMinutes: 15 }] };

describe('device_silent', () => {
  const silent = { machineId: 3, groupId: 7, activityCodeId: NO_DATA, category: 'unplanned_stop' as const, since: t0.toISOString() };

  it('matches a machine in No data from when it began, by scope', () => {
    expect(matchDeviceSilent([scope], [silent], NO_DATA, at(4.99))).toEqual([]);
    expect(matchDeviceSilent([scope], [silent], NO_DATA, at(5))).toEqual([
      { ruleId: 1, machineId: 3, activityCodeId: NO_DATA, stopStart: t0, level: 1 },
    ]);
    expect(matchDeviceSilent([scope], [silent], NO_DATA, at(15))[0]!.level).toBe(2);
    expect(matchDeviceSilent([{ ...scope, groupId: 8 }], [silent], NO_DATA, at(6))).toEqual([]);
    expect(matchDeviceSilent([{ ...scope, machineId: 3 }], [silent], NO_DATA, at(6))).toHaveLength(1);
    // Down is a stop, not silence; without the built-in code nothing is silent.
    expect(matchDeviceSilent([scope], [{ ...silent, activityCodeId: 2 }], NO_DATA, at(6))).toEqual([]);
    expect(matchDeviceSilent([scope], [silent], null, at(6))).toEqual([]);
  });

  it('ends when the machine is in another state (data returned)', () => {
    expect(stopEndedAt(t0, silent, at(30))).toBeNull();
    expect(stopEndedAt(t0, { ...silent, activityCodeId: 1, since: at(12).toISOString() }, at(30))).toEqual(at(12));
  });
});

describe('reason_debt_older_than', () => {
  const debt: OpenDebt = {
    machineId: 3,
    groupId: 7,
    start: at(-60).toISOString(),
    end: t0.toISOString(),
    activityCodeId: 2,
    plannedSeconds: 3600,
  };

  it('ages a debt from the stop’s end; one alert per stop, keyed by its start', () => {
    expect(matchReasonDebt([scope], [debt], at(4.99))).toEqual([]);
    expect(matchReasonDebt([scope], [debt], at(5))).toEqual([
      {
        ruleId: 1,
        machineId: 3,
        activityCodeId: 2,
        stopStart: at(-60),
        level: 1,
        detail: { stopEnd: t0.toISOString(), plannedSeconds: 3600 },
      },
    ]);
    expect(matchReasonDebt([scope], [debt], at(15))[0]!.level).toBe(2);
    expect(matchReasonDebt([{ ...scope, machineId: 4 }], [debt], at(20))).toEqual([]);
  });

  it('ends when the debt is gone from the queue', () => {
    const alert = { machineId: 3, stopStart: at(-60) };
    expect(reasonDebtEndedAt(alert, [debt], at(30))).toBeNull();
    expect(reasonDebtEndedAt(alert, [{ ...debt, machineId: 4 }], at(30))).toEqual(at(30));
    expect(reasonDebtEndedAt(alert, [], at(30))).toEqual(at(30));
  });
});

describe('oee_below_target', () => {
  const rule: OeeRule = { ...scope, oeeTarget: null };
  const shift: MachineShiftOee = { machineId: 3, groupId: 7, shiftStart: t0, shiftEnd: at(480), oee: 0.6, target: 0.85 };

  it('takes the machine’s target, else its group’s, else the site’s', () => {
    expect(effectiveOeeTarget(0.7, 0.8, 0.9)).toBe(0.7);
    expect(effectiveOeeTarget(null, 0.8, 0.9)).toBe(0.8);
    expect(effectiveOeeTarget(null, null, 0.9)).toBe(0.9);
    expect(effectiveOeeTarget(null, null, null)).toBe(0.85);
  });

  it('counts a shift without a second of run as 0, an unknown OEE otherwise as unknown', () => {
    expect(oeeForTarget({ oee: 0.42, availability: 0.5 })).toBe(0.42);
    expect(oeeForTarget({ oee: null, availability: 0 })).toBe(0);
    expect(oeeForTarget({ oee: null, availability: 0.5 })).toBeNull();
    expect(oeeForTarget({ oee: null, availability: null })).toBeNull();
  });

  it('reaches level n once the shift has run the rung’s minutes below target', () => {
    expect(matchOeeBelowTarget([rule], [shift], at(4.99))).toEqual([]);
    expect(matchOeeBelowTarget([rule], [shift], at(5))).toEqual([
      {
        ruleId: 1,
        machineId: 3,
        activityCodeId: null,
        stopStart: t0,
        level: 1,
        detail: { oee: 0.6, target: 0.85, shiftEnd: at(480).toISOString() },
      },
    ]);
    expect(matchOeeBelowTarget([rule], [shift], at(15))[0]!.level).toBe(2);
    // At the target is not below it; the rule's own target wins over the machine's.
    expect(matchOeeBelowTarget([rule], [{ ...shift, oee: 0.85 }], at(6))).toEqual([]);
    expect(matchOeeBelowTarget([{ ...rule, oeeTarget: 0.5 }], [shift], at(6))).toEqual([]);
    expect(matchOeeBelowTarget([{ ...rule, oeeTarget: 0.65 }], [shift], at(6))[0]!.detail).toEqual({
      oee: 0.6,
      target: 0.65,
      shiftEnd: at(480).toISOString(),
    });
    // No OEE yet, the shift is over, another group: nothing.
    expect(matchOeeBelowTarget([rule], [{ ...shift, oee: null }], at(6))).toEqual([]);
    expect(matchOeeBelowTarget([rule], [shift], at(480))).toEqual([]);
    expect(matchOeeBelowTarget([{ ...rule, groupId: 8 }], [shift], at(6))).toEqual([]);
  });

  it('ends when the OEE is back at the target or the shift is over', () => {
    const alert = { stopStart: t0 };
    expect(oeeAlertEndedAt(alert, rule, shift, at(30))).toBeNull();
    expect(oeeAlertEndedAt(alert, rule, { ...shift, oee: 0.85 }, at(30))).toEqual(at(30));
    expect(oeeAlertEndedAt(alert, rule, { ...shift, oee: null }, at(30))).toBeNull();
    expect(oeeAlertEndedAt(alert, { oeeTarget: 0.5 }, shift, at(30))).toEqual(at(30));
    // A rule no longer enabled: only the shift's end.
    expect(oeeAlertEndedAt(alert, undefined, { ...shift, oee: 0.9 }, at(30))).toBeNull();
    expect(oeeAlertEndedAt(alert, undefined, shift, at(490))).toEqual(at(480));
    // The next shift has begun: ended by then at the latest.
    expect(oeeAlertEndedAt(alert, rule, { ...shift, shiftStart: at(480), shiftEnd: at(960) }, at(500))).toEqual(at(480));
    expect(oeeAlertEndedAt(alert, rule, undefined, at(30))).toEqual(at(30));
  });
});
