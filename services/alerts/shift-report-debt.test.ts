import { describe, expect, it } from 'vitest';
import { debtLines, debtRows } from './shift-report-debt.js';

describe('the shift report’s reason debt', () => {
  const local = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
  const names = new Map([[2, 'Down']]);

  it('lists each stop with its planned minutes and code, or says there is none', () => {
    const rows = debtRows(
      [
        { machineName: 'Saw', start: '2026-11-20T11:00:00.000Z', end: '2026-11-20T11:07:30.000Z', activityCodeId: 2, plannedSeconds: 450 },
        {
          machineName: 'Press',
          start: '2026-11-20T09:00:00.000Z',
          end: '2026-11-20T09:20:00.000Z',
          activityCodeId: 5,
          plannedSeconds: 1200,
        },
      ],
      local,
      names,
    );
    expect(debtLines(rows)).toEqual([
      'Open reason debt: 2 stop(s) without a reason',
      '  Saw: 2026-11-20 11:00 – 2026-11-20 11:07, 7.5 min planned, Down',
      '  Press: 2026-11-20 09:00 – 2026-11-20 09:20, 20 min planned, Code 5',
    ]);
    expect(debtLines([])).toEqual(['Open reason debt: none']);
  });
});
