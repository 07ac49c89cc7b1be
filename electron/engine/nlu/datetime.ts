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
    '(?<relday>大后天|后天|今天|今日|今儿|明天|明日|明儿|今晚|明晚|今早|明早)',
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
      const offset = r.startsWith('大后') ? 3 : r.startsWith('后') ? 2 : r.startsWith('明') ? 1 : 0;
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

function extractEnglish(text: string, ctx: TimeContext, now: LocalParts): DateTimeEntity[] {
  const out: DateTimeEntity[] = [];
  const results = chrono.en.parse(
    text,
    { instant: ctx.reference, timezone: offsetMinutes(ctx.reference, ctx.timeZone) },
    { forwardDate: true },
  );
  for (const r of results) {
    const s = r.start;
    const span = { text: r.text, start: r.index, end: r.index + r.text.length };
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
