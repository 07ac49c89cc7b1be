/**
 * Entity extraction for the dialog: yes/no answers, numbers, money, phone numbers and dates/times,
 * in Chinese and English. Pure and synchronous.
 */
import { type DateTimeEntity, extractDateTimes, type TimeContext } from './datetime.js';
import { extractNumbers, type NumberEntity } from './numbers.js';

export { type DateTimeEntity, type TimeContext } from './datetime.js';
export {
  extractNumbers,
  type NumberEntity,
  parseChineseNumber,
  parseEnglishNumber,
} from './numbers.js';

// ---------------------------------------------------------------------------------------------
// Yes / no

export interface YesNo {
  value: 'yes' | 'no';
  /** 0..1: lower when the answer also contains the opposite word ("嗯…不用了"). */
  confidence: number;
  /** The phrase that decided it. */
  text: string;
}

const ZH_YES = [
  '是的',
  '是啊',
  '是呀',
  '是',
  '对的',
  '对啊',
  '对呀',
  '对',
  '好的',
  '好啊',
  '好呀',
  '好吧',
  '好',
  '行啊',
  '行',
  '可以',
  '没问题',
  '没错',
  '嗯嗯',
  '嗯',
  '恩',
  '确认',
  '确定',
  '同意',
  '愿意',
  '需要',
  '要的',
  '方便',
  '当然',
  '成',
  'ok',
];
const ZH_NO = [
  '不是',
  '不对',
  '不用',
  '不要',
  '不需要',
  '不行',
  '不可以',
  '不好',
  '不方便',
  '不愿意',
  '不同意',
  '不了',
  '不感兴趣',
  '没兴趣',
  '算了',
  '没有',
  '没空',
  '别',
  '拒绝',
  '免了',
  '不必',
  '不',
  '没',
];
const EN_YES = [
  'yes',
  'yeah',
  'yep',
  'yup',
  'ya',
  'sure',
  'ok',
  'okay',
  'alright',
  'all right',
  'correct',
  'right',
  'absolutely',
  'definitely',
  'of course',
  'certainly',
  'sounds good',
  'that works',
  'fine',
  'please do',
  'go ahead',
  'no problem',
  'no worries',
  'why not',
  'affirmative',
  'indeed',
  'exactly',
];
const EN_NO = [
  'no',
  'nope',
  'nah',
  'not really',
  'no thanks',
  'no thank you',
  'not interested',
  'never',
  'negative',
  "don't",
  'do not',
  "i don't",
  'not now',
  "i'm not",
  'i am not',
  "won't",
  'i will not',
  'not at all',
  'wrong',
  'incorrect',
  'stop',
];
/** Phrases that are neither ("not sure" is uncertain, not a no). */
const EN_UNSURE = [
  'not sure',
  "i'm not sure",
  'i am not sure',
  "don't know",
  "i don't know",
  'maybe',
  'not certain',
  'perhaps',
];
const ZH_UNSURE = [
  '不确定',
  '不太确定',
  '不是很确定',
  '不一定',
  '说不准',
  '不知道',
  '看情况',
  '再说吧',
];
/** Phrases that contain yes/no words but are neither; matched and then ignored. */
const ZH_SKIP = [
  '对不起',
  '不好意思',
  '不客气',
  '是谁',
  '是不是',
  '好不好',
  '可不可以',
  '行不行',
  '要不要',
  '需不需要',
];
const EN_SKIP = ['right now', 'no idea', 'not yet'];

interface Hit {
  value: 'yes' | 'no' | 'unsure' | 'skip';
  text: string;
  at: number;
}

function zhHits(text: string): Hit[] {
  const hits: Hit[] = [];
  const phrases = [
    ...ZH_YES.map((p) => [p, 'yes'] as const),
    ...ZH_NO.map((p) => [p, 'no'] as const),
    ...ZH_SKIP.map((p) => [p, 'skip'] as const),
    ...ZH_UNSURE.map((p) => [p, 'unsure'] as const),
  ].sort((a, b) => b[0].length - a[0].length);
  for (let i = 0; i < text.length;) {
    const found = phrases.find(([p]) => text.startsWith(p, i));
    if (!found) {
      i++;
      continue;
    }
    const [p, value] = found;
    hits.push({ value, text: p, at: i });
    i += p.length;
  }
  return hits;
}

function enHits(text: string): Hit[] {
  const words = [...text.toLowerCase().matchAll(/[a-z]+(?:'[a-z]+)?/g)];
  const hits: Hit[] = [];
  const phrases = [
    ...EN_YES.map((p) => [p.split(' '), 'yes'] as const),
    ...EN_NO.map((p) => [p.split(' '), 'no'] as const),
    ...EN_SKIP.map((p) => [p.split(' '), 'skip'] as const),
    ...EN_UNSURE.map((p) => [p.split(' '), 'unsure'] as const),
  ].sort((a, b) => b[0].length - a[0].length);
  for (let i = 0; i < words.length;) {
    const found = phrases.find(([p]) => p.every((w, k) => words[i + k]?.[0] === w));
    if (!found) {
      i++;
      continue;
    }
    const [p, value] = found;
    const phrase = p.join(' ');
    hits.push({ value, text: phrase, at: words[i]?.index ?? 0 });
    i += p.length;
  }
  return hits;
}

/**
 * Reads a yes or no answer in Chinese or English. Negated yes-words count as no (不可以, 不方便,
 * "not really"); "no problem"/"没问题" count as yes; "not sure"/"不确定" give null. When both
 * appear, the last one decides ("yeah, no" → no; "no, yes I am" → yes) with lower confidence.
 */
export function detectYesNo(text: string): YesNo | null {
  const hits = [...zhHits(text), ...enHits(text)]
    .filter((h) => h.value !== 'skip')
    .sort((a, b) => a.at - b.at);
  if (hits.length === 0 || hits.some((h) => h.value === 'unsure')) return null;
  const last = hits[hits.length - 1];
  if (!last || last.value === 'unsure' || last.value === 'skip') return null;
  const mixed = hits.some((h) => h.value !== last.value);
  return { value: last.value, confidence: mixed ? 0.6 : 0.95, text: last.text };
}

// ---------------------------------------------------------------------------------------------
// Money

export type Currency = 'CNY' | 'USD';

export interface MoneyEntity {
  kind: 'money';
  amount: number;
  /** null when no currency was said and `bareNumbers` let a plain number through. */
  currency: Currency | null;
  text: string;
  start: number;
  end: number;
}

export interface MoneyOptions {
  /** Also return plain numbers as amounts with currency null (after "how much can you pay?"). */
  bareNumbers?: boolean;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Finds amounts of money: ¥300, 300元, 三百五十块, 三块五, 五毛, $1,200.50, "two hundred dollars and fifty cents". */
export function extractMoney(text: string, options: MoneyOptions = {}): MoneyEntity[] {
  const numbers = extractNumbers(text);
  const out: MoneyEntity[] = [];
  const used = new Set<NumberEntity>();
  for (let i = 0; i < numbers.length; i++) {
    const n = numbers[i];
    if (!n || used.has(n)) continue;
    const before = text.slice(0, n.start);
    const after = text.slice(n.end);
    let start = n.start;
    let end = n.end;
    let amount = n.value;
    let currency: Currency | null = null;
    const prefix = /([¥￥$])\s*$|(\bUSD|\bRMB|\bCNY)\s*$/i.exec(before);
    if (prefix) {
      currency = prefix[1] === '$' || prefix[2]?.toUpperCase() === 'USD' ? 'USD' : 'CNY';
      start = n.start - prefix[0].length;
    }
    const zhMajor = /^\s*(块钱|块|元钱|元|圆|人民币|yuan|rmb|RMB)/i.exec(after);
    const zhMinor = /^\s*(毛钱|毛|角)/.exec(after);
    const enMajor = /^\s*(dollars?|bucks?|usd|USD)\b/i.exec(after);
    const enMinor = /^\s*(cents?)\b/i.exec(after);
    const next = numbers[i + 1];
    if (zhMajor) {
      currency = 'CNY';
      end = n.end + zhMajor[0].length;
      // 三块五 = 3.5, 三块五毛 = 3.5, 三块零五分 is rare and ignored.
      if (next && next.start === end && next.value < 10) {
        const minorUnit = /^(毛钱|毛|角)/.exec(text.slice(next.end));
        amount += next.value / 10;
        end = next.end + (minorUnit?.[0].length ?? 0);
        used.add(next);
      }
    } else if (zhMinor) {
      currency = 'CNY';
      amount = n.value / 10;
      end = n.end + zhMinor[0].length;
    } else if (enMajor) {
      currency = 'USD';
      end = n.end + enMajor[0].length;
      const cents = next
        ? /^\s*(?:and\s+)?$/i.test(text.slice(end, next.start)) &&
          /^\s*cents?\b/i.exec(text.slice(next.end))
        : null;
      if (next && cents) {
        amount += next.value / 100;
        end = next.end + cents[0].length;
        used.add(next);
      }
    } else if (enMinor && !prefix) {
      currency = 'USD';
      amount = n.value / 100;
      end = n.end + enMinor[0].length;
    } else if (!prefix && !options.bareNumbers) {
      continue;
    }
    if (prefix && /^\s*(dollars?|bucks?)\b/i.exec(after))
      end = n.end + (/^\s*(dollars?|bucks?)\b/i.exec(after)?.[0].length ?? 0);
    out.push({
      kind: 'money',
      amount: round2(amount),
      currency,
      text: text.slice(start, end),
      start,
      end,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

export interface PhoneEntity {
  kind: 'phone';
  digits: string;
  text: string;
  start: number;
  end: number;
}

/** Finds phone numbers said or typed digit by digit (138 0013 8000, 幺三八…, "five five five one two three four"). */
export function extractPhoneNumbers(text: string): PhoneEntity[] {
  const out: PhoneEntity[] = [];
  for (const m of text.matchAll(/\+?\d[\d\s-]{5,}\d/g)) {
    const digits = m[0].replace(/[^\d+]/g, '');
    if (digits.replace('+', '').length >= 7)
      out.push({ kind: 'phone', digits, text: m[0], start: m.index, end: m.index + m[0].length });
  }
  for (const n of extractNumbers(text)) {
    if (n.digits && n.digits.length >= 7 && !out.some((p) => p.start < n.end && n.start < p.end)) {
      out.push({ kind: 'phone', digits: n.digits, text: n.text, start: n.start, end: n.end });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

// ---------------------------------------------------------------------------------------------
// Everything at once

export interface Entities {
  yesNo: YesNo | null;
  numbers: NumberEntity[];
  money: MoneyEntity[];
  phones: PhoneEntity[];
  dateTimes: DateTimeEntity[];
}

/**
 * The utterance without the spans its entities were read from (each replaced by a space): what
 * else the answer says beside a date, an amount or a number ("my car broke down" in "my car broke
 * down last week").
 */
export function withoutEntities(text: string, entities: Entities): string {
  const cut = new Array<boolean>(text.length).fill(false);
  for (const e of [
    ...entities.dateTimes,
    ...entities.numbers,
    ...entities.money,
    ...entities.phones,
  ])
    for (let i = e.start; i < e.end && i < text.length; i++) cut[i] = true;
  let out = '';
  for (let i = 0; i < text.length; i++) out += cut[i] ? ' ' : text[i];
  return out.replace(/\s+/g, ' ').trim();
}

/** Runs every extractor over one utterance. */
export function extractEntities(
  text: string,
  ctx: TimeContext,
  money: MoneyOptions = {},
): Entities {
  return {
    yesNo: detectYesNo(text),
    numbers: extractNumbers(text),
    money: extractMoney(text, money),
    phones: extractPhoneNumbers(text),
    dateTimes: extractDateTimes(text, ctx),
  };
}
