import { describe, expect, it } from 'vitest';
import {
  checkStateChange,
  legacyRefusalStatus,
  codeOnJobEnd,
  codeOnJobStart,
  isLegacyMachineState,
  legacyStateCategory,
  legacyStateToCode,
} from './machine-state.rules.js';

const codes = { upCodeId: 1, downCodeId: 2 };

describe('legacyStateToCode', () => {
  it('maps 1 to Up and anything else to Down', () => {
    expect(legacyStateToCode(1, codes)).toBe(1);
    for (const state of [0, 2, 3, 4, 5, -1, 1.5]) expect(legacyStateToCode(state, codes)).toBe(2);
  });

  it('uses the ids it is given', () => {
    expect(legacyStateToCode(1, { upCodeId: 11, downCodeId: 12 })).toBe(11);
    expect(legacyStateToCode(0, { upCodeId: 11, downCodeId: 12 })).toBe(12);
  });
});

describe('legacyStateCategory', () => {
  it('maps the four legacy states as OEE.md says', () => {
    expect(legacyStateCategory(1)).toBe('running');
    expect(legacyStateCategory(2)).toBe('unplanned_stop');
    expect(legacyStateCategory(3)).toBe('planned_shutdown');
    expect(legacyStateCategory(4)).toBe('running');
  });

  it('recognises only 1..4 as legacy states', () => {
    expect([0, 1, 2, 3, 4, 5, 2.5].filter(isLegacyMachineState)).toEqual([1, 2, 3, 4]);
  });
});

describe('checkStateChange', () => {
  const up = { id: 1, category: 'running' as const };
  const overtime = { id: 4, category: 'running' as const };
  const down = { id: 2, category: 'unplanned_stop' as const };
  const changeover = { id: 7, category: 'planned_stop' as const };
  const closed = { id: 3, category: 'planned_shutdown' as const };

  it('refuses the Up code and any other running code without a job with 409 conflict', () => {
    for (const code of [up, overtime, { id: 9, category: 'running' as const }]) {
      expect(checkStateChange({ code, hasActiveJob: false, upCodeId: 1 })).toEqual({
        ok: false,
        status: 409,
        code: 'conflict',
        message: 'Cannot set a machine to up when there is no active job',
      });
    }
  });

  it('refuses the Up code by id, whatever its category, as the original did', () => {
    expect(checkStateChange({ code: { id: 1, category: 'unplanned_stop' }, hasActiveJob: false, upCodeId: 1 })).toMatchObject({
      ok: false,
      status: 409,
    });
  });

  it('gives the DigitME2 route 400 for the Up code and 409 for other running codes', () => {
    expect(legacyRefusalStatus(1, 1)).toBe(400);
    expect(legacyRefusalStatus(4, 1)).toBe(409);
    expect(legacyRefusalStatus(9, 1)).toBe(409);
  });

  it('allows stops without a job', () => {
    for (const code of [down, changeover, closed]) {
      expect(checkStateChange({ code, hasActiveJob: false, upCodeId: 1 })).toEqual({ ok: true });
    }
  });

  it('allows every code with a job', () => {
    for (const code of [up, overtime, down, changeover, closed]) {
      expect(checkStateChange({ code, hasActiveJob: true, upCodeId: 1 })).toEqual({ ok: true });
    }
  });
});

describe('job transitions', () => {
  it('starts a job in the machine job-start code and ends it in Down', () => {
    expect(codeOnJobStart(1)).toBe(1);
    expect(codeOnJobStart(8)).toBe(8);
    expect(codeOnJobEnd(2)).toBe(2);
  });
});
