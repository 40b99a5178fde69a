/**
 * The OEE target a result is measured against (docs/oee.md "Targets"): the machine's own, else its
 * group's, else the site's (`oeeTarget` of the set-up), else 0.85. The one home of this rule: the OEE
 * answers, the wall and the trends all take their target from here.
 */
export const DEFAULT_OEE_TARGET = 0.85;

export interface TargetLevels {
  machine?: number | null;
  group?: number | null;
  site?: number | null;
}

/** The first target set, from the machine up to the site; `DEFAULT_OEE_TARGET` when none is. */
export function effectiveOeeTarget(levels: TargetLevels): number {
  return levels.machine ?? levels.group ?? levels.site ?? DEFAULT_OEE_TARGET;
}

/** Whether an OEE (0..1) is below its target; a result without OEE (no planned time) is not. */
export function belowTarget(oee: number | null | undefined, target: number): boolean {
  return oee !== null && oee !== undefined && oee < target;
}

/** How a target reads on the trends and the wall: `Target 85 %` (a tenth of a percent when it has one: `Target 87.5 %`). */
export function targetLabel(target: number): string {
  return `Target ${Math.round(target * 1000) / 10} %`;
}
