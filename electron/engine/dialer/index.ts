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

export { Dialer } from './dialer.js';
export { parseDncFile } from './dnc-file.js';
export { assertRegion } from './phone.js';
