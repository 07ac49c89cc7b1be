/**
 * `outbound import` as a user runs it, against the built CLI: a GBK-encoded list of 20 contacts from
 * Excel on Chinese Windows with 3 bad rows, reported by row number; a re-import merges instead of
 * duplicating; files that cannot be imported fail with exit 1 and store nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openStore } from '../../electron/engine/store/index.js';
import { jsonLines, outbound } from '../support/cli-run.js';
import { assertBuilt } from '../support/serve.js';

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';

/** 20 contacts as Excel writes them (CRLF, GBK), in every common number format; rows 5, 11 and 18 are bad. */
function contactsCsv(): Buffer {
  const lines = ['姓名,手机号,金额,标签,地区'];
  for (let i = 0; i < 20; i++) {
    const digits = `139${String(10_000_000 + i * 7_919).slice(0, 8)}`;
    const formats = [
      digits,
      `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`,
      `+86-${digits}`,
      `0086${digits}`,
    ];
    let phone = formats[i % formats.length]!;
    const row = i + 2;
    if (row === 5) phone = '';
    if (row === 11) phone = '139001';
    if (row === 18) phone = '电话待补';
    lines.push(
      `${SURNAMES[i]}先生,${phone},${100 * (i + 1)},${i % 5 === 0 ? '"vip,complaint"' : ''},北京`,
    );
  }
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'gbk');
}

describe('outbound import', () => {
  let scratch: string;
  let data: string;
  let file: string;
  const inData = (...args: string[]) => [...args, '--data', data];

  beforeAll(async () => {
    assertBuilt();
    scratch = await mkdtemp(join(tmpdir(), 'outbound-cli-import-'));
    data = join(scratch, 'data');
    file = join(scratch, '客户名单.csv');
    await writeFile(file, contactsCsv());
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('imports a GBK file of 20 contacts: 17 accepted, 3 rejected with their row numbers', async () => {
    const run = outbound(inData('import', file, '--list', '春季回访', '--json'));
    expect(run.code).toBe(0);
    const records = jsonLines(run);
    expect(
      records
        .filter((r) => r.event === 'import.rejected')
        .map(({ row, reason }) => ({ row, reason })),
    ).toEqual([
      { row: 5, reason: 'no phone number' },
      { row: 11, reason: 'invalid phone number "139001" (too short)' },
      { row: 18, reason: 'invalid phone number "电话待补" (not a phone number)' },
    ]);
    expect(records.at(-1)).toMatchObject({
      event: 'import.done',
      encoding: 'gb18030',
      listCreated: true,
      region: 'CN',
      rows: 20,
      accepted: 17,
      inserted: 17,
      merged: 0,
      rejectedCount: 3,
    });

    const store = await openStore({ dataDir: data });
    try {
      const list = await store.contacts.getListByName('春季回访');
      const contacts = await store.contacts.contacts(list!.id);
      expect(contacts).toHaveLength(17);
      expect(contacts.every((c) => /^\+86139\d{8}$/.test(c.phone))).toBe(true);
      expect(contacts[0]).toMatchObject({
        name: '王先生',
        fields: { amount: 100, tags: ['vip', 'complaint'], region: '北京' },
      });
    } finally {
      await store.close();
    }
  });

  it('merges a re-import of the same file instead of duplicating it, in readable text', async () => {
    const run = outbound(inData('import', file, '--list', '春季回访'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('row 5: no phone number');
    expect(run.stdout).toContain('row 11: invalid phone number "139001" (too short)');
    expect(run.stdout).toContain(
      'List "春季回访" (region CN): 17 accepted (0 new, 17 merged), 3 rejected of 20 rows.',
    );
    const store = await openStore({ dataDir: data });
    try {
      expect(
        await store.contacts.countContacts((await store.contacts.getListByName('春季回访'))!.id),
      ).toBe(17);
    } finally {
      await store.close();
    }
  });

  it('fails with exit 1 and stores nothing for an empty file, a file without a phone column, or a missing file', async () => {
    const empty = join(scratch, 'empty.csv');
    await writeFile(empty, '');
    const noPhone = join(scratch, 'no-phone.csv');
    await writeFile(noPhone, iconv.encode('姓名,金额\r\n王先生,100\r\n', 'gbk'));

    const emptyRun = outbound(inData('import', empty, '--list', 'other', '--json'));
    expect(emptyRun.code).toBe(1);
    expect(jsonLines(emptyRun)[0]).toMatchObject({
      event: 'error',
      code: 'EMPTY_FILE',
      message: expect.stringContaining('is empty'),
    });

    const noPhoneRun = outbound(inData('import', noPhone, '--list', 'other'));
    expect(noPhoneRun.code).toBe(1);
    expect(noPhoneRun.stderr).toContain(
      'No phone column found. The file\'s columns: "姓名", "金额"',
    );
    expect(noPhoneRun.stderr).toContain('Nothing was imported.');

    const missing = outbound(inData('import', join(scratch, 'missing.csv'), '--list', 'other'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read .*missing\.csv/);

    const store = await openStore({ dataDir: data });
    try {
      expect(await store.contacts.getListByName('other')).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('maps a column with --map and reads numbers in --region', async () => {
    const us = join(scratch, 'us.csv');
    await writeFile(us, 'Customer,Cell,Level\nAnn,(202) 555-0100,3\n');
    const run = outbound(
      inData(
        'import',
        us,
        '--list',
        'us',
        '--region',
        'US',
        '--map',
        'Cell=phone',
        '--map',
        'Level=vip_level',
        '--json',
      ),
    );
    expect(run.code).toBe(0);
    expect(jsonLines(run).at(-1)).toMatchObject({ accepted: 1, region: 'US' });
    const store = await openStore({ dataDir: data });
    try {
      expect(
        await store.contacts.contacts((await store.contacts.getListByName('us'))!.id),
      ).toMatchObject([{ phone: '+12025550100', name: 'Ann', fields: { vip_level: 3 } }]);
    } finally {
      await store.close();
    }
  });

  it('imports an XLSX workbook (numbers typed as numbers, rows numbered as in Excel)', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.addRow(['姓名', '电话', 'VIP等级']);
    sheet.addRow(['王先生', 13800138000, 4]);
    sheet.getRow(4).values = ['李女士', '1380', 1];
    const xlsx = join(scratch, '名单.xlsx');
    await workbook.xlsx.writeFile(xlsx);
    const run = outbound(inData('import', xlsx, '--list', 'xlsx', '--json'));
    expect(run.code).toBe(0);
    const records = jsonLines(run);
    expect(records[0]).toMatchObject({
      event: 'import.rejected',
      row: 4,
      reason: 'invalid phone number "1380" (too short)',
    });
    expect(records.at(-1)).toMatchObject({
      event: 'import.done',
      format: 'xlsx',
      accepted: 1,
      rejectedCount: 1,
    });
  });

  it('refuses usage mistakes with exit 2', () => {
    expect(outbound(inData('import', file)).code).toBe(2);
    expect(outbound(inData('import', '--list', 'x')).code).toBe(2);
    const badMap = outbound(inData('import', file, '--list', 'x', '--map', 'phone'));
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toContain('--map takes column=field');
    expect(outbound(inData('import', file, '--list', 'x', '--region', 'China')).code).toBe(2);
  });
});
