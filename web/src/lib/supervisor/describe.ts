/**
 * Words for the supervisors' tools: what a correction moves (from the preview's `moves`, computed on
 * the server by a dry run of the correction, core/state/correction-moves.ts), what an audit entry
 * changed, and which fields of a job form differ from the job. Pure, so unit-tested beside.
 */
import { correctionMoves, type MoveInterval } from '$core/state/correction-moves.js';
import type { Category } from '$core/vocabulary.js';
import { duration } from '../analysis/format';

export interface MoveLike {
  fromActivityCodeId: number;
  fromCategory: Category;
  toActivityCodeId: number;
  toCategory: Category;
  seconds: number;
}

const CATEGORY_WORDS: Record<Category, string> = {
  running: 'running',
  unplanned_stop: 'unplanned stop',
  planned_stop: 'planned stop',
  planned_shutdown: 'planned shutdown',
};

/** "Down (unplanned stop)": a code and its OEE category. */
export function codeWithCategory(name: string, category: Category): string {
  return `${name} (${CATEGORY_WORDS[category]})`;
}

/**
 * The preview sentence: "Moves 1 h 20 min from Down (unplanned stop) to Setup (planned stop)." with
 * one clause per pair of codes, the largest first, as the server ordered them.
 */
export function describeMoves(moves: readonly MoveLike[], codeName: (id: number) => string, options: { past?: boolean } = {}): string {
  if (moves.length === 0) return options.past ? 'Changed no code.' : 'Changes nothing: the span already has this code.';
  const clauses = moves.map(
    (m) =>
      `${duration(m.seconds)} from ${codeWithCategory(codeName(m.fromActivityCodeId), m.fromCategory)} to ${codeWithCategory(codeName(m.toActivityCodeId), m.toCategory)}`,
  );
  const sameCategory = moves.every((m) => m.fromCategory === m.toCategory);
  if (options.past) return `Moved ${joinWords(clauses)}.${sameCategory ? ' The OEE categories stayed the same.' : ''}`;
  return `Moves ${joinWords(clauses)}.${sameCategory ? ' The OEE categories stay the same.' : ''}`;
}

/**
 * What a `timeline.correct` audit entry moved, from its before and after intervals, with the same
 * maths as the preview (core/state/correction-moves.ts). Null when the entry holds no intervals.
 */
export function correctionEntryMoves(before: unknown, after: unknown, categoryOf: (id: number) => Category | undefined): MoveLike[] | null {
  const intervals = (v: unknown) =>
    Array.isArray(v) &&
    v.every(
      (i) =>
        typeof i === 'object' &&
        i !== null &&
        typeof i.start === 'string' &&
        typeof i.end === 'string' &&
        typeof i.activityCodeId === 'number',
    )
      ? (v as MoveInterval[])
      : null;
  const b = intervals(before);
  const a = intervals(after);
  if (!b || !a) return null;
  return correctionMoves(b, a).map((m) => ({
    ...m,
    fromCategory: categoryOf(m.fromActivityCodeId) ?? 'unplanned_stop',
    toCategory: categoryOf(m.toActivityCodeId) ?? 'unplanned_stop',
  }));
}

function joinWords(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** How each audit action reads on the audit screen; others read as "<entity> <verb>". */
const ACTION_WORDS: Record<string, string> = {
  'timeline.correct': 'Corrected the timeline',
  'job.create': 'Added a past job',
  'job.update': 'Edited a job',
  'production.create': 'Added a production record',
  'production.update': 'Edited a production record',
  'production.delete': 'Deleted a production record',
  'events.backdate': 'Back-dated state events',
  'production.backdate': 'Back-dated production',
};

export function actionWords(action: string): string {
  const known = ACTION_WORDS[action];
  if (known) return known;
  const [entity = action, verb = ''] = action.split('.');
  const noun = entity.replace(/[-_]/g, ' ');
  const verbs: Record<string, string> = { create: 'Created', update: 'Edited', delete: 'Deleted', retire: 'Retired', unlock: 'Unlocked' };
  return verb ? `${verbs[verb] ?? verb.charAt(0).toUpperCase() + verb.slice(1)} ${noun}` : noun;
}

export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

const show = (v: unknown): string => {
  if (v === undefined) return '—';
  if (v === null) return 'none';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
};

/**
 * The fields an audit entry's before and after differ in, in the order they appear (after's first).
 * A creation lists what it set, a deletion what it removed. Lists (a correction's intervals) are
 * compared as a whole.
 */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isRecord(before) && !isRecord(after)) {
    return JSON.stringify(before ?? null) === JSON.stringify(after ?? null)
      ? []
      : [{ field: 'value', before: show(before ?? undefined), after: show(after ?? undefined) }];
  }
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => ({ field: k, before: show(b[k]), after: show(a[k]) }));
}

export interface JobLike {
  jobNumber: string;
  start: string;
  end: string | null;
  idealCycleTimeSeconds: number | null;
  good: number;
  rejects: number;
}

/** What a job form changes, for `PATCH /api/v1/jobs/{id}`: only the fields that differ (times compared as instants). */
export function jobPatch(job: JobLike, form: JobLike & { note?: string }): Partial<JobLike> & { note?: string } {
  const patch: Partial<JobLike> & { note?: string } = {};
  if (form.jobNumber.trim() !== job.jobNumber) patch.jobNumber = form.jobNumber.trim();
  if (Date.parse(form.start) !== Date.parse(job.start)) patch.start = form.start;
  if (form.end !== null && job.end !== null && Date.parse(form.end) !== Date.parse(job.end)) patch.end = form.end;
  if (form.idealCycleTimeSeconds !== job.idealCycleTimeSeconds) patch.idealCycleTimeSeconds = form.idealCycleTimeSeconds;
  if (form.good !== job.good) patch.good = form.good;
  if (form.rejects !== job.rejects) patch.rejects = form.rejects;
  if (Object.keys(patch).length && form.note?.trim()) patch.note = form.note.trim();
  return patch;
}
