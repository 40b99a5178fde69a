import type { Shift } from './types';

/** One block of the week view: a shift's time on one weekday, in minutes from that day's midnight. */
export interface WeekBlock {
  day: number; // 1 = Monday … 7 = Sunday
  startMinute: number;
  endMinute: number; // ≤ 1440
  shiftIndex: number;
  /** The shift's own times and name, for the label. */
  start: string;
  end: string;
  name?: string;
  /** The part after midnight of a shift that started the day before. */
  continued: boolean;
  /** Side-by-side lane when shifts overlap, and the number of lanes that day. */
  lane: number;
  lanes: number;
}

export const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/**
 * The blocks of a weekly pattern. A shift whose end is not after its start crosses midnight (docs/api.md):
 * it is drawn to 24:00 on its day and from 00:00 on the next (Sunday's goes on to Monday).
 */
export function weekBlocks(shifts: readonly Shift[]): WeekBlock[] {
  const blocks: Omit<WeekBlock, 'lane' | 'lanes'>[] = [];
  shifts.forEach((shift, shiftIndex) => {
    if (!/^\d\d:\d\d$/.test(shift.start) || !/^\d\d:\d\d$/.test(shift.end)) return;
    const start = minutesOf(shift.start);
    const end = minutesOf(shift.end);
    for (const day of new Set(shift.days)) {
      const base = { shiftIndex, start: shift.start, end: shift.end, ...(shift.name ? { name: shift.name } : {}) };
      if (end > start) {
        blocks.push({ ...base, day, startMinute: start, endMinute: end, continued: false });
      } else {
        blocks.push({ ...base, day, startMinute: start, endMinute: 1440, continued: false });
        if (end > 0) blocks.push({ ...base, day: (day % 7) + 1, startMinute: 0, endMinute: end, continued: true });
      }
    }
  });

  // Overlapping blocks of a day share its width in lanes.
  const out: WeekBlock[] = [];
  for (let day = 1; day <= 7; day++) {
    const today = blocks.filter((b) => b.day === day).sort((a, b) => a.startMinute - b.startMinute || a.shiftIndex - b.shiftIndex);
    const laneEnds: number[] = [];
    const placed = today.map((b) => {
      let lane = laneEnds.findIndex((endMinute) => endMinute <= b.startMinute);
      if (lane === -1) lane = laneEnds.length;
      laneEnds[lane] = b.endMinute;
      return { ...b, lane, lanes: 0 };
    });
    for (const b of placed) out.push({ ...b, lanes: laneEnds.length });
  }
  return out;
}

/** Planned hours per week of a pattern (overlaps counted once). */
export function plannedHoursPerWeek(shifts: readonly Shift[]): number {
  const minutes = new Uint8Array(7 * 1440);
  for (const b of weekBlocks(shifts)) minutes.fill(1, (b.day - 1) * 1440 + b.startMinute, (b.day - 1) * 1440 + b.endMinute);
  return minutes.reduce((n, m) => n + m, 0) / 60;
}
