import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';

import { detectEncoding, isUtf8 } from './encoding.js';

const TEXT = '姓名,手机号,地区\n王伟,13800138000,北京\n';

describe('encoding detection', () => {
  it('tells UTF-8, UTF-8 with BOM and GBK/GB18030 apart', () => {
    expect(detectEncoding(Buffer.from(TEXT, 'utf8'), true)).toBe('utf-8');
    expect(
      detectEncoding(
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]),
        true,
      ),
    ).toBe('utf-8-bom');
    expect(detectEncoding(iconv.encode(TEXT, 'gbk'), true)).toBe('gb18030');
    expect(detectEncoding(iconv.encode(`${TEXT}𠀀,13900139000,深圳\n`, 'gb18030'), true)).toBe(
      'gb18030',
    );
  });

  it('reads plain ASCII as UTF-8', () => {
    expect(detectEncoding(Buffer.from('name,phone\nAnn,+12025550100\n'), true)).toBe('utf-8');
  });

  it('does not hold a character cut at the end of a partial sample against UTF-8', () => {
    const bytes = Buffer.from('王伟', 'utf8');
    const cut = bytes.subarray(0, bytes.length - 1);
    expect(isUtf8(cut, false)).toBe(true);
    expect(isUtf8(cut, true)).toBe(false);
    expect(detectEncoding(cut, false)).toBe('utf-8');
  });

  it('refuses overlong forms and surrogates as UTF-8', () => {
    expect(isUtf8(Buffer.from([0xc0, 0xaf]))).toBe(false);
    expect(isUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(false);
    expect(isUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(false);
    expect(isUtf8(Buffer.from('😀', 'utf8'))).toBe(true);
  });

  it('refuses UTF-16 with a message saying how to save the file', () => {
    expect(() => detectEncoding(iconv.encode('\uFEFFname,phone', 'utf16le'), true)).toThrow(
      /UTF-16.*CSV UTF-8/,
    );
  });
});
