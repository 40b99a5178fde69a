import { describe, expect, it } from 'vitest';
import { byLongestStop, byName } from './wall-format';

describe('wall order', () => {
  const m = (name: string, category: 'running' | 'unplanned_stop' = 'running', since: string | null = null) => ({
    name,
    state: { category, since },
  });

  it('orders names as a plant counts them, numbers by value', () => {
    const names = ['Press 10', 'press 2', 'CNC 5', 'Press 1', 'CNC 30', 'M09', 'M10'].map((n) => m(n));
    expect(byName(names).map((x) => x.name)).toEqual(['CNC 5', 'CNC 30', 'M09', 'M10', 'Press 1', 'press 2', 'Press 10']);
  });

  it('puts the longest stop first, then the running machines in that order', () => {
    const machines = [
      m('Lathe 10'),
      m('Lathe 9'),
      m('Saw 2', 'unplanned_stop', '2026-07-01T10:00:00Z'),
      m('Saw 1', 'unplanned_stop', '2026-07-01T09:00:00Z'),
    ];
    expect(byLongestStop(machines).map((x) => x.name)).toEqual(['Saw 1', 'Saw 2', 'Lathe 9', 'Lathe 10']);
  });
});
