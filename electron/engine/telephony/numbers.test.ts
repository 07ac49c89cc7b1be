import { describe, expect, it } from 'vitest';

import { checkDialNumber } from './numbers.js';

describe('checkDialNumber', () => {
  it('keeps digits and a leading +, dropping what people type between them', () => {
    expect(checkDialNumber(' +86 (138) 0013-8000 ')).toEqual({
      ok: true,
      number: '+8613800138000',
    });
    expect(checkDialNumber('*72#')).toEqual({ ok: true, number: '*72#' });
  });

  it('refuses letters, other symbols and implausible lengths, saying which', () => {
    expect(checkDialNumber('1800-FLOWERS')).toEqual({
      ok: false,
      message:
        '"1800-FLOWERS" contains letters; a phone number has digits only (and an optional leading +)',
    });
    expect(checkDialNumber('12;34')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/characters a phone number cannot have/),
    });
    expect(checkDialNumber('1')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/has 1 digits/),
    });
    expect(checkDialNumber('   ')).toEqual({ ok: false, message: 'is empty' });
  });
});
