import { describe, expect, it } from 'vitest';
import { seededRandom } from '../seeded-random.js';
import { ElementsSum, emptyElements, OEE_ELEMENT_KEYS, sumElements, type OeeElements } from './index.js';

function randomElements(rng: () => number): OeeElements {
  const e = emptyElements();
  for (const k of OEE_ELEMENT_KEYS) e[k] = rng() < 0.2 ? 0 : rng() * 3600;
  e.losses = Array.from({ length: Math.floor(rng() * 4) }, () => ({
    activityCodeId: 4 + Math.floor(rng() * 3),
    category: rng() < 0.5 ? 'unplanned_stop' : 'planned_stop',
    seconds: rng() * 600,
    occurrences: Math.floor(rng() * 3),
  }));
  return e;
}

describe('ElementsSum', () => {
  it('adds up to exactly sumElements of the same list, in the same order', () => {
    const rng = seededRandom(21);
    for (let run = 0; run < 300; run++) {
      const list = Array.from({ length: Math.floor(rng() * 30) }, () => randomElements(rng));
      const sum = new ElementsSum();
      for (const e of list) sum.add(e);
      const expected = sumElements(list);
      if (list.length === 1) expect(sum.result()).toBe(list[0]);
      else expect(sum.result()).toEqual(expected);
      // And what that is, folded by hand: every field left to right, losses merged per code and category.
      for (const k of OEE_ELEMENT_KEYS) expect(expected[k]).toBe(list.reduce((acc, e) => acc + e[k], 0));
      const losses = new Map<string, { seconds: number; occurrences: number }>();
      for (const l of list.flatMap((e) => e.losses)) {
        const entry = losses.get(`${l.activityCodeId}|${l.category}`) ?? { seconds: 0, occurrences: 0 };
        losses.set(`${l.activityCodeId}|${l.category}`, {
          seconds: entry.seconds + l.seconds,
          occurrences: entry.occurrences + l.occurrences,
        });
      }
      expect(
        new Map(expected.losses.map((l) => [`${l.activityCodeId}|${l.category}`, { seconds: l.seconds, occurrences: l.occurrences }])),
      ).toEqual(losses);
    }
  });

  it('of nothing is all zero', () => {
    expect(new ElementsSum().result()).toEqual(emptyElements());
  });
});
