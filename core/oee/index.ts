export { computeOee, deriveRatios } from './oee.js';
export { computeElements, emptyElements, planningSpan, sumElements } from './elements.js';
export { legacyActivityDurations, type LegacyDurationsInput } from './legacy-durations.js';
export { OEE_ELEMENT_KEYS } from './oee-types.js';
export type {
  JobSpan,
  LossElement,
  OeeElements,
  OeeInput,
  OeeResult,
  OeeWarning,
  PlannedTime,
  ProductionRecord,
  StateInterval,
} from './oee-types.js';
