/**
 * Phone numbers as people type them into spreadsheets → E.164 (+8613800138000), with
 * libphonenumber-js's full metadata ("max"), which checks the number ranges each country actually
 * uses, not only the length: a list full of numbers nobody can have would waste dial attempts.
 */
import {
  type CountryCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

const LENGTH_REASONS: Record<string, string> = {
  TOO_SHORT: 'too short',
  TOO_LONG: 'too long',
  INVALID_LENGTH: 'wrong length',
  INVALID_COUNTRY: 'unknown country code',
  NOT_A_NUMBER: 'not a phone number',
};

/** True when `region` is a two-letter region libphonenumber knows (CN, US, GB…). */
export function isKnownRegion(region: string): region is CountryCode {
  return isSupportedCountry(region);
}

/**
 * `raw` as typed (spaces, dashes, dots, brackets, full-width digits, +86 / 0086 prefixes, an
 * Excel-style leading apostrophe); numbers without a country code are read in `region`.
 */
export function normalizePhone(raw: string, region: CountryCode): PhoneResult {
  // NFKC turns full-width digits and plus signs (１３８, ＋) into ASCII ones.
  let text = raw.normalize('NFKC').trim().replace(/^'/, '');
  if (text === '') return { ok: false, reason: 'no phone number' };
  // Spreadsheets that stored the number as a number may show it in scientific notation.
  if (/^\d(\.\d+)?E\+\d+$/i.test(text))
    return {
      ok: false,
      reason: `invalid phone number "${raw}" (stored by the spreadsheet as a rounded number)`,
    };
  // "0086…" is the international prefix written out; libphonenumber only reads it from some regions.
  text = text.replace(/^00(?=[1-9])/, '+');
  const parsed = parsePhoneNumberFromString(text, region);
  if (parsed?.isValid()) return { ok: true, e164: parsed.number };
  const length = validatePhoneNumberLength(text, region);
  const why = length ? (LENGTH_REASONS[length] ?? length.toLowerCase()) : 'not a number in use';
  return { ok: false, reason: `invalid phone number "${raw}" (${why})` };
}
