import type { StateInterval } from './oee-types.js';

export interface LegacyDurationsInput {
  /** The machine's intervals overlapping [from, to), sorted; an open one lasts until `to`. */
  intervals: readonly StateInterval[];
  /** Planned time inside [from, to), sorted and disjoint (core/calendar `plannedWindows`). */
  planned: readonly { start: Date; end: Date }[];
  from: Date;
  /** Already clipped to now. */
  to: Date;
  /** Every activity code id: each is in the answer, 0 when unused. */
  codeIds: readonly number[];
  upCodeId: number;
  overtimeCodeId: number;
}

/**
 * Seconds per activity code as DigitME2's `/api/activity-durations` counted them. DigitME2 stored a
 * running code set outside the shift as Overtime (4), and Overtime inside the shift as Up (1)
 * (digitme2-reference.md 2.1): so running time outside planned time is reported under Overtime,
 * Overtime inside planned time under Up, and everything else under its own code. Time outside
 * [from, to) and before the first interval counts nowhere.
 */
export function legacyActivityDurations(input: LegacyDurationsInput): { activityCodeId: number; seconds: number }[] {
  const from = input.from.getTime();
  const to = input.to.getTime();
  const ms = new Map<number, number>(input.codeIds.map((id) => [id, 0]));
  const add = (codeId: number, span: number) => {
    if (span > 0) ms.set(codeId, (ms.get(codeId) ?? 0) + span);
  };
  for (const interval of input.intervals) {
    const start = Math.max(interval.start.getTime(), from);
    const end = Math.min(interval.end?.getTime() ?? to, to);
    if (end <= start) continue;
    let plannedMs = 0;
    for (const w of input.planned) plannedMs += Math.max(0, Math.min(end, w.end.getTime()) - Math.max(start, w.start.getTime()));
    const unplannedMs = end - start - plannedMs;
    const running = interval.category === 'running';
    add(running ? input.overtimeCodeId : interval.activityCodeId, unplannedMs);
    add(running && interval.activityCodeId === input.overtimeCodeId ? input.upCodeId : interval.activityCodeId, plannedMs);
  }
  return [...ms.entries()].sort(([a], [b]) => a - b).map(([activityCodeId, total]) => ({ activityCodeId, seconds: total / 1000 }));
}
