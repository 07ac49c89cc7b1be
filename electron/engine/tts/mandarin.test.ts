import { describe, expect, it } from 'vitest';

import { hasHanzi, toEspeakPinyin } from './mandarin.js';

describe('toEspeakPinyin', () => {
  it('writes tone-numbered pinyin with full-width punctuation turned into pauses', () => {
    expect(toEspeakPinyin('你好，我是小王')).toBe('ni3 hao3, wo3 shi4 xiao3 wang2');
    expect(toEspeakPinyin('好吗？好的！')).toBe('hao3 ma5? hao3 de5!');
  });
  it('writes the neutral tone as 5 and ü as v (what espeak reads)', () => {
    expect(toEspeakPinyin('是的')).toBe('shi4 de5');
    expect(toEspeakPinyin('女儿绿色')).toBe('nv3 er2 lv4 se4');
  });
  it('reads polyphones by context', () => {
    expect(toEspeakPinyin('银行行长')).toBe('yin2 hang2 hang2 zhang3');
  });
  it('keeps digits, decimals and Latin words, apart from the syllables around them', () => {
    expect(toEspeakPinyin('好，3点30分VIP客户')).toBe('hao3, 3 dian3 30 fen1 VIP ke4 hu4');
    expect(toEspeakPinyin('利率3.5%，共1,000元')).toBe('li4 lv4 3.5%, gong4 1,000 yuan2');
    expect(toEspeakPinyin('ＡＢＣ１２')).toBe('ABC12');
  });
  it('tells Hanzi apart', () => {
    expect(hasHanzi('abc 好')).toBe(true);
    expect(hasHanzi('ni3 hao3')).toBe(false);
  });
});
