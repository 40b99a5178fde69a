import { describe, expect, it } from 'vitest';
import { isMicroStop, plannedSecondsOf, reasonDebts, type StopCandidate } from './reason-debt.js';

const T = (hm: string) => new Date(`2026-11-24T${hm}:00.000Z`);
const stop = (
  start: string,
  end: string,
  previous: StopCandidate['previousCategory'] = 'running',
  next: StopCandidate['nextCategory'] = 'running',
) => ({
  machineId: 1,
  start: T(start),
  end: T(end),
  activityCodeId: 2,
  previousCategory: previous,
  nextCategory: next,
});
const shift = [{ start: T('09:00'), end: T('17:00') }];

describe('reason debt', () => {
  it('counts only the planned part of a stop against the threshold', () => {
    expect(plannedSecondsOf(T('08:50'), T('09:10'), shift)).toBe(600);
    const debts = reasonDebts(
      [stop('08:50', '09:04'), stop('08:50', '09:06'), stop('16:50', '18:00')],
      () => shift,
      () => ({
        thresholdSeconds: 300,
        microStopSeconds: 0,
      }),
    );
    expect(debts.map((d) => [d.start, d.plannedSeconds])).toEqual([
      [T('16:50').toISOString(), 600],
      [T('08:50').toISOString(), 360],
    ]);
  });

  it('never prompts a micro-stop, whatever the threshold', () => {
    expect(isMicroStop(stop('10:00', '10:01'), 120)).toBe(true);
    expect(isMicroStop(stop('10:00', '10:01', 'running', 'unplanned_stop'), 120)).toBe(false);
    expect(
      reasonDebts(
        [stop('10:00', '10:01')],
        () => shift,
        () => ({ thresholdSeconds: 30, microStopSeconds: 120 }),
      ),
    ).toEqual([]);
  });
});
