import { describe, expect, it } from 'vitest';
import { lossBars, secondsByCause } from './losses';
import type { ActivityCode } from './types';

const code = (id: number, shortDescription: string, category: ActivityCode['category'], cause: ActivityCode['cause']): ActivityCode => ({
  id,
  shortDescription,
  longDescription: '',
  category,
  cause,
  colour: '#112233',
  active: true,
  flag: null,
});
const codes = new Map(
  [
    code(2, 'Down', 'unplanned_stop', 'other'),
    code(5, 'Jam', 'unplanned_stop', 'machine'),
    code(6, 'Tool change', 'planned_stop', 'machine'),
    code(7, 'No material', 'unplanned_stop', 'material'),
  ].map((c) => [c.id, c]),
);
const losses = [
  { activityCodeId: 5, category: 'unplanned_stop' as const, seconds: 1_200, occurrences: 3 },
  { activityCodeId: 7, category: 'unplanned_stop' as const, seconds: 1_800, occurrences: 1 },
  { activityCodeId: 6, category: 'planned_stop' as const, seconds: 900, occurrences: 2 },
  { activityCodeId: 2, category: 'unplanned_stop' as const, seconds: 0, occurrences: 0 },
  { activityCodeId: 99, category: 'unplanned_stop' as const, seconds: 60, occurrences: 1 },
];

describe('lossBars', () => {
  it('sums the codes of each downtime cause; an unknown code counts as other; empty causes are left out', () => {
    const bars = lossBars(losses, codes, 'cause');
    expect(bars.map((b) => [b.key, b.name, b.seconds, b.occurrences, b.detail])).toEqual([
      ['machine', 'Machine', 2_100, 5, 'Unplanned stop, Planned stop'],
      ['material', 'Material', 1_800, 1, 'Unplanned stop'],
      ['other', 'Other', 60, 1, 'Unplanned stop'],
    ]);
  });

  it('gives a bar per code, and keeps only the codes of one cause when asked', () => {
    expect(lossBars(losses, codes, 'code').map((b) => [b.name, b.seconds])).toEqual([
      ['Jam', 1_200],
      ['No material', 1_800],
      ['Tool change', 900],
      ['Code 99', 60],
    ]);
    expect(lossBars(losses, codes, 'code', 'machine').map((b) => [b.name, b.seconds, b.occurrences])).toEqual([
      ['Jam', 1_200, 3],
      ['Tool change', 900, 2],
    ]);
  });
});

describe('secondsByCause', () => {
  it('has every cause, zero included', () => {
    expect(secondsByCause(losses, codes)).toEqual({ machine: 2_100, operator: 0, material: 1_800, quality: 0, other: 60 });
  });
});
