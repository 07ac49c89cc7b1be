/**
 * Regression tests for bounded input (issue 11): a CSV with an unclosed quote, a 100,000-character
 * cell, XLSX zip bombs refused before unzipping, and a full disk under the rejected-rows file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';

import { EventHub } from '../events/index.js';
import { silentLogger } from '../log.js';
import type { Store } from '../store/index.js';
import { useTempDirs, useTestStores } from '../store/testing/temp.js';
import { importContactsFromFile, ImportError, MAX_CELL_CHARS } from './import.js';
import { importCommandHandlers } from './import-commands.js';
import { previewContactFile } from './preview.js';
import { MAX_ENTRY_BYTES, MAX_RATIO } from './xlsx.js';

const testStore = useTestStores();
const tempDir = useTempDirs();

const phone = (i: number) => `+86138${String(i).padStart(8, '0')}`;

async function file(content: string | Buffer | Uint8Array, name = 'contacts.csv'): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, content);
  return path;
}

async function workbook(rows: string[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Contacts');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe('CSV records are bounded while they stream', () => {
  it('refuses the row where an unclosed quote opened and reads every row after it', async () => {
    const store = await testStore();
    // 20,000 rows (~700 KB): the stray quote in row 3 would otherwise swallow the rest of the file
    // into one cell (and, in a 500 MB file, 500 MB of memory).
    const lines = ['name,phone,note'];
    for (let i = 0; i < 20_000; i++)
      lines.push(i === 1 ? `"Wang Wei,${phone(i)},vip` : `Contact ${i},${phone(i)},note ${i}`);
    const result = await importContactsFromFile(store, {
      file: await file(`${lines.join('\n')}\n`),
      listName: 'l',
    });
    expect(result).toMatchObject({ rows: 20_000, accepted: 19_999, rejectedCount: 1 });
    expect(result.rejected[0]).toMatchObject({
      row: 3,
      reason: expect.stringMatching(
        /^unparseable row: a quote \("\) opened in column "name" of this row is never closed within 64 KiB; the row was refused and reading went on at the next line/,
      ),
      raw: '"Wang Wei,+8613800000001,vip',
    });
    expect(await store.contacts.countContacts(result.listId)).toBe(19_999);
    expect((await store.contacts.contactByPhone(result.listId, phone(2)))?.name).toBe('Contact 2');
    expect((await store.contacts.contactByPhone(result.listId, phone(19_999)))?.fields).toEqual({
      note: 'note 19999',
    });
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])(
    'resumes after a quote left open at the end of the file when it spans lines (%s)',
    async (_, eol) => {
      const store = await testStore();
      const text = [
        'name,phone',
        `A,${phone(0)}`,
        `"B,${phone(1)}`,
        `C,${phone(2)}`,
        `D,${phone(3)}`,
      ]
        .map((line) => line + eol)
        .join('');
      const result = await importContactsFromFile(store, { file: await file(text), listName: 'l' });
      expect(result).toMatchObject({ rows: 4, accepted: 3, rejectedCount: 1 });
      expect(result.rejected[0]).toMatchObject({
        row: 3,
        reason: expect.stringMatching(
          /^unparseable row: a quote \("\) opened in column "name" of this row is never closed; the row was refused/,
        ),
      });
      expect((await store.contacts.contacts(result.listId)).map((c) => c.name)).toEqual([
        'A',
        'C',
        'D',
      ]);
    },
  );

  it('refuses a row with a 100,000-character cell, naming the row and the column', async () => {
    const store = await testStore();
    const text = [
      'name,phone,note',
      `A,${phone(0)},ok`,
      `B,${phone(1)},${'x'.repeat(100_000)}`,
      `C,${phone(2)},${'y'.repeat(MAX_CELL_CHARS + 1)}`,
      `D,${phone(3)},ok`,
    ].join('\n');
    const result = await importContactsFromFile(store, { file: await file(text), listName: 'l' });
    expect(result).toMatchObject({ rows: 4, accepted: 2, rejectedCount: 2 });
    expect(result.rejected.map(({ row, reason }) => ({ row, reason }))).toEqual([
      {
        row: 3,
        reason: 'row too long: column "note" makes it longer than the 64 KiB a row may hold',
      },
      { row: 4, reason: 'note: 10,001 characters, more than the 10,000 a cell may hold' },
    ]);
    expect((await store.contacts.contacts(result.listId)).map((c) => c.name)).toEqual(['A', 'D']);
  });

  it('refuses an XLSX row with a 100,000-character cell, naming the column', async () => {
    const store = await testStore();
    const path = await file(
      await workbook([
        ['name', 'phone', 'note'],
        ['A', phone(0), 'ok'],
        ['B', phone(1), 'x'.repeat(100_000)],
      ]),
      'contacts.xlsx',
    );
    const result = await importContactsFromFile(store, { file: path, listName: 'l' });
    expect(result).toMatchObject({ rows: 2, accepted: 1, rejectedCount: 1 });
    expect(result.rejected[0]).toMatchObject({
      row: 3,
      reason: 'note: 100,000 characters, more than the 10,000 a cell may hold',
    });
  });
});

describe('XLSX zip bombs are refused before anything is unzipped', () => {
  it('refuses a workbook whose sheet unpacks to 1 GB (from its zip directory), storing nothing', async () => {
    const store = await testStore();
    const zip = await workbook([
      ['name', 'phone'],
      ['A', phone(0)],
    ]);
    // The central directory entry of the sheet now declares 1 GiB uncompressed (offset 24).
    const sheet = 'xl/worksheets/sheet1.xml';
    let patched = 0;
    for (let at = zip.indexOf('PK\x01\x02'); at !== -1; at = zip.indexOf('PK\x01\x02', at + 4)) {
      const nameLength = zip.readUInt16LE(at + 28);
      if (zip.toString('utf8', at + 46, at + 46 + nameLength) !== sheet) continue;
      zip.writeUInt32LE(1024 * 1024 * 1024, at + 24);
      patched++;
    }
    expect(patched).toBe(1);
    const path = await file(zip, 'bomb.xlsx');
    const error = await importContactsFromFile(store, { file: path, listName: 'l' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImportError);
    expect(error).toMatchObject({
      code: 'TOO_LARGE',
      message: expect.stringContaining(
        `the workbook's part ${sheet} unpacks to 1024 MB, more than the ${MAX_ENTRY_BYTES / 1024 / 1024} MB one part may hold (limits: 400 MB per part, 600 MB in all, ${MAX_RATIO} : 1 compression); it was not unpacked`,
      ),
    });
    expect(await store.contacts.lists()).toEqual([]);
    await expect(previewContactFile(path, 'bomb.xlsx')).rejects.toMatchObject({
      code: 'TOO_LARGE',
      message: expect.stringMatching(
        /^bomb\.xlsx: the workbook's part xl\/worksheets\/sheet1\.xml/,
      ),
    });
  });

  it('refuses an entry compressed far beyond what a spreadsheet reaches', async () => {
    const store = await testStore();
    const zip = new JSZip();
    zip.file('[Content_Types].xml', '<Types/>');
    // 32 MB of blanks deflate to ~32 KB: a real, if small, bomb.
    zip.file('xl/worksheets/sheet1.xml', ' '.repeat(32 * 1024 * 1024));
    const bytes = await zip.generateAsync({
      type: 'uint8array',
      compression: 'DEFLATE',
      compressionOptions: { level: 9 },
    });
    const error = await importContactsFromFile(store, {
      file: await file(bytes, 'ratio.xlsx'),
      listName: 'l',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'TOO_LARGE',
      message: expect.stringMatching(
        /the workbook's part xl\/worksheets\/sheet1\.xml is compressed [\d,]+ : 1 \(0 MB → 32 MB\), more than the 250 : 1 a spreadsheet reaches .*looks like a zip bomb/,
      ),
    });
    expect(await store.contacts.lists()).toEqual([]);
  });
});

describe('a full disk under the rejected-rows file', () => {
  const root = process.getuid?.() === 0;
  it.skipIf(!root)(
    'fails the import with a clear error, stores nothing, and the engine goes on (needs root for a 256 KiB tmpfs)',
    async () => {
      const store = await testStore();
      const dataDir = await mkdtemp(join(tmpdir(), 'outbound-small-disk-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dataDir]);
      try {
        await fullDisk(store, dataDir);
      } finally {
        execFileSync('umount', [dataDir]);
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );
  it.skipIf(root)('skipped: mounting the small tmpfs for the full-disk test needs root', () => {});
});

async function fullDisk(store: Store, dataDir: string): Promise<void> {
  const handlers = importCommandHandlers({
    store,
    dataDir,
    events: new EventHub(),
    actor: 'test',
    log: silentLogger,
  });
  const run = async (content: Buffer, list: string) => {
    const { id } = await handlers['imports.begin']({
      fileName: 'leads.csv',
      bytes: content.length,
    });
    await handlers['imports.chunk']({ id, offset: 0, data: content.toString('base64') });
    const preview = await handlers['imports.preview']({ id });
    await handlers['imports.commit']({
      id,
      list,
      createList: true,
      mapping: preview.columns.map((c) => ({ header: c.header, field: c.suggested })),
      defaultRegion: 'CN',
    });
    let status = await handlers['imports.status']({ id });
    for (let i = 0; i < 400 && status.state === 'importing'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = await handlers['imports.status']({ id });
    }
    return status;
  };
  // ~100 KB upload: good rows, then 3,000 bad numbers whose rejected-rows lines (row, reason,
  // raw) need ~400 KB, more than the 256 KiB disk has left.
  const rows = ['phone,name'];
  for (let i = 0; i < 500; i++) rows.push(`${phone(i)},good ${i}`);
  for (let i = 0; i < 3_000; i++) rows.push(`no number ${i},bad ${i}`);
  const status = await run(Buffer.from(`${rows.join('\n')}\n`), 'Leads');
  expect(status.state).toBe('failed');
  expect(status.error).toMatchObject({
    code: 'REJECTS_UNWRITABLE',
    message: expect.stringMatching(
      /^The rejected rows of leads\.csv could not be written to .*\(ENOSPC: no space left on device.*\): free disk space on the engine's machine and import the file again\. Nothing was imported\.$/,
    ),
  });
  // Nothing stored, and the engine goes on: other commands answer, the files can be
  // cancelled away, and the next import on the same disk works.
  expect(await store.contacts.lists()).toEqual([]);
  expect(await handlers['contacts.lists']({})).toEqual({ lists: [] });
  expect(await handlers['imports.cancel']({ id: status.id })).toEqual({ cancelled: true });
  const next = await run(Buffer.from(`phone,name\n${phone(1)},ok\nbad,bad\n`), 'Next');
  expect(next).toMatchObject({ state: 'done', result: { accepted: 1, rejectedCount: 1 } });
  const { text } = await handlers['imports.rejects']({ id: next.id, offset: 0 });
  expect(text).toMatch(/^row,reason,raw\n3,/);
  expect((await readFile(join(dataDir, 'imports', `${next.id}.rejects.csv`), 'utf8')).length).toBe(
    text.length,
  );
}
