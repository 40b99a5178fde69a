import { describe, expect, it } from 'vitest';
import { countsAsContact, decideNoData, type WatchedMachine } from './no-data.js';

const T = (s: string) => new Date(`2026-11-20T${s}Z`);
const NO_DATA = 5;
const base: WatchedMachine = {
  machineId: 1,
  heartbeatSeconds: 60,
  lastContactAt: T('10:00:00'),
  contactResumedAt: null,
  open: { activityCodeId: 2, start: T('09:00:00') },
};

describe('decideNoData', () => {
  it('is silent only after the heartbeat interval and the grace, from the last contact', () => {
    expect(decideNoData(base, NO_DATA, T('10:01:05'))).toEqual({ kind: 'none', machineId: 1 });
    expect(decideNoData(base, NO_DATA, T('10:01:05.001'))).toEqual({ kind: 'silent', machineId: 1, at: T('10:00:00') });
  });

  it('never dates a silence without a contact, nor over a state that began after the last contact', () => {
    expect(decideNoData({ ...base, lastContactAt: null }, NO_DATA, T('12:00:00')).kind).toBe('none');
    expect(decideNoData({ ...base, open: { activityCodeId: 3, start: T('10:30:00') } }, NO_DATA, T('12:00:00')).kind).toBe('none');
  });

  it('is back at the first contact after the silence, else at the last contact', () => {
    const inNoData = { ...base, open: { activityCodeId: NO_DATA, start: T('10:00:00') } };
    expect(decideNoData(inNoData, NO_DATA, T('12:00:00')).kind).toBe('none');
    expect(decideNoData({ ...inNoData, lastContactAt: T('11:10:00'), contactResumedAt: T('11:00:00') }, NO_DATA, T('12:00:00'))).toEqual({
      kind: 'back',
      machineId: 1,
      at: T('11:00:00'),
    });
    expect(decideNoData({ ...inNoData, lastContactAt: T('11:10:00'), contactResumedAt: T('08:00:00') }, NO_DATA, T('12:00:00'))).toEqual({
      kind: 'back',
      machineId: 1,
      at: T('11:10:00'),
    });
  });
});

describe('countsAsContact', () => {
  it('counts devices and tablets, not corrections, jobs edits or the scheduler', () => {
    expect(countsAsContact('api', 'api-key:3')).toBe(true);
    expect(countsAsContact('tablet', 'tablet:2')).toBe(true);
    expect(countsAsContact('legacy', 'legacy-device')).toBe(true);
    expect(countsAsContact('correction', 'user:1')).toBe(false);
    expect(countsAsContact('scheduler', 'scheduler')).toBe(false);
  });
});
