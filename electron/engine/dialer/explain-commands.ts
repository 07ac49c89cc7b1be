/** The API's campaigns.explain over the store and the dialer's policy. */
import type { ExplainedReason } from '../api/dialer.js';
import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import type { Store } from '../store/types.js';
import { explainContact, PolicyConfigError } from './explain.js';
import { assertRegion, normalizePhone } from './phone.js';
import { describeReason, type NotCallableReason } from './policy.js';

function toExplained(reason: NotCallableReason): ExplainedReason {
  const data: ExplainedReason['data'] = {};
  for (const [key, value] of Object.entries(reason)) {
    if (key === 'code') continue;
    data[key] = value instanceof Date ? value.getTime() : (value as string | number | null);
  }
  return { code: reason.code, text: describeReason(reason), data };
}

export function explainCommandHandlers(
  store: Store,
  now: () => number = Date.now,
): Pick<CommandHandlers, 'campaigns.explain'> {
  return {
    'campaigns.explain': async ({ campaign: name, phone }) => {
      // The dialing record: it carries requireConsent beside the schedule and retry policy.
      const campaign = await store.campaignContacts.getCampaignByName(name);
      if (!campaign) throw new ApiError('NOT_FOUND', `No campaign named "${name}"`);
      if (campaign.listId === null)
        throw new ApiError('CONFLICT', `Campaign "${name}" has no contact list yet`);
      const list = (await store.contacts.lists()).find((l) => l.id === campaign.listId);
      const normalized = normalizePhone(phone, assertRegion(list?.defaultRegion ?? 'CN'));
      if (!normalized.ok)
        throw new ApiError('INVALID_PARAMS', `phone: ${normalized.reason}`, 'phone');
      const contact = await store.contacts.contactByPhone(campaign.listId, normalized.e164);
      if (!contact)
        throw new ApiError(
          'NOT_FOUND',
          `No contact ${normalized.e164} in the list of campaign "${name}"`,
        );
      try {
        const verdict = await explainContact(store, campaign, contact, new Date(now()));
        if (verdict.callable)
          return { callable: true, zone: verdict.zone, reasons: [], nextEligibleAt: null };
        return {
          callable: false,
          zone: verdict.zone,
          reasons: verdict.reasons.map(toExplained),
          nextEligibleAt: verdict.nextEligibleAt?.getTime() ?? null,
        };
      } catch (error) {
        // The campaign's stored settings are at fault, not the request: say which value.
        if (error instanceof PolicyConfigError)
          throw new ApiError('CONFLICT', error.message, undefined, { field: error.field });
        throw error;
      }
    },
  };
}
