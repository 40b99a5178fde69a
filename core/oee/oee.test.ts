import { describe, expect, it } from 'vitest';
import { bucketRanges, plannedWindows, type CalendarPattern } from '../calendar/index.js';
import type { Category } from '../schemas/setup.schema.js';
import { computeElements, computeOee, deriveRatios, sumElements, type OeeInput, type StateInterval } from './index.js';
import { seededRandom } from '../seeded-random.js';

// Activity codes used below.
const UP = 1; // running
const DOWN = 2; // unplanned_stop
const CLOSED = 3; // planned_shutdown
const CHANGEOVER = 5; // planned_stop
const JAM = 6; // unplanned_stop

const DAY = '2026-05-04';
const t = (hhmm: string, day = DAY) => new Date(`${day}T${hhmm.length === 5 ? `${hhmm}:00` : hhmm}Z`);
const iv = (start: string, end: string | null, category: Category, activityCodeId: number, jobId: number | null = null): StateInterval => ({
  start: t(start),
  end: end === null ? null : t(end),
  activityCodeId,
  category,
  jobId,
});
const nineToFive = [{ start: t('09:00'), end: t('17:00') }];

function input(overrides: Partial<OeeInput>): OeeInput {
  return {
    from: t('00:00'),
    to: t('18:00'),
    now: t('18:00'),
    intervals: [],
    plannedWindows: nineToFive,
    jobs: [],
    production: [],
    microStopSeconds: 0,
    ...overrides,
  };
}

describe('worked example (OEE.md)', () => {
  const example = input({
    intervals: [
      iv('00:00', '09:00', 'planned_shutdown', CLOSED),
      iv('09:00', '10:00', 'unplanned_stop', DOWN),
      iv('10:00', '12:00', 'running', UP, 7),
      iv('12:00', null, 'planned_shutdown', CLOSED),
    ],
    jobs: [{ id: 7, start: t('10:00'), end: t('12:00'), idealCycleTimeSeconds: 60 }],
    production: [{ from: t('10:00'), to: t('12:00'), good: 90, rejects: 10, jobId: 7 }],
  });

  it('gives the documented numbers', () => {
    const r = computeOee(example);
    expect(r).toMatchObject({
      from: '2026-05-04T00:00:00.000Z',
      to: '2026-05-04T18:00:00.000Z',
      calendarSeconds: 64_800,
      plannedWindowSeconds: 28_800,
      plannedShutdownSeconds: 18_000,
      plannedProductionSeconds: 10_800,
      runSeconds: 7_200,
      overtimeSeconds: 0,
      unplannedStopSeconds: 3_600,
      plannedStopSeconds: 0,
      smallStopSeconds: 0,
      ratedRunSeconds: 7_200,
      idealSeconds: 6_000,
      fullyProductiveSeconds: 5_400,
      totalCount: 100,
      goodCount: 90,
      rejectCount: 10,
      unplannedStopCount: 1,
      mtbfSeconds: 7_200,
      mttrSeconds: 3_600,
      losses: [{ activityCodeId: DOWN, category: 'unplanned_stop', seconds: 3_600, occurrences: 1 }],
      warnings: [],
    });
    expect(r.availability).toBeCloseTo(2 / 3, 10);
    expect(r.performance).toBeCloseTo(5 / 6, 10);
    expect(r.quality).toBeCloseTo(0.9, 10);
    expect(r.oee).toBeCloseTo(0.5, 10);
    expect(r.teep).toBeCloseTo(0.5 * (10_800 / 64_800), 10);
    expect(r.teep).toBeCloseTo(1 / 12, 10);
  });

  it('returns exactly the OEE.md shape (plus ratedRunSeconds)', () => {
    expect(Object.keys(computeOee(example)).sort()).toEqual(
      [
        'from',
        'to',
        'calendarSeconds',
        'plannedWindowSeconds',
        'plannedShutdownSeconds',
        'plannedProductionSeconds',
        'runSeconds',
        'overtimeSeconds',
        'unplannedStopSeconds',
        'plannedStopSeconds',
        'smallStopSeconds',
        'ratedRunSeconds',
        'idealSeconds',
        'fullyProductiveSeconds',
        'totalCount',
        'goodCount',
        'rejectCount',
        'unplannedStopCount',
        'mtbfSeconds',
        'mttrSeconds',
        'availability',
        'performance',
        'quality',
        'oee',
        'teep',
        'losses',
        'warnings',
      ].sort(),
    );
  });

  it('computeOee is deriveRatios of computeElements', () => {
    expect(computeOee(example)).toEqual(deriveRatios(computeElements(example), example.from, example.to));
  });
});

describe('time model', () => {
  it('running outside planned windows is overtime (in both planned production and run time)', () => {
    const r = computeOee(
      input({
        from: t('06:00'),
        to: t('20:00'),
        now: t('20:00'),
        intervals: [iv('06:00', '18:00', 'running', UP), iv('18:00', null, 'unplanned_stop', DOWN)],
      }),
    );
    expect(r.calendarSeconds).toBe(14 * 3600);
    expect(r.plannedWindowSeconds).toBe(8 * 3600);
    expect(r.overtimeSeconds).toBe(4 * 3600); // 06–09 and 17–18
    expect(r.runSeconds).toBe(12 * 3600);
    expect(r.plannedProductionSeconds).toBe(12 * 3600);
    expect(r.availability).toBeCloseTo(1, 10);
    // The stop 18–20 is outside planned time: counts nowhere.
    expect(r.unplannedStopSeconds).toBe(0);
    expect(r.unplannedStopCount).toBe(0);
    expect(r.losses).toEqual([]);
    expect(r.mtbfSeconds).toBeNull();
    expect(r.mttrSeconds).toBeNull();
  });

  it('stops outside planned windows count nowhere; a stop running into a shift counts from the shift start', () => {
    const intervals = [
      iv('06:00', '07:00', 'planned_stop', CHANGEOVER),
      iv('07:00', '10:00', 'unplanned_stop', DOWN),
      iv('10:00', '17:00', 'running', UP),
      iv('17:00', null, 'unplanned_stop', DOWN),
    ];
    const r = computeOee(input({ from: t('06:00'), intervals }));
    expect(r.plannedStopSeconds).toBe(0);
    expect(r.unplannedStopSeconds).toBe(3600); // 09–10 only
    expect(r.unplannedStopCount).toBe(1);
    expect(r.plannedProductionSeconds).toBe(8 * 3600);
    expect(r.availability).toBeCloseTo(7 / 8, 10);
    expect(r.losses).toEqual([{ activityCodeId: DOWN, category: 'unplanned_stop', seconds: 3600, occurrences: 1 }]);

    // The occurrence lives in the window holding the stop's first planned second (09:00), not its start (07:00).
    const before = computeElements(input({ from: t('06:00'), to: t('09:00'), intervals }));
    const after = computeElements(input({ from: t('09:00'), to: t('18:00'), intervals }));
    expect(before.unplannedStopCount).toBe(0);
    expect(before.losses).toEqual([]);
    expect(after.unplannedStopCount).toBe(1);
  });

  it('planned_stop stays in planned production time (availability loss); planned_shutdown is removed from it', () => {
    const r = computeOee(
      input({
        from: t('09:00'),
        to: t('17:00'),
        now: t('17:00'),
        intervals: [
          iv('09:00', '10:00', 'planned_stop', CHANGEOVER),
          iv('10:00', '12:00', 'running', UP),
          iv('12:00', '13:00', 'planned_shutdown', CLOSED),
          iv('13:00', null, 'running', UP),
        ],
      }),
    );
    expect(r.plannedWindowSeconds).toBe(28_800);
    expect(r.plannedShutdownSeconds).toBe(3_600);
    expect(r.plannedStopSeconds).toBe(3_600);
    expect(r.plannedProductionSeconds).toBe(25_200);
    expect(r.runSeconds).toBe(21_600);
    expect(r.availability).toBeCloseTo(6 / 7, 10);
    expect(r.unplannedStopCount).toBe(0);
    expect(r.losses).toEqual([{ activityCodeId: CHANGEOVER, category: 'planned_stop', seconds: 3_600, occurrences: 1 }]);
    // No counts and no jobs: performance, quality and therefore OEE are "no data".
    expect(r.performance).toBeNull();
    expect(r.quality).toBeNull();
    expect(r.oee).toBeNull();
    expect(r.teep).toBeNull();
  });

  it('planned_shutdown outside planned windows changes nothing', () => {
    const r = computeOee(input({ intervals: [iv('00:00', '09:00', 'planned_shutdown', CLOSED), iv('09:00', null, 'running', UP)] }));
    expect(r.plannedShutdownSeconds).toBe(0);
    expect(r.plannedProductionSeconds).toBe(28_800 + 3_600); // the shift plus overtime 17–18
    expect(r.overtimeSeconds).toBe(3_600);
  });

  it('history starts at the first interval: earlier time counts nowhere', () => {
    const r = computeOee(input({ from: t('00:00'), to: t('12:00'), now: t('18:00'), intervals: [iv('10:00', null, 'running', UP)] }));
    expect(r.calendarSeconds).toBe(7_200);
    expect(r.plannedWindowSeconds).toBe(7_200);
    expect(r.plannedProductionSeconds).toBe(7_200);
    expect(r.availability).toBeCloseTo(1, 10);
  });

  it('time between intervals (a gap in the input) counts nowhere', () => {
    const r = computeOee(input({ intervals: [iv('09:00', '10:00', 'running', UP), iv('11:00', '12:00', 'running', UP)] }));
    expect(r.calendarSeconds).toBe(7_200);
    expect(r.plannedWindowSeconds).toBe(7_200);
  });

  it('the window is clipped to now; `from`/`to` are reported as asked', () => {
    const r = computeOee(
      input({
        from: t('09:00'),
        to: t('17:00'),
        now: t('11:00'),
        intervals: [iv('09:00', null, 'running', UP, 1)],
        jobs: [{ id: 1, start: t('09:00'), end: null, idealCycleTimeSeconds: 30 }],
        production: [{ from: t('09:00'), to: t('13:00'), good: 400, rejects: 0, jobId: 1 }],
      }),
    );
    expect(r.to).toBe('2026-05-04T17:00:00.000Z');
    expect(r.calendarSeconds).toBe(7_200);
    expect(r.plannedWindowSeconds).toBe(7_200);
    expect(r.runSeconds).toBe(7_200);
    expect(r.ratedRunSeconds).toBe(7_200);
    expect(r.goodCount).toBe(200); // half of the 09–13 record lies before now
    expect(r.performance).toBeCloseTo((30 * 200) / 7_200, 10);
  });

  it('a window entirely in the future (or empty) is all zero with null ratios', () => {
    const intervals = [iv('09:00', null, 'running', UP)];
    for (const r of [
      computeOee(input({ from: t('12:00'), to: t('14:00'), now: t('11:00'), intervals })),
      computeOee(input({ from: t('12:00'), to: t('12:00'), now: t('18:00'), intervals })),
    ]) {
      expect(r).toMatchObject({
        calendarSeconds: 0,
        plannedProductionSeconds: 0,
        runSeconds: 0,
        totalCount: 0,
        unplannedStopCount: 0,
        availability: null,
        performance: null,
        quality: null,
        oee: null,
        teep: null,
        mtbfSeconds: null,
        mttrSeconds: null,
        losses: [],
        warnings: [],
      });
    }
  });

  it('no data at all: zeros and nulls, never 0 or 1 ratios', () => {
    const r = computeOee(input({}));
    expect(r.calendarSeconds).toBe(0);
    expect([r.availability, r.performance, r.quality, r.oee, r.teep, r.mtbfSeconds, r.mttrSeconds]).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('only planned shutdown: planned production time 0, availability null', () => {
    const r = computeOee(input({ intervals: [iv('00:00', null, 'planned_shutdown', CLOSED)] }));
    expect(r.plannedProductionSeconds).toBe(0);
    expect(r.availability).toBeNull();
    expect(r.oee).toBeNull();
    expect(r.calendarSeconds).toBe(64_800);
  });

  it('sorts and repairs the timeline: an earlier interval ends where the next one starts', () => {
    const r = computeOee(
      input({
        intervals: [iv('10:00', null, 'unplanned_stop', DOWN), iv('09:00', null, 'running', UP)],
        now: t('12:00'),
      }),
    );
    expect(r.runSeconds).toBe(3_600);
    expect(r.unplannedStopSeconds).toBe(7_200);
    expect(r.calendarSeconds).toBe(3 * 3_600);
  });

  it('overlapping planned windows in the input are merged, not counted twice', () => {
    const r = computeOee(
      input({
        plannedWindows: [
          { start: t('09:00'), end: t('14:00') },
          { start: t('12:00'), end: t('17:00') },
        ],
        intervals: [iv('00:00', null, 'running', UP)],
      }),
    );
    expect(r.plannedWindowSeconds).toBe(28_800);
  });

  it('a window with no planned time and no running has no planned production time', () => {
    const r = computeOee(input({ plannedWindows: [], intervals: [iv('00:00', null, 'unplanned_stop', DOWN)] }));
    expect(r.plannedProductionSeconds).toBe(0);
    expect(r.unplannedStopSeconds).toBe(0);
    expect(r.availability).toBeNull();
  });

  it('planned 24/7 (windows covering everything): nothing is overtime', () => {
    const r = computeOee(
      input({ plannedWindows: [{ start: t('00:00'), end: t('00:00', '2026-05-05') }], intervals: [iv('00:00', null, 'running', UP)] }),
    );
    expect(r.plannedWindowSeconds).toBe(64_800);
    expect(r.overtimeSeconds).toBe(0);
    expect(r.teep).toBeNull(); // no counts
  });
});

describe('MTBF and MTTR', () => {
  it('divide run time and unplanned stop time by the number of unplanned stops', () => {
    const r = computeOee(
      input({
        from: t('09:00'),
        to: t('13:00'),
        now: t('13:00'),
        intervals: [
          iv('09:00', '10:00', 'running', UP),
          iv('10:00', '10:10', 'unplanned_stop', JAM),
          iv('10:10', '11:00', 'running', UP),
          iv('11:00', '11:30', 'unplanned_stop', DOWN),
          iv('11:30', '12:00', 'planned_stop', CHANGEOVER),
          iv('12:00', null, 'running', UP),
        ],
      }),
    );
    expect(r.runSeconds).toBe(3600 + 3000 + 3600);
    expect(r.unplannedStopSeconds).toBe(600 + 1800);
    expect(r.unplannedStopCount).toBe(2);
    expect(r.mtbfSeconds).toBe(10_200 / 2);
    expect(r.mttrSeconds).toBe(2_400 / 2);
    expect(r.losses).toEqual([
      { activityCodeId: DOWN, category: 'unplanned_stop', seconds: 1800, occurrences: 1 },
      { activityCodeId: CHANGEOVER, category: 'planned_stop', seconds: 1800, occurrences: 1 },
      { activityCodeId: JAM, category: 'unplanned_stop', seconds: 600, occurrences: 1 },
    ]);
  });

  it('a stop cut by window edges is one occurrence, in the window holding its start', () => {
    const intervals = [iv('09:00', '10:30', 'running', UP), iv('10:30', '11:30', 'unplanned_stop', DOWN), iv('11:30', null, 'running', UP)];
    const first = computeOee(input({ from: t('10:00'), to: t('11:00'), intervals }));
    const second = computeOee(input({ from: t('11:00'), to: t('12:00'), intervals }));
    expect([first.unplannedStopSeconds, first.unplannedStopCount]).toEqual([1800, 1]);
    expect([second.unplannedStopSeconds, second.unplannedStopCount]).toEqual([1800, 0]);
    expect(second.losses).toEqual([{ activityCodeId: DOWN, category: 'unplanned_stop', seconds: 1800, occurrences: 0 }]);
    expect(second.mttrSeconds).toBeNull();
    const both = computeOee(input({ from: t('10:00'), to: t('12:00'), intervals }));
    expect(both.unplannedStopCount).toBe(1);
    expect(both.mttrSeconds).toBe(3600);
  });
});

describe('micro-stops', () => {
  const timeline = [
    iv('09:00', '10:00', 'running', UP),
    iv('10:00', '10:01', 'unplanned_stop', JAM), // 60 s between running: small
    iv('10:01', '11:00', 'running', UP),
    iv('11:00', '11:05', 'unplanned_stop', JAM), // 300 s: too long
    iv('11:05', '12:00', 'running', UP),
    iv('12:00', '12:01', 'unplanned_stop', JAM), // 60 s but followed by a planned stop: not small
    iv('12:01', '12:10', 'planned_stop', CHANGEOVER),
    iv('12:10', null, 'running', UP),
  ];
  const base = input({ from: t('09:00'), to: t('13:00'), now: t('13:00'), intervals: timeline });

  it('a short unplanned stop between running intervals stays in run time and is a small stop', () => {
    const r = computeOee({ ...base, microStopSeconds: 120 });
    expect(r.plannedProductionSeconds).toBe(14_400);
    expect(r.runSeconds).toBe(3600 + 60 + 3540 + 3300 + 3000);
    expect(r.smallStopSeconds).toBe(60);
    expect(r.unplannedStopSeconds).toBe(360);
    expect(r.plannedStopSeconds).toBe(540);
    expect(r.runSeconds + r.unplannedStopSeconds + r.plannedStopSeconds).toBe(14_400);
    expect(r.unplannedStopCount).toBe(2);
    expect(r.losses).toEqual([
      { activityCodeId: CHANGEOVER, category: 'planned_stop', seconds: 540, occurrences: 1 },
      { activityCodeId: JAM, category: 'unplanned_stop', seconds: 360, occurrences: 2 },
    ]);
    expect(r.availability).toBeCloseTo(13_500 / 14_400, 10);
    expect(r.mtbfSeconds).toBe(13_500 / 2);
  });

  it('is off with microStopSeconds = 0', () => {
    const r = computeOee({ ...base, microStopSeconds: 0 });
    expect(r.smallStopSeconds).toBe(0);
    expect(r.unplannedStopSeconds).toBe(420);
    expect(r.unplannedStopCount).toBe(3);
    expect(r.runSeconds).toBe(13_440);
  });

  it('a stop exactly as long as the threshold is not small (shorter than)', () => {
    const r = computeOee({ ...base, microStopSeconds: 60 });
    expect(r.smallStopSeconds).toBe(0);
    expect(r.unplannedStopCount).toBe(3);
  });

  it('is classified on the whole interval, not the part inside the window', () => {
    // The window sees only 30 s of the 60 s jam, and neither neighbour wholly: still a small stop.
    const r = computeOee({ ...base, from: t('10:00:30'), to: t('10:30'), microStopSeconds: 120 });
    expect(r.smallStopSeconds).toBe(30);
    expect(r.runSeconds).toBe(30 + 29 * 60);
    expect(r.unplannedStopSeconds).toBe(0);
    expect(r.unplannedStopCount).toBe(0);
  });

  it('an open (still running) stop is never small', () => {
    const r = computeOee(
      input({
        from: t('09:00'),
        to: t('10:00'),
        now: t('09:30:30'),
        intervals: [iv('09:00', '09:30', 'running', UP), iv('09:30', null, 'unplanned_stop', JAM)],
        microStopSeconds: 120,
      }),
    );
    expect(r.smallStopSeconds).toBe(0);
    expect(r.unplannedStopSeconds).toBe(30);
    expect(r.unplannedStopCount).toBe(1);
  });

  it('a small stop outside planned time is overtime like the running around it', () => {
    const r = computeOee(
      input({
        from: t('17:00'),
        to: t('18:00'),
        intervals: [
          iv('17:00', '17:30', 'running', UP),
          iv('17:30', '17:30:20', 'unplanned_stop', JAM),
          iv('17:30:20', null, 'running', UP),
        ],
        microStopSeconds: 60,
      }),
    );
    expect(r.overtimeSeconds).toBe(3600);
    expect(r.runSeconds).toBe(3600);
    expect(r.smallStopSeconds).toBe(20);
  });
});

describe('counts and performance', () => {
  it('a record over a span is spread linearly (08:00–12:00, 100 good → 50 in 10:00–12:00)', () => {
    const production = [{ from: t('08:00'), to: t('12:00'), good: 100, rejects: 0, jobId: null }];
    expect(computeOee(input({ from: t('10:00'), to: t('12:00'), production })).goodCount).toBe(50);
    expect(computeOee(input({ from: t('11:00'), to: t('13:00'), production })).goodCount).toBe(25);
    expect(computeOee(input({ from: t('06:00'), to: t('08:00'), production })).goodCount).toBe(0);
  });

  it('a point record counts in the window containing its instant ([from, to))', () => {
    const production = [{ from: t('12:00'), to: t('12:00'), good: 7, rejects: 3, jobId: null }];
    const before = computeOee(input({ from: t('11:00'), to: t('12:00'), production }));
    const after = computeOee(input({ from: t('12:00'), to: t('13:00'), production }));
    expect([before.totalCount, after.totalCount]).toEqual([0, 10]);
    expect(after.quality).toBeCloseTo(0.7, 10);
  });

  it('a job without ideal cycle time is left out of performance (run time and counts), not out of quality', () => {
    const r = computeOee(
      input({
        from: t('10:00'),
        to: t('12:00'),
        now: t('12:00'),
        intervals: [iv('10:00', '11:00', 'running', UP, 1), iv('11:00', null, 'running', UP, 2)],
        jobs: [
          { id: 1, start: t('10:00'), end: t('11:00'), idealCycleTimeSeconds: 60 },
          { id: 2, start: t('11:00'), end: null, idealCycleTimeSeconds: null },
        ],
        production: [
          { from: t('10:00'), to: t('11:00'), good: 45, rejects: 5, jobId: 1 },
          { from: t('11:30'), to: t('11:30'), good: 440, rejects: 60, jobId: 2 },
        ],
      }),
    );
    expect(r.runSeconds).toBe(7_200);
    expect(r.ratedRunSeconds).toBe(3_600);
    expect(r.idealSeconds).toBe(3_000);
    expect(r.fullyProductiveSeconds).toBe(2_700);
    expect(r.performance).toBeCloseTo(3_000 / 3_600, 10);
    expect(r.totalCount).toBe(550);
    expect(r.quality).toBeCloseTo(485 / 550, 10);
    expect(r.oee).toBeCloseTo(1 * (5 / 6) * (485 / 550), 10);
  });

  it('only jobs without ideal cycle time: performance and OEE are null, quality is not', () => {
    const r = computeOee(
      input({
        intervals: [iv('09:00', null, 'running', UP, 2)],
        jobs: [{ id: 2, start: t('09:00'), end: null, idealCycleTimeSeconds: null }],
        production: [{ from: t('10:00'), to: t('10:00'), good: 9, rejects: 1, jobId: 2 }],
      }),
    );
    expect(r.performance).toBeNull();
    expect(r.quality).toBeCloseTo(0.9, 10);
    expect(r.oee).toBeNull();
    expect(r.teep).toBeNull();
  });

  it('counts of an unknown job or of no job count for quality only', () => {
    const r = computeOee(
      input({
        intervals: [iv('09:00', null, 'running', UP, 1)],
        jobs: [{ id: 1, start: t('09:00'), end: null, idealCycleTimeSeconds: 10 }],
        production: [
          { from: t('10:00'), to: t('10:00'), good: 10, rejects: 0, jobId: 99 },
          { from: t('10:00'), to: t('10:00'), good: 10, rejects: 0, jobId: null },
        ],
      }),
    );
    expect(r.idealSeconds).toBe(0);
    expect(r.totalCount).toBe(20);
    expect(r.performance).toBe(0);
  });

  it('run time counts for performance only inside the job`s span', () => {
    const r = computeOee(
      input({
        intervals: [iv('09:00', '17:00', 'running', UP, 1)],
        jobs: [{ id: 1, start: t('10:00'), end: t('12:00'), idealCycleTimeSeconds: 60 }],
      }),
    );
    expect(r.runSeconds).toBe(28_800);
    expect(r.ratedRunSeconds).toBe(7_200);
  });

  it('performance above 1 is reported as it is, with the idealCycleTimeTooSlow warning', () => {
    const r = computeOee(
      input({
        from: t('09:00'),
        to: t('10:00'),
        intervals: [iv('09:00', null, 'running', UP, 1)],
        jobs: [{ id: 1, start: t('09:00'), end: null, idealCycleTimeSeconds: 60 }],
        production: [{ from: t('09:00'), to: t('10:00'), good: 100, rejects: 0, jobId: 1 }],
      }),
    );
    expect(r.performance).toBeCloseTo(6_000 / 3_600, 10);
    expect(r.oee).toBeCloseTo(6_000 / 3_600, 10);
    expect(r.warnings).toEqual(['idealCycleTimeTooSlow']);
  });

  it('performance of exactly 1 gives no warning', () => {
    const r = computeOee(
      input({
        from: t('09:00'),
        to: t('10:00'),
        intervals: [iv('09:00', null, 'running', UP, 1)],
        jobs: [{ id: 1, start: t('09:00'), end: null, idealCycleTimeSeconds: 36 }],
        production: [{ from: t('09:00'), to: t('10:00'), good: 100, rejects: 0, jobId: 1 }],
      }),
    );
    expect(r.performance).toBe(1);
    expect(r.warnings).toEqual([]);
  });
});

describe('with the shift calendar (DST)', () => {
  const LONDON = 'Europe/London';
  const nights: CalendarPattern = { shifts: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' }] };
  const elementsFor = (from: string, to: string) => {
    const range = { from: new Date(from), to: new Date(to) };
    return computeOee({
      ...range,
      now: new Date('2027-01-01T00:00:00Z'),
      intervals: [{ start: new Date('2026-01-01T00:00:00Z'), end: null, activityCodeId: UP, category: 'running', jobId: null }],
      plannedWindows: plannedWindows(nights, LONDON, range.from, range.to),
      jobs: [],
      production: [],
      microStopSeconds: 0,
    });
  };

  it('the spring-forward night shift is 7 h of planned time, the fall-back one 9 h', () => {
    expect(elementsFor('2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z').plannedWindowSeconds).toBe(7 * 3600);
    expect(elementsFor('2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z').plannedWindowSeconds).toBe(9 * 3600);
  });

  it('a night shift is split between two local days, and the 23 h day has 23 h of calendar time', () => {
    // Local 2026-03-29 = 00:00Z .. 23:00Z: 05:00Z of the Saturday night shift + 21:00Z–23:00Z of Sunday's.
    const day = elementsFor('2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z');
    expect(day.calendarSeconds).toBe(23 * 3600);
    expect(day.plannedWindowSeconds).toBe(7 * 3600);
    expect(day.overtimeSeconds).toBe(16 * 3600);
  });
});

// Random timelines for the additivity tests below: bucket elements add up to the whole window.

/** Small seeded PRNG (mulberry32) so failures are reproducible. */
const prng = seededRandom;

const CODES: { id: number; category: Category }[] = [
  { id: UP, category: 'running' },
  { id: DOWN, category: 'unplanned_stop' },
  { id: JAM, category: 'unplanned_stop' },
  { id: CLOSED, category: 'planned_shutdown' },
  { id: CHANGEOVER, category: 'planned_stop' },
];

interface Machine {
  intervals: StateInterval[];
  jobs: OeeInput['jobs'];
  production: OeeInput['production'];
}

/** A random machine history from `start` (its first event) to `now`, whole seconds only. */
function randomMachine(seed: number, start: Date, now: Date): Machine {
  const rnd = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const endMs = now.getTime();

  const jobs: OeeInput['jobs'] = [];
  for (let at = start.getTime(), id = seed * 1000; at < endMs; id++) {
    const gap = Math.floor(rnd() * 2) * Math.floor(rnd() * 3 * 3600) * 1000; // sometimes no job for a while
    const length = (1800 + Math.floor(rnd() * 10 * 3600)) * 1000;
    const jobStart = at + gap;
    const jobEnd = jobStart + length;
    if (jobStart >= endMs) break;
    jobs.push({
      id,
      start: new Date(jobStart),
      end: jobEnd >= endMs ? null : new Date(jobEnd),
      idealCycleTimeSeconds: pick([null, 20, 45, 60, 90]),
    });
    at = jobEnd;
  }
  const jobAt = (ms: number) => jobs.find((j) => j.start.getTime() <= ms && (j.end === null || ms < j.end.getTime()))?.id ?? null;

  const intervals: StateInterval[] = [];
  let at = start.getTime();
  let previous: Category | null = null;
  let previousShort = false;
  while (at < endMs) {
    // Many short stops right after running, mostly followed by running again, so micro-stops happen.
    const short: boolean = previous === 'running' && rnd() < 0.4;
    const code: (typeof CODES)[number] = short
      ? pick(CODES.filter((c) => c.category === 'unplanned_stop'))
      : previousShort && rnd() < 0.7
        ? CODES[0]!
        : pick(CODES);
    const seconds = short ? 5 + Math.floor(rnd() * 120) : 60 + Math.floor(rnd() * 4 * 3600);
    const end = Math.min(at + seconds * 1000, endMs);
    intervals.push({
      start: new Date(at),
      end: end >= endMs ? null : new Date(end),
      activityCodeId: code.id,
      category: code.category,
      jobId: jobAt(at),
    });
    previous = code.category;
    previousShort = short;
    at = end;
  }

  const production: OeeInput['production'] = [];
  for (let i = 0; i < 200; i++) {
    const from = start.getTime() + Math.floor((rnd() * (endMs - start.getTime())) / 1000) * 1000;
    const span = rnd() < 0.3 ? 0 : Math.floor(rnd() * 6 * 3600) * 1000;
    production.push({
      from: new Date(from),
      to: new Date(from + span),
      good: Math.floor(rnd() * 300),
      rejects: Math.floor(rnd() * 30),
      jobId: jobAt(from),
    });
  }
  return { intervals, jobs, production };
}

const TZ = 'Europe/London';
const PATTERN: CalendarPattern = {
  shifts: [
    { days: [1, 2, 3, 4, 5], start: '06:00', end: '14:00' },
    { days: [1, 2, 3, 4, 5], start: '13:00', end: '22:00' }, // overlaps the early shift
    { days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' },
  ],
  exceptions: [{ date: '2026-03-30', shifts: [] }],
};

/**
 * What a caller does for one bucket: take the intervals overlapping it plus one neighbour on each
 * side, and expand the calendar over the span of those intervals.
 */
function bucketInput(machine: Machine, from: Date, to: Date, now: Date, microStopSeconds: number): OeeInput {
  const list = machine.intervals;
  const overlapping = list.map((iv, i) => ({ iv, i })).filter(({ iv }) => iv.start < to && (iv.end === null || iv.end > from));
  const first = overlapping[0]?.i ?? list.findIndex((iv) => iv.start >= to);
  const last = overlapping[overlapping.length - 1]?.i ?? first - 1;
  const intervals = list.slice(Math.max(0, first - 1), last + 2);
  const span = { from: new Date(Math.min(from.getTime(), ...intervals.map((iv) => iv.start.getTime()))), to };
  return {
    from,
    to,
    now,
    intervals,
    plannedWindows: plannedWindows(PATTERN, TZ, span.from, span.to),
    jobs: machine.jobs,
    production: machine.production.filter((p) => p.from < to && (p.to > from || p.from >= from)),
    microStopSeconds,
  };
}

const NUMERIC_KEYS = [
  'calendarSeconds',
  'plannedWindowSeconds',
  'plannedShutdownSeconds',
  'plannedProductionSeconds',
  'runSeconds',
  'overtimeSeconds',
  'unplannedStopSeconds',
  'plannedStopSeconds',
  'smallStopSeconds',
  'ratedRunSeconds',
  'idealSeconds',
  'fullyProductiveSeconds',
  'totalCount',
  'goodCount',
  'rejectCount',
  'unplannedStopCount',
] as const;

function expectSameElements(actual: ReturnType<typeof computeElements>, expected: ReturnType<typeof computeElements>) {
  for (const key of NUMERIC_KEYS) expect(actual[key], key).toBeCloseTo(expected[key], 6);
  const byKey = (e: typeof actual) =>
    Object.fromEntries(e.losses.map((l) => [`${l.activityCodeId}|${l.category}`, [l.seconds, l.occurrences]]));
  const a = byKey(actual);
  const b = byKey(expected);
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const key of Object.keys(b)) {
    expect(a[key]![0], key).toBeCloseTo(b[key]![0]!, 6);
    expect(a[key]![1], key).toBe(b[key]![1]);
  }
}

describe('elements are additive (random timelines)', () => {
  // A week over the spring DST change (23 h Sunday), viewed mid-Thursday: the last days are in the future.
  const from = new Date('2026-03-25T00:00:00Z');
  const to = new Date('2026-04-02T23:00:00Z');
  const now = new Date('2026-04-01T10:17:23Z');
  const firstEvent = new Date('2026-03-25T07:13:00Z'); // history starts after `from`

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`hour, day and week buckets sum to the whole window (seed ${seed})`, () => {
      const machine = randomMachine(seed, firstEvent, now);
      const whole = computeElements(bucketInput(machine, from, to, now, 60));
      expect(whole.smallStopSeconds).toBeGreaterThan(0);
      expect(whole.unplannedStopCount).toBeGreaterThan(0);
      for (const kind of ['hour', 'day', 'week'] as const) {
        const buckets = bucketRanges(kind, from, to, TZ, PATTERN);
        const parts = buckets.map((b) => computeElements(bucketInput(machine, b.from, b.to, now, 60)));
        expectSameElements(sumElements(parts), whole);
      }
      // Uneven random cuts too.
      const rnd = prng(seed + 100);
      const cuts = [
        from.getTime(),
        ...Array.from({ length: 30 }, () => from.getTime() + Math.floor(rnd() * (to.getTime() - from.getTime()))),
        to.getTime(),
      ].sort((a, b) => a - b);
      const parts = cuts.slice(1).map((end, i) => computeElements(bucketInput(machine, new Date(cuts[i]!), new Date(end), now, 60)));
      expectSameElements(sumElements(parts), whole);
      // Day buckets in their ratios equal the whole window's ratios.
      const dayParts = bucketRanges('day', from, to, TZ, PATTERN).map((b) => computeElements(bucketInput(machine, b.from, b.to, now, 60)));
      const summed = deriveRatios(sumElements(dayParts), from, to);
      const direct = computeOee(bucketInput(machine, from, to, now, 60));
      for (const key of ['availability', 'performance', 'quality', 'oee', 'teep', 'mtbfSeconds', 'mttrSeconds'] as const) {
        expect(summed[key], key).toBeCloseTo(direct[key] as number, 9);
      }
    });
  }

  it('a group is the ratio of summed machine elements (not the average of ratios), also per day', () => {
    const machines = [11, 12, 13].map((seed) => randomMachine(seed, firstEvent, now));
    const perMachine = machines.map((m) => computeElements(bucketInput(m, from, to, now, 60)));
    const group = deriveRatios(sumElements(perMachine), from, to);

    const sum = (key: (typeof NUMERIC_KEYS)[number]) => perMachine.reduce((s, e) => s + e[key], 0);
    expect(group.availability).toBeCloseTo(sum('runSeconds') / sum('plannedProductionSeconds'), 12);
    expect(group.performance).toBeCloseTo(sum('idealSeconds') / sum('ratedRunSeconds'), 12);
    expect(group.quality).toBeCloseTo(sum('goodCount') / sum('totalCount'), 12);
    expect(group.oee).toBeCloseTo(group.availability! * group.performance! * group.quality!, 12);
    expect(group.teep).toBeCloseTo(group.oee! * (sum('plannedProductionSeconds') / sum('calendarSeconds')), 12);
    expect(group.unplannedStopCount).toBe(sum('unplannedStopCount'));

    // machine × day buckets summed every way give the same group elements
    const days = bucketRanges('day', from, to, TZ, PATTERN);
    const cells = machines.flatMap((m) => days.map((b) => computeElements(bucketInput(m, b.from, b.to, now, 60))));
    expectSameElements(sumElements(cells), sumElements(perMachine));
  });

  it('elements of adjacent windows sum exactly for whole-second timelines', () => {
    const machine = randomMachine(42, firstEvent, now);
    const mid = new Date('2026-03-29T12:34:56Z');
    const a = computeElements(bucketInput(machine, from, mid, now, 60));
    const b = computeElements(bucketInput(machine, mid, to, now, 60));
    const whole = computeElements(bucketInput(machine, from, to, now, 60));
    const sum = sumElements([a, b]);
    for (const key of [
      'calendarSeconds',
      'plannedWindowSeconds',
      'runSeconds',
      'overtimeSeconds',
      'unplannedStopSeconds',
      'unplannedStopCount',
    ] as const) {
      expect(sum[key], key).toBe(whole[key]);
    }
  });
});
