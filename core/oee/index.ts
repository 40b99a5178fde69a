export { computeOee, deriveRatios } from './oee.js';
export { computeColumnElements, computeElements, ElementsSum, emptyElements, sumElements, type ColumnInput } from './elements.js';
export { allocateColumns, CATEGORY_INDEX, toColumns, toIntervals, type IntervalColumns } from './interval-columns.js';
export { legacyActivityDurations } from './legacy-durations.js';
export { OEE_ELEMENT_KEYS } from './oee-types.js';
export type { JobSpan, LossElement, OeeElements, OeeInput, OeeResult, ProductionRecord, StateInterval } from './oee-types.js';
export { belowTarget, DEFAULT_OEE_TARGET, effectiveOeeTarget, targetLabel, type TargetLevels } from './target.js';
export { computeWindowElements, type SweepInput } from './window-sweep.js';
export { lowerBound } from './time-ranges.js';
