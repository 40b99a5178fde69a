export {
  levelAt,
  matchStopRules,
  nextLevelDue,
  ruleCovers,
  stopEndedAt,
  type MachineNowState,
  type StopMatch,
  type StopRule,
} from './stop-rules.js';
export { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER, verifyWebhook } from './signature.js';
export { MAX_DELIVERY_ATTEMPTS, retryDelayMs } from './retry.js';
