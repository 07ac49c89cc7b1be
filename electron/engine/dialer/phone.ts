/**
 * Phone numbers as the dialer compares them: E.164 (+8613800138000), so a DNC entry typed as
 * "138 0013 8000" blocks a contact imported as "+86 138-0013-8000". libphonenumber-js carries
 * Google's per-country numbering metadata; hand-written rules would let national formats slip.
 */
import { parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js';

export type NormalizedPhone = { ok: true; e164: string } | { ok: false; reason: string };

const REGION = /^[A-Z]{2}$/;

/** Throws when the region is not a two-letter code libphonenumber knows (a usage mistake, not a bad number). */
export function assertRegion(region: string): CountryCode {
  const upper = region.toUpperCase();
  if (!REGION.test(upper) || validatePhoneNumberLength('123456', upper as CountryCode) === 'INVALID_COUNTRY') {
    throw new Error(`must be a two-letter region code such as CN or US (got "${region}")`);
  }
  return upper as CountryCode;
}

/** A number written any common way, read with `region` when it has no country code. */
export function normalizePhone(input: string, region: CountryCode): NormalizedPhone {
  const text = input.trim();
  if (text === '') return { ok: false, reason: 'empty' };
  if (/[A-Za-z]/.test(text.replace(/\s*(?:ext\.?|x)\s*\d+$/i, ''))) return { ok: false, reason: `not a phone number: "${text}"` };
  const tooShortOrLong = validatePhoneNumberLength(text, region);
  if (tooShortOrLong === 'TOO_SHORT') return { ok: false, reason: `too short for a phone number: "${text}"` };
  if (tooShortOrLong === 'TOO_LONG') return { ok: false, reason: `too long for a phone number: "${text}"` };
  const parsed = parsePhoneNumberFromString(text, region);
  if (!parsed) return { ok: false, reason: `not a phone number: "${text}"` };
  if (!parsed.isValid()) return { ok: false, reason: `not a valid number in ${parsed.country ?? region} (+${parsed.countryCallingCode}): "${text}"` };
  return { ok: true, e164: parsed.number };
}
