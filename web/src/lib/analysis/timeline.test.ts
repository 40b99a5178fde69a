import { describe, expect, it } from 'vitest';
import type { GanttBar } from './Gantt.svelte';
import { splitByPlanned, toPlanned } from './timeline';

const ms = (iso: string) => Date.parse(iso);
const bar = (start: string, end: string, activityCodeId: number): GanttBar => ({
  startMs: ms(start),
  endMs: ms(end),
  activityCodeId,
  category: 'x',
  jobId: null,
  operatorId: null,
  open: false,
});

describe('planned time on timelines', () => {
  it('splits each code into time in planned windows and outside them (docs/oee.md#planned-windows)', () => {
    // Down 00:00–12:00 with a shift 10:39–14:00: 1 h 21 min inside, 10 h 39 min outside.
    const planned = [{ startMs: ms('2026-05-07T10:39:00Z'), endMs: ms('2026-05-07T14:00:00Z') }];
    const bars = [bar('2026-05-07T00:00:00Z', '2026-05-07T12:00:00Z', 2), bar('2026-05-07T12:00:00Z', '2026-05-07T16:00:00Z', 1)];
    const split = splitByPlanned([{ bars, planned }], ms('2026-05-07T00:00:00Z'), ms('2026-05-08T00:00:00Z'));
    expect(split).toEqual(
      new Map([
        [2, { inside: 4_860, outside: 38_340 }],
        [1, { inside: 7_200, outside: 7_200 }],
      ]),
    );
  });

  it('clips to the range, and counts a row planned 24/7 (no windows) as all inside', () => {
    const bars = [bar('2026-05-06T20:00:00Z', '2026-05-07T02:00:00Z', 2)];
    expect(splitByPlanned([{ bars, planned: [] }], ms('2026-05-07T00:00:00Z'), ms('2026-05-08T00:00:00Z'))).toEqual(
      new Map([[2, { inside: 0, outside: 7_200 }]]),
    );
    expect(splitByPlanned([{ bars }], ms('2026-05-07T00:00:00Z'), ms('2026-05-08T00:00:00Z'))).toEqual(
      new Map([[2, { inside: 7_200, outside: 0 }]]),
    );
  });

  it('reads the API answer: nothing to shade for a machine planned 24/7, names kept', () => {
    expect(
      toPlanned({ always: true, windows: [{ start: '2026-05-07T00:00:00Z', end: '2026-05-08T00:00:00Z', shiftDate: '2026-05-07' }] }),
    ).toBe(undefined);
    expect(
      toPlanned({
        always: false,
        windows: [
          { start: '2026-05-07T06:00:00.000Z', end: '2026-05-07T14:00:00.000Z', shiftDate: '2026-05-07', name: 'Early' },
          { start: '2026-05-07T22:00:00.000Z', end: '2026-05-08T06:00:00.000Z', shiftDate: '2026-05-07' },
        ],
      }),
    ).toEqual([
      { startMs: ms('2026-05-07T06:00:00Z'), endMs: ms('2026-05-07T14:00:00Z'), name: 'Early' },
      { startMs: ms('2026-05-07T22:00:00Z'), endMs: ms('2026-05-08T06:00:00Z') },
    ]);
  });
});
