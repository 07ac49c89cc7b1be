/**
 * Maskers: how a value found by detect.ts is shown once masked, following common practice in
 * China's call centers and banks:
 * - mobile: first 3 and last 4 digits (138****5678);
 * - other phone numbers: first 3 and last 4 when there are at least 10 digits (010****5678),
 *   else only the last 2;
 * - bank card: first 6 (the issuer's BIN) and last 4 (622202******1234);
 * - 身份证: first 6 (the region code) and last 4 (sequence and check character), so the birth date
 *   (characters 7–14) is never shown: 110101********123X. (Some systems show only the first and
 *   last character; first 6 + last 4 is what banks print on statements, and what we chose.)
 * - e-mail: the first character of the local part and the whole domain (a***@example.com);
 * - amount: *** (the currency sign or unit around it stays in the text).
 * Names (maskName) keep the first and last character of each word.
 */
import { type DetectOptions, findPersonalData, type PersonalDataKind } from './detect.js';

const stars = (n: number): string => '*'.repeat(Math.max(1, n));

function keepEnds(value: string, head: number, tail: number): string {
  if (value.length <= head + tail) return stars(Math.max(0, value.length - 2)) + value.slice(-2);
  return value.slice(0, head) + stars(value.length - head - tail) + value.slice(-tail);
}

/** The masked form of one value of the given kind (see the header for the rules). */
export function maskValue(kind: PersonalDataKind, value: string): string {
  switch (kind) {
    case 'mobile':
      return keepEnds(value, 3, 4);
    case 'phone':
      return value.length >= 10 ? keepEnds(value, 3, 4) : keepEnds(value, 0, 2);
    case 'idCard':
    case 'bankCard':
      return value.length >= 12 ? keepEnds(value, 6, 4) : keepEnds(value, 0, 4);
    case 'email': {
      const at = value.lastIndexOf('@');
      if (at <= 0) return '***';
      return `${value.slice(0, 1)}***${value.slice(at)}`;
    }
    case 'amount':
      return '***';
  }
}

/** The text with every match of findPersonalData replaced in place by its masked form. */
export function maskText(text: string, options?: DetectOptions): string {
  const matches = findPersonalData(text, options);
  if (matches.length === 0) return text;
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start) + maskValue(m.kind, m.value);
    at = m.end;
  }
  return out + text.slice(at);
}

/**
 * A name for display: each word (split on spaces) keeps its first and last character and the
 * rest become *, so 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜, John Smith → J**n S***h; a two-character word
 * keeps its first (张三 → 张*, Al → A*); a one-character word becomes *.
 */
export function maskName(name: string): string {
  return name.replace(/\S+/g, (word) => {
    const chars = [...word];
    if (chars.length === 1) return '*';
    if (chars.length === 2) return `${chars[0] ?? ''}*`;
    return `${chars[0] ?? ''}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1] ?? ''}`;
  });
}
