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
export { Dialer, settlementFor, type DialerOptions, type PassResult } from './dialer.js';
export { CampaignService, type CampaignServiceOptions } from './campaign-service.js';
export { DialRefusedError, NO_AGENTS, type AgentCapacity, type DialerLine, type DialRequest } from './ports.js';
export { TelephonyLine, type AgentHandoff } from './telephony-line.js';
