/**
 * Contact import over every transport: a file goes up in chunks (each message under 1 MiB), is
 * previewed (encoding, columns with suggested fields and samples), committed into a new or an
 * existing list with progress and a final event, and its rejected rows download page by page.
 * Files that cannot be imported (empty, no phone column) are refused and store nothing.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';

import type { OutboundApi } from '../../electron/engine/api/client.js';
import type { EventData } from '../../electron/engine/api/contract.js';
import { IMPORT_CHUNK_BYTES, MAX_MESSAGE_BYTES } from '../../electron/engine/api/index.js';
import { API_TRANSPORTS, apiError, useContractEngine } from '../support/api-transports.js';

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';

/** 20 contacts as Excel on Chinese Windows writes them (GBK, CRLF); rows 5, 11 and 18 are bad. */
function gbkContacts(): Buffer {
  const lines = ['姓名,手机号,金额,标签,地区'];
  for (let i = 0; i < 20; i++) {
    let phone = `139${String(10_000_000 + i * 7_919).slice(0, 8)}`;
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

async function upload(api: OutboundApi, fileName: string, bytes: Buffer): Promise<string> {
  const { id, chunkBytes } = await api.request('imports.begin', { fileName, bytes: bytes.length });
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    const data = bytes.subarray(offset, offset + chunkBytes).toString('base64');
    expect(data.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES / 2);
    await api.request('imports.chunk', { id, offset, data });
  }
  return id;
}

function finished(api: OutboundApi, id: string): Promise<EventData<'import.finished'>> {
  return new Promise((resolve) => {
    const off = api.on('import.finished', (status) => {
      if (status.id !== id) return;
      off();
      resolve(status);
    });
  });
}

async function downloadRejects(
  api: OutboundApi,
  id: string,
): Promise<{ text: string; pages: number }> {
  let text = '';
  let pages = 0;
  let offset: number | null = 0;
  while (offset !== null) {
    const page: { text: string; nextOffset: number | null } = await api.request('imports.rejects', {
      id,
      offset,
    });
    text += page.text;
    offset = page.nextOffset;
    pages++;
  }
  return { text, pages };
}

const columnsOf = (mapping: Array<{ header: string; suggested: string }>) =>
  mapping.map(({ header, suggested }) => ({ header, field: suggested }));

describe.each(API_TRANSPORTS)('contact import over %s', (_name, makeHarness) => {
  const h = useContractEngine(makeHarness, 'outbound-imports-');

  it('previews a GBK file, imports it into a new list with progress, reports the bad rows, and merges a re-import', async () => {
    const file = gbkContacts();
    const id = await upload(h.api, '客户名单.csv', file);
    const preview = await h.api.request('imports.preview', { id });
    expect(preview).toMatchObject({
      fileName: '客户名单.csv',
      format: 'csv',
      encoding: 'gb18030',
      delimiter: ',',
      rowEstimate: 20,
      rowEstimateExact: true,
      mappingProblem: null,
    });
    expect(preview.columns.map((c) => [c.header, c.suggested])).toEqual([
      ['姓名', 'name'],
      ['手机号', 'phone'],
      ['金额', 'amount'],
      ['标签', 'tags'],
      ['地区', 'region'],
    ]);
    expect(preview.columns[0]!.samples).toEqual(['王先生', '李先生', '张先生', '刘先生', '陈先生']);
    expect(preview.rows[0]).toEqual({
      row: 2,
      cells: ['王先生', '13910000000', '100', 'vip,complaint', '北京'],
    });

    const progress: Array<EventData<'import.progress'>> = [];
    const off = h.api.on('import.progress', (p) => p.id === id && progress.push(p));
    const done = finished(h.api, id);
    const started = await h.api.request('imports.commit', {
      id,
      list: '春季回访',
      createList: true,
      mapping: columnsOf(preview.columns),
      defaultRegion: 'cn',
    });
    expect(started.state).toBe('importing');
    const status = await done;
    off();
    expect(status.state).toBe('done');
    expect(status.result).toMatchObject({
      listName: '春季回访',
      listCreated: true,
      region: 'CN',
      rows: 20,
      accepted: 17,
      inserted: 17,
      merged: 0,
      rejectedCount: 3,
    });
    expect(status.result!.rejected.map(({ row, reason }) => ({ row, reason }))).toEqual([
      { row: 5, reason: 'no phone number' },
      { row: 11, reason: 'invalid phone number "139001" (too short)' },
      { row: 18, reason: 'invalid phone number "电话待补" (not a phone number)' },
    ]);
    expect(progress.at(-1)).toMatchObject({
      rowsRead: 20,
      accepted: 17,
      rejected: 3,
      totalBytes: file.length,
      bytesRead: file.length,
    });
    expect(await h.api.request('imports.status', { id })).toEqual(status);

    const { text } = await downloadRejects(h.api, id);
    expect(text.split('\n')).toEqual([
      'row,reason,raw',
      '5,no phone number,"刘先生,,400,,北京"',
      '11,"invalid phone number ""139001"" (too short)","周先生,139001,1000,,北京"',
      '18,"invalid phone number ""电话待补"" (not a phone number)","何先生,电话待补,1700,,北京"',
      '',
    ]);
    const lists = (await h.api.request('contacts.lists', {})).lists;
    expect(lists.find((l) => l.name === '春季回访')).toMatchObject({
      contacts: 17,
      defaultRegion: 'CN',
    });
    const list = await h.engine.store.contacts.getListByName('春季回访');
    expect((await h.engine.store.contacts.contacts(list!.id))[0]).toMatchObject({
      phone: '+8613910000000',
      name: '王先生',
      fields: { amount: 100, tags: ['vip', 'complaint'], region: '北京' },
    });
    // The upload is gone once imported; the rejects file stays for download until cancel.
    expect((await readdir(join(h.dataDir, 'imports'))).filter((f) => f.startsWith(id))).toEqual([
      `${id}.rejects.csv`,
    ]);
    expect(await h.api.request('imports.cancel', { id })).toEqual({ cancelled: true });
    expect(await readdir(join(h.dataDir, 'imports'))).toEqual([]);
    expect((await apiError(h.api.request('imports.status', { id }))).code).toBe('NOT_FOUND');

    // The same file again, into the existing list, with the region column ignored: everything merges.
    const again = await upload(h.api, '客户名单.csv', file);
    const columns = columnsOf((await h.api.request('imports.preview', { id: again })).columns).map(
      (c) => (c.header === '地区' ? { ...c, field: '-' } : c),
    );
    expect(
      (
        await apiError(
          h.api.request('imports.commit', {
            id: again,
            list: '春季回访',
            createList: true,
            mapping: columns,
            defaultRegion: 'CN',
          }),
        )
      ).field,
    ).toBe('list');
    const reimported = finished(h.api, again);
    await h.api.request('imports.commit', {
      id: again,
      list: '春季回访',
      createList: false,
      mapping: columns,
      defaultRegion: 'CN',
    });
    expect((await reimported).result).toMatchObject({
      listCreated: false,
      accepted: 17,
      inserted: 0,
      merged: 17,
      rejectedCount: 3,
    });
    await h.api.request('imports.cancel', { id: again });
  });

  it('carries a file many messages long and pages through thousands of rejected rows', async () => {
    const lines = ['phone,name,note'];
    for (let i = 0; i < 30_000; i++)
      lines.push(
        i % 2 === 0
          ? `+86139${String(i).padStart(8, '0')},Name ${i},${'x'.repeat(40)}`
          : `bad-${i},Name ${i},${'y'.repeat(40)}`,
      );
    const file = Buffer.from(`${lines.join('\n')}\n`);
    expect(file.length).toBeGreaterThan(3 * IMPORT_CHUNK_BYTES);
    const id = await upload(h.api, 'big.csv', file);
    const preview = await h.api.request('imports.preview', { id });
    expect(preview.rowEstimateExact).toBe(false);
    expect(preview.rowEstimate).toBeGreaterThan(25_000);
    expect(preview.rowEstimate).toBeLessThan(35_000);
    const done = finished(h.api, id);
    await h.api.request('imports.commit', {
      id,
      list: 'big',
      createList: true,
      mapping: columnsOf(preview.columns),
      defaultRegion: 'CN',
    });
    const { result } = await done;
    expect(result).toMatchObject({ rows: 30_000, accepted: 15_000, rejectedCount: 15_000 });
    expect(result!.rejected).toHaveLength(500);
    const { text, pages } = await downloadRejects(h.api, id);
    expect(pages).toBeGreaterThan(1);
    const rows = text.trimEnd().split('\n');
    expect(rows).toHaveLength(15_001);
    expect(rows[1]).toBe(
      `3,"invalid phone number ""bad-1"" (not a phone number)","bad-1,Name 1,${'y'.repeat(40)}"`,
    );
    expect(rows.at(-1)).toMatch(/^30001,"invalid phone number ""bad-29999""/);
    await h.api.request('imports.cancel', { id });
  });

  it('previews and imports an XLSX workbook’s first sheet, rows numbered as Excel shows them', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('客户');
    sheet.addRow(['手机号', '姓名', 'VIP等级']);
    sheet.addRow([13800138000, '王五', 5]);
    sheet.addRow([]);
    sheet.addRow(['12345', '坏号码', 1]);
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    const id = await upload(h.api, '名单.xlsx', file);
    const preview = await h.api.request('imports.preview', { id });
    expect(preview).toMatchObject({
      format: 'xlsx',
      encoding: null,
      delimiter: null,
      mappingProblem: null,
    });
    expect(preview.columns).toEqual([
      { header: '手机号', suggested: 'phone', samples: ['13800138000', '12345'] },
      { header: '姓名', suggested: 'name', samples: ['王五', '坏号码'] },
      { header: 'VIP等级', suggested: 'vip_level', samples: ['5', '1'] },
    ]);
    const done = finished(h.api, id);
    await h.api.request('imports.commit', {
      id,
      list: 'xlsx',
      createList: true,
      mapping: columnsOf(preview.columns),
      defaultRegion: 'CN',
    });
    const { result } = await done;
    expect(result).toMatchObject({ accepted: 1, rejectedCount: 1 });
    expect(result!.rejected.map((r) => r.row)).toEqual([4]);
    await h.api.request('imports.cancel', { id });
  });

  it('refuses an empty file and a file with no phone column, storing nothing', async () => {
    const before = (await h.api.request('contacts.lists', {})).lists.length;
    const empty = await upload(h.api, 'empty.csv', Buffer.from('\r\n  \n'));
    const refused = await apiError(h.api.request('imports.preview', { id: empty }));
    expect(refused).toMatchObject({
      code: 'INVALID_PARAMS',
      field: 'file',
      details: { importCode: 'EMPTY_FILE' },
    });
    expect(refused.message).toMatch(/^empty\.csv is empty/);
    const zero = await h.api.request('imports.begin', { fileName: 'zero.csv', bytes: 0 });
    expect((await apiError(h.api.request('imports.preview', { id: zero.id }))).details).toEqual({
      importCode: 'EMPTY_FILE',
    });

    const noPhone = await upload(
      h.api,
      'names.csv',
      Buffer.from('name,city\nAnn,Paris\nBo,Rome\n'),
    );
    const preview = await h.api.request('imports.preview', { id: noPhone });
    expect(preview.mappingProblem).toMatch(
      /No column was recognised as the phone number.*"name", "city"/,
    );
    expect(preview.columns.map((c) => c.suggested)).toEqual(['name', 'city']);
    const unmapped = await apiError(
      h.api.request('imports.commit', {
        id: noPhone,
        list: 'names',
        createList: true,
        mapping: columnsOf(preview.columns),
        defaultRegion: 'CN',
      }),
    );
    expect(unmapped).toMatchObject({ code: 'INVALID_PARAMS', field: 'mapping' });
    expect(unmapped.message).toMatch(/no column is mapped to the phone number/);
    const missing = await apiError(
      h.api.request('imports.commit', {
        id: noPhone,
        list: 'names',
        createList: true,
        mapping: [{ header: 'name', field: 'phone' }],
        defaultRegion: 'CN',
      }),
    );
    expect(missing.message).toMatch(/"city" are not mapped/);
    expect(
      (
        await apiError(
          h.api.request('imports.commit', {
            id: noPhone,
            list: 'names',
            createList: true,
            mapping: [{ header: 'nope', field: 'phone' }],
            defaultRegion: 'CN',
          }),
        )
      ).field,
    ).toBe('mapping.0.header');
    expect(
      (
        await apiError(
          h.api.request('imports.commit', {
            id: noPhone,
            list: 'names',
            createList: true,
            mapping: [
              { header: 'name', field: 'a b' },
              { header: 'city', field: 'phone' },
            ],
            defaultRegion: 'CN',
          }),
        )
      ).field,
    ).toBe('mapping.0.field');
    expect(
      (
        await apiError(
          h.api.request('imports.commit', {
            id: noPhone,
            list: 'names',
            createList: true,
            mapping: columnsOf(preview.columns),
            defaultRegion: 'ZZ',
          }),
        )
      ).field,
    ).toBe('defaultRegion');
    expect((await h.api.request('contacts.lists', {})).lists.length).toBe(before);
    for (const id of [empty, zero.id, noPhone]) await h.api.request('imports.cancel', { id });
  });

  it('takes chunks only in order and within the announced size', async () => {
    const { id } = await h.api.request('imports.begin', { fileName: 'a.csv', bytes: 10 });
    expect(
      (
        await apiError(
          h.api.request('imports.chunk', {
            id,
            offset: 4,
            data: Buffer.from('phone').toString('base64'),
          }),
        )
      ).code,
    ).toBe('CONFLICT');
    expect(
      await h.api.request('imports.chunk', {
        id,
        offset: 0,
        data: Buffer.from('phone').toString('base64'),
      }),
    ).toEqual({ received: 5, complete: false });
    expect((await apiError(h.api.request('imports.preview', { id }))).message).toMatch(
      /5 of 10 bytes/,
    );
    expect(
      (
        await apiError(
          h.api.request('imports.chunk', {
            id,
            offset: 5,
            data: Buffer.from('\n1234567').toString('base64'),
          }),
        )
      ).field,
    ).toBe('data');
    expect(
      (await apiError(h.api.request('imports.chunk', { id, offset: 5, data: 'not base64!' })))
        .field,
    ).toBe('data');
    expect(
      (await apiError(h.api.request('imports.begin', { fileName: 'huge.csv', bytes: 2 ** 40 })))
        .field,
    ).toBe('bytes');
    expect(await h.api.request('imports.cancel', { id })).toEqual({ cancelled: true });
    expect(await h.api.request('imports.cancel', { id })).toEqual({ cancelled: false });
  });
});
