/**
 * Number parsing and extraction for Chinese and English text: Arabic digits (with thousands
 * separators and decimals), English number words ("twenty three", "one hundred and five",
 * "two point five"), Chinese numerals (一百二十三, 两千, 三万五, 一点五, 3万) and digit strings as
 * people say phone numbers (幺三八…, "one three eight"). Pure and synchronous.
 */

export interface NumberEntity {
  kind: 'number';
  value: number;
  /** Set when the number was said digit by digit (phone style): the digits as written, leading zeros kept. */
  digits?: string;
  /** The matched text and its [start, end) offsets in the input. */
  text: string;
  start: number;
  end: number;
}

const ZH_DIGITS: Readonly<Record<string, number>> = {
  零: 0,
  〇: 0,
  一: 1,
  幺: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
  壹: 1,
  贰: 2,
  叁: 3,
  肆: 4,
  伍: 5,
  陆: 6,
  柒: 7,
  捌: 8,
  玖: 9,
};
const ZH_SMALL_UNITS: Readonly<Record<string, number>> = {
  十: 10,
  拾: 10,
  百: 100,
  佰: 100,
  千: 1000,
  仟: 1000,
};
const ZH_BIG_UNITS: Readonly<Record<string, number>> = { 万: 10_000, 亿: 100_000_000 };

const ZH_DIGIT_CLASS = '零〇一幺二两三四五六七八九壹贰叁肆伍陆柒捌玖';
const ZH_NUM_CLASS = `${ZH_DIGIT_CLASS}十拾百佰千仟万亿`;

/** Value of one section below 10 000 (e.g. 三千零五, 一百二 = 120, 十五). Returns null when malformed. */
function parseZhSection(s: string): number | null {
  let total = 0;
  let pending: number | null = null;
  let lastUnit = 0;
  let afterZero = false;
  for (const ch of s) {
    const d = ZH_DIGITS[ch];
    if (d !== undefined) {
      if (pending !== null && d !== 0) return null; // two digits in a row inside a unit number
      if (d === 0) {
        afterZero = true;
        continue;
      }
      pending = d;
      continue;
    }
    const u = ZH_SMALL_UNITS[ch];
    if (u === undefined) return null;
    total += (pending ?? (u === 10 ? 1 : 0)) * u;
    if (pending === null && u !== 10) return null; // 百 with nothing before it
    pending = null;
    lastUnit = u;
    afterZero = false;
  }
  if (pending !== null) {
    // Colloquial: 一百二 = 120, 两千五 = 2500 (a trailing digit right after a unit is one unit lower).
    total += lastUnit >= 100 && !afterZero ? (pending * lastUnit) / 10 : pending;
  }
  return total;
}

/** Parses the integer part of a Chinese numeral with units (三万五千, 两亿, 三万五 = 35 000). */
function parseZhInteger(s: string): number | null {
  if (s.length === 0) return null;
  let total = 0;
  let rest = s;
  for (const [unitChar, unit] of [
    ['亿', 100_000_000],
    ['万', 10_000],
  ] as const) {
    const at = rest.indexOf(unitChar);
    if (at < 0) continue;
    const head = rest.slice(0, at);
    const headValue = head === '' ? 1 : parseZhInteger(head);
    if (headValue === null) return null;
    total += headValue * unit;
    rest = rest.slice(at + 1);
    // 三万五 = 35 000: a lone digit right after a big unit is one small unit lower.
    if (rest.length === 1 && ZH_DIGITS[rest] !== undefined && ZH_DIGITS[rest] !== 0) {
      return total + (ZH_DIGITS[rest] ?? 0) * (unit / 10);
    }
  }
  if (rest === '') return total;
  const section = parseZhSection(rest);
  return section === null ? null : total + section;
}

/**
 * Parses a whole Chinese numeral (一百二十三, 两千, 三万五, 一点五, 二零二六, 3万, 1.5万). Digit
 * strings without units (一三八, 二零二六) read digit by digit. Returns null when it is not one.
 */
export function parseChineseNumber(input: string): number | null {
  const s = input.trim();
  if (s === '') return null;
  // Arabic number with a Chinese big unit: 3万, 1.5亿, 2千.
  const mixed = /^(\d+(?:\.\d+)?)([十百千万亿]+)$/.exec(s);
  if (mixed) {
    let value = Number(mixed[1]);
    for (const ch of mixed[2] ?? '') value *= ZH_SMALL_UNITS[ch] ?? ZH_BIG_UNITS[ch] ?? 1;
    return value;
  }
  if (/^\d+(?:\.\d+)?$/.test(s)) return Number(s);
  const [intPart = '', fracPart, extra] = s.split('点');
  if (extra !== undefined) return null;
  let integer: number | null;
  if (intPart === '') integer = fracPart !== undefined ? 0 : null;
  else if ([...intPart].every((ch) => ZH_DIGITS[ch] !== undefined) && intPart.length > 1) {
    integer = Number([...intPart].map((ch) => ZH_DIGITS[ch]).join(''));
  } else integer = parseZhInteger(intPart);
  if (integer === null) return null;
  if (fracPart === undefined || fracPart === '') return integer;
  if (![...fracPart].every((ch) => ZH_DIGITS[ch] !== undefined)) return null;
  return Number(`${integer}.${[...fracPart].map((ch) => ZH_DIGITS[ch]).join('')}`);
}

const EN_UNITS: Readonly<Record<string, number>> = {
  zero: 0,
  oh: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const EN_TENS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const EN_SCALES: Readonly<Record<string, number>> = {
  hundred: 100,
  thousand: 1000,
  million: 1e6,
  billion: 1e9,
};

function isEnNumberWord(w: string): boolean {
  return EN_UNITS[w] !== undefined || EN_TENS[w] !== undefined || EN_SCALES[w] !== undefined;
}

/**
 * Parses English number words ("twenty three", "twenty-three", "one hundred and five",
 * "a thousand", "two point five", "one three eight" digit by digit). Returns null when it is not one.
 */
export function parseEnglishNumber(input: string): { value: number; digits?: string } | null {
  const words = input
    .toLowerCase()
    .replace(/-/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return null;
  const pointAt = words.indexOf('point');
  const intWords = pointAt >= 0 ? words.slice(0, pointAt) : words;
  const fracWords = pointAt >= 0 ? words.slice(pointAt + 1) : [];
  // Digit by digit: two or more single digits and nothing else ("one three eight", "oh two").
  if (pointAt < 0 && words.length >= 2 && words.every((w) => (EN_UNITS[w] ?? 99) <= 9)) {
    const digits = words.map((w) => String(EN_UNITS[w])).join('');
    return { value: Number(digits), digits };
  }
  let total = 0;
  let current = 0;
  let seen = false;
  for (const [i, w] of intWords.entries()) {
    if (w === 'and') {
      if (!seen || i === intWords.length - 1) return null;
      continue;
    }
    if (w === 'a' || w === 'an') {
      if (i !== 0) return null;
      current = 1;
      continue;
    }
    const unit = EN_UNITS[w] ?? EN_TENS[w];
    if (unit !== undefined) {
      current += unit;
      seen = true;
      continue;
    }
    const scale = EN_SCALES[w];
    if (scale === undefined) return null;
    if (current === 0) current = 1;
    if (scale === 100) current *= 100;
    else {
      total += current * scale;
      current = 0;
    }
    seen = true;
  }
  if (!seen && intWords.length > 0) return null;
  let value = total + current;
  if (pointAt >= 0) {
    if (fracWords.length === 0 || !fracWords.every((w) => (EN_UNITS[w] ?? 99) <= 9)) return null;
    value = Number(`${value}.${fracWords.map((w) => String(EN_UNITS[w])).join('')}`);
  }
  return { value };
}

// 一 inside common words that are not numbers (一下, 一起, 统一…).
const ZH_FALSE_ONE_AFTER = /^[下起样直定般些切共会旦边面致律点]/;
const ZH_FALSE_ONE_BEFORE = /[统唯万之第]$/;

/** Finds every number in the text, in order of appearance, without overlaps. */
export function extractNumbers(text: string): NumberEntity[] {
  const found: NumberEntity[] = [];
  const taken: boolean[] = new Array<boolean>(text.length).fill(false);
  const add = (start: number, end: number, value: number, digits?: string): void => {
    for (let i = start; i < end; i++) if (taken[i]) return;
    for (let i = start; i < end; i++) taken[i] = true;
    const entity: NumberEntity = {
      kind: 'number',
      value,
      text: text.slice(start, end),
      start,
      end,
    };
    if (digits !== undefined) entity.digits = digits;
    found.push(entity);
  };

  // Arabic numbers, optionally with a Chinese unit after them (3万, 1.5亿).
  const arabic =
    /(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[万亿千百](?![零〇一幺二两三四五六七八九]))?/g;
  for (const m of text.matchAll(arabic)) {
    const raw = m[0].replace(/,/g, '');
    const value = parseChineseNumber(raw);
    if (value === null) continue;
    const start = m.index;
    const plain = /^\d+$/.test(raw) && raw.length >= 2 && raw.startsWith('0');
    if (plain) add(start, start + m[0].length, value, raw);
    else add(start, start + m[0].length, value);
  }

  // Chinese numerals.
  const zh = new RegExp(`[${ZH_NUM_CLASS}]+(?:点[${ZH_DIGIT_CLASS}]+)?`, 'g');
  for (const m of text.matchAll(zh)) {
    const s = m[0];
    const start = m.index;
    if (s === '一' || s === '万' || s === '亿' || s === '千' || s === '百') {
      const after = text.slice(start + s.length);
      const before = text.slice(0, start);
      if (s !== '一' || ZH_FALSE_ONE_AFTER.test(after) || ZH_FALSE_ONE_BEFORE.test(before))
        continue;
    }
    const value = parseChineseNumber(s);
    if (value === null) continue;
    const isDigitString = s.length >= 2 && [...s].every((ch) => ZH_DIGITS[ch] !== undefined);
    if (isDigitString)
      add(start, start + s.length, value, [...s].map((ch) => ZH_DIGITS[ch]).join(''));
    else add(start, start + s.length, value);
  }

  // English number words: longest runs of number words (and "and"/"a"/"point" inside them).
  const wordRe = /[A-Za-z]+(?:-[A-Za-z]+)*/g;
  const words = [...text.matchAll(wordRe)].map((m) => ({
    w: m[0].toLowerCase(),
    start: m.index,
    end: m.index + m[0].length,
  }));
  const isPart = (w: string): boolean => w.split('-').every(isEnNumberWord);
  for (let i = 0; i < words.length;) {
    const first = words[i];
    if (
      !first ||
      !(
        isPart(first.w) ||
        ((first.w === 'a' || first.w === 'an') && EN_SCALES[words[i + 1]?.w ?? ''] !== undefined)
      )
    ) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < words.length) {
      const w = words[j]?.w ?? '';
      const next = words[j + 1]?.w ?? '';
      const gapOk = /^[\s-]*$/.test(text.slice(words[j - 1]?.end ?? 0, words[j]?.start ?? 0));
      if (!gapOk) break;
      if (isPart(w)) j++;
      else if ((w === 'and' || w === 'point') && isPart(next)) j += 2;
      else break;
    }
    // Greedy run; shrink from the right until it parses (e.g. "one hundred and" edge cases).
    for (let k = j; k > i; k--) {
      const start = first.start;
      const end = words[k - 1]?.end ?? first.end;
      const parsed = parseEnglishNumber(text.slice(start, end));
      if (parsed) {
        add(start, end, parsed.value, parsed.digits);
        i = k;
        break;
      }
      if (k === i + 1) i++;
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
