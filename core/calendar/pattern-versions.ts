/**
 * Versions of a shift pattern (docs/oee.md#shift-pattern-versions). An edit of a pattern's shifts or
 * exceptions takes effect from a local date: every day from it on has the new shifts, every day
 * before it keeps the version it had. A pattern is stored as its latest version (`shifts`,
 * `exceptions`, `effectiveFrom`) plus the versions before it (`earlierVersions`, oldest first).
 * A shift belongs to the day it starts on, so the version of a shift is the one in force on that day.
 * Pure: no I/O, no clock.
 */
import type { ShiftPattern } from '../schemas/setup.schema.js';

type Shifts = ShiftPattern['shifts'];
type Exceptions = ShiftPattern['exceptions'];

/** One version: in force from `from` (a local date YYYY-MM-DD; null = since always) until the next one's `from`. */
export interface PatternVersion {
  from: string | null;
  shifts: Shifts;
  exceptions: Exceptions;
}

/** A pattern as stored: its latest version and the versions before it. */
export interface VersionedPattern {
  shifts: Shifts;
  exceptions: Exceptions;
  /** The local date the latest version takes effect; null = it has always been in force. */
  effectiveFrom: string | null;
  /** The versions before the latest, oldest first; the first one's `from` is null. */
  earlierVersions: PatternVersion[];
}

/** What the calendar needs of a pattern: a stored one, or bare shifts (a pattern that never changed). */
export interface PatternInput {
  shifts: Shifts;
  exceptions?: Exceptions | undefined;
  effectiveFrom?: string | null | undefined;
  earlierVersions?: readonly PatternVersion[] | undefined;
}

/** A version ready for the calendar: exceptions by date. */
export interface ResolvedVersion {
  from: string | null;
  shifts: Shifts;
  exceptions: Map<string, Exceptions[number]['shifts']>;
}

/** Every version of a pattern, oldest first, with exceptions by date. */
export function resolveVersions(pattern: PatternInput): ResolvedVersion[] {
  const resolve = (v: { from: string | null; shifts: Shifts; exceptions?: Exceptions | undefined }): ResolvedVersion => ({
    from: v.from,
    shifts: v.shifts,
    exceptions: new Map((v.exceptions ?? []).map((e) => [e.date, e.shifts])),
  });
  const latest = resolve({ from: pattern.effectiveFrom ?? null, shifts: pattern.shifts, exceptions: pattern.exceptions });
  return [...(pattern.earlierVersions ?? []).map(resolve), latest];
}

/**
 * The version in force on the local date `date` (YYYY-MM-DD, so strings compare as dates): the last
 * one that starts on or before it. A date before every version (not stored: the first has no start)
 * gets the first.
 */
export function versionOn<V extends { from: string | null }>(versions: readonly V[], date: string): V {
  for (let i = versions.length - 1; i > 0; i--) {
    const from = versions[i]!.from;
    if (from === null || from <= date) return versions[i]!;
  }
  return versions[0]!;
}

/**
 * The pattern after an edit of its shifts and exceptions that takes effect on `effectiveFrom`: the
 * versions starting on or after that date are replaced by the edit, the one in force the day before
 * ends there (its exceptions are cut to the days it is in force: the others can never apply), and
 * the earlier ones are kept as they are. An edit that changes nothing returns the pattern as it is.
 */
export function applyEdit(
  pattern: VersionedPattern,
  edit: { shifts: Shifts; exceptions: Exceptions },
  effectiveFrom: string,
): VersionedPattern {
  const latestFrom = pattern.effectiveFrom;
  if ((latestFrom === null || latestFrom <= effectiveFrom) && sameContent(pattern, edit)) return pattern;
  const all: PatternVersion[] = [...pattern.earlierVersions, { from: latestFrom, shifts: pattern.shifts, exceptions: pattern.exceptions }];
  // The first version has no start, so at least it is kept.
  const kept = all.filter((v, i) => i === 0 || (v.from !== null && v.from < effectiveFrom));
  const closed = kept.map((v, i) =>
    i < kept.length - 1
      ? v
      : { ...v, exceptions: v.exceptions.filter((e) => (v.from === null || e.date >= v.from) && e.date < effectiveFrom) },
  );
  return { shifts: edit.shifts, exceptions: edit.exceptions, effectiveFrom, earlierVersions: closed };
}

/** Every version with the day it ends before (`until`, exclusive; null for the latest), oldest first. */
export function listVersions(pattern: VersionedPattern): (PatternVersion & { until: string | null })[] {
  const all: PatternVersion[] = [
    ...pattern.earlierVersions,
    { from: pattern.effectiveFrom, shifts: pattern.shifts, exceptions: pattern.exceptions },
  ];
  return all.map((v, i) => ({ ...v, until: all[i + 1]?.from ?? null }));
}

function sameContent(a: { shifts: Shifts; exceptions: Exceptions }, b: { shifts: Shifts; exceptions: Exceptions }): boolean {
  return canonical([a.shifts, a.exceptions]) === canonical([b.shifts, b.exceptions]);
}

/** JSON with object keys sorted: a pattern read back from jsonb has its keys in another order than it was written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
