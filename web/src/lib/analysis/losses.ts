// Type-only imports from $core and a relative one for the labels: this file runs in the unit tests too, which
// know no SvelteKit aliases.
import type { DowntimeCause } from '$core/vocabulary.js';
import { categoryLabels, causeColours, causeLabels } from '../categories';
import type { OeeResult } from './api';
import type { ActivityCode } from './types';

/** One bar of the loss Pareto: a code, or a downtime cause with its codes summed. */
export interface LossBar {
  key: string;
  name: string;
  colour: string;
  /** The code's category, or the categories of the cause's codes, in words. */
  detail: string;
  seconds: number;
  occurrences: number;
}

export type LossGrouping = 'code' | 'cause';

/**
 * The bars of the loss Pareto from an OEE result's `losses` (docs/oee.md "Losses"): one per code (its
 * unplanned and planned parts together) or one per downtime cause (docs/oee.md "Downtime causes"), only
 * those with time or occurrences, in no particular order. `cause` keeps only the codes of that cause. A code
 * the page does not know (deleted since? never) counts as `other`.
 */
export function lossBars(
  losses: OeeResult['losses'],
  codes: Map<number, ActivityCode>,
  grouping: LossGrouping,
  cause: DowntimeCause | null = null,
): LossBar[] {
  const bars = new Map<string, LossBar & { categories: Set<string> }>();
  for (const l of losses) {
    const code = codes.get(l.activityCodeId);
    const codeCause = code?.cause ?? 'other';
    if (cause !== null && codeCause !== cause) continue;
    const key = grouping === 'code' ? String(l.activityCodeId) : codeCause;
    const bar = bars.get(key) ?? {
      key,
      name: grouping === 'code' ? (code?.shortDescription ?? `Code ${l.activityCodeId}`) : causeLabels[codeCause],
      colour: grouping === 'code' ? (code?.colour ?? '#9aa0a6') : causeColours[codeCause],
      detail: '',
      seconds: 0,
      occurrences: 0,
      categories: new Set<string>(),
    };
    bar.seconds += l.seconds;
    bar.occurrences += l.occurrences;
    bar.categories.add(categoryLabels[code?.category ?? l.category] ?? l.category);
    bars.set(key, bar);
  }
  return [...bars.values()]
    .filter((b) => b.seconds > 0 || b.occurrences > 0)
    .map(({ categories, ...bar }) => ({ ...bar, detail: [...categories].join(', ') }));
}

/** Seconds lost per cause (every cause, zero included), for tables. */
export function secondsByCause(losses: OeeResult['losses'], codes: Map<number, ActivityCode>): Record<DowntimeCause, number> {
  const out = Object.fromEntries(Object.keys(causeLabels).map((c) => [c, 0])) as Record<DowntimeCause, number>;
  for (const l of losses) out[codes.get(l.activityCodeId)?.cause ?? 'other'] += l.seconds;
  return out;
}
