import { describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { ScheduledTasksService } from './scheduled-tasks.service.js';

describe('ScheduledTasksService.closeFinishedHours', () => {
  it('stores the last two days, then the year before them a week of local days at a time, newest first', async () => {
    const calls: [string, string][] = [];
    const tasks = new ScheduledTasksService({
      oee: { storeClosed: async (from, to) => void calls.push([from.toISOString(), to.toISOString()]) },
      verify: { run: async () => Promise.reject(new Error('not used')) },
      site: { get: async () => ({ timezone: 'Europe/London' }) as never },
      credentials: { deleteExpiredSessions: async () => 0 as never },
      outbox: { pruneDelivered: async () => 0 as never },
      clock: new FixedClock(new Date('2026-07-15T10:37:00Z')),
    });
    await tasks.closeFinishedHours();
    expect(calls.slice(0, 3)).toEqual([
      ['2026-07-13T10:00:00.000Z', '2026-07-15T10:00:00.000Z'], // the last two days
      ['2026-07-05T23:00:00.000Z', '2026-07-13T11:00:00.000Z'], // London midnight (BST) a week before, to an hour into them
      ['2026-06-28T23:00:00.000Z', '2026-07-05T23:00:00.000Z'],
    ]);
    // Consecutive weeks meet, and the oldest starts 366 local days before today (London midnight, GMT then).
    for (let i = 2; i < calls.length; i++) expect(calls[i]![1]).toBe(calls[i - 1]![0]);
    expect(calls.at(-1)![0]).toBe('2025-07-13T23:00:00.000Z');
    expect(calls).toHaveLength(1 + 52); // the two days, then 52 weeks
  });
});
