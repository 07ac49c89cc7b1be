import { describe, expect, it } from 'vitest';

import { isKnownRegion, normalizePhone } from './phone.js';

const e164 = (raw: string, region: 'CN' | 'US' = 'CN') => {
  const result = normalizePhone(raw, region);
  return result.ok ? result.e164 : result.reason;
};

describe('phone normalization to E.164', () => {
  it.each([
    ['13800138000', '+8613800138000'],
    ['138 0013 8000', '+8613800138000'],
    ['138-0013-8000', '+8613800138000'],
    ['+86 138 0013 8000', '+8613800138000'],
    ['+86-138-0013-8000', '+8613800138000'],
    ['0086 13800138000', '+8613800138000'],
    ['008613800138000', '+8613800138000'],
    ['１３８００１３８０００', '+8613800138000'],
    ['＋８６ １３８ ００１３ ８０００', '+8613800138000'],
    ["'13800138000", '+8613800138000'],
    ['010-62345678', '+861062345678'],
    ['(021) 6234 5678', '+862162345678'],
    ['0755 8888 1234', '+8675588881234'],
    ['+1 (202) 555-0100', '+12025550100'],
  ])('%s → %s', (raw, expected) => {
    expect(e164(raw)).toBe(expected);
  });

  it('reads numbers without a country code in the given region', () => {
    expect(e164('(202) 555-0100', 'US')).toBe('+12025550100');
    expect(e164('13800138000', 'US')).not.toBe('+8613800138000');
  });

  it.each([
    ['', 'no phone number'],
    ['   ', 'no phone number'],
    ['12345', 'invalid phone number "12345" (too short)'],
    ['1380013800', 'invalid phone number "1380013800" (not a number in use)'],
    ['138001380001234567', 'invalid phone number "138001380001234567" (too long)'],
    ['62345678', 'invalid phone number "62345678" (not a number in use)'],
    ['abc', 'invalid phone number "abc" (not a phone number)'],
    [
      '1.38001E+10',
      'invalid phone number "1.38001E+10" (stored by the spreadsheet as a rounded number)',
    ],
  ])('refuses %j: %s', (raw, reason) => {
    expect(e164(raw)).toBe(reason);
  });

  it('knows region codes', () => {
    expect(isKnownRegion('CN')).toBe(true);
    expect(isKnownRegion('GB')).toBe(true);
    expect(isKnownRegion('XX')).toBe(false);
    expect(isKnownRegion('cn')).toBe(false);
  });
});
