/**
 * The dialer: which contact to call next and why another is not called now.
 *
 * So far the compliance policy (calling windows in the contact's time zone, excluded dates,
 * retries per outcome, the per-number daily cap, DNC), pure and clock-injected so every decision
 * can be replayed and explained; and phone-number normalization for the DNC list. Leasing and
 * the campaign loop come next and import from here.
 */
export {
  CallingScheduleSchema,
  RetryPolicySchema,
  DEFAULT_RETRY_POLICY,
  WEEKDAY_KEYS,
  callability,
  contactTimeZone,
  describeReason,
  nextWindowStart,
  regionTimeZone,
  type Callability,
  type CallingSchedule,
  type NotCallableReason,
  type PolicyAttempt,
  type PolicyCampaign,
  type PolicyContact,
  type PolicyHistory,
  type RetryPolicy,
  type WeekdayKey,
} from './policy.js';
export { assertRegion, normalizePhone, type PhoneResult } from './phone.js';
export { DncFileError, parseDncFile, type DncFileEntry, type DncFileRejection, type DncFileResult } from './dnc-file.js';
export { dncCommandHandlers, type DncCommandDeps } from './dnc-commands.js';
export { campaignPolicy, explainContact, PolicyConfigError } from './explain.js';
export { explainCommandHandlers } from './explain-commands.js';
