import { describe, expect, it } from 'vitest';
import { siteClock, siteDate, siteHhmm, siteTimeOnDay } from './site-time';

describe('site time', () => {
  const at = Date.parse('2026-07-01T05:30:15Z');

  it('reads the clock of the site zone, not the process zone', () => {
    expect(siteClock(at, 'Europe/London')).toBe('06:30:15');
    expect(siteClock(at, 'America/New_York')).toBe('01:30:15');
    expect(siteClock(at, 'Asia/Kolkata')).toBe('11:00:15');
    expect(siteHhmm('2026-07-01T23:59:59Z', 'Europe/Berlin')).toBe('01:59');
    expect(siteDate('2026-07-01T23:30:00Z', 'Europe/Berlin')).toBe('2026-07-02');
    expect(siteClock(Date.parse('2026-01-01T00:00:00Z'), 'UTC')).toBe('00:00:00');
  });

  it('finds the instant of a site-local time today or days back, across DST', () => {
    expect(new Date(siteTimeOnDay(6, 0, at, 'Europe/London')).toISOString()).toBe('2026-07-01T05:00:00.000Z');
    expect(new Date(siteTimeOnDay(23, 15, at, 'Europe/London', 1)).toISOString()).toBe('2026-06-30T22:15:00.000Z');
    expect(new Date(siteTimeOnDay(9, 0, at, 'America/New_York')).toISOString()).toBe('2026-07-01T13:00:00.000Z');
    // 2026-03-29 01:00 UTC London goes to BST: 00:30 is GMT, 03:00 is BST.
    const dst = Date.parse('2026-03-29T12:00:00Z');
    expect(new Date(siteTimeOnDay(0, 30, dst, 'Europe/London')).toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(new Date(siteTimeOnDay(3, 0, dst, 'Europe/London')).toISOString()).toBe('2026-03-29T02:00:00.000Z');
    // An unknown zone falls back to UTC, not the device's zone.
    expect(siteClock(at, 'Nowhere/Land')).toBe('05:30:15');
  });
});
