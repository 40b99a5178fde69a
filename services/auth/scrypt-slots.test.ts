import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.js';
import { Slots } from './scrypt-slots.js';

describe('Slots', () => {
  it('runs at most `running` at once, queues `waiting`, refuses the rest with 503', async () => {
    const slots = new Slots(2, 1);
    let active = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const work = () =>
      new Promise<string>((resolve) => {
        active++;
        peak = Math.max(peak, active);
        releases.push(() => {
          active--;
          resolve('done');
        });
      });
    const a = slots.run(work);
    const b = slots.run(work);
    const c = slots.run(work);
    const refused = await slots.run(work).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(503);
    expect(releases).toHaveLength(2);
    releases[0]!();
    await a;
    // The queued one took the freed slot.
    await new Promise((r) => setImmediate(r));
    expect(releases).toHaveLength(3);
    releases[1]!();
    releases[2]!();
    expect(await Promise.all([b, c])).toEqual(['done', 'done']);
    expect(peak).toBe(2);
  });
});
