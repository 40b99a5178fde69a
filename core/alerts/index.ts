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
export { ruleInScope, type AlertMatch, type RuleScope } from './match.js';
export { matchDeviceSilent } from './device-silent.js';
export { matchReasonDebt, reasonDebtEndedAt, type OpenDebt } from './reason-debt-rule.js';
export {
  DEFAULT_OEE_TARGET,
  effectiveOeeTarget,
  matchOeeBelowTarget,
  oeeAlertEndedAt,
  oeeForTarget,
  ruleTarget,
  type MachineShiftOee,
  type OeeRule,
} from './oee-below-target.js';
