/**
 * The dialer: campaigns, which contact to call next, and why another is not called now.
 *
 * - policy.ts: the compliance policy (calling windows in the contact's time zone, excluded dates,
 *   retries per outcome, callbacks, the per-number daily cap, DNC), pure and clock-injected so
 *   every decision can be replayed and explained (explain.ts, `campaigns.explain`).
 * - dialer.ts: the loop that judges due contacts and leases the callable ones with their call rows
 *   in one transaction, places them through a DialerLine, settles ended calls, recovers after a crash.
 * - campaign-service.ts: the campaigns.* commands and the throttled `campaign.updated` event.
 * - ports.ts: AgentCapacity and DialerLine; telephony-line.ts is the engine's line (telephony + bot);
 *   routing/ supplies the agent capacity for progressive and power pacing.
 */
export { CampaignService, type CampaignServiceOptions } from './campaign-service.js';
export { Dialer, type DialerOptions, type PassResult, settlementFor } from './dialer.js';
export { type DncCommandDeps, dncCommandHandlers } from './dnc-commands.js';
export {
  type DncFileEntry,
  DncFileError,
  type DncFileRejection,
  type DncFileResult,
  parseDncFile,
} from './dnc-file.js';
export { campaignPolicy, explainContact, PolicyConfigError } from './explain.js';
export { explainCommandHandlers } from './explain-commands.js';
export { assertRegion, normalizePhone, type PhoneResult } from './phone.js';
export {
  type Callability,
  callability,
  type CallingSchedule,
  CallingScheduleSchema,
  contactTimeZone,
  DEFAULT_RETRY_POLICY,
  describeReason,
  nextWindowStart,
  type NotCallableReason,
  type PolicyAttempt,
  type PolicyCampaign,
  type PolicyContact,
  type PolicyHistory,
  regionTimeZone,
  type RetryPolicy,
  RetryPolicySchema,
  WEEKDAY_KEYS,
  type WeekdayKey,
} from './policy.js';
export {
  type AgentCapacity,
  type DialerLine,
  DialRefusedError,
  type DialRequest,
  NO_AGENTS,
} from './ports.js';
export { type AgentHandoff, TelephonyLine } from './telephony-line.js';
