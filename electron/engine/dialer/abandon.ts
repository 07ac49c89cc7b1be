/**
 * Abandoned calls: a call answered by a person that finds no agent within 2 s is abandoned. It
 * hears a short information message (who called, and how to stop the calls), is stored with the
 * outcome `abandoned` and the reason, and its number rests 72 h (policy.ts) unless a campaign
 * reserves an agent for it.
 *
 * The 2 s run from the answer here, not from the end of the customer's greeting (which the engine
 * does not detect on this path): stricter than the rule, never looser. The campaign's message texts
 * and their defaults are in the API (api/campaigns.ts PredictiveSettingsSchema).
 */

/** A person answered and no agent took the call within this long: abandoned. */
export const ABANDON_AFTER_MS = 2_000;

/** An abandoned call's number is not called again for this long, unless an agent is reserved. */
export const ABANDONED_REST_MS = 72 * 3_600_000;

/** The message's text for a campaign: its own or the default, with `{campaign}` filled in. */
export function abandonMessageText(template: string, campaignName: string): string {
  return template.replaceAll('{campaign}', campaignName).trim();
}
