import { describe, expect, it } from 'vitest';
import { impactSentence, todayIn, versionSpan } from './versions';

describe('shift pattern editor texts', () => {
  it('today in the site zone, not the browser`s', () => {
    const ms = Date.parse('2026-05-08T23:30:00Z');
    expect(todayIn('UTC', ms)).toBe('2026-05-08');
    expect(todayIn('Europe/Berlin', ms)).toBe('2026-05-09');
    expect(todayIn('America/New_York', ms)).toBe('2026-05-08');
  });

  it('says how many days and machines an edit touches', () => {
    const machines = [{ id: 1, name: 'Press 1' }];
    expect(
      impactSentence({
        effectiveFrom: '2026-05-06',
        today: '2026-05-08',
        days: 3,
        firstDay: '2026-05-06',
        lastDay: '2026-05-08',
        machines,
      }),
    ).toBe(
      'Planned time changes on 3 days with history (Wed 6 May 2026 – Fri 8 May 2026) on 1 machine (Press 1); their OEE is recomputed.',
    );
    expect(
      impactSentence({
        effectiveFrom: '2026-05-08',
        today: '2026-05-08',
        days: 1,
        firstDay: '2026-05-08',
        lastDay: '2026-05-08',
        machines: [...machines, { id: 2, name: 'Press 2' }],
      }),
    ).toBe('Planned time changes on 1 day with history (Fri 8 May 2026) on 2 machines (Press 1, Press 2); their OEE is recomputed.');
    expect(impactSentence({ effectiveFrom: '2026-06-01', today: '2026-05-08', days: 0, firstDay: null, lastDay: null, machines: [] })).toBe(
      'It applies from Mon 1 Jun 2026; it concerns no machine (none uses this pattern).',
    );
    expect(impactSentence({ effectiveFrom: '2026-05-08', today: '2026-05-08', days: 0, firstDay: null, lastDay: null, machines })).toBe(
      'No day with history changes; it concerns 1 machine (Press 1).',
    );
  });

  it('names the days a version is in force', () => {
    const base = { shifts: [], exceptions: [] };
    expect(versionSpan({ ...base, from: null, until: null })).toBe('Always');
    expect(versionSpan({ ...base, from: null, until: '2026-05-06' })).toBe('Until Tue 5 May 2026');
    expect(versionSpan({ ...base, from: '2026-05-06', until: '2026-05-08' })).toBe('Wed 6 May 2026 – Thu 7 May 2026');
    expect(versionSpan({ ...base, from: '2026-05-08', until: null })).toBe('From Fri 8 May 2026');
  });
});
