import { describe, expect, it } from 'vitest';
import {
  dateFormats,
  formatDay,
  formatIsoDay,
  formatSiteDate,
  formatSiteDateTime,
  formatSiteTime,
  localParts,
  parseDay,
} from './site-format.js';

describe('site date format', () => {
  // 23:30 UTC on 31 December: already 1 January in Berlin, still 31 December in New York.
  const at = Date.parse('2026-12-31T23:30:05Z');

  it('writes an instant in the site zone, in each format', () => {
    expect(dateFormats.map((f) => formatSiteDateTime(at, 'Europe/Berlin', f))).toEqual([
      '2027-01-01 00:30',
      '01/01/2027 00:30',
      '01/01/2027 00:30',
      '01.01.2027 00:30',
    ]);
    expect(dateFormats.map((f) => formatSiteDate(at, 'America/New_York', f))).toEqual([
      '2026-12-31',
      '31/12/2026',
      '12/31/2026',
      '31.12.2026',
    ]);
    expect(formatSiteDateTime(at, 'Asia/Kolkata', 'DD/MM/YYYY', true)).toBe('01/01/2027 05:00:05');
    expect(formatSiteTime(at, 'America/New_York')).toBe('18:30');
    expect(formatSiteTime('2026-07-01T12:00:09Z', 'Europe/London', true)).toBe('13:00:09');
  });

  it('follows the zone across a DST change, and an unknown zone is UTC, not the device zone', () => {
    // 2026-03-29 01:00 UTC London goes to BST.
    expect(formatSiteDateTime('2026-03-29T00:59:00Z', 'Europe/London', 'YYYY-MM-DD')).toBe('2026-03-29 00:59');
    expect(formatSiteDateTime('2026-03-29T01:00:00Z', 'Europe/London', 'YYYY-MM-DD')).toBe('2026-03-29 02:00');
    expect(formatSiteDateTime(at, 'Nowhere/Land', 'DD.MM.YYYY')).toBe('31.12.2026 23:30');
    expect(localParts(at, 'UTC')).toEqual({ year: 2026, month: 12, day: 31, hour: 23, minute: 30, second: 5 });
  });

  it('writes local ISO days in the format and reads typed days back', () => {
    expect(formatDay({ year: 987, month: 3, day: 4 }, 'DD.MM.YYYY')).toBe('04.03.0987');
    expect(formatIsoDay('2026-03-04', 'MM/DD/YYYY')).toBe('03/04/2026');
    expect(formatIsoDay('not a day', 'MM/DD/YYYY')).toBe('not a day');
    expect(parseDay('04/03/2026', 'DD/MM/YYYY')).toBe('2026-03-04');
    expect(parseDay('04/03/2026', 'MM/DD/YYYY')).toBe('2026-04-03');
    expect(parseDay(' 4.3.2026 ', 'DD.MM.YYYY')).toBe('2026-03-04');
    expect(parseDay('2026-3-4', 'YYYY-MM-DD')).toBe('2026-03-04');
    for (const f of dateFormats) expect(parseDay(formatIsoDay('2028-02-29', f), f)).toBe('2028-02-29');
    // Not a day: 31 April, 29 February of a common year, month 13, a two-digit year, words.
    expect(parseDay('31/04/2026', 'DD/MM/YYYY')).toBeNull();
    expect(parseDay('29.02.2026', 'DD.MM.YYYY')).toBeNull();
    expect(parseDay('13/01/2026', 'MM/DD/YYYY')).toBeNull();
    expect(parseDay('04/03/26', 'DD/MM/YYYY')).toBeNull();
    expect(parseDay('2026-03-04', 'DD/MM/YYYY')).toBeNull();
    expect(parseDay('today', 'YYYY-MM-DD')).toBeNull();
    expect(parseDay('', 'YYYY-MM-DD')).toBeNull();
  });
});
