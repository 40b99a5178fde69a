import { describe, expect, it } from 'vitest';
import type { Category } from '../vocabulary.js';
import { median, percentile, reasonGivenTimes, reasonKpis, reasonLatencySeconds, type KpiStop, type ShiftRange } from './reason-kpis.js';
import { seededRandom } from '../seeded-random.js';

const T = (hm: string) => new Date(`2026-11-24T${hm}:00.000Z`);
const DOWN = 2;
const JAM = 10;
const CHANGEOVER = 11;
const generic = (id: number) => id === DOWN;
const stop = (start: string, end: string | null, code: number, extra: Partial<KpiStop> = {}): KpiStop => ({
  start: T(start),
  end: end === null ? null : T(end),
  activityCodeId: code,
  category: code === CHANGEOVER ? 'planned_stop' : 'unplanned_stop',
  previousCategory: 'running',
  nextCategory: 'running',
  reasonGivenAt: null,
  ...extra,
});
const shifts: ShiftRange[] = [
  { from: T('06:00'), to: T('14:00'), name: 'Early' },
  { from: T('14:00'), to: T('22:00'), name: 'Late' },
];
const rules = { thresholdSeconds: 300, microStopSeconds: 120 };

describe('reason KPIs', () => {
  it('gives explained stop time and reason latency per shift, exactly', () => {
    const rows = reasonKpis({
      from: T('00:00'),
      to: new Date('2026-11-25T00:00:00.000Z'),
      now: T('21:30'),
      rules,
      isGeneric: generic,
      shifts,
      stops: [
        stop('05:50', '06:10', DOWN), // 600 s planned: owes, in Early (its first planned second)
        stop('07:00', '07:20', DOWN),
        stop('08:00', '08:30', JAM, { reasonGivenAt: T('09:00') }), // given 30 min after its end
        stop('10:00', '10:10', JAM), // the reason came with the event: latency 0
        stop('11:00', '11:01', DOWN), // a micro-stop: left out
        stop('13:50', '14:20', DOWN), // 600 s Early, 1200 s Late; counted in Early
        stop('15:00', '15:04', CHANGEOVER), // explained time, too short to owe a reason
        stop('16:00', '16:10', JAM, { reasonGivenAt: T('17:10') }),
        stop('21:00', null, DOWN), // still going on: its time up to now, not owing yet
        { ...stop('12:00', '12:30', 1), category: 'running' as Category },
      ],
    });
    expect(rows).toEqual([
      {
        shift: 'Early',
        stopSeconds: 4800,
        explainedSeconds: 2400,
        unexplainedSeconds: 2400,
        explainedPercent: 50,
        stopsOwing: 5,
        stopsExplained: 2,
        stopsUnexplained: 3,
        latencyMedianSeconds: 900,
        latencyP90Seconds: 1800,
        latencyMeanSeconds: 900,
      },
      {
        shift: 'Late',
        stopSeconds: 3840,
        explainedSeconds: 840,
        unexplainedSeconds: 3000,
        explainedPercent: 21.875,
        stopsOwing: 1,
        stopsExplained: 1,
        stopsUnexplained: 0,
        latencyMedianSeconds: 3600,
        latencyP90Seconds: 3600,
        latencyMeanSeconds: 3600,
      },
    ]);
  });

  it('counts a stop in the period of its first planned second, and its time only inside the period', () => {
    const rows = reasonKpis({
      from: T('14:00'),
      to: T('22:00'),
      now: T('23:00'),
      rules,
      isGeneric: generic,
      shifts,
      stops: [stop('13:50', '14:20', DOWN)],
    });
    // Early ends where the period starts: no row.
    expect(rows.map((r) => [r.shift, r.stopSeconds, r.stopsOwing, r.explainedPercent])).toEqual([['Late', 1200, 0, 0]]);
  });

  it('has no rows for shifts outside the period, and nulls without stops', () => {
    const rows = reasonKpis({ from: T('06:00'), to: T('10:00'), now: T('23:00'), rules, isGeneric: generic, shifts, stops: [] });
    expect(rows).toEqual([
      {
        shift: 'Early',
        stopSeconds: 0,
        explainedSeconds: 0,
        unexplainedSeconds: 0,
        explainedPercent: null,
        stopsOwing: 0,
        stopsExplained: 0,
        stopsUnexplained: 0,
        latencyMedianSeconds: null,
        latencyP90Seconds: null,
        latencyMeanSeconds: null,
      },
    ]);
  });

  it('measures latency from the end, never below 0', () => {
    expect(reasonLatencySeconds({ end: T('10:00'), reasonGivenAt: T('10:05') })).toBe(300);
    expect(reasonLatencySeconds({ end: T('10:00'), reasonGivenAt: T('09:55') })).toBe(0);
    expect(reasonLatencySeconds({ end: T('10:00'), reasonGivenAt: null })).toBe(0);
  });

  it('finds when a correction gave each stop its code: the latest one with that code over it', () => {
    const fix = (seq: number, at: string, until: string, code: number, made: string) => ({
      seq,
      at: T(at),
      until: T(until),
      activityCodeId: code,
      correctedAt: T(made),
    });
    const corrections = [
      fix(1, '05:00', '12:00', JAM, '12:30'), // a long one under everything of the morning
      fix(2, '07:00', '07:20', JAM, '13:00'),
      fix(3, '07:00', '07:20', CHANGEOVER, '13:10'),
      fix(4, '09:00', '09:10', JAM, '09:30'),
      fix(5, '09:00', '09:10', JAM, '09:40'),
      fix(6, '14:00', '14:30', JAM, '15:00'),
    ];
    const at = (start: string, end: string | null, code: number) => ({
      start: T(start),
      end: end === null ? null : T(end),
      activityCodeId: code,
    });
    expect(
      reasonGivenTimes(
        [
          at('07:00', '07:20', JAM), // 1 and 2 over it: 2 is the later
          at('08:00', '08:10', JAM), // only the long one
          at('09:00', '09:15', JAM), // 5 over its start (the interval merged with a live Jam after it)
          at('12:00', '12:10', JAM), // the long one ends where it starts
          at('13:00', '13:20', DOWN), // no correction has its code
          at('14:20', null, JAM), // open: 6 reaches into it
          at('16:00', '16:30', JAM),
        ],
        corrections,
      ),
    ).toEqual([T('13:00'), T('12:30'), T('09:40'), null, null, T('15:00'), null]);
    expect(reasonGivenTimes([at('07:00', '07:20', JAM)], [])).toEqual([null]);
  });

  it('takes the median and the nearest-rank percentile', () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([1, 3, 10, 20])).toBe(6.5);
    expect(percentile([], 90)).toBeNull();
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
    expect(percentile([7], 90)).toBe(7);
  });

  it('holds its invariants over random days (property)', () => {
    // The same cases every run.
    const random = seededRandom(20);
    const minute = (m: number) => new Date(T('00:00').getTime() + m * 60_000);
    const int = (n: number) => Math.floor(random() * n);
    const categories: Category[] = ['running', 'unplanned_stop', 'planned_stop', 'planned_shutdown'];
    for (let run = 0; run < 300; run++) {
      const stops: KpiStop[] = [];
      let at = int(60);
      while (at < 1440) {
        const length = 1 + int(90);
        const last = at + length >= 1440 && random() < 0.5;
        const category = categories[int(4)]!;
        stops.push({
          start: minute(at),
          end: last ? null : minute(at + length),
          activityCodeId: category === 'running' ? 1 : [DOWN, JAM, CHANGEOVER][int(3)]!,
          category,
          previousCategory: categories[int(4)]!,
          nextCategory: categories[int(4)]!,
          reasonGivenAt: random() < 0.5 ? null : minute(at + int(300)),
        });
        if (last) break;
        at += length + int(3);
      }
      const cut = 300 + int(600);
      const days: ShiftRange[] = [
        { from: minute(int(300)), to: minute(cut), name: 'A' },
        { from: minute(cut), to: minute(cut + int(500)), name: 'B' },
      ];
      const from = minute(int(700));
      const to = minute(700 + int(800));
      const now = minute(500 + int(1000));
      const rows = reasonKpis({ from, to, now, rules, isGeneric: generic, shifts: days, stops });
      for (const r of rows) {
        expect(r.stopSeconds).toBeGreaterThanOrEqual(0);
        expect(r.explainedSeconds + r.unexplainedSeconds).toBeCloseTo(r.stopSeconds, 6);
        if (r.explainedPercent !== null) {
          expect(r.explainedPercent).toBeGreaterThanOrEqual(0);
          expect(r.explainedPercent).toBeLessThanOrEqual(100);
        } else expect(r.stopSeconds).toBe(0);
        expect(r.stopsExplained + r.stopsUnexplained).toBe(r.stopsOwing);
        if (r.latencyMedianSeconds !== null) {
          expect(r.latencyMedianSeconds).toBeGreaterThanOrEqual(0);
          expect(r.latencyP90Seconds!).toBeGreaterThanOrEqual(r.latencyMedianSeconds);
        } else expect(r.stopsExplained).toBe(0);
      }
      // The rows' stop time is all the stop time in planned time in the period (the shifts do not overlap), micro-stops aside.
      const end = Math.min(to.getTime(), now.getTime());
      let expected = 0;
      for (const s of stops) {
        if (s.category !== 'unplanned_stop' && s.category !== 'planned_stop') continue;
        const sEnd = (s.end ?? now).getTime();
        const micro =
          s.end !== null && sEnd - s.start.getTime() < 120_000 && s.previousCategory === 'running' && s.nextCategory === 'running';
        if (micro) continue;
        for (const d of days) {
          const a = Math.max(s.start.getTime(), d.from.getTime(), from.getTime());
          const b = Math.min(sEnd, d.to.getTime(), end);
          if (b > a) expected += (b - a) / 1000;
        }
      }
      expect(rows.reduce((a, r) => a + r.stopSeconds, 0)).toBeCloseTo(expected, 6);
    }
  });
});
