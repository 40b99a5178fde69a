/**
 * Where a stored timeline differs from its projection over [from, to): the verifier's comparison.
 * Pure. Both inputs are interval lists of one machine, in any order; only the part inside the
 * window counts. Two kinds of difference are reported:
 * - a span where the state differs (or one side has no interval), merged while the pair stays the same;
 * - a boundary where the states agree but the rows do not (an interval split in two, say).
 */
import { sameState, type ProjectedInterval } from './timeline-projection.js';

export interface IntervalState {
  activityCodeId: number;
  jobId: number | null;
  operatorId: number | null;
}

export interface TimelineDifference {
  from: number; // epoch ms
  to: number;
  stored: IntervalState | null;
  recomputed: IntervalState | null;
}

export function diffTimelines(
  stored: readonly ProjectedInterval[],
  recomputed: readonly ProjectedInterval[],
  from: number,
  to: number,
): TimelineDifference[] {
  const a = clip(stored, from, to);
  const b = clip(recomputed, from, to);
  const points = [...new Set([from, to, ...a.flatMap((i) => [i.start, i.end]), ...b.flatMap((i) => [i.start, i.end])])].sort(
    (x, y) => x - y,
  );
  const out: TimelineDifference[] = [];
  let previousDiffered = false;
  for (let k = 0; k + 1 < points.length; k++) {
    const [p, q] = [points[k]!, points[k + 1]!];
    const s = stateAt(a, p);
    const r = stateAt(b, p);
    const differ = s === null || r === null ? s !== r : !sameState(s, r);
    // Same state on both sides (and just before), but a row boundary at p on one side only.
    const split = !differ && !previousDiffered && s !== null && k > 0 && a.some((i) => i.start === p) !== b.some((i) => i.start === p);
    previousDiffered = differ;
    if (!differ && !split) continue;
    const last = out.at(-1);
    if (differ && last && last.to === p && same(last.stored, s) && same(last.recomputed, r)) last.to = q;
    else out.push({ from: p, to: split ? p : q, stored: s, recomputed: r });
  }
  return out;
}

type Clipped = IntervalState & { start: number; end: number };

function clip(list: readonly ProjectedInterval[], from: number, to: number): Clipped[] {
  return list
    .filter((i) => i.start < to && (i.end === null || i.end > from))
    .map((i) => ({
      start: Math.max(i.start, from),
      end: Math.min(i.end ?? Infinity, to),
      activityCodeId: i.activityCodeId,
      jobId: i.jobId,
      operatorId: i.operatorId,
    }));
}

function stateAt(list: Clipped[], at: number): IntervalState | null {
  const i = list.find((x) => x.start <= at && at < x.end);
  return i ? { activityCodeId: i.activityCodeId, jobId: i.jobId, operatorId: i.operatorId } : null;
}

function same(x: IntervalState | null, y: IntervalState | null): boolean {
  return x === null || y === null ? x === y : sameState(x, y);
}
