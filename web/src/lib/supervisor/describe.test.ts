import { describe, expect, it } from 'vitest';
import { actionWords, correctionEntryMoves, describeMoves, fieldChanges, jobPatch } from './describe';

const names: Record<number, string> = { 1: 'Up', 2: 'Down', 7: 'Setup', 9: 'Jam' };
const name = (id: number) => names[id] ?? `#${id}`;

describe('describeMoves', () => {
  it('names the time, both codes and their categories', () => {
    expect(
      describeMoves(
        [{ fromActivityCodeId: 2, fromCategory: 'unplanned_stop', toActivityCodeId: 7, toCategory: 'planned_stop', seconds: 4_800 }],
        name,
      ),
    ).toBe('Moves 1 h 20 min from Down (unplanned stop) to Setup (planned stop).');
  });

  it('lists several moves in the order given, and says when no OEE category changes', () => {
    const moves = [
      { fromActivityCodeId: 7, fromCategory: 'planned_stop', toActivityCodeId: 2, toCategory: 'unplanned_stop', seconds: 4_800 },
      { fromActivityCodeId: 1, fromCategory: 'running', toActivityCodeId: 2, toCategory: 'unplanned_stop', seconds: 1_800 },
      { fromActivityCodeId: 9, fromCategory: 'unplanned_stop', toActivityCodeId: 2, toCategory: 'unplanned_stop', seconds: 45 },
    ] as const;
    expect(describeMoves(moves, name)).toBe(
      'Moves 1 h 20 min from Setup (planned stop) to Down (unplanned stop), 30 min from Up (running) to Down (unplanned stop) and 45 s from Jam (unplanned stop) to Down (unplanned stop).',
    );
    expect(
      describeMoves(
        [{ fromActivityCodeId: 2, fromCategory: 'unplanned_stop', toActivityCodeId: 9, toCategory: 'unplanned_stop', seconds: 7_200 }],
        name,
      ),
    ).toBe('Moves 2 h from Down (unplanned stop) to Jam (unplanned stop). The OEE categories stay the same.');
  });

  it('says when nothing moves', () => {
    expect(describeMoves([], name)).toBe('Changes nothing: the span already has this code.');
  });
});

describe('actionWords', () => {
  it('reads known actions in words and others as verb and entity', () => {
    expect(actionWords('job.create')).toBe('Added a past job');
    expect(actionWords('timeline.correct')).toBe('Corrected the timeline');
    expect(actionWords('shift-pattern.update')).toBe('Edited shift pattern');
    expect(actionWords('user.unlock')).toBe('Unlocked user');
    expect(actionWords('tablet.logout')).toBe('Logout tablet');
  });
});

describe('fieldChanges', () => {
  it('lists the fields that differ, a creation and a deletion in full', () => {
    expect(
      fieldChanges({ jobNumber: 'J', idealCycleTimeSeconds: 60, good: 90 }, { jobNumber: 'J', idealCycleTimeSeconds: 48, good: 90 }),
    ).toEqual([{ field: 'idealCycleTimeSeconds', before: '60', after: '48' }]);
    expect(fieldChanges(null, { good: 5, rejects: 0 })).toEqual([
      { field: 'good', before: '—', after: '5' },
      { field: 'rejects', before: '—', after: '0' },
    ]);
    expect(fieldChanges({ id: 3, end: null }, null)).toEqual([
      { field: 'id', before: '3', after: '—' },
      { field: 'end', before: 'none', after: '—' },
    ]);
  });

  it('compares lists as a whole', () => {
    const before = [{ activityCodeId: 2 }];
    const after = [{ activityCodeId: 7 }];
    expect(fieldChanges(before, after)).toEqual([{ field: 'value', before: '[{"activityCodeId":2}]', after: '[{"activityCodeId":7}]' }]);
    expect(fieldChanges(before, [{ activityCodeId: 2 }])).toEqual([]);
  });
});

describe('jobPatch', () => {
  const job = {
    jobNumber: 'J-1',
    start: '2026-03-10T08:00:00.000Z',
    end: '2026-03-10T10:00:00.000Z',
    idealCycleTimeSeconds: 60,
    good: 90,
    rejects: 10,
  };

  it('sends only what changed, times compared as instants', () => {
    expect(jobPatch(job, { ...job, start: '2026-03-10T09:00:00+01:00', idealCycleTimeSeconds: 48, note: ' typo ' })).toEqual({
      idealCycleTimeSeconds: 48,
      note: 'typo',
    });
    expect(jobPatch(job, { ...job, jobNumber: ' J-2 ', good: 95, end: '2026-03-10T10:30:00.000Z' })).toEqual({
      jobNumber: 'J-2',
      good: 95,
      end: '2026-03-10T10:30:00.000Z',
    });
  });

  it('sends nothing (not even the note) when nothing changed, and never an end for a running job', () => {
    expect(jobPatch(job, { ...job, note: 'why' })).toEqual({});
    expect(jobPatch({ ...job, end: null }, { ...job, end: '2026-03-10T11:00:00.000Z' })).toEqual({});
  });
});

describe('correctionEntryMoves', () => {
  it("reads a correction's audit entry with the preview's maths, in the past tense", () => {
    const before = [
      { start: '2026-03-10T10:00:00.000Z', end: '2026-03-10T11:00:00.000Z', activityCodeId: 2, jobId: null, operatorId: null },
      { start: '2026-03-10T11:00:00.000Z', end: '2026-03-10T11:20:00.000Z', activityCodeId: 2, jobId: 4, operatorId: null },
    ];
    const after = before.map((i) => ({ ...i, activityCodeId: 7 }));
    const categories = { 2: 'unplanned_stop', 7: 'planned_stop' } as const;
    const moves = correctionEntryMoves(before, after, (id) => categories[id as 2 | 7]);
    expect(moves).toEqual([
      { fromActivityCodeId: 2, fromCategory: 'unplanned_stop', toActivityCodeId: 7, toCategory: 'planned_stop', seconds: 4_800 },
    ]);
    expect(describeMoves(moves!, name, { past: true })).toBe('Moved 1 h 20 min from Down (unplanned stop) to Setup (planned stop).');
    expect(describeMoves([], name, { past: true })).toBe('Changed no code.');
  });

  it('is null for entries without intervals', () => {
    expect(correctionEntryMoves({ good: 1 }, { good: 2 }, () => 'running')).toBeNull();
    expect(correctionEntryMoves(null, [], () => 'running')).toBeNull();
  });
});
