import { describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.js';
import { RecentReplies } from './recent-replies.js';

describe('RecentReplies', () => {
  const key = (body: unknown) => RecentReplies.keyOf('/android-update', body);

  it('answers the same request again within the window with the first reply, without acting', async () => {
    const clock = new FixedClock(new Date('2026-01-01T00:00:00Z'));
    const replies = new RecentReplies<number>(clock, 10_000);
    let acted = 0;
    const act = async () => ++acted;
    expect(await replies.run('tab', key({ a: 1, b: 2 }), act)).toBe(1);
    clock.advance(9);
    expect(await replies.run('tab', key({ b: 2, a: 1 }), act)).toBe(1); // key order does not matter
    clock.advance(2);
    expect(await replies.run('tab', key({ a: 1, b: 2 }), act)).toBe(2); // window over: a new request
    expect(await replies.run('tab', key({ a: 2, b: 2 }), act)).toBe(3);
    expect(await replies.run('other', key({ a: 2, b: 2 }), act)).toBe(4); // per device
  });

  it("joins a retry to the request still running, and runs one device's requests in order", async () => {
    const replies = new RecentReplies<string>(new FixedClock(new Date()), 10_000);
    const order: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const first = replies.run('tab', key({ n: 1 }), async () => {
      await slow;
      order.push('first');
      return 'one';
    });
    const retry = replies.run('tab', key({ n: 1 }), async () => 'never');
    const next = replies.run('tab', key({ n: 2 }), async () => {
      order.push('second');
      return 'two';
    });
    release();
    expect(await Promise.all([first, retry, next])).toEqual(['one', 'one', 'two']);
    expect(order).toEqual(['first', 'second']);
  });

  it('keeps a failure as the reply too, and later requests still run', async () => {
    const replies = new RecentReplies<string>(new FixedClock(new Date()), 10_000);
    await expect(replies.run('tab', key({ n: 1 }), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(replies.run('tab', key({ n: 1 }), async () => 'again')).rejects.toThrow('boom');
    expect(await replies.run('tab', key({ n: 2 }), async () => 'next')).toBe('next');
  });
});
