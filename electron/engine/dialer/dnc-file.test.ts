import { describe, expect, it } from 'vitest';

import { DncFileError, parseDncFile } from './dnc-file.js';
import { assertRegion, normalizePhone } from './phone.js';

describe('phone numbers to E.164', () => {
  it('reads national and international formats with the default region', () => {
    for (const typed of [
      '138 0013 8000',
      '+86 138-0013-8000',
      '0086 13800138000',
      '(+86) 13800138000',
    ]) {
      expect(normalizePhone(typed, 'CN')).toEqual({ ok: true, e164: '+8613800138000' });
    }
    expect(normalizePhone('(202) 555-0100', 'US')).toEqual({ ok: true, e164: '+12025550100' });
    expect(normalizePhone('+1 202 555 0100', 'CN')).toEqual({ ok: true, e164: '+12025550100' });
  });

  it('says why a number is refused', () => {
    // The contact import's reading (shared on purpose), so DNC entries match imported contacts.
    expect(normalizePhone('', 'CN')).toEqual({ ok: false, reason: 'no phone number' });
    expect(normalizePhone('call me', 'CN')).toEqual({
      ok: false,
      reason: 'invalid phone number "call me" (not a phone number)',
    });
    expect(normalizePhone('123', 'CN')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/too short/),
    });
    expect(normalizePhone('12345678901234567890', 'CN')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/too long/),
    });
  });

  it('refuses an unknown region as a usage mistake', () => {
    expect(assertRegion('cn')).toBe('CN');
    expect(() => assertRegion('ZZ')).toThrow(/two-letter region code/);
    expect(() => assertRegion('CHN')).toThrow(/got "CHN"/);
  });
});

describe('DNC files', () => {
  it('reads one number per line, skipping blanks and comments, merging duplicates, naming bad lines', () => {
    const text =
      '\uFEFF# opted out in October\n138 0013 8000\n\n+86 139 0000 0000\nnot a number\n13800138000\r\n123\n';
    expect(parseDncFile(text, 'CN')).toEqual({
      format: 'lines',
      entries: [
        { line: 2, phone: '+8613800138000', reason: null },
        { line: 4, phone: '+8613900000000', reason: null },
      ],
      rejected: [
        {
          line: 5,
          value: 'not a number',
          reason: 'invalid phone number "not a number" (not a phone number)',
        },
        { line: 7, value: '123', reason: 'invalid phone number "123" (too short)' },
      ],
      duplicates: 1,
    });
  });

  it('reads a CSV by its phone column, with a reason column when there is one', () => {
    const text =
      'name,手机号,备注\n王先生,138 0013 8000,"asked, twice"\n李女士,,\nAlex,"+1 (202) 555-0100",\n';
    expect(parseDncFile(text, 'CN')).toEqual({
      format: 'csv',
      entries: [
        { line: 2, phone: '+8613800138000', reason: 'asked, twice' },
        { line: 4, phone: '+12025550100', reason: null },
      ],
      rejected: [{ line: 3, value: '', reason: 'no number in the phone column' }],
      duplicates: 0,
    });
  });

  it('refuses a file with no numbers or no phone column as a whole', () => {
    expect(() => parseDncFile('', 'CN')).toThrow(DncFileError);
    expect(() => parseDncFile('# nothing\n\n', 'CN')).toThrow(/no numbers/);
    expect(() => parseDncFile('name;city\nWang;Beijing\n', 'CN')).toThrow(
      /no phone column: line 1/,
    );
  });
});
