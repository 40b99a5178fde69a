import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { computeElements, type StateInterval } from '../oee/index.js';
import {
  applyEdit,
  changedDays,
  firstPlannedWindow,
  isInPlannedTime,
  listVersions,
  plannedShifts,
  plannedWindows,
  versionOn,
  type VersionedPattern,
} from './index.js';
import { seededRandom } from '../seeded-random.js';

const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];
const d = (iso: string) => new Date(iso);
const iso = (r: { start: Date; end: Date }) => [r.start.toISOString(), r.end.toISOString()];
const never: VersionedPattern = { shifts: [], exceptions: [], effectiveFrom: null, earlierVersions: [] };
const pattern = (shifts: VersionedPattern['shifts'], exceptions: VersionedPattern['exceptions'] = []): VersionedPattern => ({
  ...never,
  shifts,
  exceptions,
});
const nineToFive = pattern([{ days: ALL_DAYS, start: '09:00', end: '17:00' }]);
const nights = { shifts: [{ days: ALL_DAYS, start: '22:00', end: '06:00' }], exceptions: [] };

describe('applyEdit', () => {
  it('ends the version in force at the effective date and keeps the ones before it', () => {
    const once = applyEdit(nineToFive, nights, '2026-05-10');
    expect(once).toEqual({
      ...nights,
      effectiveFrom: '2026-05-10',
      earlierVersions: [{ from: null, shifts: nineToFive.shifts, exceptions: [] }],
    });
    const twice = applyEdit(once, { shifts: [], exceptions: [] }, '2026-06-01');
    expect(listVersions(twice).map((v) => [v.from, v.until, v.shifts.length])).toEqual([
      [null, '2026-05-10', 1],
      ['2026-05-10', '2026-06-01', 1],
      ['2026-06-01', null, 0],
    ]);
  });

  it('replaces the versions that start on or after the effective date', () => {
    const scheduled = applyEdit(nineToFive, nights, '2026-06-01');
    const earlier = applyEdit(scheduled, { shifts: [{ days: [1], start: '06:00', end: '14:00' }], exceptions: [] }, '2026-05-20');
    expect(listVersions(earlier).map((v) => [v.from, v.until])).toEqual([
      [null, '2026-05-20'],
      ['2026-05-20', null],
    ]);
    // The same date again replaces that version.
    expect(listVersions(applyEdit(earlier, nights, '2026-05-20')).map((v) => [v.from, v.shifts])).toEqual([
      [null, nineToFive.shifts],
      ['2026-05-20', nights.shifts],
    ]);
  });

  it('cuts the exceptions of the version it ends to the days it is in force', () => {
    const holidays = pattern(nineToFive.shifts, [
      { date: '2026-01-01', shifts: [] },
      { date: '2026-12-25', shifts: [] },
    ]);
    const edited = applyEdit(holidays, { shifts: nights.shifts, exceptions: holidays.exceptions }, '2026-06-01');
    expect(edited.earlierVersions[0]!.exceptions).toEqual([{ date: '2026-01-01', shifts: [] }]);
    expect(edited.exceptions).toEqual(holidays.exceptions);
  });

  it('changes nothing for the same shifts and exceptions (keys in any order)', () => {
    const stored = applyEdit(nineToFive, nights, '2026-05-10');
    expect(applyEdit(stored, { shifts: [{ end: '06:00', start: '22:00', days: ALL_DAYS }] as never, exceptions: [] }, '2026-07-01')).toBe(
      stored,
    );
    expect(applyEdit(nineToFive, { shifts: nineToFive.shifts, exceptions: [] }, '2026-05-10')).toBe(nineToFive);
  });

  it('versionOn: the last version starting on or before the date', () => {
    const versions = [{ from: null }, { from: '2026-05-10' }, { from: '2026-06-01' }];
    expect(
      ['2020-01-01', '2026-05-09', '2026-05-10', '2026-05-31', '2026-06-01', '2030-01-01'].map((date) => versionOn(versions, date).from),
    ).toEqual([null, null, '2026-05-10', '2026-05-10', '2026-06-01', '2026-06-01']);
  });
});

describe('the calendar of a versioned pattern', () => {
  const edited = applyEdit(nineToFive, nights, '2026-05-10');

  it('takes each day`s shifts from the version in force that day; a night shift belongs to the day it starts', () => {
    const shifts = plannedShifts(edited, 'UTC', d('2026-05-08T00:00:00Z'), d('2026-05-11T12:00:00Z'));
    expect(shifts.map(iso)).toEqual([
      ['2026-05-08T09:00:00.000Z', '2026-05-08T17:00:00.000Z'],
      ['2026-05-09T09:00:00.000Z', '2026-05-09T17:00:00.000Z'],
      ['2026-05-10T22:00:00.000Z', '2026-05-11T06:00:00.000Z'],
    ]);
    const back = applyEdit(edited, nineToFive, '2026-05-11'); // the night of the 10th still runs into the 11th
    expect(plannedWindows(back, 'UTC', d('2026-05-10T12:00:00Z'), d('2026-05-11T18:00:00Z')).map(iso)).toEqual([
      ['2026-05-10T22:00:00.000Z', '2026-05-11T06:00:00.000Z'],
      ['2026-05-11T09:00:00.000Z', '2026-05-11T17:00:00.000Z'],
    ]);
    expect(isInPlannedTime(edited, 'UTC', d('2026-05-09T12:00:00Z'))).toBe(true);
    expect(isInPlannedTime(edited, 'UTC', d('2026-05-10T12:00:00Z'))).toBe(false);
  });

  it('applies an exception only inside the version that has it', () => {
    const closedXmas = applyEdit(nineToFive, { shifts: nineToFive.shifts, exceptions: [{ date: '2026-12-25', shifts: [] }] }, '2026-12-26');
    expect(isInPlannedTime(closedXmas, 'UTC', d('2026-12-25T12:00:00Z'))).toBe(true);
    const fromBefore = applyEdit(nineToFive, { shifts: nineToFive.shifts, exceptions: [{ date: '2026-12-25', shifts: [] }] }, '2026-12-01');
    expect(isInPlannedTime(fromBefore, 'UTC', d('2026-12-25T12:00:00Z'))).toBe(false);
  });

  it('firstPlannedWindow finds the first window across versions, also far back and through versions without weekly shifts', () => {
    const closedYear = applyEdit(
      applyEdit(nineToFive, { shifts: [], exceptions: [{ date: '2026-03-04', shifts: [{ start: '20:00', end: '02:00' }] }] }, '2026-01-01'),
      nights,
      '2027-01-01',
    );
    const from = d('2025-12-31T18:00:00Z');
    expect(iso(firstPlannedWindow(closedYear, 'UTC', from, d('2028-01-01T00:00:00Z'))!)).toEqual([
      '2026-03-04T20:00:00.000Z',
      '2026-03-05T02:00:00.000Z',
    ]);
    expect(iso(firstPlannedWindow(closedYear, 'UTC', d('2026-03-05T02:00:00Z'), d('2028-01-01T00:00:00Z'))!)).toEqual([
      '2027-01-01T22:00:00.000Z',
      '2027-01-02T06:00:00.000Z',
    ]);
    expect(iso(firstPlannedWindow(closedYear, 'UTC', d('0001-01-01T10:00:00Z'), d('2028-01-01T00:00:00Z'))!)).toEqual([
      '0001-01-01T10:00:00.000Z',
      '0001-01-01T17:00:00.000Z',
    ]);
    expect(firstPlannedWindow(closedYear, 'UTC', d('2026-03-05T02:00:00Z'), d('2027-01-01T22:00:00Z'))).toBeNull();
  });

  it('firstPlannedWindow equals the first of the full expansion, for random versioned patterns and ranges', () => {
    const random = prng(7);
    for (let run = 0; run < 100; run++) {
      let p = nineToFive;
      for (let e = 0; e < 3; e++) p = applyEdit(p, randomEdit(random), randomDate(random, '2026-01-01', 120));
      const from = new Date(Date.parse('2026-01-01T00:00:00Z') + Math.floor(random() * 150 * 24) * 3_600_000);
      const to = new Date(from.getTime() + Math.floor(1 + random() * 60 * 24) * 3_600_000);
      const expected = plannedWindows(p, 'Europe/London', from, to)[0];
      const found = firstPlannedWindow(p, 'Europe/London', from, to);
      // The start is exact; a window merged from overlapping shifts may be cut where the search stopped.
      expect(found?.start, `run ${run}`).toEqual(expected?.start);
      if (found && expected) expect(found.end > found.start && found.end <= expected.end).toBe(true);
    }
  });
});

describe('changedDays', () => {
  it('lists the local days whose planned time differs; touching shifts plan the same as one long one', () => {
    const split = pattern([
      { days: ALL_DAYS, start: '06:00', end: '14:00' },
      { days: ALL_DAYS, start: '14:00', end: '22:00' },
    ]);
    const long = applyEdit(split, { shifts: [{ days: ALL_DAYS, start: '06:00', end: '22:00' }], exceptions: [] }, '2026-05-01');
    expect(changedDays(split, long, 'UTC', '2026-04-28', '2026-05-05')).toEqual([]);
    const evenings = applyEdit(split, { shifts: [{ days: [6, 7], start: '06:00', end: '14:00' }], exceptions: [] }, '2026-05-01');
    // 2026-05-02 and -03 are a Saturday and a Sunday: their morning stays, the afternoon goes.
    expect(changedDays(split, evenings, 'Europe/London', '2026-04-28', '2026-05-05')).toEqual([
      '2026-05-01',
      '2026-05-02',
      '2026-05-03',
      '2026-05-04',
      '2026-05-05',
    ]);
    expect(changedDays(split, evenings, 'UTC', '2026-05-06', '2026-05-05')).toEqual([]);
  });

  it('a night shift moved on the effective date changes that day and the next (its end lies there)', () => {
    const later = applyEdit(
      pattern(nights.shifts),
      { shifts: [{ days: ALL_DAYS, start: '23:00', end: '07:00' }], exceptions: [] },
      '2026-05-10',
    );
    expect(changedDays(pattern(nights.shifts), later, 'UTC', '2026-05-01', '2026-05-12')).toEqual([
      '2026-05-10',
      '2026-05-11',
      '2026-05-12',
    ]);
  });
});

describe('property: an edit from a date never changes a day before it', () => {
  // For random patterns, random edits from random dates and random histories, the OEE elements of
  // every local day before the effective date are those the pattern gave before the edit.
  const zones = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata'];
  it.each(zones)('in %s', (zone) => {
    const random = prng(zone.length * 31);
    for (let run = 0; run < 25; run++) {
      let before: VersionedPattern = pattern(randomEdit(random).shifts);
      for (let e = 0; e < Math.floor(random() * 3); e++)
        before = applyEdit(before, randomEdit(random), randomDate(random, '2026-03-01', 40));
      const effectiveFrom = randomDate(random, '2026-03-10', 30);
      const after = applyEdit(before, randomEdit(random), effectiveFrom);
      const intervals = randomHistory(random, Date.parse('2026-03-01T00:00:00Z'), 60);
      // Planned time over the whole history, as the OEE service loads it around a day.
      const windows = (p: VersionedPattern) => plannedWindows(p, zone, new Date('2026-02-20T00:00:00Z'), new Date('2026-05-01T00:00:00Z'));
      const [plannedBefore, plannedAfter] = [windows(before), windows(after)];
      const end = DateTime.fromISO(effectiveFrom, { zone });
      for (let day = DateTime.fromISO('2026-03-02', { zone }); day < end; day = day.plus({ days: 1 })) {
        const from = day.startOf('day').toJSDate();
        const to = day.plus({ days: 1 }).startOf('day').toJSDate();
        const elements = (planned: typeof plannedBefore) =>
          computeElements({
            from,
            to,
            now: new Date('2026-06-01T00:00:00Z'),
            intervals,
            plannedWindows: planned,
            jobs: [],
            production: [],
            microStopSeconds: 120,
          });
        expect(elements(plannedAfter), `${zone} run ${run} day ${day.toISODate()} edit from ${effectiveFrom}`).toEqual(
          elements(plannedBefore),
        );
      }
      expect(changedDays(before, after, zone, '2026-03-01', effectiveFrom).every((date) => date >= effectiveFrom)).toBe(true);
    }
  });
});

/** A small seeded generator (mulberry32): the same runs every time. */
const prng = seededRandom;

function randomEdit(random: () => number): Pick<VersionedPattern, 'shifts' | 'exceptions'> {
  const hhmm = () => `${String(Math.floor(random() * 24)).padStart(2, '0')}:${['00', '30'][Math.floor(random() * 2)]}`;
  const shifts = Array.from({ length: Math.floor(random() * 3) }, () => ({
    days: ALL_DAYS.filter(() => random() < 0.6)
      .concat([1 + Math.floor(random() * 7)])
      .filter((v, i, all) => all.indexOf(v) === i),
    start: hhmm(),
    end: hhmm(),
  }));
  const dates = [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => randomDate(random, '2026-03-01', 60)))];
  return { shifts, exceptions: dates.map((date) => ({ date, shifts: random() < 0.5 ? [] : [{ start: hhmm(), end: hhmm() }] })) };
}

function randomDate(random: () => number, first: string, days: number): string {
  return DateTime.fromISO(first, { zone: 'UTC' })
    .plus({ days: Math.floor(random() * days) })
    .toISODate() as string;
}

/** Tiled intervals from `startMs` over `days` days: running and stopped stretches of 1 min to 10 h. */
function randomHistory(random: () => number, startMs: number, days: number): StateInterval[] {
  const intervals: StateInterval[] = [];
  let at = startMs;
  const endMs = startMs + days * 86_400_000;
  while (at < endMs) {
    const length = random() < 0.3 ? 60_000 * (1 + Math.floor(random() * 3)) : 60_000 * Math.floor(30 + random() * 600);
    const activityCodeId = [1, 2, 3][Math.floor(random() * 3)]!;
    const category = activityCodeId === 1 ? 'running' : activityCodeId === 2 ? 'unplanned_stop' : 'planned_shutdown';
    intervals.push({ start: new Date(at), end: new Date(at + length), activityCodeId, category, jobId: null });
    at += length;
  }
  return intervals;
}
