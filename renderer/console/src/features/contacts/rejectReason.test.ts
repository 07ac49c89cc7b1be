import { describe, expect, it } from 'vitest';

import { rejectMessage } from './rejectReason.js';

describe('rejected row reasons', () => {
  it('recognises the engine’s common reasons by their wording', () => {
    expect(rejectMessage('no phone number')).toEqual({ key: 'noPhone', values: {} });
    expect(rejectMessage('invalid phone number "139001" (too short)')).toEqual({
      key: 'invalidPhone',
      values: { value: '139001' },
      why: 'too short',
    });
    expect(rejectMessage('invalid phone number "电话待补" (not a phone number)')).toEqual({
      key: 'invalidPhone',
      values: { value: '电话待补' },
      why: 'not a phone number',
    });
    expect(
      rejectMessage(
        'invalid phone number "1.38E+10" (stored by the spreadsheet as a rounded number)',
      ),
    ).toEqual({ key: 'roundedNumber', values: { value: '1.38E+10' } });
    expect(rejectMessage('wrong column count: 1 column, the header has 5')).toEqual({
      key: 'columnCount',
      values: { found: '1', expected: '5' },
    });
    expect(rejectMessage('金额: "abc" is not a number')).toEqual({
      key: 'notNumber',
      values: { column: '金额', value: 'abc' },
    });
    expect(
      rejectMessage(
        '时区: "Mars/Base" is not a time zone (use an IANA name such as Asia/Shanghai)',
      ),
    ).toEqual({ key: 'notTimeZone', values: { column: '时区', value: 'Mars/Base' } });
  });

  it('leaves anything else to be shown as the engine wrote it', () => {
    expect(rejectMessage('invalid phone number "1" (something new)')).toBeNull();
    expect(
      rejectMessage('unparseable row: a quote (") opened in this row is never closed'),
    ).toBeNull();
  });
});
