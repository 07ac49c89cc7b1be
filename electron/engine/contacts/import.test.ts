import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';

import { useTempDirs, useTestStores } from '../store/testing/temp.js';
import {
  importContactsFromFile,
  ImportError,
  type ImportProgress,
  MERGE_BATCH_ROWS,
  type RejectedRow,
} from './import.js';

const testStore = useTestStores();
const tempDir = useTempDirs();

async function csvFile(text: string | Buffer, name = 'contacts.csv'): Promise<string> {
  const file = join(await tempDir(), name);
  await writeFile(file, text);
  return file;
}

describe('contact import (CSV and XLSX)', () => {
  it('imports a GBK file with Chinese headers, custom fields and E.164 numbers', async () => {
    const store = await testStore();
    const file = await csvFile(
      iconv.encode(
        '姓名,手机号,金额,VIP等级,标签,时区,地区\r\n王伟,138 0013 8000,"1,280",4,"vip,complaint",Asia/Shanghai,北京\r\n李娜,+86 139-0013-9000,,,,,\r\n',
        'gbk',
      ),
    );
    const result = await importContactsFromFile(store, { file, listName: '春季名单' });
    expect(result).toMatchObject({
      encoding: 'gb18030',
      listCreated: true,
      region: 'CN',
      rows: 2,
      accepted: 2,
      inserted: 2,
      merged: 0,
      rejectedCount: 0,
      rejected: [],
    });
    expect(result.columns.map((c) => c.field)).toEqual([
      'name',
      'phone',
      'fields.amount',
      'fields.vip_level',
      'fields.tags',
      'timeZone',
      'fields.region',
    ]);
    const contacts = await store.contacts.contacts(result.listId);
    expect(
      contacts.map(({ phone, name, timeZone, fields }) => ({ phone, name, timeZone, fields })),
    ).toEqual([
      {
        phone: '+8613800138000',
        name: '王伟',
        timeZone: 'Asia/Shanghai',
        fields: { amount: 1280, vip_level: 4, tags: ['vip', 'complaint'], region: '北京' },
      },
      { phone: '+8613900139000', name: '李娜', timeZone: null, fields: {} },
    ]);
    expect((await store.contacts.getListByName('春季名单'))?.defaultRegion).toBe('CN');
    expect((await store.audit.list())[0]).toMatchObject({
      action: 'contacts.import',
      subject: '春季名单',
    });
  });

  it('reads UTF-8 with a BOM, semicolons and --map overrides', async () => {
    const store = await testStore();
    const file = await csvFile(
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('Kunde;Rufnummer;Stufe;intern\nAnna;(202) 555-0100;2;x\n', 'utf8'),
      ]),
    );
    const result = await importContactsFromFile(store, {
      file,
      listName: 'us',
      region: 'US',
      map: new Map([
        ['Kunde', 'name'],
        ['Rufnummer', 'phone'],
        ['Stufe', 'vip_level'],
        ['intern', '-'],
      ]),
    });
    expect(result).toMatchObject({
      encoding: 'utf-8-bom',
      delimiter: ';',
      accepted: 1,
      region: 'US',
    });
    expect(await store.contacts.contacts(result.listId)).toMatchObject([
      { phone: '+12025550100', name: 'Anna', fields: { vip_level: 2 } },
    ]);
  });

  it('reports every rejected row by its spreadsheet row number (header = row 1) and reason', async () => {
    const store = await testStore();
    const lines = [
      'name,phone,amount,time zone',
      'A,13800138000,1,', // row 2: fine
      'B,,2,', // row 3: no phone
      'C,12345,3,', // row 4: too short
      '', // row 5: blank, skipped
      'D,13800138001', // row 6: wrong column count
      'E,13800138002,lots,', // row 7: bad amount
      'F,13800138003,4,Mars/Olympus', // row 8: bad zone
      'G,"138 0013 8004",5,Asia/Shanghai', // row 9: fine
    ];
    const streamed: RejectedRow[] = [];
    const result = await importContactsFromFile(store, {
      file: await csvFile(lines.join('\n')),
      listName: 'l',
      onRejected: (row) => streamed.push(row),
    });
    expect(result).toMatchObject({ rows: 7, accepted: 2, rejectedCount: 5 });
    expect(result.rejected).toEqual([
      { row: 3, reason: 'no phone number', raw: 'B,,2,' },
      { row: 4, reason: 'invalid phone number "12345" (too short)', raw: 'C,12345,3,' },
      { row: 6, reason: 'wrong column count: 2 columns, the header has 4', raw: 'D,13800138001' },
      { row: 7, reason: 'amount: "lots" is not a number', raw: 'E,13800138002,lots,' },
      {
        row: 8,
        reason:
          'time zone: "Mars/Olympus" is not a time zone (use an IANA name such as Asia/Shanghai)',
        raw: 'F,13800138003,4,Mars/Olympus',
      },
    ]);
    expect(streamed).toEqual(result.rejected);
  });

  it('counts a quoted cell spanning lines as one row, and reports an unparseable row', async () => {
    const store = await testStore();
    const text =
      'name,phone,note\nA,13800138000,"two\nlines"\nB,13800138001,ok\nC,13800138002,"never closed\n';
    const result = await importContactsFromFile(store, {
      file: await csvFile(text),
      listName: 'l',
    });
    expect(result.rejected).toMatchObject([
      {
        row: 4,
        reason:
          'unparseable row: a quote (") opened in this row is never closed, so the rest of the file was read as one cell; close the quote and import again',
        raw: 'C,13800138002,"never closed',
      },
    ]);
    expect(result.accepted).toBe(2);
    expect((await store.contacts.contacts(result.listId))[0]?.fields).toEqual({
      note: 'two\nlines',
    });
  });

  it('rejects rows in another encoding than the start of the file, instead of storing garbled names', async () => {
    const store = await testStore();
    // Past the 64 KB the encoding is decided on: UTF-8 rows, then one row pasted in from a GBK file.
    const good = Array.from(
      { length: 3_000 },
      (_, i) => `王伟${i},+86138${String(i).padStart(8, '0')},北京`,
    ).join('\n');
    const file = await csvFile(
      Buffer.concat([
        Buffer.from(`姓名,手机号,地区\n${good}\n`, 'utf8'),
        iconv.encode('李娜,13900139000,上海\n', 'gbk'),
      ]),
    );
    const result = await importContactsFromFile(store, { file, listName: 'mixed' });
    expect(result).toMatchObject({ encoding: 'utf-8', accepted: 3_000, rejectedCount: 1 });
    expect(result.rejected[0]).toMatchObject({
      row: 3_002,
      reason: expect.stringMatching(
        /^not readable as UTF-8 like the rows before it \(the file mixes text encodings\)/,
      ),
    });
  });

  it("merges duplicates in the file and against the list: a later row's non-empty cells win", async () => {
    const store = await testStore();
    const first =
      'name,phone,amount,tags\n王伟,13800138000,100,vip\n,+8613800138000,200,\n李娜,13900139000,,\n';
    const one = await importContactsFromFile(store, { file: await csvFile(first), listName: 'l' });
    expect(one).toMatchObject({ accepted: 3, inserted: 2, merged: 1 });
    const again = await importContactsFromFile(store, {
      file: await csvFile('phone,name\n0086 139 0013 9000,李娜娜\n13800138000,\n'),
      listName: 'l',
    });
    expect(again).toMatchObject({ listCreated: false, accepted: 2, inserted: 0, merged: 2 });
    expect(
      (await store.contacts.contacts(one.listId)).map(({ phone, name, fields }) => ({
        phone,
        name,
        fields,
      })),
    ).toEqual([
      { phone: '+8613800138000', name: '王伟', fields: { amount: 200, tags: ['vip'] } },
      { phone: '+8613900139000', name: '李娜娜', fields: {} },
    ]);
  });

  it('streams in batches with progress', async () => {
    const store = await testStore();
    const rows = Array.from(
      { length: 12_345 },
      (_, i) => `C${i},+86138${String(i).padStart(8, '0')}`,
    );
    const file = await csvFile(`name,phone\n${rows.join('\n')}\n`);
    const progress: ImportProgress[] = [];
    const result = await importContactsFromFile(store, {
      file,
      listName: 'big',
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({ rows: 12_345, accepted: 12_345, inserted: 12_345 });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toEqual({
      rowsRead: 12_345,
      bytesRead: result.bytes,
      totalBytes: result.bytes,
      inserted: 12_345,
      merged: 0,
      rejected: 0,
    });
    expect(await store.contacts.countContacts(result.listId)).toBe(12_345);
  });

  it('stores nothing, not even the list, when the file cannot be imported', async () => {
    const store = await testStore();
    const cases: Array<[string | Buffer, string, RegExp]> = [
      ['', 'EMPTY_FILE', /is empty/],
      ['\n\n', 'EMPTY_FILE', /is empty/],
      [
        '姓名,金额\n王伟,100\n',
        'NO_PHONE_COLUMN',
        /No phone column found\. The file's columns: "姓名", "金额"/,
      ],
      [
        Buffer.from([0x00, 0x01, 0x02, 0x03, 0x00, 0x00, 0x08, 0x00]),
        'NOT_TEXT',
        /neither a CSV nor an XLSX file/,
      ],
      [
        Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]),
        'UNREADABLE',
        /Cannot read the workbook/,
      ],
    ];
    for (const [text, code, message] of cases) {
      const error = await importContactsFromFile(store, {
        file: await csvFile(text),
        listName: 'l',
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportError);
      expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
    }
    await expect(
      importContactsFromFile(store, { file: join(await tempDir(), 'missing.csv'), listName: 'l' }),
    ).rejects.toMatchObject({ code: 'UNREADABLE' });
    expect(await store.contacts.lists()).toEqual([]);
  });

  it('reports exactly how many rows were stored when the store fails mid-merge, and a second import completes the list', async () => {
    const store = await testStore();
    const rows = Array.from({ length: 7_000 }, (_, i) => `+86138${String(i).padStart(8, '0')}`);
    const file = await csvFile(`phone\n${rows.join('\n')}\n`);
    const real = store.transaction.bind(store);
    // The third merge batch's write fails (as a full disk would); the first two are committed.
    let batches = 0;
    store.transaction = (work) =>
      real((tx) => {
        const merge = tx.contacts.mergeStaged.bind(tx.contacts);
        tx.contacts.mergeStaged = async (...args) => {
          if (++batches === 3) throw new Error('database or disk is full');
          return merge(...args);
        };
        return work(tx);
      });
    const error = await importContactsFromFile(store, { file, listName: 'l' }).catch(
      (e: unknown) => e,
    );
    store.transaction = real;
    expect(error).toBeInstanceOf(ImportError);
    expect(error).toMatchObject({
      code: 'PARTIAL',
      stored: 2 * MERGE_BATCH_ROWS,
      message: expect.stringContaining(
        `failed after 2,000 of 7,000 rows were stored in list "l": database or disk is full.`,
      ),
    });
    const list = (await store.contacts.getListByName('l'))!;
    expect(await store.contacts.countContacts(list.id)).toBe(2 * MERGE_BATCH_ROWS);
    // The stored rows are the file's first rows, whole.
    expect((await store.contacts.contacts(list.id, { limit: 1, offset: 1_999 }))[0]?.phone).toBe(
      '+8613800001999',
    );
    const again = await importContactsFromFile(store, { file, listName: 'l' });
    expect(again).toMatchObject({ accepted: 7_000, inserted: 5_000, merged: 2_000 });
    expect(await store.contacts.countContacts(list.id)).toBe(7_000);
  });

  it('stores nothing, not even the list, when reading fails after rows were read', async () => {
    const store = await testStore();
    const rows = Array.from({ length: 12_000 }, (_, i) =>
      i === 11_000 ? 'not a number' : `+86138${String(i).padStart(8, '0')}`,
    );
    const file = await csvFile(`phone\n${rows.join('\n')}\n`);
    // As import-commands does when the rejected-rows file cannot be written: the read stops.
    await expect(
      importContactsFromFile(store, {
        file,
        listName: 'l',
        onRejected: () => {
          throw new ImportError('the rejected rows could not be written', 'REJECTS_UNWRITABLE');
        },
      }),
    ).rejects.toMatchObject({ code: 'REJECTS_UNWRITABLE' });
    await expect(
      importContactsFromFile(store, {
        file,
        listName: 'l',
        beforeStore: () => Promise.reject(new Error('ENOSPC: no space left on device')),
      }),
    ).rejects.toThrow('ENOSPC');
    expect(await store.contacts.lists()).toEqual([]);
    expect(await store.database.get('SELECT count(*) AS n FROM contacts')).toEqual({ n: 0 });
    // The staging rows went too.
    expect(await store.database.get('SELECT count(*) AS n FROM temp.import_staging')).toEqual({
      n: 0,
    });
  });

  it("imports the first sheet of an XLSX workbook with the sheet's own row numbers", async () => {
    const store = await testStore();
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名单');
    sheet.addRow(['姓名', '手机号', '金额', '标签']);
    sheet.addRow(['王伟', 13800138000, 1280.5, 'vip']); // row 2: a number cell, as Excel stores typed digits
    sheet.addRow(['李娜', '139 0013 9000']); // row 3: trailing cells empty
    sheet.getRow(5).values = ['张三', '12345', 3]; // row 5 after an empty row 4: too short
    sheet.getRow(6).values = [
      '赵六',
      { richText: [{ text: '+86 137' }, { text: ' 0013 7000' }] },
      { formula: '1+1', result: 2 },
    ];
    workbook.addWorksheet('other').addRow(['phone', '13600136000']);
    const file = join(await tempDir(), 'contacts.xlsx');
    await workbook.xlsx.writeFile(file);

    const result = await importContactsFromFile(store, { file, listName: 'x' });
    expect(result).toMatchObject({
      format: 'xlsx',
      encoding: null,
      rows: 4,
      accepted: 3,
      rejectedCount: 1,
    });
    expect(result.rejected).toEqual([
      { row: 5, reason: 'invalid phone number "12345" (too short)', raw: '张三,12345,3' },
    ]);
    expect(
      (await store.contacts.contacts(result.listId)).map(({ phone, name, fields }) => ({
        phone,
        name,
        fields,
      })),
    ).toEqual([
      { phone: '+8613800138000', name: '王伟', fields: { amount: 1280.5, tags: ['vip'] } },
      { phone: '+8613900139000', name: '李娜', fields: {} },
      { phone: '+8613700137000', name: '赵六', fields: { amount: 2 } },
    ]);
  });

  it('reads a workbook whose zip puts the worksheet before xl/workbook.xml (as some writers do)', async () => {
    const store = await testStore();
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名单');
    sheet.addRow(['手机号', '姓名']);
    sheet.addRow(['13800138000', '王伟']);
    const written = await JSZip.loadAsync(await workbook.xlsx.writeBuffer());
    // Same entries, reordered: shared strings and the workbook's rels first, the workbook itself last.
    const first = [
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/sharedStrings.xml',
      'xl/worksheets/sheet1.xml',
    ];
    const names = Object.keys(written.files).filter((name) => !written.files[name]!.dir);
    const reordered = new JSZip();
    for (const name of [
      ...first,
      ...names.filter((n) => !first.includes(n) && n !== 'xl/workbook.xml'),
      'xl/workbook.xml',
    ]) {
      reordered.file(name, await written.file(name)!.async('uint8array'));
    }
    const file = join(await tempDir(), 'reordered.xlsx');
    await writeFile(
      file,
      await reordered.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }),
    );
    const result = await importContactsFromFile(store, { file, listName: 'reordered' });
    expect(result).toMatchObject({ format: 'xlsx', rows: 1, accepted: 1, rejectedCount: 0 });
  });

  it('refuses a workbook whose shared strings a streaming pass cannot find, instead of importing empty names', async () => {
    const store = await testStore();
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('名单').addRow(['手机号', '姓名']);
    workbook.getWorksheet('名单')!.addRow(['13800138000', '王伟']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    // Rename the shared strings in their local header only: the zip's directory still lists them,
    // but a pass over the entries never meets them (what exceljs's racy pass does under load).
    let header = -1;
    for (
      let at = bytes.indexOf('PK\x03\x04', 0, 'latin1');
      at !== -1;
      at = bytes.indexOf('PK\x03\x04', at + 4, 'latin1')
    ) {
      const nameLength = bytes.readUInt16LE(at + 26);
      if (bytes.toString('latin1', at + 30, at + 30 + nameLength) === 'xl/sharedStrings.xml')
        header = at;
    }
    expect(header).toBeGreaterThan(0);
    bytes.write('xl/sharedStringz.xml', header + 30, 'latin1');
    const file = join(await tempDir(), 'lost-strings.xlsx');
    await writeFile(file, bytes);
    await expect(importContactsFromFile(store, { file, listName: 'lost' })).rejects.toThrow(
      /could not be read whole in 4 attempts/,
    );
    expect(await store.contacts.getListByName('lost')).toBeNull();
  });

  it('imports consent records (source and time), names the field of a bad one, and keeps a stored one when a later file has none', async () => {
    const store = await testStore();
    const file = await csvFile(
      [
        '姓名,手机号,同意来源,同意时间',
        '王伟,13800138000,官网表单,2025-03-01 10:30', // row 2: read in the list region's zone (Asia/Shanghai)
        '李娜,13900139000,,2025-03-02T08:00:00Z', // row 3: a time without a source
        '张三,13700137000,电话录音,2025-02-30', // row 4: no such day
        '赵六,13600136000,纸质协议,', // row 5: a source without its time
        '钱七,13500135000,官网表单,2999-01-01', // row 6: in the future
        '孙八,13400134000,,', // row 7: no consent, imported as such
      ].join('\n'),
    );
    const result = await importContactsFromFile(store, { file, listName: 'consent' });
    expect(result.columns.map((c) => c.field)).toEqual([
      'name',
      'phone',
      'consent_source',
      'consent_at',
    ]);
    expect(result.rejected.map(({ row, reason }) => ({ row, reason }))).toEqual([
      { row: 4, reason: '同意时间: "2025-02-30" is not a date: no such day or time' },
      {
        row: 5,
        reason: '同意来源: a consent source needs its time (consent_at) in the same row',
      },
      {
        row: 6,
        reason: '同意时间: "2999-01-01" is in the future: a consent is given before the call',
      },
    ]);
    const consent = async () =>
      (await store.contacts.contacts(result.listId)).map(({ name, consentSource, consentAt }) => [
        name,
        consentSource,
        consentAt === null ? null : new Date(consentAt).toISOString(),
      ]);
    expect(await consent()).toEqual([
      ['王伟', '官网表单', '2025-03-01T02:30:00.000Z'],
      ['李娜', null, '2025-03-02T08:00:00.000Z'],
      ['孙八', null, null],
    ]);

    // A later file without consent columns keeps the records; one with a new record replaces it.
    const again = await csvFile(
      'phone,consent_source,consent_at\n13800138000,,\n13400134000,IVR 按键,2025-04-01\n',
      'again.csv',
    );
    await importContactsFromFile(store, { file: again, listName: 'consent' });
    expect(await consent()).toEqual([
      ['王伟', '官网表单', '2025-03-01T02:30:00.000Z'],
      ['李娜', null, '2025-03-02T08:00:00.000Z'],
      ['孙八', 'IVR 按键', '2025-03-31T16:00:00.000Z'],
    ]);
  });

  it('reads a consent time typed in an XLSX date cell as the wall-clock time it shows', async () => {
    const store = await testStore();
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名单');
    sheet.addRow(['phone', 'consent_source', 'consent_at']);
    sheet.addRow(['13800138000', 'web form', new Date('2025-03-01T02:30:00Z')]);
    sheet.getCell('C2').numFmt = 'yyyy-mm-dd hh:mm';
    const file = join(await tempDir(), 'consent.xlsx');
    await workbook.xlsx.writeFile(file);
    const result = await importContactsFromFile(store, { file, listName: 'x' });
    expect(result).toMatchObject({ accepted: 1, rejectedCount: 0 });
    const [contact] = await store.contacts.contacts(result.listId);
    expect(contact?.consentSource).toBe('web form');
    // Excel keeps the wall-clock time the user sees (2025-03-01 02:30), no zone: read in the
    // list region's zone, Asia/Shanghai.
    expect(new Date(contact?.consentAt ?? 0).toISOString()).toBe('2025-02-28T18:30:00.000Z');
  });

  it('refuses an unknown region', async () => {
    const store = await testStore();
    await expect(
      importContactsFromFile(store, {
        file: await csvFile('phone\n13800138000\n'),
        listName: 'l',
        region: 'XX',
      }),
    ).rejects.toMatchObject({ code: 'BAD_REGION' });
  });
});
