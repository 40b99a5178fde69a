import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OeeResult } from '../../core/oee/index.js';
import { LiveOee } from './live-oee.js';

const result = (goodCount: number) => ({ goodCount }) as unknown as OeeResult;

describe('LiveOee: results after changes', () => {
  let computed: number[];
  let sent: { machineId: number; at: number }[];
  let oee: LiveOee;
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    computed = [];
    sent = [];
    oee = new LiveOee(
      async (machineId) => {
        computed.push(machineId);
        return result(computed.length);
      },
      (machineId) => sent.push({ machineId, at: Date.now() }),
      pino({ level: 'silent' }),
      { maxAgeMs: 60_000, throttleMs: 2_000, settleMs: 250, minGapMs: 200, concurrency: 2 },
    );
  });
  afterEach(() => {
    oee.close();
    vi.useRealTimers();
  });

  it('computes a burst of changes of one machine once, shortly after, and at most once per throttle period', async () => {
    for (let i = 0; i < 5; i++) oee.afterChange(1);
    await vi.advanceTimersByTimeAsync(249);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([{ machineId: 1, at: 250 }]);
    oee.afterChange(1); // right after: waits for the throttle period
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toEqual([
      { machineId: 1, at: 250 },
      { machineId: 1, at: 2_250 },
    ]);
    expect(computed).toEqual([1, 1]);
  });

  it('spaces results of different machines by the minimum gap, earliest due first', async () => {
    for (const id of [1, 2, 3]) oee.afterChange(id);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual([
      { machineId: 1, at: 250 },
      { machineId: 2, at: 450 },
      { machineId: 3, at: 650 },
    ]);
  });

  it('serves snapshots from the cache and counts a result relayed from another instance as sent', async () => {
    await oee.current([7]);
    await oee.current([7]);
    expect(computed).toEqual([7]);
    oee.noteSent(8, result(42));
    expect(oee.sentWithin(8, 1_000)).toBe(true);
    expect((await oee.current([8])).get(8)).toEqual(result(42));
    expect(computed).toEqual([7]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(oee.sentWithin(8, 500)).toBe(false);
  });
});
