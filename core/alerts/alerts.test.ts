import { describe, expect, it } from 'vitest';
import { levelAt, matchStopRules, nextLevelDue, retryDelayMs, signWebhook, stopEndedAt, verifyWebhook, type StopRule } from './index.js';

const t0 = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const rule = (over: Partial<StopRule> = {}): StopRule => ({
  id: 1,
  machineId: null,
  groupId: null,
  categories: ['unplanned_stop'],
  activityCodeIds: [],
  levels: [{ afterMinutes: 5 }, { afterMinutes: 15 }],
  ...over,
});
const down = { machineId: 3, groupId: 7, activityCodeId: 2, category: 'unplanned_stop' as const, since: t0.toISOString() };

describe('stop rules', () => {
  it('reaches level 1 after N minutes and level 2 after M', () => {
    const levels = [{ afterMinutes: 5 }, { afterMinutes: 15 }];
    expect([0, 4.99, 5, 14.99, 15, 600].map((m) => levelAt(levels, t0, at(m)))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(nextLevelDue(levels, t0, 1)).toEqual(at(15));
    expect(nextLevelDue(levels, t0, 2)).toBeNull();
  });

  it('matches by machine, group, category and code', () => {
    const now = at(6);
    expect(matchStopRules([rule()], [down], now)).toEqual([{ ruleId: 1, machineId: 3, activityCodeId: 2, stopStart: t0, level: 1 }]);
    expect(matchStopRules([rule({ machineId: 4 })], [down], now)).toEqual([]);
    expect(matchStopRules([rule({ groupId: 7 })], [down], now)).toHaveLength(1);
    expect(matchStopRules([rule({ groupId: 8 })], [down], now)).toEqual([]);
    expect(matchStopRules([rule({ categories: ['planned_stop'] })], [down], now)).toEqual([]);
    expect(matchStopRules([rule({ activityCodeIds: [5] })], [down], now)).toEqual([]);
    expect(matchStopRules([rule()], [{ ...down, category: 'running', activityCodeId: 1 }], now)).toEqual([]);
    expect(matchStopRules([rule()], [down], at(4))).toEqual([]);
  });

  it('knows when a stop ended', () => {
    expect(stopEndedAt(t0, down, at(30))).toBeNull();
    expect(stopEndedAt(t0, { ...down, since: at(12).toISOString(), category: 'running' }, at(30))).toEqual(at(12));
    expect(stopEndedAt(t0, undefined, at(30))).toEqual(at(30));
  });
});

describe('webhook signature and retries', () => {
  it('signs <timestamp>.<body> with HMAC-SHA256', () => {
    // echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'secret-of-sixteen'
    const signature = signWebhook('secret-of-sixteen', 1_700_000_000, '{"a":1}');
    expect(signature).toBe('sha256=021c30d810963293d31f137660d219c4456edc51ce58968c7707b00f827b9216');
    expect(verifyWebhook('secret-of-sixteen', 1_700_000_000, '{"a":1}', signature)).toBe(true);
    expect(verifyWebhook('secret-of-sixteen', 1_700_000_001, '{"a":1}', signature)).toBe(false);
    expect(verifyWebhook('another-secret-16', 1_700_000_000, '{"a":1}', signature)).toBe(false);
  });

  it('backs off 30 s, 60 s, … up to an hour', () => {
    expect([1, 2, 3, 4, 8, 20].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000, 3_600_000, 3_600_000]);
  });
});
