export { computeOee, deriveRatios } from './oee.js';
export { computeElements, emptyElements, sumElements } from './elements.js';
export { legacyActivityDurations } from './legacy-durations.js';
export { OEE_ELEMENT_KEYS } from './oee-types.js';
export type { JobSpan, LossElement, OeeElements, OeeInput, OeeResult, ProductionRecord, StateInterval } from './oee-types.js';
