import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { localTimeFormatter } from './local-time.js';

describe('localTimeFormatter', () => {
  it('gives the offset luxon gives, minute by minute across clock changes (hour-cached)', () => {
    const cases: [string, string][] = [
      ['Europe/London', '2026-03-29T00:00:00Z'],
      ['Europe/London', '2026-10-25T00:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T14:00:00Z'], // a half-hour change
      ['Asia/Kathmandu', '2026-01-01T00:00:00Z'],
    ];
    for (const [zone, start] of cases) {
      const format = localTimeFormatter(zone);
      for (let m = 0; m < 4 * 60; m++) {
        const instant = new Date(Date.parse(start) + m * 60_000);
        expect(format(instant), `${zone} ${instant.toISOString()}`).toBe(
          DateTime.fromJSDate(instant, { zone }).toISO({ suppressMilliseconds: true }),
        );
      }
    }
  });

  it('keeps milliseconds when there are some', () => {
    expect(localTimeFormatter('Europe/London')(new Date('2026-07-02T10:00:00.250Z'))).toBe('2026-07-02T11:00:00.250+01:00');
  });
});
