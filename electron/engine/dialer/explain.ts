/**
 * "Why is this contact not being called now?" answered from the store: the campaign's stored
 * schedule and retry policy (checked with the policy's schemas), the contact's calls and its
 * number's recent calls from any campaign, and the DNC list, judged by the pure policy.
 */
import type { z } from 'zod';

import type { CampaignRecord, ContactRecord, Repositories } from '../store/types.js';
import { ABANDONED_REST_MS } from './abandon.js';
import {
  type Callability,
  callability,
  CallingScheduleSchema,
  DEFAULT_RETRY_POLICY,
  type PolicyCampaign,
  RetryPolicySchema,
} from './policy.js';

/** A campaign whose stored schedule or retry policy the policy cannot use; `field` names the value. */
export class PolicyConfigError extends Error {
  override readonly name = 'PolicyConfigError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * Enough history for the daily cap in any zone (a local day is at most 25 hours and zones run
 * from UTC−12 to UTC+14, so the contact's "today" began less than 36 hours ago) and for the 72 h
 * an abandoned call's number rests (abandon.ts).
 */
export const DAILY_CAP_LOOKBACK_MS = Math.max(36 * 3_600_000, ABANDONED_REST_MS);

function parsed<T extends z.ZodType>(
  schema: T,
  value: unknown,
  column: string,
  campaign: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [column, ...(issue?.path ?? [])].join('.');
  throw new PolicyConfigError(
    `Campaign "${campaign}": ${field}: ${issue?.message ?? 'is invalid'}`,
    field,
  );
}

/** The campaign's policy from its stored JSON; an empty retry policy means the defaults. */
export function campaignPolicy(
  campaign: CampaignRecord & { requireConsent?: boolean },
  listDefaultRegion: string | null,
): PolicyCampaign {
  if (Object.keys(campaign.schedule).length === 0) {
    throw new PolicyConfigError(
      `Campaign "${campaign.name}" has no calling schedule yet: set its weekday windows and time zone`,
      'schedule',
    );
  }
  const schedule = parsed(CallingScheduleSchema, campaign.schedule, 'schedule', campaign.name);
  const retry =
    Object.keys(campaign.retryPolicy).length === 0
      ? DEFAULT_RETRY_POLICY
      : parsed(RetryPolicySchema, campaign.retryPolicy, 'retryPolicy', campaign.name);
  return {
    id: campaign.id,
    schedule,
    retry,
    listDefaultRegion,
    agentReserved: campaign.dialingMode === 'progressive',
    requireConsent: campaign.requireConsent === true,
  };
}

export async function explainContact(
  store: Repositories,
  campaign: CampaignRecord & { requireConsent?: boolean },
  contact: ContactRecord,
  now: Date,
): Promise<Callability> {
  const list = (await store.contacts.lists()).find((l) => l.id === contact.listId) ?? null;
  const policy = campaignPolicy(campaign, list?.defaultRegion ?? null);
  const [onDnc, attempts, enrolled] = await Promise.all([
    store.dnc.has(contact.phone),
    store.calls.attemptHistory({
      contactId: contact.id,
      number: contact.phone,
      since: now.getTime() - DAILY_CAP_LOOKBACK_MS,
    }),
    store.campaignContacts.contact(campaign.id, contact.id),
  ]);
  const callbackAt = enrolled?.status === 'pending' ? enrolled.callbackAt : null;
  return callability(
    {
      id: contact.id,
      phone: contact.phone,
      timeZone: contact.timeZone,
      consentAt: contact.consentAt,
    },
    policy,
    { onDnc, attempts, callbackAt },
    now,
  );
}
