import { describe, expect, it } from 'vitest';

import { spokenKey } from './keys.js';
import { standardForms } from './variants.js';

describe('a keypad key said aloud', () => {
  it('reads an answer that is only a key, in English and Mandarin', () => {
    expect(spokenKey('one')).toBe('1');
    expect(spokenKey('Press two, please')).toBe('2');
    expect(spokenKey("I'll press 9")).toBe('9');
    expect(spokenKey('zero')).toBe('0');
    expect(spokenKey('option number three')).toBe('3');
    expect(spokenKey('一')).toBe('1');
    expect(spokenKey('按二')).toBe('2');
    expect(spokenKey('我按零吧')).toBe('0');
    expect(spokenKey('1号键')).toBe('1');
  });

  it('is no key when the answer says anything else', () => {
    for (const text of [
      'one more time',
      'give me one minute',
      'one or two',
      'twenty',
      '一会儿',
      '一二',
      '十',
      '明天',
      '',
      'no',
    ])
      expect(spokenKey(text), text).toBeNull();
  });
});

describe('standard written forms', () => {
  it('writes traditional characters and regional words as Mandarin', () => {
    expect(standardForms('我已經還款了')).toBe('我已经还款了');
    expect(standardForms('唔系我')).toBe('不是我');
    expect(standardForms('佢唔喺度')).toBe('他不在这里');
    expect(standardForms('冇呢個人')).toBe('没这个人');
    expect(standardForms('侬是啥人')).toBe('你是什么人');
    expect(standardForms('莫得问题')).toBe('没有问题');
    // 系 inside a Mandarin word stays.
    expect(standardForms('联系系统')).toBe('联系系统');
  });

  it('writes English spelling variants as the standard word', () => {
    expect(standardForms('naw i cannae')).toBe("no i can't");
    expect(standardForms('nooo dont call me tmrw')).toBe("no don't call me tomorrow");
    expect(standardForms('ill be there')).toBe("i'll be there");
    expect(standardForms('good soon')).toBe('good soon');
  });
});
