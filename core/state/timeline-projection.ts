/**
 * The timeline is a projection of the state events (docs/architecture.md). Pure and deterministic: the same
 * events and jobs always give the same intervals, whatever order they arrived in.
 *
 * - Events are ordered by (at, seq). Each holds from its `at` until the next event's; of two events at
 *   the same instant the later-recorded one wins (the earlier would last zero seconds).
 * - A correction holds its code over [at, until) only, on top of the events; later corrections win.
 * - An interval's job is the job running at its start; its operator comes from the event.
 * - Neighbours with the same code, job and operator are one interval.
 */
export interface ProjectionEvent {
  at: number; // epoch ms
  seq: number; // recording order (the event row id)
  activityCodeId: number;
  operatorId: number | null;
}

export interface ProjectionCorrection {
  at: number;
  until: number;
  seq: number;
  activityCodeId: number;
}

export interface ProjectionJob {
  id: number;
  start: number;
  end: number | null;
}

export interface ProjectedInterval {
  start: number;
  end: number | null; // null = open
  activityCodeId: number;
  jobId: number | null;
  operatorId: number | null;
}

type Piece = { start: number; end: number | null; activityCodeId: number; operatorId: number | null };

export function projectTimeline(
  events: readonly ProjectionEvent[],
  corrections: readonly ProjectionCorrection[],
  jobs: readonly ProjectionJob[],
): ProjectedInterval[] {
  const ordered = [...events].sort((a, b) => a.at - b.at || a.seq - b.seq);
  let pieces: Piece[] = [];
  for (let i = 0; i < ordered.length; i++) {
    const e = ordered[i]!;
    const next = ordered[i + 1];
    const end = next ? next.at : null;
    if (end !== null && end <= e.at) continue; // superseded at the same instant
    pieces.push({ start: e.at, end, activityCodeId: e.activityCodeId, operatorId: e.operatorId });
  }
  for (const c of [...corrections].sort((a, b) => a.seq - b.seq)) pieces = overlay(pieces, c);
  return mergeNeighbours(splitAtJobBoundaries(pieces, jobs));
}

/** Puts a correction's code over [at, until), cutting the pieces it overlaps. Time before the first event stays uncovered. */
function overlay(pieces: Piece[], c: ProjectionCorrection): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const pEnd = p.end ?? Infinity;
    if (pEnd <= c.at || p.start >= c.until) {
      out.push(p);
      continue;
    }
    if (p.start < c.at) out.push({ ...p, end: c.at });
    out.push({ ...p, start: Math.max(p.start, c.at), end: pEnd <= c.until ? p.end : c.until, activityCodeId: c.activityCodeId });
    if (pEnd > c.until) out.push({ ...p, start: c.until });
  }
  return out;
}

/** An interval belongs to one job: cut pieces where a job starts or ends inside them. */
function splitAtJobBoundaries(pieces: Piece[], jobs: readonly ProjectionJob[]): ProjectedInterval[] {
  const cuts = [...new Set(jobs.flatMap((j) => (j.end === null ? [j.start] : [j.start, j.end])))].sort((a, b) => a - b);
  const out: ProjectedInterval[] = [];
  for (const p of pieces) {
    let start = p.start;
    const end = p.end ?? Infinity;
    for (const cut of cuts) {
      if (cut <= start || cut >= end) continue;
      out.push({ start, end: cut, activityCodeId: p.activityCodeId, operatorId: p.operatorId, jobId: jobAt(jobs, start) });
      start = cut;
    }
    out.push({ start, end: p.end, activityCodeId: p.activityCodeId, operatorId: p.operatorId, jobId: jobAt(jobs, start) });
  }
  return out;
}

export function jobAt(jobs: readonly ProjectionJob[], at: number): number | null {
  for (const j of jobs) if (j.start <= at && (j.end === null || at < j.end)) return j.id;
  return null;
}

function mergeNeighbours(intervals: ProjectedInterval[]): ProjectedInterval[] {
  const out: ProjectedInterval[] = [];
  for (const i of intervals) {
    const last = out[out.length - 1];
    if (last && last.end === i.start && sameState(last, i)) last.end = i.end;
    else out.push({ ...i });
  }
  return out;
}

export function sameState(a: Omit<ProjectedInterval, 'start' | 'end'>, b: Omit<ProjectedInterval, 'start' | 'end'>): boolean {
  return a.activityCodeId === b.activityCodeId && a.jobId === b.jobId && a.operatorId === b.operatorId;
}
