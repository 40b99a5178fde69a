import { describe, expect, it } from 'vitest';
import { jobStartInputTypes } from '../vocabulary.js';
import { idealCycleTimeFromInput } from './job-start-input.js';
import { jobStartInputFor } from './part-cycle-time.js';
import { partCreateSchema } from '../schemas/parts.schema.js';

/** Catalogue times as stored (12 significant digits), awkward ones included. */
const stored = [12.5, 7, 0.3, 1 / 3, 3600 / 7, 0.001, 59.999, 86_400, 31_536_000, 1e-6].map(
  (x) => partCreateSchema.parse({ partNumber: 'P', idealCycleTimeSeconds: x }).idealCycleTimeSeconds,
);

describe('jobStartInputFor', () => {
  it('fills every input type so that the job start lands exactly on the catalogue time', () => {
    for (const type of jobStartInputTypes) {
      for (const seconds of stored) {
        const input = jobStartInputFor(type, seconds);
        const result = idealCycleTimeFromInput(type, input ?? undefined);
        expect(result, `${type} ${seconds}`).toEqual({ ok: true, idealCycleTimeSeconds: type === 'no_cycle_time' ? null : seconds });
      }
    }
  });

  it('asks planned_qty_minutes machines for 60 parts in as many minutes as one part takes seconds', () => {
    expect(jobStartInputFor('planned_qty_minutes', 12.5)).toEqual({ plannedQuantity: 60, plannedTimeMinutes: 12.5 });
    expect(jobStartInputFor('parts_per_hour', 12.5)).toEqual({ value: 288 });
    expect(jobStartInputFor('no_cycle_time', 12.5)).toBeNull();
  });

  it('stores catalogue times to 12 significant digits', () => {
    expect(stored.slice(3, 5)).toEqual([0.333333333333, 514.285714286]);
  });
});
