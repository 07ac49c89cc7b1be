/** The personal-data detectors: check characters, card numbers, phone numbers typed and spoken in both languages, and the ordinary text they must leave alone. */
import { describe, expect, it } from 'vitest';

import {
  type DetectOptions,
  findPersonalData,
  idCardCheckCharacter,
  isValidIdCard,
  luhnValid,
  type PersonalDataMatch,
} from './index.js';

const kinds = (text: string): [string, string][] =>
  findPersonalData(text).map((m) => [m.kind, m.value]);
const spanOf = (text: string, m: PersonalDataMatch | undefined): string =>
  m ? text.slice(m.start, m.end) : '';

describe('身份证 (GB 11643, ISO 7064 MOD 11-2)', () => {
  it('computes the check character', () => {
    expect(idCardCheckCharacter('11010519491231002')).toBe('X');
    expect(idCardCheckCharacter('44030619900307123')).toBe('2');
    expect(idCardCheckCharacter('32010219851111001')).toBe('7');
  });

  it('accepts valid numbers, X in either case', () => {
    expect(isValidIdCard('11010519491231002X')).toBe(true);
    expect(isValidIdCard('11010519491231002x')).toBe(true);
    expect(isValidIdCard('440306199003071232')).toBe(true);
    expect(isValidIdCard('320102198511110017')).toBe(true);
  });

  it('refuses a wrong check character, an impossible birth date, an unknown province or a future birth', () => {
    expect(isValidIdCard('110105194912310021')).toBe(false); // check should be X
    expect(isValidIdCard('440306199003071233')).toBe(false);
    // 1990-02-30 with its own correct check character is still no id number.
    const feb30 = `44030619900230123`;
    expect(isValidIdCard(feb30 + idCardCheckCharacter(feb30))).toBe(false);
    const province99 = '99030619900307123';
    expect(isValidIdCard(province99 + idCardCheckCharacter(province99))).toBe(false);
    const future = '44030621000307123';
    expect(isValidIdCard(future + idCardCheckCharacter(future), new Date('2026-01-01'))).toBe(
      false,
    );
    expect(isValidIdCard('4403061990030712')).toBe(false); // 16 digits
  });

  it('finds an id number in text, typed whole or in groups, and not one with a wrong check character', () => {
    expect(kinds('身份证号11010519491231002X。')).toEqual([['idCard', '11010519491231002X']]);
    expect(kinds('ID: 110105 19491231 002x, thanks')).toEqual([['idCard', '11010519491231002X']]);
    expect(kinds('证件号 440306199003071232')).toEqual([['idCard', '440306199003071232']]);
    // Wrong check character: not an id card; an 18-digit run is still masked, as a low-confidence number.
    const wrong = findPersonalData('证件号 440306199003071233');
    expect(wrong.map((m) => m.kind)).not.toContain('idCard');
    expect(wrong[0]?.confidence).toBeLessThan(0.5);
  });

  it('finds an id number said digit by digit', () => {
    const text = '我的身份证是四四零三零六一九九零零三零七一二三二';
    const [m] = findPersonalData(text);
    expect(m?.kind).toBe('idCard');
    expect(m?.value).toBe('440306199003071232');
    expect(spanOf(text, m)).toBe('四四零三零六一九九零零三零七一二三二');
  });
});

describe('bank cards (16–19 digits, Luhn)', () => {
  it('checks Luhn', () => {
    expect(luhnValid('6222021234567890128')).toBe(true);
    expect(luhnValid('6228480012345671')).toBe(true);
    expect(luhnValid('4532015112830366')).toBe(true);
    expect(luhnValid('6222021234567890127')).toBe(false);
    expect(luhnValid('62220212345678901x')).toBe(false);
  });

  it('finds Luhn-valid cards of 16 and 19 digits, UnionPay highest, grouped or not', () => {
    const found = findPersonalData('卡号6222021234567890128，另一张 6228 4800 1234 5671');
    expect(found.map((m) => [m.kind, m.value])).toEqual([
      ['bankCard', '6222021234567890128'],
      ['bankCard', '6228480012345671'],
    ]);
    expect(found[0]?.confidence).toBeGreaterThanOrEqual(0.95);
    const visa = findPersonalData('card 4532-0151-1283-0366');
    expect(visa.map((m) => [m.kind, m.value])).toEqual([['bankCard', '4532015112830366']]);
    expect(visa[0]?.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('gives a Luhn-invalid run of card length a low confidence, and ignores shorter or longer runs', () => {
    const bad = findPersonalData('卡号 6222021234567890127');
    expect(bad).toHaveLength(1);
    expect(bad[0]?.confidence).toBeLessThan(0.6);
    expect(findPersonalData('卡号 6222021234567890127', { minConfidence: 0.6 })).toEqual([]);
    expect(kinds('15 digits 622202123456789')).toEqual([]);
    expect(kinds('20 digits 62220212345678901284')).toEqual([]);
  });

  it('finds a card said digit by digit in English, with double and triple', () => {
    const text =
      'it is six two two two zero two one two three four five six seven eight nine oh one two eight';
    const [m] = findPersonalData(text);
    expect(m?.kind).toBe('bankCard');
    expect(m?.value).toBe('6222021234567890128');
    expect(spanOf(text, m)).toBe(
      'six two two two zero two one two three four five six seven eight nine oh one two eight',
    );
    expect(
      kinds('six triple two zero two one two three four five six seven eight nine 0 1 2 8'),
    ).toEqual([['bankCard', '6222021234567890128']]);
  });
});

describe('phone numbers', () => {
  it('finds mainland mobiles typed with prefixes, spaces and dashes; the span leaves the country code out', () => {
    expect(kinds('我的手机是13800138000，谢谢')).toEqual([['mobile', '13800138000']]);
    for (const text of [
      '+86 138 0013 8000',
      '0086-138-0013-8000',
      '+8613800138000',
      '86 13800138000',
      '138-0013-8000',
    ]) {
      const [m] = findPersonalData(text);
      expect(m?.kind, text).toBe('mobile');
      expect(m?.value, text).toBe('13800138000');
      expect(spanOf(text, m).replace(/\D/g, ''), text).toBe('13800138000');
    }
  });

  it('finds fixed lines with an area code, with or without a dash, and 400 numbers', () => {
    expect(kinds('电话 010-12345678 或 0755 8888 6666，总机02158889999')).toEqual([
      ['phone', '01012345678'],
      ['phone', '075588886666'],
      ['phone', '02158889999'],
    ]);
    expect(kinds('客服 400-810-8888')).toEqual([['phone', '4008108888']]);
  });

  it('finds international numbers libphonenumber-js knows', () => {
    expect(kinds('call +44 20 7946 0958 now')).toEqual([['phone', '2079460958']]);
    const text = 'or (415) 555-2671 after six';
    const [m] = findPersonalData(text);
    expect(m?.value).toBe('4155552671');
    expect(spanOf(text, m)).toBe('(415) 555-2671');
  });

  it('finds numbers spoken in Chinese: 幺, 两, 洞, 〇, grouped or not, mixed with digits', () => {
    for (const [text, said] of [
      ['我的号码是幺三八零零幺三八零零零', '幺三八零零幺三八零零零'],
      ['一三八 零零一三 八零零零，记一下', '一三八 零零一三 八零零零'],
      ['号码一五两洞洞幺二三四五六', '一五两洞洞幺二三四五六'],
      ['打一三九〇〇一三八〇〇〇吧', '一三九〇〇一三八〇〇〇'],
      ['幺三八 0013 8000 谢谢', '幺三八 0013 8000'],
    ] as const) {
      const [m] = findPersonalData(text);
      expect(m?.kind, text).toBe('mobile');
      expect(spanOf(text, m), text).toBe(said);
    }
  });

  it('finds numbers spoken in English: oh, double, triple, mixed with digits', () => {
    const text = 'sure, my number is one three eight double oh one three eight triple zero okay';
    const [m] = findPersonalData(text);
    expect(m?.kind).toBe('mobile');
    expect(m?.value).toBe('13800138000');
    expect(spanOf(text, m)).toBe('one three eight double oh one three eight triple zero');
    expect(kinds('One Three Nine, 0 0, one three eight, zero zero zero')).toEqual([
      ['mobile', '13900138000'],
    ]);
    expect(kinds('four one five five five five two six seven one')).toEqual([
      ['phone', '4155552671'],
    ]);
  });

  it('finds a mobile beside a date without swallowing the date', () => {
    const text = 'Meeting at 10:30 on 2024-05-01, 13800138000';
    const [m] = findPersonalData(text);
    expect(spanOf(text, m)).toBe('13800138000');
  });
});

describe('e-mail and amounts', () => {
  it('finds e-mail addresses, digits inside them included', () => {
    expect(kinds('mail alice.w@example.com or 13800138000@qq.com.')).toEqual([
      ['email', 'alice.w@example.com'],
      ['email', '13800138000@qq.com'],
    ]);
  });

  it('finds amounts only when asked', () => {
    const text = '花了¥300和三百五十块, then $12.50';
    expect(findPersonalData(text)).toEqual([]);
    const asConfigured: DetectOptions = { amounts: true };
    const found = findPersonalData(text, asConfigured);
    expect(found.map((m) => [m.value, text.slice(m.start, m.end)])).toEqual([
      ['300', '300'],
      ['350', '三百五十'],
      ['12.5', '12.50'],
    ]);
  });
});

describe('no false positives', () => {
  it.each([
    'Hello, I would like to reschedule my appointment to next Tuesday.',
    '您好，我想把预约改到下周二下午三点。',
    'I have one or two questions, oh well, one more thing.',
    'Meeting at 10:30 on 2024-05-01 for 45 minutes',
    '今天是二零二四年五月一日，一起吃饭吧',
    '订单号 20240501123，共 3 件，合计 128.50',
    'order #12345678 shipped, ref 987654',
    'version 1.13.16, build 20240501',
    'call at 12:30:45, 2024/05/01 08:00',
    'timestamp 1701234567890 took 2147483648 bytes in 3456789012 ns',
    '一五一十地说，三三两两的人',
    'IP 192.168.100.200 port 5060',
    'uuid 550e8400-e29b-41d4-a716-446655440000',
  ])('%s', (text) => {
    expect(findPersonalData(text)).toEqual([]);
  });
});
