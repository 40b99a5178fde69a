/**
 * The group timeline's rows (`/wall/timeline`): today's intervals as read once, with the machine's
 * current state (live over `/live`) laid over their end, so the bars move without re-reading.
 * Pure, for the wall's bundle budget and a unit test.
 */
import type { LiveMachine, LiveTimelineInterval } from '$core/realtime/live-events.js';

type MachineState = LiveMachine['state'];

export interface Segment {
  activityCodeId: number;
  /** Left edge and width as percentages of the day. */
  left: number;
  width: number;
  start: number;
  end: number;
}

/** The day's intervals up to the current state, then the current state from its start to `nowMs`. */
export function segments(intervals: LiveTimelineInterval[], state: MachineState, dayFrom: number, dayTo: number, nowMs: number): Segment[] {
  const span = dayTo - dayFrom;
  const since = state.since === null || state.activityCodeId === null ? null : Date.parse(state.since);
  const out: Segment[] = [];
  const push = (activityCodeId: number, start: number, end: number) => {
    const s = Math.max(dayFrom, start);
    const e = Math.min(dayTo, nowMs, end);
    if (e <= s) return;
    out.push({ activityCodeId, start: s, end: e, left: ((s - dayFrom) / span) * 100, width: ((e - s) / span) * 100 });
  };
  for (const i of intervals) {
    const start = Date.parse(i.start);
    const end = i.end === null ? nowMs : Date.parse(i.end);
    // What the live state says from `since` on wins over what was read before it.
    push(i.activityCodeId, start, since === null ? end : Math.min(end, since));
  }
  if (since !== null) push(state.activityCodeId!, since, nowMs);
  return out;
}
