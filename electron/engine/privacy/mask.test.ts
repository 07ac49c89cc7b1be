/** The maskers: common-practice masked forms, replacement in place of the original (spoken) words, and names. */
import { describe, expect, it } from 'vitest';

import { maskName, maskText, maskValue, type PersonalDataKind } from './index.js';

describe('maskValue', () => {
  it('masks each kind the common way', () => {
    const cases: Array<[PersonalDataKind, string, string]> = [
      ['mobile', '13812345678', '138****5678'],
      ['phone', '01012345678', '010****5678'],
      ['phone', '12345', '***45'],
      ['bankCard', '6222021234561234', '622202******1234'],
      ['bankCard', '6222021234567890128', '622202*********0128'],
      ['idCard', '11010519491231002X', '110105********002X'],
      ['email', 'alice@x.com', 'a***@x.com'],
      ['email', 'not-an-address', '***'],
      ['amount', '300', '***'],
    ];
    for (const [kind, value, masked] of cases) expect(maskValue(kind, value), value).toBe(masked);
  });
});

describe('maskText', () => {
  it('replaces each match in place and keeps the rest', () => {
    expect(maskText('手机13812345678，邮箱 alice@x.com。')).toBe(
      '手机138****5678，邮箱 a***@x.com。',
    );
    expect(maskText('+86 138 1234 5678')).toBe('+86 138****5678');
    expect(maskText('card 6222 0212 3456 7890 128 ok')).toBe('card 622202*********0128 ok');
    expect(maskText('ID 11010519491231002X')).toBe('ID 110105********002X');
  });

  it('replaces the words that were said, not a normalised copy', () => {
    expect(maskText('我的号码是幺三八一二三四五六七八，对')).toBe('我的号码是138****5678，对');
    expect(maskText('it is one three eight double one two three four five six seven okay')).toBe(
      'it is 138****4567 okay',
    );
  });

  it('masks amounts only when configured, keeping the currency', () => {
    expect(maskText('欠款¥3000元')).toBe('欠款¥3000元');
    expect(maskText('欠款¥3000, 还有五百块', { amounts: true })).toBe('欠款¥***, 还有***块');
  });

  it('leaves ordinary text untouched', () => {
    const text = 'Call me at 10:30 on 2024-05-01 about order 12345.';
    expect(maskText(text)).toBe(text);
  });

  it('leaves ids alone (UUIDs whose digits read like a number), and still masks a number beside one', () => {
    // A call id that a full run's log masked to "0a431***4112-…": the fatal test then found no call.
    const id = '0a431433-4112-4b69-9949-ea77c4a294b7';
    expect(maskText(`Emergency stop: ending live calls ["${id}"]`)).toBe(
      `Emergency stop: ending live calls ["${id}"]`,
    );
    expect(maskText(`call ${id} to 13800138000`)).toBe(`call ${id} to 138****8000`);
  });
});

describe('maskName', () => {
  it('keeps the first and last character of each word', () => {
    expect(maskName('张三丰')).toBe('张*丰');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
    expect(maskName('John Smith')).toBe('J**n S***h');
    expect(maskName('Al')).toBe('A*');
    expect(maskName('李')).toBe('*');
    expect(maskName('')).toBe('');
  });
});
