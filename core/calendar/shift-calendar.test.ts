import { describe, expect, it } from 'vitest';
import {
  bucketRanges,
  firstPlannedWindow,
  isInPlannedTime,
  plannedShifts,
  plannedWindows,
  shiftBoundaries,
  type CalendarPattern,
  type TimeRange,
} from './index.js';

const LONDON = 'Europe/London';
const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];
const d = (iso: string) => new Date(iso);
const hours = (r: { start: Date; end: Date } | TimeRange) =>
  ('start' in r ? r.end.getTime() - r.start.getTime() : r.to.getTime() - r.from.getTime()) / 3_600_000;
const iso = (r: { start: Date; end: Date }) => [r.start.toISOString(), r.end.toISOString()];
const isoRange = (r: TimeRange) => [r.from.toISOString(), r.to.toISOString()];

const nights: CalendarPattern = { shifts: [{ days: ALL_DAYS, start: '22:00', end: '06:00' }], exceptions: [] };

describe('night shift over DST (Europe/London)', () => {
  it('is 8 h on an ordinary night, in GMT', () => {
    const [shift] = plannedShifts(nights, LONDON, d('2026-03-27T23:00:00Z'), d('2026-03-27T23:30:00Z'));
    expect(iso(shift!)).toEqual(['2026-03-27T22:00:00.000Z', '2026-03-28T06:00:00.000Z']);
    expect(shift!.shiftDate).toBe('2026-03-27');
  });

  it('is 7 h on the spring-forward night (2026-03-29)', () => {
    const shifts = plannedShifts(nights, LONDON, d('2026-03-29T00:00:00Z'), d('2026-03-29T01:00:00Z'));
    expect(shifts).toHaveLength(1);
    expect(iso(shifts[0]!)).toEqual(['2026-03-28T22:00:00.000Z', '2026-03-29T05:00:00.000Z']);
    expect(hours(shifts[0]!)).toBe(7);
    expect(shifts[0]!.shiftDate).toBe('2026-03-28');
  });

  it('is 9 h on the fall-back night (2026-10-25)', () => {
    const shifts = plannedShifts(nights, LONDON, d('2026-10-25T00:00:00Z'), d('2026-10-25T01:00:00Z'));
    expect(shifts).toHaveLength(1);
    expect(iso(shifts[0]!)).toEqual(['2026-10-24T21:00:00.000Z', '2026-10-25T06:00:00.000Z']);
    expect(hours(shifts[0]!)).toBe(9);
    expect(shifts[0]!.shiftDate).toBe('2026-10-24');
  });

  it('gives 7 h and 9 h of planned time for the two nights', () => {
    const spring = plannedWindows(nights, LONDON, d('2026-03-28T12:00:00Z'), d('2026-03-29T12:00:00Z'));
    expect(spring.map(iso)).toEqual([['2026-03-28T22:00:00.000Z', '2026-03-29T05:00:00.000Z']]);
    const autumn = plannedWindows(nights, LONDON, d('2026-10-24T12:00:00Z'), d('2026-10-25T12:00:00Z'));
    expect(autumn.map(hours)).toEqual([9]);
  });

  it('a 24 h shift (end == start) is as long as the local day', () => {
    const day: CalendarPattern = { shifts: [{ days: [7], start: '00:00', end: '00:00' }] };
    const [spring] = plannedShifts(day, LONDON, d('2026-03-29T12:00:00Z'), d('2026-03-29T13:00:00Z'));
    const [autumn] = plannedShifts(day, LONDON, d('2026-10-25T12:00:00Z'), d('2026-10-25T13:00:00Z'));
    expect(hours(spring!)).toBe(23);
    expect(hours(autumn!)).toBe(25);
  });
});

describe('local times in the DST gap and overlap', () => {
  it('moves a start inside the spring gap forward by the gap (01:30 → 02:30 BST)', () => {
    const early: CalendarPattern = { shifts: [{ days: [7], start: '01:30', end: '05:00' }] };
    const [shift] = plannedShifts(early, LONDON, d('2026-03-29T00:00:00Z'), d('2026-03-30T00:00:00Z'));
    expect(iso(shift!)).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-29T04:00:00.000Z']);
    expect(hours(shift!)).toBe(2.5);
  });

  it('drops a shift that lies wholly inside the gap and collapses (01:30–02:00 → 02:30–02:00 BST)', () => {
    const gap: CalendarPattern = { shifts: [{ days: [7], start: '01:30', end: '02:00' }] };
    expect(plannedShifts(gap, LONDON, d('2026-03-29T00:00:00Z'), d('2026-03-30T00:00:00Z'))).toEqual([]);
  });

  it('resolves an ambiguous autumn time as luxon does (01:30 on 2026-10-25 = 01:30 GMT)', () => {
    const early: CalendarPattern = { shifts: [{ days: [7], start: '01:30', end: '03:00' }] };
    const [shift] = plannedShifts(early, LONDON, d('2026-10-25T00:00:00Z'), d('2026-10-26T00:00:00Z'));
    expect(iso(shift!)).toEqual(['2026-10-25T01:30:00.000Z', '2026-10-25T03:00:00.000Z']);
  });
});

describe('exceptions', () => {
  // Mon–Fri day shift and night shift; 2026-12-25 is a Friday, 2026-12-24 a Thursday.
  const pattern: CalendarPattern = {
    shifts: [
      { days: [1, 2, 3, 4, 5], start: '06:00', end: '14:00' },
      { days: [1, 2, 3, 4, 5], start: '22:00', end: '06:00' },
    ],
    exceptions: [
      { date: '2026-12-25', shifts: [] },
      { date: '2026-12-31', shifts: [{ start: '08:00', end: '12:00' }] },
    ],
  };

  it('a holiday (empty list) closes the shifts starting that day, not the night shift from the day before', () => {
    const shifts = plannedShifts(pattern, 'UTC', d('2026-12-24T00:00:00Z'), d('2026-12-27T00:00:00Z'));
    expect(shifts.map(iso)).toEqual([
      ['2026-12-23T22:00:00.000Z', '2026-12-24T06:00:00.000Z'],
      ['2026-12-24T06:00:00.000Z', '2026-12-24T14:00:00.000Z'],
      ['2026-12-24T22:00:00.000Z', '2026-12-25T06:00:00.000Z'],
    ]);
    expect(shifts.map((s) => s.shiftDate)).toEqual(['2026-12-23', '2026-12-24', '2026-12-24']);
    expect(isInPlannedTime(pattern, 'UTC', d('2026-12-25T05:59:59Z'))).toBe(true);
    expect(isInPlannedTime(pattern, 'UTC', d('2026-12-25T06:00:00Z'))).toBe(false);
    expect(isInPlannedTime(pattern, 'UTC', d('2026-12-25T10:00:00Z'))).toBe(false);
  });

  it('an exception with shifts replaces that day`s shifts', () => {
    const shifts = plannedShifts(pattern, 'UTC', d('2026-12-31T00:00:00Z'), d('2027-01-01T00:00:00Z'));
    expect(shifts.map(iso)).toEqual([
      ['2026-12-30T22:00:00.000Z', '2026-12-31T06:00:00.000Z'],
      ['2026-12-31T08:00:00.000Z', '2026-12-31T12:00:00.000Z'],
    ]);
  });

  it('an exception can open a day the pattern leaves closed, with a shift crossing midnight', () => {
    const weekend: CalendarPattern = { shifts: [], exceptions: [{ date: '2026-06-06', shifts: [{ start: '20:00', end: '02:00' }] }] };
    const windows = plannedWindows(weekend, LONDON, d('2026-06-06T00:00:00Z'), d('2026-06-08T00:00:00Z'));
    expect(windows).toEqual([{ start: d('2026-06-06T19:00:00Z'), end: d('2026-06-07T01:00:00Z'), shiftDate: '2026-06-06' }]);
  });
});

describe('planned windows', () => {
  it('merges overlapping shifts so no time counts twice, and clips to the range', () => {
    const overlap: CalendarPattern = {
      shifts: [
        { days: ALL_DAYS, start: '06:00', end: '14:00' },
        { days: ALL_DAYS, start: '12:00', end: '20:00' },
      ],
    };
    const from = d('2026-05-04T07:00:00Z');
    const to = d('2026-05-05T00:00:00Z');
    expect(plannedShifts(overlap, 'UTC', from, to)).toHaveLength(2);
    expect(plannedWindows(overlap, 'UTC', from, to)).toEqual([
      { start: d('2026-05-04T07:00:00Z'), end: d('2026-05-04T20:00:00Z'), shiftDate: '2026-05-04' },
    ]);
  });

  it('keeps back-to-back shifts as touching windows with their own shift dates', () => {
    const twoShifts: CalendarPattern = {
      shifts: [
        { days: ALL_DAYS, start: '06:00', end: '18:00' },
        { days: ALL_DAYS, start: '18:00', end: '06:00' },
      ],
    };
    const windows = plannedWindows(twoShifts, 'UTC', d('2026-05-04T00:00:00Z'), d('2026-05-05T00:00:00Z'));
    expect(windows.map((w) => [...iso(w), w.shiftDate])).toEqual([
      ['2026-05-04T00:00:00.000Z', '2026-05-04T06:00:00.000Z', '2026-05-03'],
      ['2026-05-04T06:00:00.000Z', '2026-05-04T18:00:00.000Z', '2026-05-04'],
      ['2026-05-04T18:00:00.000Z', '2026-05-05T00:00:00.000Z', '2026-05-04'],
    ]);
  });

  it('null pattern = planned 24/7: one window per local day, always planned, no shift boundaries', () => {
    const windows = plannedWindows(null, LONDON, d('2026-03-28T12:00:00Z'), d('2026-03-30T12:00:00Z'));
    expect(windows.map((w) => [...iso(w), w.shiftDate])).toEqual([
      ['2026-03-28T12:00:00.000Z', '2026-03-29T00:00:00.000Z', '2026-03-28'],
      ['2026-03-29T00:00:00.000Z', '2026-03-29T23:00:00.000Z', '2026-03-29'],
      ['2026-03-29T23:00:00.000Z', '2026-03-30T12:00:00.000Z', '2026-03-30'],
    ]);
    expect(isInPlannedTime(null, LONDON, d('2026-03-29T01:30:00Z'))).toBe(true);
    expect(shiftBoundaries(null, LONDON, d('2026-03-28T00:00:00Z'), d('2026-03-30T00:00:00Z'))).toEqual([]);
    expect(plannedShifts(null, LONDON, d('2026-03-28T00:00:00Z'), d('2026-03-30T00:00:00Z'))).toEqual([]);
  });

  it('an empty or reversed range has no windows', () => {
    expect(plannedWindows(nights, 'UTC', d('2026-05-04T00:00:00Z'), d('2026-05-04T00:00:00Z'))).toEqual([]);
    expect(plannedWindows(null, 'UTC', d('2026-05-05T00:00:00Z'), d('2026-05-04T00:00:00Z'))).toEqual([]);
  });

  it('follows the site time zone (09:00–17:00 in New York is 13:00–21:00Z in summer)', () => {
    const nineToFive: CalendarPattern = { shifts: [{ days: ALL_DAYS, start: '09:00', end: '17:00' }] };
    const windows = plannedWindows(nineToFive, 'America/New_York', d('2026-07-01T00:00:00Z'), d('2026-07-02T00:00:00Z'));
    expect(windows.map(iso)).toEqual([['2026-07-01T13:00:00.000Z', '2026-07-01T21:00:00.000Z']]);
  });

  it('rejects an unknown time zone', () => {
    expect(() => plannedWindows(nights, 'Europe/Londn', d('2026-05-04T00:00:00Z'), d('2026-05-05T00:00:00Z'))).toThrow(RangeError);
  });
});

describe('isInPlannedTime', () => {
  const nineToFive: CalendarPattern = { shifts: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] };
  it('is half-open: the start is planned, the end is not', () => {
    // 2026-05-04 is a Monday; 2026-05-09 a Saturday.
    expect(isInPlannedTime(nineToFive, 'UTC', d('2026-05-04T08:59:59Z'))).toBe(false);
    expect(isInPlannedTime(nineToFive, 'UTC', d('2026-05-04T09:00:00Z'))).toBe(true);
    expect(isInPlannedTime(nineToFive, 'UTC', d('2026-05-04T16:59:59.999Z'))).toBe(true);
    expect(isInPlannedTime(nineToFive, 'UTC', d('2026-05-04T17:00:00Z'))).toBe(false);
    expect(isInPlannedTime(nineToFive, 'UTC', d('2026-05-09T12:00:00Z'))).toBe(false);
  });
});

describe('shiftBoundaries', () => {
  const twoShifts: CalendarPattern = {
    shifts: [
      { days: ALL_DAYS, start: '06:00', end: '14:00' },
      { days: ALL_DAYS, start: '14:00', end: '22:00' },
    ],
  };

  it('lists starts and ends in [from, to), ends before starts at a handover', () => {
    const list = shiftBoundaries(twoShifts, 'UTC', d('2026-05-04T06:00:00Z'), d('2026-05-04T22:00:00Z'));
    expect(list.map((b) => [b.at.toISOString(), b.kind, b.shiftStart.toISOString(), b.shiftEnd.toISOString()])).toEqual([
      ['2026-05-04T06:00:00.000Z', 'start', '2026-05-04T06:00:00.000Z', '2026-05-04T14:00:00.000Z'],
      ['2026-05-04T14:00:00.000Z', 'end', '2026-05-04T06:00:00.000Z', '2026-05-04T14:00:00.000Z'],
      ['2026-05-04T14:00:00.000Z', 'start', '2026-05-04T14:00:00.000Z', '2026-05-04T22:00:00.000Z'],
    ]);
  });

  it('finds the end of a shift that ends exactly at `from`', () => {
    const list = shiftBoundaries(twoShifts, 'UTC', d('2026-05-04T22:00:00Z'), d('2026-05-05T06:00:00Z'));
    expect(list.map((b) => [b.at.toISOString(), b.kind])).toEqual([['2026-05-04T22:00:00.000Z', 'end']]);
  });

  it('gives the DST-correct end of a night shift', () => {
    const list = shiftBoundaries(nights, LONDON, d('2026-10-24T12:00:00Z'), d('2026-10-25T12:00:00Z'));
    expect(list.map((b) => [b.at.toISOString(), b.kind, b.shiftDate])).toEqual([
      ['2026-10-24T21:00:00.000Z', 'start', '2026-10-24'],
      ['2026-10-25T06:00:00.000Z', 'end', '2026-10-24'],
    ]);
  });
});

describe('bucketRanges', () => {
  it('day buckets are 23 h and 25 h on DST days', () => {
    const spring = bucketRanges('day', d('2026-03-28T00:00:00Z'), d('2026-03-31T00:00:00Z'), LONDON, null);
    expect(spring.map(isoRange)).toEqual([
      ['2026-03-28T00:00:00.000Z', '2026-03-29T00:00:00.000Z'],
      ['2026-03-29T00:00:00.000Z', '2026-03-29T23:00:00.000Z'],
      ['2026-03-29T23:00:00.000Z', '2026-03-30T23:00:00.000Z'],
      ['2026-03-30T23:00:00.000Z', '2026-03-31T00:00:00.000Z'],
    ]);
    expect(spring.map(hours)).toEqual([24, 23, 24, 1]);

    const autumn = bucketRanges('day', d('2026-10-24T23:00:00Z'), d('2026-10-26T00:00:00Z'), LONDON, null);
    expect(autumn.map(isoRange)).toEqual([['2026-10-24T23:00:00.000Z', '2026-10-26T00:00:00.000Z']]);
    expect(autumn.map(hours)).toEqual([25]);
  });

  it('hour buckets are clock hours: 23 on the spring day, 25 on the autumn day', () => {
    const spring = bucketRanges('hour', d('2026-03-29T00:00:00Z'), d('2026-03-29T23:00:00Z'), LONDON, null);
    expect(spring).toHaveLength(23);
    expect(spring.every((r) => hours(r) === 1)).toBe(true);
    const autumn = bucketRanges('hour', d('2026-10-24T23:00:00Z'), d('2026-10-26T00:00:00Z'), LONDON, null);
    expect(autumn).toHaveLength(25);
    expect(autumn.every((r) => hours(r) === 1)).toBe(true);
  });

  it('hour buckets follow the local clock in a half-hour zone and are clipped at the edges', () => {
    const list = bucketRanges('hour', d('2026-05-04T00:10:00Z'), d('2026-05-04T02:00:00Z'), 'Asia/Kolkata', null);
    expect(list.map(isoRange)).toEqual([
      ['2026-05-04T00:10:00.000Z', '2026-05-04T00:30:00.000Z'],
      ['2026-05-04T00:30:00.000Z', '2026-05-04T01:30:00.000Z'],
      ['2026-05-04T01:30:00.000Z', '2026-05-04T02:00:00.000Z'],
    ]);
  });

  it('week buckets start on local Monday 00:00', () => {
    // 2026-03-23 and 2026-03-30 are Mondays; the week in between has the spring-forward Sunday.
    const list = bucketRanges('week', d('2026-03-25T00:00:00Z'), d('2026-04-08T00:00:00Z'), LONDON, null);
    expect(list.map(isoRange)).toEqual([
      ['2026-03-25T00:00:00.000Z', '2026-03-29T23:00:00.000Z'],
      ['2026-03-29T23:00:00.000Z', '2026-04-05T23:00:00.000Z'],
      ['2026-04-05T23:00:00.000Z', '2026-04-08T00:00:00.000Z'],
    ]);
  });

  it('shift buckets are whole shifts, clipped only at the outer edges', () => {
    const list = bucketRanges('shift', d('2026-10-25T00:00:00Z'), d('2026-10-26T03:00:00Z'), LONDON, nights);
    expect(list.map(isoRange)).toEqual([
      ['2026-10-25T00:00:00.000Z', '2026-10-25T06:00:00.000Z'],
      ['2026-10-25T22:00:00.000Z', '2026-10-26T03:00:00.000Z'],
    ]);
    const whole = bucketRanges('shift', d('2026-10-24T12:00:00Z'), d('2026-10-25T12:00:00Z'), LONDON, nights);
    expect(whole.map(hours)).toEqual([9]);
  });

  it('shift buckets of a 24/7 machine (no pattern) are local days', () => {
    const list = bucketRanges('shift', d('2026-03-29T00:00:00Z'), d('2026-03-30T00:00:00Z'), LONDON, null);
    expect(list.map(isoRange)).toEqual([
      ['2026-03-29T00:00:00.000Z', '2026-03-29T23:00:00.000Z'],
      ['2026-03-29T23:00:00.000Z', '2026-03-30T00:00:00.000Z'],
    ]);
  });

  it('day buckets cover the range exactly, without gaps, in a zone where midnight can be skipped', () => {
    // America/Santiago springs forward at local midnight (2026-09-06 00:00 does not exist).
    const from = d('2026-09-01T00:00:00Z');
    const to = d('2026-09-10T00:00:00Z');
    const list = bucketRanges('day', from, to, 'America/Santiago', null);
    expect(list[0]!.from).toEqual(from);
    expect(list[list.length - 1]!.to).toEqual(to);
    list.forEach((r, i) => {
      if (i > 0) expect(r.from).toEqual(list[i - 1]!.to);
    });
    expect(list.map(isoRange)).toContainEqual(['2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z']);
  });

  it('an empty range has no buckets', () => {
    expect(bucketRanges('day', d('2026-05-04T00:00:00Z'), d('2026-05-04T00:00:00Z'), 'UTC', null)).toEqual([]);
  });
});

describe('firstPlannedWindow', () => {
  const nineToFive: CalendarPattern = { shifts: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }], exceptions: [] };

  it('finds the first planned window after an instant centuries back without expanding the range', () => {
    // 0001-01-01 was a Monday (proleptic Gregorian).
    const first = firstPlannedWindow(nineToFive, 'UTC', d('0001-01-01T12:00:00Z'), d('2026-05-04T00:00:00Z'));
    expect(iso(first!)).toEqual(['0001-01-01T12:00:00.000Z', '0001-01-01T17:00:00.000Z']);
    expect(iso(firstPlannedWindow(nineToFive, 'UTC', d('1970-01-03T00:00:00Z'), d('2026-05-04T00:00:00Z'))!)).toEqual([
      '1970-01-05T09:00:00.000Z',
      '1970-01-05T17:00:00.000Z',
    ]); // 1970-01-03 was a Saturday
  });

  it('is null when the range holds no planned time, and clips to the range', () => {
    expect(firstPlannedWindow(nineToFive, 'UTC', d('2026-05-02T00:00:00Z'), d('2026-05-04T00:00:00Z'))).toBeNull(); // a weekend
    expect(iso(firstPlannedWindow(nineToFive, 'UTC', d('2026-05-02T00:00:00Z'), d('2026-05-04T10:00:00Z'))!)).toEqual([
      '2026-05-04T09:00:00.000Z',
      '2026-05-04T10:00:00.000Z',
    ]);
    expect(iso(firstPlannedWindow(null, 'UTC', d('1970-01-01T05:00:00Z'), d('2026-05-04T00:00:00Z'))!)).toEqual([
      '1970-01-01T05:00:00.000Z',
      '1970-01-02T00:00:00.000Z',
    ]);
  });

  it('skips days closed by exceptions, and with no weekly shifts looks only at exception dates', () => {
    const closed: CalendarPattern = {
      ...nineToFive,
      exceptions: ['2026-05-04', '2026-05-05', '2026-05-06'].map((date) => ({ date, shifts: [] })),
    };
    expect(iso(firstPlannedWindow(closed, 'UTC', d('2026-05-04T00:00:00Z'), d('2027-01-01T00:00:00Z'))!)).toEqual([
      '2026-05-07T09:00:00.000Z',
      '2026-05-07T17:00:00.000Z',
    ]);
    const onlyExceptions: CalendarPattern = {
      shifts: [],
      exceptions: [{ date: '2026-05-09', shifts: [{ start: '22:00', end: '02:00' }] }],
    };
    expect(iso(firstPlannedWindow(onlyExceptions, 'UTC', d('0001-01-01T00:00:00Z'), d('2027-01-01T00:00:00Z'))!)).toEqual([
      '2026-05-09T22:00:00.000Z',
      '2026-05-10T02:00:00.000Z',
    ]);
    expect(firstPlannedWindow(onlyExceptions, 'UTC', d('2026-05-10T02:00:00Z'), d('2027-01-01T00:00:00Z'))).toBeNull();
  });
});
