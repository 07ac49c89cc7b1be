/**
 * Date and time extraction resolved to absolute instants in an IANA time zone, relative to a
 * reference instant. English goes through chrono-node (its zh locale mis-resolves 三点半, 两个小时后,
 * 一刻 and misses 大后天, so Chinese is parsed here by hand). Times said without a date or
 * meridiem lean towards the next sensible business hour ("三点"/"at 5" at 10:00 → 15:00/17:00).
 */
import * as chrono from 'chrono-node';

import { parseChineseNumber } from './numbers.js';
import {
  addLocalDays,
  assertTimeZone,
  type LocalParts,
  localParts,
  offsetMinutes,
  toZonedIso,
  zonedToInstant,
} from './zoned-time.js';

export type TimeGrain = 'day' | 'part_of_day' | 'hour' | 'minute';
export type PartOfDay = 'early_morning' | 'morning' | 'noon' | 'afternoon' | 'evening' | 'night';

export interface DateTimeEntity {
  kind: 'datetime';
  /** The instant (for grain 'day' the local midnight, for 'part_of_day' a representative hour). */
  value: Date;
  /** Local ISO time with offset in the requested zone, e.g. 2026-11-28T15:00:00+08:00. */
  iso: string;
  grain: TimeGrain;
  partOfDay?: PartOfDay;
  text: string;
  start: number;
  end: number;
}

export interface TimeContext {
  /** The moment the utterance was said. */
  reference: Date;
  /** IANA zone the customer's times are meant in, e.g. 'Asia/Shanghai'. */
  timeZone: string;
}

/** Representative hour per part of day (used when no clock time is said). */
const PART_HOUR: Readonly<Record<PartOfDay, number>> = {
  early_morning: 6,
  morning: 9,
  noon: 12,
  afternoon: 15,
  evening: 19,
  night: 21,
};

const ZH_PART: Readonly<Record<string, PartOfDay>> = {
  凌晨: 'early_morning',
  清晨: 'early_morning',
  早上: 'morning',
  早晨: 'morning',
  上午: 'morning',
  中午: 'noon',
  下午: 'afternoon',
  傍晚: 'evening',
  晚上: 'evening',
  夜里: 'night',
  夜间: 'night',
  半夜: 'night',
};

const N = '[0-9零〇一二两三四五六七八九十]+';
const ZH_DATETIME = new RegExp(
  [
    '(?:',
    '(?<relday>大后天|后天|后日|今天|今日|今儿|明天|明日|明儿|听日|聽日|今晚|明晚|今早|明早)',
    `|(?<wprefix>下下个?|下个?|这个?|本|上个?)?(?:周|星期|礼拜)(?<wd>[一二三四五六日天1-7])`,
    `|(?:(?<y>${N})年)?(?<mo>${N})月(?<d>${N})(?:日|号)?`,
    `|(?<dd>${N})(?:日|号)`,
    ')?',
    '(?<part>凌晨|清晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间|半夜)?',
    '(?:',
    `(?<h>${N})(?:点钟?|时|[:：](?<mm>[0-5][0-9]))`,
    `(?:(?<half>半)|(?<quarter>一刻|三刻)|(?<mi>${N})分?)?`,
    ')?',
  ].join(''),
  'g',
);
const ZH_RELATIVE = new RegExp(
  `(?<pre>过)?(?<rn>${N}|半)个?(?<rhalf>半)?(?<ru>小时|钟头|分钟|天|星期|礼拜|周)(?<post>以后|之后|后)?`,
  'g',
);

function zhNum(s: string | undefined): number | null {
  if (s === undefined) return null;
  return parseChineseNumber(s);
}

interface Building {
  date: { year: number; month: number; day: number } | null;
  part: PartOfDay | null;
  hour: number | null;
  minute: number | null;
  minuteSaid: boolean;
  /** The hour is already on a 24 h clock (chrono saw "pm"/"tonight"); skip the meridiem guess. */
  meridiemKnown?: boolean;
}

/** Turns the parsed pieces into an entity, choosing the sensible day and meridiem. */
function resolve(
  b: Building,
  now: LocalParts,
  ctx: TimeContext,
  span: { text: string; start: number; end: number },
): DateTimeEntity | null {
  const today = { year: now.year, month: now.month, day: now.day };
  let date = b.date ?? today;
  let hour = b.hour;
  const minute = b.minute ?? 0;
  if (hour !== null) {
    if (hour > 24 || minute > 59) return null;
    if (b.meridiemKnown) {
      // keep as is
    } else if (b.part === 'afternoon' || b.part === 'evening' || b.part === 'night') {
      if (hour < 12 && !(b.part === 'night' && hour <= 4)) hour += 12;
    } else if (b.part === 'noon') {
      if (hour >= 1 && hour <= 3) hour += 12;
    } else if (b.part === null && hour >= 1 && hour <= 6) {
      hour += 12; // nobody books a call for 3 a.m.: "三点" / "at 3" means 15:00
    }
    if (hour === 24) hour = 0;
    if (b.part === null && b.date === null) {
      // Clock time only: the next time it comes round (today, else 12 h later, else tomorrow).
      const candidates = hour < 12 && hour >= 7 && !b.meridiemKnown ? [hour, hour + 12] : [hour];
      const nowMinutes = now.hour * 60 + now.minute;
      const later = candidates.find((h) => h * 60 + minute > nowMinutes);
      if (later !== undefined) hour = later;
      else date = addLocalDays(today, 1);
    } else if (b.date === null && hour * 60 + minute <= now.hour * 60 + now.minute) {
      date = addLocalDays(today, 1); // "下午三点" said at 16:00 means tomorrow
    }
    const value = zonedToInstant({ ...date, hour, minute }, ctx.timeZone);
    const entity: DateTimeEntity = {
      kind: 'datetime',
      value,
      iso: toZonedIso(value, ctx.timeZone),
      grain: b.minuteSaid ? 'minute' : 'hour',
      ...span,
    };
    if (b.part) entity.partOfDay = b.part;
    return entity;
  }
  if (b.part !== null) {
    const value = zonedToInstant({ ...date, hour: PART_HOUR[b.part], minute: 0 }, ctx.timeZone);
    return {
      kind: 'datetime',
      value,
      iso: toZonedIso(value, ctx.timeZone),
      grain: 'part_of_day',
      partOfDay: b.part,
      ...span,
    };
  }
  if (b.date === null) return null;
  const value = zonedToInstant({ ...date, hour: 0, minute: 0 }, ctx.timeZone);
  return { kind: 'datetime', value, iso: toZonedIso(value, ctx.timeZone), grain: 'day', ...span };
}

function extractChinese(text: string, ctx: TimeContext, now: LocalParts): DateTimeEntity[] {
  const out: DateTimeEntity[] = [];
  const today = { year: now.year, month: now.month, day: now.day };

  for (const m of text.matchAll(ZH_RELATIVE)) {
    const g = m.groups ?? {};
    if (g.pre === undefined && g.post === undefined) continue; // "两天" alone is a duration, not a time
    const n = g.rn === '半' ? 0.5 : zhNum(g.rn);
    if (n === null) continue;
    const amount = n + (g.rhalf ? 0.5 : 0);
    const unit = g.ru ?? '';
    const span = { text: m[0], start: m.index, end: m.index + m[0].length };
    if (unit === '天' || unit === '星期' || unit === '礼拜' || unit === '周') {
      const days = Math.round(amount * (unit === '天' ? 1 : 7));
      const value = zonedToInstant(
        { ...addLocalDays(today, days), hour: 0, minute: 0 },
        ctx.timeZone,
      );
      out.push({
        kind: 'datetime',
        value,
        iso: toZonedIso(value, ctx.timeZone),
        grain: 'day',
        ...span,
      });
    } else {
      const ms = amount * (unit === '分钟' ? 60_000 : 3_600_000);
      const value = new Date(ctx.reference.getTime() + ms);
      out.push({
        kind: 'datetime',
        value,
        iso: toZonedIso(value, ctx.timeZone),
        grain: 'minute',
        ...span,
      });
    }
  }

  for (const m of text.matchAll(ZH_DATETIME)) {
    // Needs at least one Chinese character; plain "3:30" is left to chrono.
    if (!/[\u3400-\u9fff]/.test(m[0])) continue;
    const start = m.index;
    const end = start + m[0].length;
    if (out.some((e) => e.start < end && start < e.end)) continue;
    const g = m.groups ?? {};
    const b: Building = { date: null, part: null, hour: null, minute: null, minuteSaid: false };
    if (g.relday) {
      const r = g.relday;
      // 听日 / 聽日 and 后日: Cantonese tomorrow and the day after.
      const offset = r.startsWith('大后')
        ? 3
        : r.startsWith('后')
          ? 2
          : /^[明听聽]/u.test(r)
            ? 1
            : 0;
      b.date = addLocalDays(today, offset);
      if (r.endsWith('晚')) b.part = 'evening';
      if (r.endsWith('早')) b.part = 'morning';
    } else if (g.wd) {
      const wdChar = g.wd;
      const target = '日天'.includes(wdChar) ? 7 : (zhNum(wdChar) ?? 0); // Monday = 1 … Sunday = 7
      if (target < 1 || target > 7) continue;
      const current = now.weekday === 0 ? 7 : now.weekday;
      const prefix = g.wprefix ?? '';
      let delta = target - current;
      if (prefix.startsWith('下下')) delta += 14;
      else if (prefix.startsWith('下')) delta += 7;
      else if (prefix.startsWith('上')) delta -= 7;
      else if (prefix === '' && delta < 0) delta += 7; // bare 周一 means the coming one
      b.date = addLocalDays(today, delta);
    } else if (g.mo) {
      const month = zhNum(g.mo);
      const day = zhNum(g.d);
      const year = g.y ? zhNum(g.y) : null;
      if (month === null || day === null || month < 1 || month > 12 || day < 1 || day > 31)
        continue;
      let y = year ?? now.year;
      if (year === null && (month < now.month || (month === now.month && day < now.day))) y += 1;
      b.date = { year: y, month, day };
    } else if (g.dd) {
      const day = zhNum(g.dd);
      if (day === null || day < 1 || day > 31) continue;
      b.date =
        day >= now.day ? { ...today, day } : { ...addLocalDays({ ...today, day: 1 }, 32), day };
    }
    if (g.part) b.part = ZH_PART[g.part] ?? null;
    if (g.h) {
      const h = zhNum(g.h);
      if (h === null) continue;
      b.hour = h;
      if (g.mm) b.minute = Number(g.mm);
      else if (g.half) b.minute = 30;
      else if (g.quarter) b.minute = g.quarter === '一刻' ? 15 : 45;
      else if (g.mi) b.minute = zhNum(g.mi);
      b.minuteSaid = b.minute !== null && b.minute !== 0;
      if (b.minute === null && g.mi) continue;
      // "一点五" is 1.5, not 1:05: single-digit minutes need 分.
      if (g.mi && !m[0].endsWith('分') && (b.minute ?? 0) < 10) continue;
      // "有一点忙" (a bit busy): a bare 一点 with no date, part of day or minutes is not a time.
      if (g.h === '一' && !b.date && !g.part && b.minute === null && !m[0].endsWith('钟')) continue;
    }
    // A bare number like "三" is not a time; require a date, a part of day, or an hour marker.
    if (b.date === null && b.part === null && b.hour === null) continue;
    const entity = resolve(b, now, ctx, { text: m[0], start, end });
    if (entity) out.push(entity);
  }
  return out;
}

const EN_PART: ReadonlyArray<[RegExp, PartOfDay]> = [
  [/\b(tonight|evening)\b/i, 'evening'],
  [/\bafternoon\b/i, 'afternoon'],
  [/\b(morning)\b/i, 'morning'],
  [/\b(noon|lunch ?time|midday)\b/i, 'noon'],
  [/\bnight\b/i, 'night'],
];

const EN_NUMBER_WORDS: Readonly<Record<string, number>> = {
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
  fifteen: 15,
  twenty: 20,
  'twenty five': 25,
  'twenty-five': 25,
  thirty: 30,
  forty: 40,
  'forty five': 45,
  'forty-five': 45,
  fifty: 50,
};
const EN_ORDINALS: Readonly<Record<string, number>> = Object.fromEntries(
  [
    'first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth',
    'fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth',
  ]
    .join(' ')
    .split(' ')
    .map((w, i) => [w, i + 1] as const)
    .concat(
      ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'].map(
        (w, i) => [`twenty-${w}`, 21 + i] as const,
      ),
      ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'].map(
        (w, i) => [`twenty ${w}`, 21 + i] as const,
      ),
      [
        ['thirtieth', 30],
        ['thirty-first', 31],
        ['thirty first', 31],
      ] as const,
    ),
);
const MONTHS =
  'january february march april may june july august september october november december'.split(
    ' ',
  );
const NUM = `\\d{1,2}|${Object.keys(EN_NUMBER_WORDS)
  .sort((a, b) => b.length - a.length)
  .join('|')}`;
const ORD = `\\d{1,2}(?:st|nd|rd|th)|${Object.keys(EN_ORDINALS)
  .sort((a, b) => b.length - a.length)
  .join('|')}`;
const numberOf = (w: string): number => EN_NUMBER_WORDS[w] ?? Number(w);
const ordinalOf = (w: string): number => EN_ORDINALS[w] ?? parseInt(w, 10);

/**
 * What chrono does not read, said its way (the spans are mapped back to the answer's own): "half
 * past three" / "quarter to four" as 3:30 / 3:45, a number word at a clock time or a duration
 * ("at ten am", "thirty minutes") as digits, "give it thirty minutes" as "in 30 minutes", British
 * "half 7" as 7:30, lunchtime as noon and teatime / suppertime / dinnertime as the evening, an
 * hour said bare after a word of time ("about four", "after 6", "until 7") as that hour, and a day
 * of the month alone ("the 21st", "on the twelfth") as the next such day with its month.
 */
function forChrono(text: string, now: LocalParts): { text: string; at: (i: number) => number } {
  let out = text;
  // orig[i]: the index in `text` of out's character i (and of its end).
  let orig = Array.from({ length: text.length + 1 }, (_, i) => i);
  const rewrite = (re: RegExp, to: (m: RegExpExecArray) => string | null): void => {
    let next = '';
    const map: number[] = [];
    let last = 0;
    for (const m of out.matchAll(re)) {
      const said = to(m as RegExpExecArray);
      if (said === null) continue;
      next += out.slice(last, m.index);
      for (let i = last; i < m.index; i++) map.push(orig[i]!);
      for (let i = 0; i < said.length; i++) map.push(orig[m.index]!);
      next += said;
      last = m.index + m[0].length;
    }
    next += out.slice(last);
    for (let i = last; i <= out.length; i++) map.push(orig[i]!);
    out = next;
    orig = map;
  };
  const lower = (m: RegExpExecArray, i: number): string => (m[i] ?? '').toLowerCase();
  rewrite(new RegExp(`\\b(half|quarter) (past|after|to) (${NUM})\\b`, 'gi'), (m) => {
    const h = numberOf(lower(m, 3));
    if (!(h >= 1 && h <= 12)) return null;
    if (lower(m, 2) === 'to') return `${h === 1 ? 12 : h - 1}:45`;
    return `${h}:${lower(m, 1) === 'half' ? '30' : '15'}`;
  });
  rewrite(
    new RegExp(`\\bgive it (${NUM}) (minutes?|mins?|hours?)\\b`, 'gi'),
    (m) => `in ${numberOf(lower(m, 1))} ${lower(m, 2)}`,
  );
  rewrite(
    new RegExp(
      `\\b(at|around|about|by|after|before|until|till|from|in) (${NUM})(?= ?(am|pm|a\\.m\\.|p\\.m\\.|o'clock|minutes?|mins?|hours?|\\b))`,
      'gi',
    ),
    (m) => (EN_NUMBER_WORDS[lower(m, 2)] ? `${m[1]} ${numberOf(lower(m, 2))}` : null),
  );
  rewrite(new RegExp(`\\b(${NUM}) (am|pm|o'clock|minutes|hours)\\b`, 'gi'), (m) =>
    EN_NUMBER_WORDS[lower(m, 1)] ? `${numberOf(lower(m, 1))} ${m[2]}` : null,
  );
  // Meals as times of day: lunchtime is noon; teatime, suppertime and dinnertime the evening.
  rewrite(/\blunch ?time\b/gi, () => 'noon');
  rewrite(/\b(?:tea|supper|dinner) ?time\b/gi, () => 'evening');
  // British "half 7" is 7:30 (not "half an hour", "half past", "half of").
  rewrite(new RegExp(`\\bhalf (${NUM})\\b(?![:.]\\d)`, 'gi'), (m) => {
    const h = numberOf(lower(m, 1));
    return h >= 1 && h <= 12 ? `${h}:30` : null;
  });
  // An hour said bare after a word of time ("about 4", "after 5", "until 7"): chrono reads an
  // hour only after "at" or with am/pm; a count ("after 5 years", "about 4 people") is not one.
  rewrite(
    /\b(around|about|after|before|until|till|by|say) (\d{1,2})\b(?![:.]\d| ?(?:am|pm|a\.m\.|p\.m\.|o'clock|%|percent)\b| (?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|people|of|times?|quid|pounds?|dollars?|bucks|euros?)\b)/gi,
    (m) => {
      const h = Number(m[2]);
      return h >= 1 && h <= 12 ? `${m[1]} at ${h}` : null;
    },
  );
  // A day of the month alone: the next such day (this month's when still to come).
  rewrite(
    new RegExp(`\\b(?:on )?the (${ORD})\\b(?! of\\b| (?:${MONTHS.join('|')})\\b)`, 'gi'),
    (m) => {
      const day = ordinalOf(lower(m, 1));
      if (!(day >= 1 && day <= 31)) return null;
      // "the first thing", "the second one": a word ordinal is a day only after "on" or at the
      // end of what is said, or before a time, a part of the day or a verb of agreeing.
      const after = out.slice(m.index + m[0].length);
      if (
        /^[a-z]/i.test(lower(m, 1)) &&
        !/^on /i.test(m[0]) &&
        !/^\s*($|[,.?!]|(at|in|would|works|is|please|then|or|morning|afternoon|evening|if)\b)/i.test(
          after,
        )
      )
        return null;
      const before = out.slice(Math.max(0, m.index - 12), m.index).toLowerCase();
      if (MONTHS.some((mo) => before.includes(mo.slice(0, 3)))) return null;
      const month = day >= now.day ? now.month : (now.month % 12) + 1;
      return `${MONTHS[month - 1]} ${day}`;
    },
  );
  return { text: out, at: (i) => orig[Math.min(Math.max(i, 0), orig.length - 1)]! };
}

function extractEnglish(text: string, ctx: TimeContext, now: LocalParts): DateTimeEntity[] {
  const out: DateTimeEntity[] = [];
  const said = forChrono(text, now);
  const results = chrono.en.parse(
    said.text,
    { instant: ctx.reference, timezone: offsetMinutes(ctx.reference, ctx.timeZone) },
    { forwardDate: true },
  );
  for (const r of results) {
    const s = r.start;
    const start = said.at(r.index);
    const end = said.at(r.index + r.text.length);
    const span = { text: text.slice(start, end), start, end };
    const year = s.get('year');
    const month = s.get('month');
    const day = s.get('day');
    if (year === null || month === null || day === null) continue;
    const dateSaid = s.isCertain('day') || s.isCertain('weekday') || s.isCertain('month');
    const relative = r.tags().has('result/relativeDate');
    if (relative && s.isCertain('hour')) {
      const value = s.date();
      out.push({
        kind: 'datetime',
        value,
        iso: toZonedIso(value, ctx.timeZone),
        grain: 'minute',
        ...span,
      });
      continue;
    }
    const part = EN_PART.find(([re]) => re.test(r.text))?.[1] ?? null;
    const b: Building = {
      date: { year, month, day },
      part,
      hour: null,
      minute: null,
      minuteSaid: false,
    };
    if (s.isCertain('hour')) {
      const hour = s.get('hour') ?? 0;
      const minute = s.get('minute') ?? 0;
      if (!s.isCertain('meridiem') && part === null) {
        // chrono reads a bare "at 5" as 05:00; resolve() applies the business-hours reading.
      } else {
        b.meridiemKnown = true;
        b.part = null; // chrono already applied "pm"/"tonight"/"evening" to the hour
      }
      if (!dateSaid) b.date = null;
      b.hour = hour;
      b.minute = minute;
      b.minuteSaid = minute !== 0;
    }
    const entity = resolve(b, now, ctx, span);
    if (entity) {
      if (part) entity.partOfDay = part;
      out.push(entity);
    }
  }
  return out;
}

/** Finds dates and times in Chinese and English text, resolved against the reference time. */
export function extractDateTimes(text: string, ctx: TimeContext): DateTimeEntity[] {
  assertTimeZone(ctx.timeZone);
  const now = localParts(ctx.reference, ctx.timeZone);
  const zh = extractChinese(text, ctx, now);
  const en = /[A-Za-z]|\d[:：]\d/.test(text)
    ? extractEnglish(text, ctx, now).filter(
        (e) => !zh.some((z) => z.start < e.end && e.start < z.end),
      )
    : [];
  return [...zh, ...en].sort((a, b) => a.start - b.start);
}
