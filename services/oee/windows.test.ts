import { describe, expect, it } from 'vitest';
import { plannedWindows } from '../../core/calendar/index.js';
import { computeColumnElements, computeElements, toColumns, toIntervals, type StateInterval } from '../../core/oee/index.js';
import { calendarOf, hourGrid, loadWindows, prepare, runsOf, TaskList, type PreparedHistory } from './windows.js';

const HOUR = 3_600_000;
const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
/** The starts of a slice's intervals. */
const starts = ({ intervals, lo, hi }: ReturnType<PreparedHistory['slice']>) =>
  toIntervals(intervals)
    .slice(lo, hi)
    .map((i) => i.start.toISOString());

describe('hourGrid', () => {
  it.each([
    ['UTC', 0, 0],
    ['Europe/London', 0, 0],
    ['America/New_York', 0, 0],
    ['Asia/Kolkata', 30, 30], // +05:30
    ['Asia/Kathmandu', 45, 15], // +05:45
    ['America/St_Johns', 30, 30], // −03:30
  ])('%s: the grid is shifted %i min, so local hours start at minute %i of a UTC hour, summer and winter', (zone, shift, minute) => {
    const grid = hourGrid(zone, ms('2026-06-01T00:00:00Z'));
    expect(grid.offsetMs).toBe(shift * 60_000);
    for (const at of ['2026-01-15T10:20:00Z', '2026-07-15T10:20:00Z']) {
      expect(new Date(grid.floor(ms(at))).getUTCMinutes()).toBe(minute);
      expect(grid.ceil(ms(at)) - grid.floor(ms(at))).toBe(HOUR);
    }
    expect(grid.floor(grid.floor(ms('2026-03-01T12:34:56Z')))).toBe(grid.floor(ms('2026-03-01T12:34:56Z')));
  });
});

describe('calendarOf', () => {
  it('cuts whole local days (23 and 25 h over DST) and leaves the hours around them', () => {
    const zone = 'Europe/London';
    const grid = hourGrid(zone, ms('2026-10-01T00:00:00Z'));
    // 2026-10-24 05:00 BST .. 2026-10-27 09:00 GMT
    const cal = calendarOf(ms('2026-10-24T04:00:00Z'), ms('2026-10-27T09:00:00Z'), zone, grid);
    expect(cal.days.map((d) => [iso(d.from), (d.to - d.from) / HOUR])).toEqual([
      ['2026-10-24T23:00:00.000Z', 25],
      ['2026-10-26T00:00:00.000Z', 24],
    ]);
    expect(cal.hours.map((h) => [iso(h.from), iso(h.to)])).toEqual([
      ['2026-10-24T04:00:00.000Z', '2026-10-24T23:00:00.000Z'],
      ['2026-10-27T00:00:00.000Z', '2026-10-27T09:00:00.000Z'],
    ]);
  });

  it('in India, days start at 18:30 UTC on the half-past grid', () => {
    const zone = 'Asia/Kolkata';
    const grid = hourGrid(zone, ms('2026-10-01T00:00:00Z'));
    const cal = calendarOf(ms('2026-10-01T18:30:00Z'), ms('2026-10-03T18:30:00Z'), zone, grid);
    expect(cal.days.map((d) => iso(d.from))).toEqual(['2026-10-01T18:30:00.000Z', '2026-10-02T18:30:00.000Z']);
    expect(cal.hours).toEqual([]);
  });

  it('a range shorter than a day is all hours', () => {
    const grid = hourGrid('UTC', 0);
    expect(calendarOf(ms('2026-10-01T00:00:00Z'), ms('2026-10-01T05:00:00Z'), 'UTC', grid)).toEqual({
      days: [],
      hours: [{ from: ms('2026-10-01T00:00:00Z'), to: ms('2026-10-01T05:00:00Z') }],
    });
  });
});

describe('runsOf and loadWindows', () => {
  it('merges spans closer than the gap', () => {
    expect(
      runsOf(
        [
          { from: 50, to: 60 },
          { from: 0, to: 10 },
          { from: 12, to: 20 },
        ],
        5,
      ),
    ).toEqual([
      { from: 0, to: 20 },
      { from: 50, to: 60 },
    ]);
  });

  it('loads nearby stretches together, at most a week at a time, each stretch of each machine once', () => {
    const tasks = new TaskList();
    for (let h = 0; h < 10 * 24; h++) tasks.add(h % 3, h * HOUR, (h + 1) * HOUR, [0], { hour: true });
    tasks.add(0, 0, HOUR, [1]); // the same stretch for a second slot
    tasks.add(0, 0, 2 * HOUR, [2]); // another stretch with the same start
    expect(tasks.length).toBe(241);
    expect(tasks.slotsOf(0)).toEqual([0, 1]);
    expect(tasks.slotsOf(240)).toEqual([2]);
    const windows = loadWindows(tasks);
    expect(windows.map((w) => (w.to - w.from) / HOUR)).toEqual([168, 72]);
    expect(windows[0]!.machines).toEqual(new Set([0, 1, 2]));
    // By start, then machine, then as added.
    expect(windows[0]!.tasks.slice(0, 3)).toEqual([0, 240, 1]);
    expect(windows.flatMap((w) => w.tasks)).toHaveLength(241);
    const apart = new TaskList();
    apart.add(0, 0, HOUR, [0]);
    apart.add(1, HOUR, 2 * HOUR, [0]);
    apart.add(2, 30 * 24 * HOUR, 30 * 24 * HOUR + HOUR, [0]);
    expect(loadWindows(apart)).toHaveLength(2);
  });
});

describe('prepare', () => {
  const iv = (start: string, end: string | null, activityCodeId: number): StateInterval => ({
    start: new Date(start),
    end: end === null ? null : new Date(end),
    activityCodeId,
    category: activityCodeId === 1 ? 'running' : 'unplanned_stop',
    jobId: null,
  });
  const intervals = [
    iv('2026-10-01T08:00:00Z', '2026-10-01T09:10:00Z', 1),
    iv('2026-10-01T09:10:00Z', '2026-10-01T09:20:00Z', 2),
    iv('2026-10-01T09:20:00Z', '2026-10-01T11:00:00Z', 1),
    iv('2026-10-01T11:00:00Z', '2026-10-01T11:05:00Z', 2),
    iv('2026-10-01T11:05:00Z', null, 1),
  ];
  const history = prepare(
    { intervals: toColumns(intervals), production: [], jobs: [] },
    {
      id: 1,
      groupId: null,
      shiftPatternId: 1,
      pattern: { shifts: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' }] },
      firstDataAt: intervals[0]!.start,
      oeeTarget: 0.85,
    },
    'UTC',
    ms('2026-10-01T08:00:00Z'),
    ms('2026-10-01T13:00:00Z'),
  );

  it('gives the intervals overlapping a stretch plus one neighbour on each side', () => {
    const slice = history.slice(ms('2026-10-01T10:00:00Z'), ms('2026-10-01T11:00:00Z'));
    expect(starts(slice)).toEqual(['2026-10-01T09:10:00.000Z', '2026-10-01T09:20:00.000Z', '2026-10-01T11:00:00.000Z']);
    const first = history.slice(ms('2026-10-01T08:00:00Z'), ms('2026-10-01T09:00:00Z'));
    expect(starts(first)).toEqual(['2026-10-01T08:00:00.000Z', '2026-10-01T09:10:00.000Z']);
    const last = history.slice(ms('2026-10-01T12:00:00Z'), ms('2026-10-01T13:00:00Z'));
    expect(starts(last)).toEqual(['2026-10-01T11:00:00.000Z', '2026-10-01T11:05:00.000Z']);
  });

  it('gives planned windows covering the stretch and the span of its intervals', () => {
    const slice = history.slice(ms('2026-10-01T10:00:00Z'), ms('2026-10-01T11:00:00Z'));
    expect(slice.plannedWindows.map((w) => [w.start.toISOString(), w.end.toISOString()])).toEqual([
      ['2026-10-01T09:00:00.000Z', '2026-10-01T13:00:00.000Z'],
    ]);
    expect(history.slice(ms('2026-10-01T08:00:00Z'), ms('2026-10-01T09:00:00Z')).plannedWindows).toEqual([]);
  });
});

describe('prepare, with history reaching far back', () => {
  const pattern = { shifts: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' }] };
  const machine = { id: 1, groupId: null, shiftPatternId: 1, pattern, firstDataAt: null, oeeTarget: 0.85 };
  const iv = (start: string, end: string | null, activityCodeId: number): StateInterval => ({
    start: new Date(start),
    end: end === null ? null : new Date(end),
    activityCodeId,
    category: activityCodeId === 1 ? 'running' : 'unplanned_stop',
    jobId: null,
  });

  it('expands planned time over the window only (plus the first window after each earlier start): a year-1 neighbour costs nothing', () => {
    const intervals = [
      iv('0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z', 2),
      iv('1970-01-01T00:00:00Z', '2026-10-01T10:00:00Z', 2),
      iv('2026-10-01T10:00:00Z', null, 1),
    ];
    const history = prepare(
      { intervals: toColumns(intervals), production: [], jobs: [] },
      machine,
      'UTC',
      ms('2026-10-01T08:00:00Z'),
      ms('2026-10-01T13:00:00Z'),
    );
    const slice = history.slice(ms('2026-10-01T08:00:00Z'), ms('2026-10-01T09:00:00Z'));
    // Before the fix this was every planned day since year 1 (about 740 000 windows). The year-1 stop
    // ended long before the window, so it needs none: only the stop still going at its start does.
    expect(slice.plannedWindows.map((w) => [w.start.toISOString(), w.end.toISOString()])).toEqual([
      ['1970-01-01T09:00:00.000Z', '1970-01-01T17:00:00.000Z'],
    ]);
    const elements = computeColumnElements({
      from: new Date('2026-10-01T08:00:00Z'),
      to: new Date('2026-10-01T13:00:00Z'),
      now: new Date('2026-10-01T13:00:00Z'),
      ...history.slice(ms('2026-10-01T08:00:00Z'), ms('2026-10-01T13:00:00Z')),
      microStopSeconds: 0,
    });
    expect(elements).toMatchObject({
      calendarSeconds: 18_000,
      plannedWindowSeconds: 14_400,
      unplannedStopSeconds: 3_600,
      runSeconds: 10_800,
      unplannedStopCount: 0,
    });
  });

  it('gives the same elements as planned time expanded over the whole span (occurrences included)', () => {
    // A stop that began on a Saturday before a closed stretch: its first planned second decides its window.
    const closedFrom = { ...pattern, exceptions: ['2019-01-05', '2019-01-06', '2019-01-07'].map((date) => ({ date, shifts: [] })) };
    const intervals = [
      iv('2019-01-05T12:00:00Z', '2019-01-07T12:00:00Z', 1),
      iv('2019-01-07T12:00:00Z', '2019-01-08T10:00:00Z', 2),
      iv('2019-01-08T10:00:00Z', null, 1),
    ];
    for (const [windowFrom, windowTo] of [
      ['2019-01-08T00:00:00Z', '2019-01-08T12:00:00Z'],
      ['2019-01-08T09:30:00Z', '2019-01-08T12:00:00Z'],
      ['2019-01-07T13:00:00Z', '2019-01-08T12:00:00Z'],
    ] as const) {
      const from = ms(windowFrom);
      const to = ms(windowTo);
      const history = prepare(
        { intervals: toColumns(intervals), production: [], jobs: [] },
        { ...machine, pattern: closedFrom },
        'UTC',
        from,
        to,
      );
      const input = { from: new Date(from), to: new Date(to), now: new Date(to), microStopSeconds: 0 };
      const full = computeElements({
        ...input,
        intervals,
        plannedWindows: plannedWindows(closedFrom, 'UTC', intervals[0]!.start, new Date(to)),
        jobs: [],
        production: [],
      });
      expect(computeColumnElements({ ...input, ...history.slice(from, to) }), windowFrom).toEqual(full);
    }
  });
});
