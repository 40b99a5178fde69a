import { DateTime } from 'luxon';
import type { z } from 'zod';
import type { shiftPatternImpactSchema, shiftPatternVersionSchema } from '$core/schemas/setup.schema.js';

/** What an edit would change (POST /shift-patterns/{id}/impact) and a pattern's versions, as the API answers them. */
export type Impact = z.infer<typeof shiftPatternImpactSchema>;
export type Version = z.infer<typeof shiftPatternVersionSchema>;

/** Today in the site's zone (YYYY-MM-DD): where an edit takes effect unless the admin picks another day. */
export function todayIn(zone: string, nowMs = Date.now()): string {
  return DateTime.fromMillis(nowMs, { zone }).toISODate()!;
}

/** "Mon 6 May 2026". */
export function formatDate(date: string): string {
  return DateTime.fromISO(date).toFormat('ccc d LLL yyyy');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The impact in one sentence, e.g. "Planned time changes on 3 days with history (Wed 6 May 2026 – Fri 8 May 2026) on 1 machine (Press 1)." */
export function impactSentence(impact: Impact): string {
  const machines = impact.machines.length
    ? `${plural(impact.machines.length, 'machine')} (${impact.machines
        .slice(0, 5)
        .map((m) => m.name)
        .join(', ')}${impact.machines.length > 5 ? ', …' : ''})`
    : 'no machine (none uses this pattern)';
  if (impact.days === 0) {
    const when =
      impact.effectiveFrom > impact.today ? `It applies from ${formatDate(impact.effectiveFrom)}` : 'No day with history changes';
    return `${when}; it concerns ${machines}.`;
  }
  const span =
    impact.firstDay === impact.lastDay ? formatDate(impact.firstDay!) : `${formatDate(impact.firstDay!)} – ${formatDate(impact.lastDay!)}`;
  return `Planned time changes on ${plural(impact.days, 'day')} with history (${span}) on ${machines}; their OEE is recomputed.`;
}

/** "Since always – Tue 5 May 2026", "From Wed 6 May 2026". */
export function versionSpan(v: Version): string {
  const until = v.until === null ? null : DateTime.fromISO(v.until).minus({ days: 1 }).toISODate()!;
  if (v.from === null) return until === null ? 'Always' : `Until ${formatDate(until)}`;
  return until === null ? `From ${formatDate(v.from)}` : `${formatDate(v.from)} – ${formatDate(until)}`;
}
