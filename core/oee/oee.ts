/**
 * OEE (docs/oee.md): the one place availability, performance, quality, OEE and TEEP are computed.
 * `computeElements` gives the additive seconds and counts, `deriveRatios` divides them. Roll-ups
 * (machines → group → site, hours → days → weeks) sum elements with `sumElements` first, then call
 * `deriveRatios` once: never average ratios.
 */
import { computeElements } from './elements.js';
import type { OeeElements, OeeInput, OeeResult, OeeWarning } from './oee-types.js';

/** Performance above this is reported with a warning (a hair above 1 so float noise does not warn). */
const PERFORMANCE_WARNING_ABOVE = 1 + 1e-9;

/** One machine's OEE result over [input.from, input.to). */
export function computeOee(input: OeeInput): OeeResult {
  return deriveRatios(computeElements(input), input.from, input.to);
}

/**
 * The result shape from (summed) elements. `from`/`to` are reported as requested (not clipped to
 * now); clipping shows in `calendarSeconds`. Ratios are fractions, null when their denominator is 0.
 */
export function deriveRatios(elements: OeeElements, from: Date, to: Date): OeeResult {
  const e = elements;
  const availability = ratio(e.runSeconds, e.plannedProductionSeconds);
  const performance = ratio(e.idealSeconds, e.ratedRunSeconds);
  const quality = ratio(e.goodCount, e.totalCount);
  const oee = availability === null || performance === null || quality === null ? null : availability * performance * quality;
  const loading = ratio(e.plannedProductionSeconds, e.calendarSeconds);
  const teep = oee === null || loading === null ? null : oee * loading;
  const warnings: OeeWarning[] = performance !== null && performance > PERFORMANCE_WARNING_ABOVE ? ['idealCycleTimeTooSlow'] : [];
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    calendarSeconds: e.calendarSeconds,
    plannedWindowSeconds: e.plannedWindowSeconds,
    plannedShutdownSeconds: e.plannedShutdownSeconds,
    plannedProductionSeconds: e.plannedProductionSeconds,
    runSeconds: e.runSeconds,
    overtimeSeconds: e.overtimeSeconds,
    unplannedStopSeconds: e.unplannedStopSeconds,
    plannedStopSeconds: e.plannedStopSeconds,
    smallStopSeconds: e.smallStopSeconds,
    ratedRunSeconds: e.ratedRunSeconds,
    idealSeconds: e.idealSeconds,
    fullyProductiveSeconds: e.fullyProductiveSeconds,
    totalCount: e.totalCount,
    goodCount: e.goodCount,
    rejectCount: e.rejectCount,
    unplannedStopCount: e.unplannedStopCount,
    mtbfSeconds: ratio(e.runSeconds, e.unplannedStopCount),
    mttrSeconds: ratio(e.unplannedStopSeconds, e.unplannedStopCount),
    availability,
    performance,
    quality,
    oee,
    teep,
    losses: e.losses.map((l) => ({ ...l })),
    warnings,
  };
}

/** numerator / denominator, null for a zero (or negative) denominator; never negative. */
function ratio(numerator: number, denominator: number): number | null {
  if (!(denominator > 0)) return null;
  return Math.max(0, numerator) / denominator;
}
