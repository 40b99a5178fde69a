import { describe, expect, it } from 'vitest';
import { OEE_ELEMENT_KEYS, type OeeElements } from '../../core/oee/index.js';
import { seededRandom } from '../../core/seeded-random.js';
import { RollupRows, type StoredRollup } from './oee-rollup.repository.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** Rows with a different value in every field (a column written in the wrong place shows). */
function randomRows(rng: () => number, n: number): StoredRollup[] {
  return Array.from({ length: n }, (_, i) => {
    const elements = Object.fromEntries(
      OEE_ELEMENT_KEYS.map((k, c) => [k, i * 100 + c + Math.round(rng() * 1000) / 1000]),
    ) as unknown as OeeElements;
    elements.losses = Array.from({ length: Math.floor(rng() * 3) }, (_, l) => ({
      activityCodeId: 4 + l,
      category: rng() < 0.5 ? 'unplanned_stop' : 'planned_stop',
      seconds: rng() * 3600,
      occurrences: Math.floor(rng() * 5),
    }));
    const day = rng() < 0.1;
    return { machineId: 1 + Math.floor(rng() * 4), start: new Date(T0 + i * HOUR), hours: day ? 23 + Math.floor(rng() * 3) : 1, elements };
  });
}

describe('RollupRows', () => {
  it('hold every field and loss of the rows pushed, in order', () => {
    const rng = seededRandom(11);
    for (let run = 0; run < 50; run++) {
      const list = randomRows(rng, Math.floor(rng() * 40));
      const rows = RollupRows.of(list);
      expect(rows.length).toBe(list.length);
      expect(rows.list()).toEqual(list);
      list.forEach((r, i) => expect(rows.end(i)).toBe(r.start.getTime() + r.hours * HOUR));
    }
  });

  it('pick keeps exactly the rows kept of a range, with their losses', () => {
    const rng = seededRandom(12);
    for (let run = 0; run < 200; run++) {
      const list = randomRows(rng, 1 + Math.floor(rng() * 40));
      const rows = RollupRows.of(list);
      const from = Math.floor(rng() * list.length);
      const to = from + Math.floor(rng() * (list.length - from + 1));
      const p = rng();
      const mask = list.map(() => rng() >= p);
      const picked = rows.pick((i) => mask[i]!, from, to);
      expect(picked.list()).toEqual(list.slice(from, to).filter((_, k) => mask[from + k]));
      const all = rows.pick(() => true, from, to);
      expect(all.list()).toEqual(list.slice(from, to));
    }
  });
});
