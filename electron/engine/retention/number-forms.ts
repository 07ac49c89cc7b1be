/**
 * One person's number in every form it may be stored or written in: E.164 (+8613812345678), the
 * digits with and without the country code (8613812345678, 13812345678), the national format
 * (138 1234 5678, (201) 555-0123), with dashes, with 00 for the plus. `mentionsNumber` and
 * `scrubNumber` find it inside free text (transcripts, notes, audit details, log lines) by reading
 * every run of digits and separators, so a format not listed here is found too.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';

export interface NumberForms {
  e164: string;
  /** The national significant number's digits (13812345678; 2015550123). */
  national: string;
  /** The country calling code's digits (86; 1). */
  countryCode: string;
  /** Literal strings as they may be stored or typed (E.164 first). */
  literals: string[];
}

export const ERASED = '[erased]';

export function numberForms(e164: string): NumberForms {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) throw new Error(`"${e164}" is not an E.164 number`);
  const national = String(parsed.nationalNumber);
  const countryCode = String(parsed.countryCallingCode);
  const nationalFormat = parsed.formatNational();
  const international = parsed.formatInternational();
  const literals = new Set<string>([
    parsed.number,
    `${countryCode}${national}`,
    `00${countryCode}${national}`,
    national,
    nationalFormat,
    nationalFormat.replace(/\s/g, '-'),
    nationalFormat.replace(/[()]/g, '').replace(/\s+/g, '-'),
    nationalFormat.replace(/\D/g, ''),
    international,
    international.replace(/\s/g, '-'),
  ]);
  // Chinese mobile numbers are also written 3-4-4 with dashes or spaces.
  if (countryCode === '86' && national.length === 11) {
    literals.add(`${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`);
    literals.add(`${national.slice(0, 3)}-${national.slice(3, 7)}-${national.slice(7)}`);
  }
  return { e164: parsed.number, national, countryCode, literals: [...literals] };
}

// Digits with the separators people put between them; at least 6 characters long.
const DIGIT_RUN = /\+?[0-9](?:[0-9 \-.()\u00a0]{4,}[0-9])/g;

function isTheNumber(run: string, forms: NumberForms): boolean {
  let digits = run.replace(/\D/g, '');
  if (digits.startsWith('00')) digits = digits.slice(2);
  if (digits === forms.national) return true;
  if (digits === `${forms.countryCode}${forms.national}`) return true;
  // A trunk prefix (0 in many countries) before the national number.
  return digits === `0${forms.national}`;
}

/** Every span of `text` that is the number, in any of its forms. */
function spans(text: string, forms: NumberForms): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const match of text.matchAll(DIGIT_RUN)) {
    const run = match[0];
    const start = match.index;
    if (isTheNumber(run, forms)) {
      found.push([start, start + run.length]);
      continue;
    }
    // The run may hold more than the number (a date, another number beside it): look inside it.
    const digitsOnly = run.replace(/\D/g, '');
    if (digitsOnly.length <= forms.national.length) continue;
    for (const literal of forms.literals) {
      let at = run.indexOf(literal);
      while (at >= 0) {
        found.push([start + at, start + at + literal.length]);
        at = run.indexOf(literal, at + literal.length);
      }
    }
  }
  return found;
}

export function mentionsNumber(text: string, forms: NumberForms): boolean {
  return spans(text, forms).length > 0;
}

/** `text` with every occurrence of the number replaced by "[erased]". */
export function scrubNumber(text: string, forms: NumberForms): string {
  const found = spans(text, forms).sort((a, b) => a[0] - b[0]);
  if (found.length === 0) return text;
  let out = '';
  let from = 0;
  for (const [start, end] of found) {
    if (start < from) continue;
    out += text.slice(from, start) + ERASED;
    from = end;
  }
  return out + text.slice(from);
}

/** The last four digits: a cheap prefilter every form of the number contains contiguously. */
export function lastDigits(forms: NumberForms): string {
  return forms.national.slice(-4);
}

/**
 * JSON text (audit details, call event data, contact fields) with the number scrubbed from every
 * string and every number value, so the result is still valid JSON.
 */
export function scrubJson(text: string, forms: NumberForms): string {
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return scrubNumber(value, forms);
    if (typeof value === 'number') return mentionsNumber(String(value), forms) ? ERASED : value;
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [scrubNumber(k, forms), walk(v)]),
      );
    return value;
  };
  return JSON.stringify(walk(JSON.parse(text)));
}
