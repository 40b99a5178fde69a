import { describe, expect, it } from 'vitest';
import { belowTarget, DEFAULT_OEE_TARGET, effectiveOeeTarget, targetLabel } from './target.js';

describe('effectiveOeeTarget', () => {
  it('takes the machine, else the group, else the site, else 0.85', () => {
    expect(effectiveOeeTarget({ machine: 0.7, group: 0.6, site: 0.9 })).toBe(0.7);
    expect(effectiveOeeTarget({ machine: null, group: 0.6, site: 0.9 })).toBe(0.6);
    expect(effectiveOeeTarget({ machine: null, group: null, site: 0.9 })).toBe(0.9);
    expect(effectiveOeeTarget({ group: 0.75 })).toBe(0.75);
    expect(effectiveOeeTarget({})).toBe(DEFAULT_OEE_TARGET);
    expect(DEFAULT_OEE_TARGET).toBe(0.85);
  });
});

describe('belowTarget', () => {
  it('is true only for an OEE under the target', () => {
    expect(belowTarget(0.84, 0.85)).toBe(true);
    expect(belowTarget(0.85, 0.85)).toBe(false);
    expect(belowTarget(null, 0.85)).toBe(false);
    expect(belowTarget(undefined, 0.85)).toBe(false);
  });
});

describe('targetLabel', () => {
  it('writes whole percents, and a tenth when the target has one', () => {
    expect(targetLabel(0.85)).toBe('Target 85 %');
    expect(targetLabel(0.875)).toBe('Target 87.5 %');
    expect(targetLabel(0.7)).toBe('Target 70 %');
  });
});
