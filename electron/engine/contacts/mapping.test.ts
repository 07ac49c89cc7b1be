import { describe, expect, it } from 'vitest';

import { mapColumns, MappingError } from './mapping.js';

const targets = (headers: string[], overrides?: Map<string, string>) =>
  mapColumns(headers, overrides).columns.map((c) => c.target);

describe('column mapping', () => {
  it('recognises Chinese headers', () => {
    expect(targets(['姓名', '手机号', '时区', '地区', '金额', 'VIP等级', '标签'])).toEqual([
      { kind: 'name' },
      { kind: 'phone' },
      { kind: 'timeZone' },
      { kind: 'field', field: 'region', type: 'text' },
      { kind: 'field', field: 'amount', type: 'number' },
      { kind: 'field', field: 'vip_level', type: 'number' },
      { kind: 'field', field: 'tags', type: 'tags' },
    ]);
  });

  it('recognises English headers whatever their case, spacing or underscores', () => {
    expect(targets([' Phone Number ', 'NAME', 'Time Zone', 'vip_level', 'Tags', 'Amount'])).toEqual(
      [
        { kind: 'phone' },
        { kind: 'name' },
        { kind: 'timeZone' },
        { kind: 'field', field: 'vip_level', type: 'number' },
        { kind: 'field', field: 'tags', type: 'tags' },
        { kind: 'field', field: 'amount', type: 'number' },
      ],
    );
  });

  it('keeps unknown columns as text fields and a second phone column as a field', () => {
    const mapping = mapColumns(['手机', '电话', '备注', '']);
    expect(mapping.phoneColumn).toBe(0);
    expect(mapping.columns.map((c) => c.target)).toEqual([
      { kind: 'phone' },
      { kind: 'field', field: '电话', type: 'text' },
      { kind: 'field', field: '备注', type: 'text' },
      { kind: 'field', field: 'column_4', type: 'text' },
    ]);
  });

  it('lets --map override a guess, skip a column, or name the phone column', () => {
    const mapping = mapColumns(
      ['客户电话', 'Name', 'Level', 'internal id'],
      new Map([
        ['客户电话', 'phone'],
        ['Level', 'vip_level'],
        ['internal id', '-'],
      ]),
    );
    expect(mapping.phoneColumn).toBe(0);
    expect(mapping.columns.map((c) => c.target)).toEqual([
      { kind: 'phone' },
      { kind: 'name' },
      { kind: 'field', field: 'vip_level', type: 'number' },
      { kind: 'ignore' },
    ]);
    // The mapped phone column wins over one the headers would suggest.
    expect(mapColumns(['phone', 'mobile'], new Map([['mobile', 'phone']])).phoneColumn).toBe(1);
  });

  it('names the headers it found when there is no phone column', () => {
    expect(() => mapColumns(['姓名', '金额'])).toThrow(MappingError);
    expect(() => mapColumns(['姓名', '金额'])).toThrow(
      'No phone column found. The file\'s columns: "姓名", "金额"',
    );
  });

  it('refuses a --map column the file does not have, naming its columns', () => {
    expect(() => mapColumns(['phone', 'name'], new Map([['Mobile', 'phone']]))).toThrow(
      'the file has no column "Mobile" (its columns: "phone", "name")',
    );
  });
});
