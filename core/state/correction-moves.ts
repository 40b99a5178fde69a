/**
 * What a correction moves between activity codes: the machine's intervals over the corrected span
 * before and after it (both clipped to the span), compared instant by instant. Pure; the preview of
 * the correction form (POST /api/v1/machines/{id}/corrections/preview) answers with it, computed on
 * the before and after of a dry run of the correction itself, so the preview cannot disagree with
 * what applying it does.
 */

export interface MoveInterval {
  /** Epoch ms or an ISO instant. */
  start: number | string;
  end: number | string;
  activityCodeId: number;
}

export interface CodeMove {
  fromActivityCodeId: number;
  toActivityCodeId: number;
  seconds: number;
}

const ms = (t: number | string): number => (typeof t === 'number' ? t : Date.parse(t));

/**
 * Seconds that change code, one entry per (from code, to code) pair, the largest first (ties by the
 * codes' ids, so the order is stable). Time whose code stays the same, and time covered on one side
 * only, moves nothing.
 */
export function correctionMoves(before: readonly MoveInterval[], after: readonly MoveInterval[]): CodeMove[] {
  const a = sorted(before);
  const b = sorted(after);
  const totals = new Map<string, CodeMove>();
  // Both lists are sorted and without overlaps: walk them together, one overlapping pair at a time.
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (end > start && x.activityCodeId !== y.activityCodeId) {
      const key = `${x.activityCodeId}>${y.activityCodeId}`;
      const move = totals.get(key) ?? { fromActivityCodeId: x.activityCodeId, toActivityCodeId: y.activityCodeId, seconds: 0 };
      move.seconds += (end - start) / 1000;
      totals.set(key, move);
    }
    if (x.end <= y.end) i++;
    else j++;
  }
  return [...totals.values()].sort(
    (p, q) => q.seconds - p.seconds || p.fromActivityCodeId - q.fromActivityCodeId || p.toActivityCodeId - q.toActivityCodeId,
  );
}

function sorted(intervals: readonly MoveInterval[]): { start: number; end: number; activityCodeId: number }[] {
  return intervals
    .map((i) => ({ start: ms(i.start), end: ms(i.end), activityCodeId: i.activityCodeId }))
    .filter((i) => i.end > i.start)
    .sort((p, q) => p.start - q.start);
}
