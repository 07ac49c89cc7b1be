/**
 * Phone numbers as the dialer compares them: E.164 (+8613800138000), so a DNC entry typed as
 * "138 0013 8000" blocks a contact imported as "+86 138-0013-8000". The reading is the contact
 * import's own (engine/contacts/phone.ts), on purpose: the DNC check only works when both sides
 * normalize a number the same way.
 */
import type { CountryCode } from 'libphonenumber-js';

import { isKnownRegion, normalizePhone } from '../contacts/phone.js';

export { normalizePhone };

/** Throws when the region is not a two-letter code libphonenumber knows (a usage mistake, not a bad number). */
export function assertRegion(region: string): CountryCode {
  const upper = region.toUpperCase();
  if (!/^[A-Z]{2}$/.test(upper) || !isKnownRegion(upper))
    throw new Error(`must be a two-letter region code such as CN or US (got "${region}")`);
  return upper;
}
