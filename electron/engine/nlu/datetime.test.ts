import { describe, expect, it } from 'vitest';

import { extractDateTimes, type TimeContext } from './datetime.js';
import { localParts, offsetMinutes, toZonedIso, zonedToInstant } from './zoned-time.js';

// Friday 27 November 2026, 10:00 in Shanghai.
const SHANGHAI: TimeContext = {
  reference: new Date('2026-11-27T10:00:00+08:00'),
  timeZone: 'Asia/Shanghai',
};

function first(
  text: string,
  ctx: TimeContext = SHANGHAI,
): { iso: string; grain: string; text: string; partOfDay?: string } | undefined {
  const [e] = extractDateTimes(text, ctx);
  return (
    e && {
      iso: e.iso,
      grain: e.grain,
      text: e.text,
      ...(e.partOfDay ? { partOfDay: e.partOfDay } : {}),
    }
  );
}

describe('zoned time helpers', () => {
  it('reads and writes wall-clock time in a zone, DST included', () => {
    expect(localParts(SHANGHAI.reference, 'Asia/Shanghai')).toMatchObject({
      year: 2026,
      month: 11,
      day: 27,
      hour: 10,
      weekday: 5,
    });
    expect(offsetMinutes(SHANGHAI.reference, 'Asia/Shanghai')).toBe(480);
    expect(
      toZonedIso(
        zonedToInstant({ year: 2026, month: 7, day: 1, hour: 12, minute: 0 }, 'America/New_York'),
        'America/New_York',
      ),
    ).toBe('2026-07-01T12:00:00-04:00');
    expect(
      toZonedIso(
        zonedToInstant({ year: 2026, month: 12, day: 1, hour: 12, minute: 0 }, 'America/New_York'),
        'America/New_York',
      ),
    ).toBe('2026-12-01T12:00:00-05:00');
    expect(() => extractDateTimes('明天', { ...SHANGHAI, timeZone: 'Mars/Olympus' })).toThrow(
      RangeError,
    );
  });
});

describe('Chinese dates and times (reference Fri 2026-11-27 10:00 Asia/Shanghai)', () => {
  it.each([
    ['今天', '2026-11-27T00:00:00+08:00', 'day'],
    ['明天', '2026-11-28T00:00:00+08:00', 'day'],
    ['后天', '2026-11-29T00:00:00+08:00', 'day'],
    ['大后天', '2026-11-30T00:00:00+08:00', 'day'],
    // Cantonese: 听日 (聽日) tomorrow, 后日 the day after.
    ['听日', '2026-11-28T00:00:00+08:00', 'day'],
    ['聽日', '2026-11-28T00:00:00+08:00', 'day'],
    ['后日', '2026-11-29T00:00:00+08:00', 'day'],
    ['周一', '2026-11-30T00:00:00+08:00', 'day'],
    ['星期五', '2026-11-27T00:00:00+08:00', 'day'],
    ['礼拜天', '2026-11-29T00:00:00+08:00', 'day'],
    ['这周日', '2026-11-29T00:00:00+08:00', 'day'],
    ['下周二', '2026-12-01T00:00:00+08:00', 'day'],
    ['下个星期五', '2026-12-04T00:00:00+08:00', 'day'],
    ['12月3日', '2026-12-03T00:00:00+08:00', 'day'],
    ['十二月三号', '2026-12-03T00:00:00+08:00', 'day'],
    ['11月20号', '2027-11-20T00:00:00+08:00', 'day'],
    ['2027年1月5日', '2027-01-05T00:00:00+08:00', 'day'],
    ['30号', '2026-11-30T00:00:00+08:00', 'day'],
    ['5号', '2026-12-05T00:00:00+08:00', 'day'],
    ['明天下午三点', '2026-11-28T15:00:00+08:00', 'hour'],
    ['今天下午三点', '2026-11-27T15:00:00+08:00', 'hour'],
    ['后天上午十点一刻', '2026-11-29T10:15:00+08:00', 'minute'],
    ['下周三下午两点半', '2026-12-02T14:30:00+08:00', 'minute'],
    ['晚上八点', '2026-11-27T20:00:00+08:00', 'hour'],
    ['中午十二点', '2026-11-27T12:00:00+08:00', 'hour'],
    ['中午一点', '2026-11-27T13:00:00+08:00', 'hour'],
    ['上午九点', '2026-11-28T09:00:00+08:00', 'hour'], // 09:00 today has passed
    ['三点半', '2026-11-27T15:30:00+08:00', 'minute'],
    ['十点十分', '2026-11-27T10:10:00+08:00', 'minute'],
    ['四点三刻', '2026-11-27T16:45:00+08:00', 'minute'],
    ['下午3:30', '2026-11-27T15:30:00+08:00', 'minute'],
    ['明天14：00', '2026-11-28T14:00:00+08:00', 'hour'],
    ['两个小时后', '2026-11-27T12:00:00+08:00', 'minute'],
    ['半小时后', '2026-11-27T10:30:00+08:00', 'minute'],
    ['一个半小时以后', '2026-11-27T11:30:00+08:00', 'minute'],
    ['二十分钟后', '2026-11-27T10:20:00+08:00', 'minute'],
    ['三天后', '2026-11-30T00:00:00+08:00', 'day'],
    ['今晚', '2026-11-27T19:00:00+08:00', 'part_of_day'],
    ['明早', '2026-11-28T09:00:00+08:00', 'part_of_day'],
    ['明天上午', '2026-11-28T09:00:00+08:00', 'part_of_day'],
    ['周六下午', '2026-11-28T15:00:00+08:00', 'part_of_day'],
  ])('%s → %s (%s)', (text, iso, grain) => {
    expect(first(text)).toMatchObject({ iso, grain, text });
  });

  it('finds the time inside a sentence and reports the span', () => {
    const [e] = extractDateTimes('那我明天下午三点再还吧', SHANGHAI);
    expect(e).toMatchObject({ text: '明天下午三点', start: 2, end: 8, partOfDay: 'afternoon' });
    expect(e?.value.toISOString()).toBe('2026-11-28T07:00:00.000Z');
  });

  it('ignores bare numbers, "a bit" and durations without 后', () => {
    expect(extractDateTimes('我现在有一点忙', SHANGHAI)).toEqual([]);
    expect(extractDateTimes('利率一点五', SHANGHAI)).toEqual([]);
    expect(first('下午一点')?.iso).toBe('2026-11-27T13:00:00+08:00');
    expect(first('三点二十')?.iso).toBe('2026-11-27T15:20:00+08:00');
    expect(first('三点五分')?.iso).toBe('2026-11-27T15:05:00+08:00');
    expect(extractDateTimes('我还了三百', SHANGHAI)).toEqual([]);
    expect(extractDateTimes('我等了两个小时', SHANGHAI)).toEqual([]);
  });
});

describe('English dates and times via chrono-node', () => {
  it.each([
    ['next Tuesday at 3 pm', '2026-12-01T15:00:00+08:00', 'hour'],
    ['tomorrow morning', '2026-11-28T09:00:00+08:00', 'part_of_day'],
    ['in two hours', '2026-11-27T12:00:00+08:00', 'minute'],
    ['in 30 minutes', '2026-11-27T10:30:00+08:00', 'minute'],
    ['call me back at 5', '2026-11-27T17:00:00+08:00', 'hour'],
    ['tonight at 8', '2026-11-27T20:00:00+08:00', 'hour'],
    ['December 3rd', '2026-12-03T00:00:00+08:00', 'day'],
    ['tomorrow at 3:30 pm', '2026-11-28T15:30:00+08:00', 'minute'],
    ['tomorrow', '2026-11-28T00:00:00+08:00', 'day'],
    ['at 9 am', '2026-11-28T09:00:00+08:00', 'hour'],
    ['3:30', '2026-11-27T15:30:00+08:00', 'minute'],
  ])('%s → %s (%s)', (text, iso, grain) => {
    expect(first(text)).toMatchObject({ iso, grain });
  });

  it('resolves in the customer time zone', () => {
    // Same instant, but in New York it is Thursday 26 November, 21:00.
    const ny: TimeContext = { reference: SHANGHAI.reference, timeZone: 'America/New_York' };
    expect(first('tomorrow at 9 am', ny)?.iso).toBe('2026-11-27T09:00:00-05:00');
    expect(first('明天上午九点', ny)?.iso).toBe('2026-11-27T09:00:00-05:00');
  });

  it('handles mixed-language sentences', () => {
    const found = extractDateTimes('明天下午 or maybe Monday at 10 am', SHANGHAI);
    expect(found.map((e) => e.iso)).toEqual([
      '2026-11-28T15:00:00+08:00',
      '2026-11-30T10:00:00+08:00',
    ]);
  });
});

describe('English times chrono does not read on its own (reference Fri 2026-11-27 10:00)', () => {
  it.each([
    ['half past three', '2026-11-27T15:30:00+08:00', 'minute', 'half past three'],
    ['quarter to four', '2026-11-27T15:45:00+08:00', 'minute', 'quarter to four'],
    ['Thursday at two', '2026-12-03T14:00:00+08:00', 'hour', 'Thursday at two'],
    ['give it thirty minutes', '2026-11-27T10:30:00+08:00', 'minute', 'give it thirty minutes'],
    // A day of the month alone: this month's when still to come, else next month's.
    ['how about the 29th', '2026-11-29T00:00:00+08:00', 'day', 'the 29th'],
    ['on the twelfth at ten am', '2026-12-12T10:00:00+08:00', 'hour', 'on the twelfth at ten am'],
    // British "half 7", and an hour said bare after a word of time (business hours: 4 is 16:00).
    ['half 7 would be grand', '2026-11-27T19:30:00+08:00', 'minute', 'half 7'],
    ['so about four', '2026-11-27T16:00:00+08:00', 'hour', 'about four'],
    ["I'm not home until 7", '2026-11-27T19:00:00+08:00', 'hour', 'until 7'],
    // Meals as times of day.
    ['call me at lunchtime', '2026-11-27T12:00:00+08:00', 'hour', 'lunchtime'],
    ['around teatime', '2026-11-27T19:00:00+08:00', 'part_of_day', 'teatime'],
    ['Monday suppertime', '2026-11-30T19:00:00+08:00', 'part_of_day', 'Monday suppertime'],
  ])('%s → %s (%s), its span as said', (text, iso, grain, said) => {
    expect(first(text)).toMatchObject({ iso, grain, text: said });
  });

  it('keeps spans on the answer as written', () => {
    const [e] = extractDateTimes('ok, half past three works', SHANGHAI);
    expect(e && 'ok, half past three works'.slice(e.start, e.end)).toBe('half past three');
  });

  it('reads no day of the month in "the first thing" or a bare number', () => {
    expect(first('the first thing I need')).toBeUndefined();
    expect(first('two of them')).toBeUndefined();
  });

  it('reads no hour in a count after a word of time', () => {
    expect(first('about 4 people came')).toBeUndefined();
    expect(first('by 3 percent')).toBeUndefined();
    expect(first('around 5 of them')).toBeUndefined();
  });
});
