/** The API's campaigns.explain over the store and the dialer's policy. */
import type { ExplainedReason } from '../api/dialer.js';
import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import { Masker } from '../privacy/index.js';
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

const EXPLAIN_PAGE = 5_000;

/**
 * The list's number that shows as `masked` (138****5678, the console's masked view), or a clear
 * refusal when none or several do (several numbers can share a masked form: type it in full).
 */
async function unmaskedPhone(store: Store, listId: number, masked: string): Promise<string> {
  const m = new Masker({ names: true, amounts: false });
  const found = new Set<string>();
  for (let offset = 0; ; offset += EXPLAIN_PAGE) {
    const page = await store.contacts.contacts(listId, { limit: EXPLAIN_PAGE, offset });
    for (const c of page) if (m.phone(c.phone) === masked) found.add(c.phone);
    if (page.length < EXPLAIN_PAGE) break;
  }
  const [only] = found;
  if (found.size === 1 && only !== undefined) return only;
  throw new ApiError(
    found.size === 0 ? 'NOT_FOUND' : 'CONFLICT',
    found.size === 0
      ? `No contact shows as ${masked} in this campaign's list`
      : `${found.size} contacts show as ${masked}: type the full number`,
    'phone',
  );
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
      // The console shows numbers masked (privacy/): a masked number names the contact it masks.
      if (phone.includes('*')) phone = await unmaskedPhone(store, campaign.listId, phone);
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
