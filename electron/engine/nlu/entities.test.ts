import { describe, expect, it } from 'vitest';

import {
  detectYesNo,
  extractEntities,
  extractMoney,
  extractNumbers,
  extractPhoneNumbers,
  parseChineseNumber,
  parseEnglishNumber,
} from './entities.js';

describe('yes / no', () => {
  it.each([
    ['是的', 'yes'],
    ['对', 'yes'],
    ['好的，没问题', 'yes'],
    ['可以', 'yes'],
    ['嗯嗯', 'yes'],
    ['没问题', 'yes'],
    ['行啊', 'yes'],
    ['不是', 'no'],
    ['不用', 'no'],
    ['不要', 'no'],
    ['算了', 'no'],
    ['不可以', 'no'],
    ['不方便', 'no'],
    ['不需要，谢谢', 'no'],
    ['yes', 'yes'],
    ['Yeah sure', 'yes'],
    ['ok', 'yes'],
    ['sounds good', 'yes'],
    ['no problem', 'yes'],
    ['Of course!', 'yes'],
    ['no', 'no'],
    ['Nope.', 'no'],
    ['not really', 'no'],
    ['no thanks', 'no'],
    ["I'm not interested", 'no'],
  ])('%s → %s', (text, value) => {
    expect(detectYesNo(text)?.value).toBe(value);
  });

  it('lets the last word decide a mixed answer, with lower confidence', () => {
    expect(detectYesNo('嗯……算了，不用了')).toMatchObject({ value: 'no', confidence: 0.6 });
    expect(detectYesNo('yeah, no')?.value).toBe('no');
    expect(detectYesNo('我不是很确定')).toBeNull(); // 不确定 is not an answer
  });

  it('returns null for no answer or uncertainty', () => {
    expect(detectYesNo('明天下午三点')).toBeNull();
    expect(detectYesNo("I'm not sure")).toBeNull();
    expect(detectYesNo('对不起你是谁')).toBeNull();
    expect(detectYesNo('what time is it right now')).toBeNull();
  });
});

describe('numbers', () => {
  it.each([
    ['一百二十三', 123],
    ['两千', 2000],
    ['三万五', 35000],
    ['一点五', 1.5],
    ['十五', 15],
    ['二十', 20],
    ['一百零五', 105],
    ['一百二', 120],
    ['两千五', 2500],
    ['三万五千', 35000],
    ['一亿', 1e8],
    ['二零二六', 2026],
    ['3万', 30000],
    ['1.5万', 15000],
    ['零点五', 0.5],
    ['十万零一', 100001],
  ])('Chinese %s = %d', (text, value) => {
    expect(parseChineseNumber(text)).toBe(value);
  });

  it.each([
    ['twenty three', 23],
    ['twenty-three', 23],
    ['one hundred and five', 105],
    ['a thousand', 1000],
    ['two point five', 2.5],
    ['three million two hundred thousand', 3_200_000],
    ['nineteen', 19],
    ['one thousand nine hundred ninety nine', 1999],
  ])('English %s = %d', (text, value) => {
    expect(parseEnglishNumber(text)?.value).toBe(value);
  });

  it('extracts numbers from mixed text with offsets', () => {
    const found = extractNumbers('I owe twenty three dollars and 1,200.50, 还有一百二十三块');
    expect(found.map((n) => n.value)).toEqual([23, 1200.5, 123]);
    expect(found[0]).toMatchObject({ text: 'twenty three', start: 6, end: 18 });
  });

  it('reads digit strings as digits, keeping leading zeros', () => {
    const [n] = extractNumbers('我的号码是幺三八零零一三八零零零');
    expect(n?.digits).toBe('13800138000');
    expect(extractNumbers('one three eight')[0]?.digits).toBe('138');
    expect(extractNumbers('分机 0755')[0]?.digits).toBe('0755');
  });

  it('skips 一 inside ordinary words', () => {
    expect(extractNumbers('我查一下，一起还，有一点忙')).toEqual([]);
    expect(extractNumbers('等一下再还三百').map((n) => n.value)).toEqual([300]);
  });
});

describe('money', () => {
  it.each([
    ['三百五十块', 350, 'CNY'],
    ['一共三百五十块钱', 350, 'CNY'],
    ['¥300', 300, 'CNY'],
    ['￥ 1,200.50', 1200.5, 'CNY'],
    ['100元', 100, 'CNY'],
    ['三块五', 3.5, 'CNY'],
    ['两块五毛钱', 2.5, 'CNY'],
    ['五毛', 0.5, 'CNY'],
    ['八角', 0.8, 'CNY'],
    ['3万块', 30000, 'CNY'],
    ['$1,200.50', 1200.5, 'USD'],
    ['two hundred dollars', 200, 'USD'],
    ['50 bucks', 50, 'USD'],
    ['twenty dollars and fifty cents', 20.5, 'USD'],
    ['99 cents', 0.99, 'USD'],
    ['USD 40', 40, 'USD'],
  ])('%s → %d %s', (text, amount, currency) => {
    const [m] = extractMoney(text);
    expect(m).toMatchObject({ amount, currency });
  });

  it('ignores plain numbers unless asked, then gives currency null', () => {
    expect(extractMoney('我有三个孩子')).toEqual([]);
    expect(extractMoney('五百', { bareNumbers: true })[0]).toMatchObject({
      amount: 500,
      currency: null,
    });
  });

  it('reports the matched span', () => {
    const [m] = extractMoney('我下周还三百五十块钱可以吗');
    expect(m).toMatchObject({ text: '三百五十块钱', start: 4, end: 10 });
  });
});

describe('phone numbers', () => {
  it('finds typed and spoken phone numbers', () => {
    expect(extractPhoneNumbers('打 138 0013 8000 找我').map((p) => p.digits)).toEqual([
      '13800138000',
    ]);
    expect(extractPhoneNumbers('幺三八零零幺三八零零零').map((p) => p.digits)).toEqual([
      '13800138000',
    ]);
    expect(extractPhoneNumbers('five five five one two three four').map((p) => p.digits)).toEqual([
      '5551234',
    ]);
    expect(extractPhoneNumbers('I owe 300')).toEqual([]);
  });
});

describe('extractEntities', () => {
  it('runs every extractor', () => {
    const e = extractEntities('好的，我明天下午三点还三百块', {
      reference: new Date('2026-11-27T10:00:00+08:00'),
      timeZone: 'Asia/Shanghai',
    });
    expect(e.yesNo?.value).toBe('yes');
    expect(e.money[0]).toMatchObject({ amount: 300, currency: 'CNY' });
    expect(e.dateTimes[0]?.iso).toBe('2026-11-28T15:00:00+08:00');
  });
});
