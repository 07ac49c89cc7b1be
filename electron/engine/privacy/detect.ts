/**
 * Personal-data detectors for Chinese and English text: mainland mobiles, fixed lines and other
 * numbers libphonenumber-js recognises, 18-digit 身份证 numbers (GB 11643 check character),
 * bank cards (16–19 digits, Luhn), e-mail addresses and, when asked, amounts of money. Digits may
 * be typed (ASCII or full-width, grouped by spaces, dashes, dots or brackets) or spoken as words
 * (幺三八…, 两, 零/〇/洞, "one three eight", "oh", "double five", "triple zero"), mixed freely; every
 * match carries the span of the ORIGINAL text it was read from, so a masker replaces the words
 * that were said, not a normalised copy. Pure and synchronous; no I/O.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

import { extractMoney } from '../nlu/index.js';

export type PersonalDataKind = 'mobile' | 'phone' | 'idCard' | 'bankCard' | 'email' | 'amount';

export interface PersonalDataMatch {
  kind: PersonalDataKind;
  /** [start, end) offsets into the text the match was read from. */
  start: number;
  end: number;
  /** Digits only for numbers (an id card's check character may be X); the address for e-mail; the amount as written digits for amounts. */
  value: string;
  /** 0..1: how sure the detector is (a Luhn-valid card is surer than a bare 19-digit run). */
  confidence: number;
}

export interface DetectOptions {
  /** Amounts of money (¥300, 三百块, $12.50) are personal data only "as configured": default false. */
  amounts?: boolean;
  /** Matches below this confidence are left out (default 0: everything found). */
  minConfidence?: number;
}

// ---------------------------------------------------------------------------------------------
// Check digits

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';
/** Province-level codes (first two digits) GB/T 2260 assigns; 71/81/82/83 are Taiwan, Hong Kong and Macau residents' numbers. */
const ID_PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
  53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
]);

/** The GB 11643 check character (ISO 7064 MOD 11-2) of an id number's first 17 digits. */
export function idCardCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK[sum % 11] ?? '';
}

/**
 * True for an 18-character 身份证 number whose check character is right, whose province code
 * exists and whose birth date (characters 7–14) is a real date between 1900 and today.
 */
export function isValidIdCard(id: string, now = new Date()): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  if (!ID_PROVINCES.has(Number(id.slice(0, 2)))) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return false;
  if (birth.getTime() > now.getTime()) return false;
  return idCardCheckCharacter(id.slice(0, 17)) === id[17]?.toUpperCase();
}

/** The Luhn (mod 10) check every bank card number carries in its last digit. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

// ---------------------------------------------------------------------------------------------
// Digits, typed or spoken, with where each came from

const ZH_DIGITS: Readonly<Record<string, string>> = {
  零: '0',
  〇: '0',
  洞: '0', // radio / call-center style 0
  一: '1',
  幺: '1', // 1 said as yao in numbers
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  拐: '7', // radio style 7
  八: '8',
  九: '9',
  壹: '1',
  贰: '2',
  叁: '3',
  肆: '4',
  伍: '5',
  陆: '6',
  柒: '7',
  捌: '8',
  玖: '9',
};
const EN_DIGITS: Readonly<Record<string, string>> = {
  zero: '0',
  oh: '0',
  o: '0',
  nought: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  niner: '9',
};
const EN_REPEAT: Readonly<Record<string, number>> = { double: 2, triple: 3 };
/** Between digit groups: spaces, dashes, dots, commas (ASR punctuation), brackets. At most three in a row. */
const SEPARATOR = /[\s\-–—.,，、()（）]/;
const MAX_SEPARATOR = 3;

interface DigitUnit {
  /** '0'–'9', or 'X' (only as an id number's last character). */
  d: string;
  start: number;
  end: number;
  /** Units in one group were written together (typed digits without a gap); each spoken word is a group of its own. */
  group: number;
  spoken: boolean;
}

const isAsciiDigit = (c: string): boolean => c >= '0' && c <= '9';
const isFullWidthDigit = (c: string): boolean => c >= '０' && c <= '９';
const isLatin = (c: string): boolean => /[A-Za-z]/.test(c);

/** Splits the text into runs of digit units; `blocked` characters (e-mail addresses) end a run. */
function digitRuns(text: string, blocked: readonly boolean[]): DigitUnit[][] {
  const runs: DigitUnit[][] = [];
  let cur: DigitUnit[] = [];
  let group = 0;
  let sep = 0; // separator characters since the last unit
  let lastTyped = false; // the previous character was a typed digit (same group)
  const end = (): void => {
    if (cur.length > 0) runs.push(cur);
    cur = [];
    sep = 0;
    lastTyped = false;
  };
  const push = (
    d: string,
    start: number,
    stop: number,
    spoken: boolean,
    sameGroup: boolean,
  ): void => {
    if (cur.length > 0 && !sameGroup) group++;
    cur.push({ d, start, end: stop, group, spoken });
    sep = 0;
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i] ?? '';
    if (blocked[i]) {
      end();
      i++;
      continue;
    }
    if (isAsciiDigit(c) || isFullWidthDigit(c)) {
      const d = isAsciiDigit(c) ? c : String(c.charCodeAt(0) - 0xff10);
      push(d, i, i + 1, false, lastTyped && sep === 0);
      lastTyped = true;
      i++;
      // An id number's trailing X, glued to its digits and not the start of a word.
      const x = text[i];
      if ((x === 'X' || x === 'x') && !/[A-Za-z0-9]/.test(text[i + 1] ?? '')) {
        push('X', i, i + 1, false, true);
        i++;
        end();
      }
      continue;
    }
    const zh = ZH_DIGITS[c];
    if (zh !== undefined) {
      push(zh, i, i + 1, true, false);
      lastTyped = false;
      i++;
      continue;
    }
    if (isLatin(c)) {
      let j = i;
      while (j < n && isLatin(text[j] ?? '')) j++;
      const word = text.slice(i, j).toLowerCase();
      const en = EN_DIGITS[word];
      if (en !== undefined) {
        push(en, i, j, true, false);
        lastTyped = false;
        i = j;
        continue;
      }
      const times = EN_REPEAT[word];
      if (times !== undefined) {
        // "double five", "triple 0": the next token is the digit repeated.
        const gap = /^\s+/.exec(text.slice(j));
        const k = j + (gap?.[0].length ?? 0);
        let m = k;
        while (m < n && isLatin(text[m] ?? '')) m++;
        const next = m > k ? EN_DIGITS[text.slice(k, m).toLowerCase()] : undefined;
        const typed = text[k] ?? '';
        const digit =
          next ?? (isAsciiDigit(typed) && !isAsciiDigit(text[k + 1] ?? '') ? typed : undefined);
        if (gap && digit !== undefined) {
          const stop = next !== undefined ? m : k + 1;
          push(digit, i, stop, true, false);
          for (let r = 1; r < times; r++) push(digit, i, stop, true, true);
          lastTyped = false;
          i = stop;
          continue;
        }
      }
      end();
      i = j;
      continue;
    }
    if (SEPARATOR.test(c) && cur.length > 0) {
      sep++;
      if (sep > MAX_SEPARATOR) end();
      lastTyped = false;
      i++;
      continue;
    }
    end();
    i++;
  }
  end();
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Classifying a candidate run of digits

interface Classified {
  kind: PersonalDataKind;
  confidence: number;
  /** Leading units that are a country code (86, 0086, +44…): left outside the span and the value. */
  skip: number;
}

const MOBILE = /^1[3-9]\d{9}$/;

function cnType(digits: string): string | undefined {
  const p = parsePhoneNumberFromString(digits, 'CN');
  return p?.isValid() ? (p.getType() ?? 'UNKNOWN') : undefined;
}

/**
 * What one candidate is, or null. `plus`: a '+' stood right before it (an international number);
 * `formatted`: its grouping looks like a phone or card was written (not a stray pair of numbers);
 * `loose`: it is one typed block or said digit by digit, so a Luhn-invalid 16–19 digit run still
 * counts as a (low-confidence) card number.
 */
function classify(
  digits: string,
  plus: boolean,
  spokenOrGrouped: boolean,
  loose: boolean,
): Classified | null {
  const len = digits.length;
  if (digits.includes('X')) {
    return len === 18 && isValidIdCard(digits)
      ? { kind: 'idCard', confidence: 0.97, skip: 0 }
      : null;
  }
  if (plus || digits.startsWith('00')) {
    const intl = plus ? digits : digits.slice(2);
    const p = parsePhoneNumberFromString(`+${intl}`);
    if (p?.isValid()) {
      const skip = len - p.nationalNumber.length;
      const mobile = p.country === 'CN' && MOBILE.test(p.nationalNumber);
      return { kind: mobile ? 'mobile' : 'phone', confidence: mobile ? 0.97 : 0.85, skip };
    }
    if (plus) return null;
  }
  if (len === 18 && isValidIdCard(digits)) return { kind: 'idCard', confidence: 0.97, skip: 0 };
  if (len === 11 && MOBILE.test(digits)) {
    return { kind: 'mobile', confidence: cnType(digits) === 'MOBILE' ? 0.97 : 0.85, skip: 0 };
  }
  if (len === 13 && digits.startsWith('86') && MOBILE.test(digits.slice(2))) {
    return { kind: 'mobile', confidence: 0.95, skip: 2 };
  }
  if (len >= 16 && len <= 19) {
    if (luhnValid(digits))
      return { kind: 'bankCard', confidence: digits.startsWith('62') ? 0.95 : 0.9, skip: 0 };
    // A long digit run that fails Luhn (or an 18-digit run with a wrong id check character) is
    // still masked, at low confidence: it is more likely someone's number than anything else.
    if (loose)
      return { kind: 'bankCard', confidence: digits.startsWith('62') ? 0.5 : 0.3, skip: 0 };
    return null;
  }
  if (len >= 10 && len <= 12 && digits.startsWith('0')) {
    const t = cnType(digits);
    if (t === 'FIXED_LINE' || t === 'FIXED_LINE_OR_MOBILE')
      return { kind: 'phone', confidence: 0.85, skip: 0 };
  }
  if (len === 10 && /^[48]00/.test(digits) && cnType(digits) !== undefined) {
    return { kind: 'phone', confidence: 0.6, skip: 0 };
  }
  if (len === 10 && spokenOrGrouped) {
    // A North American number written (415) 555-2671 or said digit by digit.
    const p = parsePhoneNumberFromString(digits, 'US');
    if (p?.isValid()) return { kind: 'phone', confidence: 0.6, skip: 0 };
  }
  return null;
}

const MAX_DIGITS = 19;
const MIN_DIGITS = 10;

function matchesInRun(text: string, run: readonly DigitUnit[], out: PersonalDataMatch[]): void {
  // Group boundaries: the unit index each group starts at.
  const starts: number[] = [];
  for (let u = 0; u < run.length; u++)
    if (u === 0 || run[u]?.group !== run[u - 1]?.group) starts.push(u);
  starts.push(run.length);
  const groups = starts.length - 1;
  let p = 0;
  while (p < groups) {
    const first = starts[p] ?? 0;
    const plus = /\+\s?$/.test(
      text.slice(Math.max(0, (run[first]?.start ?? 0) - 2), run[first]?.start ?? 0),
    );
    let found: { q: number; c: Classified } | null = null;
    // Longest candidate first: a card beats the mobile-looking digits inside it.
    let lastQ = p;
    while (lastQ + 1 < groups && (starts[lastQ + 2] ?? 0) - first <= MAX_DIGITS) lastQ++;
    for (let q = lastQ; q >= p && !found; q--) {
      const stop = starts[q + 1] ?? run.length;
      if (stop - first < MIN_DIGITS) break;
      const units = run.slice(first, stop);
      const typedLens: number[] = [];
      for (let g = p; g <= q; g++) {
        const a = starts[g] ?? 0;
        if (!run[a]?.spoken) typedLens.push((starts[g + 1] ?? 0) - a);
      }
      const single = q === p;
      const spokenOnly = typedLens.length === 0;
      // Written groups must look written on purpose (138 0013 8000, 6222 0212 …, 010-12345678),
      // not a date beside a number (2024-05-01 13800138000).
      const grouped = single || typedLens.every((l) => l >= 3) || typedLens.every((l) => l === 1);
      if (!grouped && !plus) continue;
      const loose =
        single || spokenOnly || typedLens.every((l) => l >= 4) || typedLens.every((l) => l === 1);
      const digits = units.map((u) => u.d).join('');
      const c = classify(digits, plus, !single || spokenOnly || units.some((u) => u.spoken), loose);
      if (c) found = { q, c };
    }
    if (!found) {
      p++;
      continue;
    }
    const stop = starts[found.q + 1] ?? run.length;
    const units = run.slice(first + found.c.skip, stop);
    const head = units[0];
    const tail = units[units.length - 1];
    if (head && tail) {
      // "(415) 555-2671": the opening bracket goes with the closing one inside the match.
      const bracket =
        /[(（]/.test(text[head.start - 1] ?? '') && /[)）]/.test(text.slice(head.start, tail.end));
      out.push({
        kind: found.c.kind,
        start: bracket ? head.start - 1 : head.start,
        end: tail.end,
        value: units.map((u) => u.d).join(''),
        confidence: found.c.confidence,
      });
    }
    p = found.q + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// E-mail and amounts

/**
 * A UUID (the app's call and campaign ids): never personal data, and its digit groups can read as
 * a number ("0a431433-4112-…" masked as "0a431***4112-…" in a log line, which then named no call).
 */
const UUID =
  /(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f-])/g;

const EMAIL =
  /[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}/g;

const AMOUNT_PREFIX = /^(?:[¥￥$]|USD|RMB|CNY)\s*/i;
const AMOUNT_SUFFIX =
  /\s*(?:块钱|块|元钱|元|圆|人民币|yuan|rmb|dollars?|bucks?|usd|毛钱|毛|角|cents?)$/i;

/** Amounts: the number part only, so "¥300" masks to "¥***" and keeps saying it was money. */
function amountMatches(text: string): PersonalDataMatch[] {
  const out: PersonalDataMatch[] = [];
  for (const m of extractMoney(text)) {
    let start = m.start;
    let end = m.end;
    const pre = AMOUNT_PREFIX.exec(text.slice(start, end));
    if (pre) start += pre[0].length;
    const suf = AMOUNT_SUFFIX.exec(text.slice(start, end));
    if (suf) end -= suf[0].length;
    if (end <= start) continue;
    out.push({ kind: 'amount', start, end, value: String(m.amount), confidence: 0.9 });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Cheap test first: most log lines and utterances have nothing that could be a match. */
const MAYBE =
  /[0-9０-９@零〇洞一幺二两三四五六七八九拐壹贰叁肆伍陆柒捌玖¥￥$]|\b(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|niner|double|triple)\b/i;

/** Every piece of personal data in the text, in order, without overlaps. */
export function findPersonalData(text: string, options: DetectOptions = {}): PersonalDataMatch[] {
  if (!text || !MAYBE.test(text)) return [];
  const out: PersonalDataMatch[] = [];
  const blocked = new Array<boolean>(text.length).fill(false);
  if (text.includes('-'))
    for (const m of text.matchAll(UUID))
      for (let i = m.index; i < m.index + m[0].length; i++) blocked[i] = true;
  if (text.includes('@')) {
    for (const m of text.matchAll(EMAIL)) {
      out.push({
        kind: 'email',
        start: m.index,
        end: m.index + m[0].length,
        value: m[0],
        confidence: 0.95,
      });
      for (let i = m.index; i < m.index + m[0].length; i++) blocked[i] = true;
    }
  }
  for (const run of digitRuns(text, blocked)) matchesInRun(text, run, out);
  if (options.amounts) {
    for (const a of amountMatches(text)) {
      if (!out.some((m) => m.start < a.end && a.start < m.end)) out.push(a);
    }
  }
  const min = options.minConfidence ?? 0;
  return out.filter((m) => m.confidence >= min).sort((a, b) => a.start - b.start);
}
