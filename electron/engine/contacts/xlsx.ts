/**
 * Rows of an XLSX workbook's first worksheet as text cells, streamed with exceljs's reader (the
 * sheet XML is parsed as it is unzipped, never loaded whole). Row numbers are the sheet's own, so
 * a rejected row points at the row the user sees in Excel even when empty rows sit in between.
 *
 * exceljs 4.4's streaming pass over the zip can lose entries under load (its issue #3064: one read
 * in a few hundred here with the CPU busy): without xl/workbook.xml it threw "reading 'sheets'";
 * without xl/sharedStrings.xml every text cell (names, and phone numbers typed as text) would come
 * out empty. So each pass is checked against the zip's own directory before its first row is
 * handed out, and an incomplete pass is read again from the start.
 *
 * The same directory bounds the input: before anything is unzipped, the entries' declared
 * uncompressed sizes and compression ratios are checked (MAX_ENTRY_BYTES, MAX_TOTAL_BYTES,
 * MAX_RATIO), so a zip bomb is refused with a message naming the entry instead of inflating
 * gigabytes. A workbook without a readable directory is refused too (it could not be checked).
 * The check trusts the directory: a zip that lies in it could still inflate more than it says;
 * exceljs's streaming unzip offers no hook to count inflated bytes.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

export interface SheetRow {
  row: number;
  cells: string[];
}

const MAX_PASSES = 4;

/**
 * One entry's uncompressed size at most. A million-row contact sheet is ~190 MB of XML (100,000
 * rows of name, number, amount and tags: 19 MB), its shared strings ~60 MB.
 */
export const MAX_ENTRY_BYTES = 400 * 1024 * 1024;
/** All entries together. */
export const MAX_TOTAL_BYTES = 600 * 1024 * 1024;
/**
 * Uncompressed : compressed, for entries over RATIO_FLOOR_BYTES. Sheet XML deflates ~9 : 1, and
 * 100,000 identical rows ~12 : 1 (measured on exceljs's output); zip bombs go past 1,000 : 1.
 */
export const MAX_RATIO = 250;
const RATIO_FLOOR_BYTES = 1024 * 1024;

/** A workbook over the limits above: refused before it is unzipped. */
export class XlsxLimitError extends Error {
  override readonly name = 'XlsxLimitError';
}

export interface ZipEntry {
  name: string;
  compressedBytes: number;
  uncompressedBytes: number;
}

/**
 * Only the first worksheet is read: a contact workbook holds its list there. `onInput` sees each
 * pass's file stream (progress reads its bytesRead).
 */
export async function* xlsxRows(
  file: string,
  onInput?: (input: ReadStream) => void,
): AsyncGenerator<SheetRow> {
  const directory = await zipDirectory(file);
  if (directory === null)
    throw new Error(
      'its zip directory is missing or damaged, so its size cannot be checked before unzipping',
    );
  checkLimits(directory);
  const entries = new Set(directory.map((entry) => entry.name));
  const hasSharedStrings = entries.has('xl/sharedStrings.xml');
  const hasWorksheet = [...entries].some((name) => /^xl\/worksheets\/sheet\d+\.xml$/.test(name));
  // Imported here, not at the top: exceljs takes seconds of CPU to load (6 s of a loaded engine's
  // start was spent on it), and only an XLSX import needs it.
  const { default: ExcelJS } = await import('exceljs');
  for (let pass = 1; ; pass++) {
    const input = createReadStream(file, { highWaterMark: 256 * 1024 });
    onInput?.(input);
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
      sharedStrings: 'cache',
      hyperlinks: 'ignore',
      styles: 'ignore',
      worksheets: 'emit',
      entries: 'emit',
    });
    // A worksheet stored before xl/workbook.xml is parsed as soon as the shared strings and rels
    // are in, and exceljs then reads the sheets of a model it only gets from workbook.xml; an
    // empty one until then lets such a sheet be read (it keeps its number, its name is unused).
    const early = reader as unknown as { model?: { sheets: unknown[] } };
    early.model ??= { sheets: [] };
    let sawSharedStrings = false;
    let sawWorksheet = false;
    // The reader is an EventEmitter in exceljs, though its type does not say so.
    (reader as unknown as NodeJS.EventEmitter).on('entry', (entry: { type?: string }) => {
      if (entry.type === 'shared-strings') sawSharedStrings = true;
      if (entry.type === 'worksheet') sawWorksheet = true;
    });
    let complete = true;
    let rows = 0;
    try {
      sheets: for await (const sheet of reader) {
        for await (const row of sheet) {
          if (rows === 0 && hasSharedStrings && !sawSharedStrings) {
            complete = false;
            break sheets;
          }
          rows++;
          // row.values is 1-based and sparse: index 0 is unused, missing cells are holes.
          const values = row.values as unknown[];
          const cells: string[] = [];
          for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
          yield { row: row.number, cells };
        }
        break;
      }
      // No sheet at all from a zip that has one: the pass lost the sheet itself.
      if (complete && hasWorksheet && !sawWorksheet) complete = false;
    } finally {
      input.destroy();
    }
    if (complete) return;
    if (pass === MAX_PASSES)
      throw new Error(
        `the workbook could not be read whole in ${MAX_PASSES} attempts (parts of it were skipped each time); save it again in Excel or as CSV`,
      );
  }
}

/** Throws XlsxLimitError naming the first entry over a limit (or the total). */
export function checkLimits(entries: readonly ZipEntry[]): void {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  let total = 0;
  for (const { name, compressedBytes, uncompressedBytes } of entries) {
    total += uncompressedBytes;
    if (uncompressedBytes > MAX_ENTRY_BYTES)
      throw new XlsxLimitError(
        `the workbook's part ${name} unpacks to ${mb(uncompressedBytes)}, more than the ${mb(MAX_ENTRY_BYTES)} one part may hold (limits: ${mb(MAX_ENTRY_BYTES)} per part, ${mb(MAX_TOTAL_BYTES)} in all, ${MAX_RATIO} : 1 compression); it was not unpacked. Split the list or save it as CSV`,
      );
    const ratio = uncompressedBytes / Math.max(1, compressedBytes);
    if (uncompressedBytes > RATIO_FLOOR_BYTES && ratio > MAX_RATIO)
      throw new XlsxLimitError(
        `the workbook's part ${name} is compressed ${Math.round(ratio).toLocaleString('en-US')} : 1 (${mb(compressedBytes)} → ${mb(uncompressedBytes)}), more than the ${MAX_RATIO} : 1 a spreadsheet reaches (limits: ${mb(MAX_ENTRY_BYTES)} per part, ${mb(MAX_TOTAL_BYTES)} in all, ${MAX_RATIO} : 1 compression); it looks like a zip bomb and was not unpacked`,
      );
  }
  if (total > MAX_TOTAL_BYTES)
    throw new XlsxLimitError(
      `the workbook unpacks to ${mb(total)} in all, more than the ${mb(MAX_TOTAL_BYTES)} allowed (limits: ${mb(MAX_ENTRY_BYTES)} per part, ${mb(MAX_TOTAL_BYTES)} in all, ${MAX_RATIO} : 1 compression); it was not unpacked. Split the list or save it as CSV`,
    );
}

/**
 * The entries of a zip's central directory (its table of contents at the end) with their
 * declared sizes (ZIP64 sizes included), or null when the file is not a zip.
 */
export async function zipDirectory(file: string): Promise<ZipEntry[] | null> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    // The end-of-central-directory record: 22 bytes plus a comment of up to 64 KiB, at the end.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd === -1) return null;
    let count = tail.readUInt16LE(eocd + 10);
    let directorySize = tail.readUInt32LE(eocd + 12);
    let directoryOffset = tail.readUInt32LE(eocd + 16);
    // ZIP64: the real figures sit in the ZIP64 end record, found through its locator just before.
    if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      const locator = eocd - 20;
      if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) return null;
      const recordOffset = Number(tail.readBigUInt64LE(locator + 8));
      const record = Buffer.alloc(56);
      if (recordOffset + 56 > size) return null;
      await handle.read(record, 0, 56, recordOffset);
      if (record.readUInt32LE(0) !== 0x06064b50) return null;
      count = Number(record.readBigUInt64LE(32));
      directorySize = Number(record.readBigUInt64LE(40));
      directoryOffset = Number(record.readBigUInt64LE(48));
    }
    if (directoryOffset + directorySize > size) return null;
    const directory = Buffer.alloc(directorySize);
    await handle.read(directory, 0, directorySize, directoryOffset);
    const entries: ZipEntry[] = [];
    let at = 0;
    for (let i = 0; i < count && at + 46 <= directory.length; i++) {
      if (directory.readUInt32LE(at) !== 0x02014b50) return null;
      let compressedBytes = directory.readUInt32LE(at + 20);
      let uncompressedBytes = directory.readUInt32LE(at + 24);
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
      // ZIP64 extra field (id 1): the 64-bit sizes, uncompressed first, for fields set to ~0.
      const extraStart = at + 46 + nameLength;
      for (let x = extraStart; x + 4 <= extraStart + extraLength;) {
        const id = directory.readUInt16LE(x);
        const length = directory.readUInt16LE(x + 2);
        if (id === 0x0001) {
          let field = x + 4;
          if (uncompressedBytes === 0xffffffff && field + 8 <= x + 4 + length) {
            uncompressedBytes = Number(directory.readBigUInt64LE(field));
            field += 8;
          }
          if (compressedBytes === 0xffffffff && field + 8 <= x + 4 + length)
            compressedBytes = Number(directory.readBigUInt64LE(field));
        }
        x += 4 + length;
      }
      entries.push({ name, compressedBytes, uncompressedBytes });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await handle.close();
  }
}

/** A cell as the text the user sees: numbers without exponent, rich text joined, formula results. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number')
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const cell = value as {
      richText?: Array<{ text: string }>;
      text?: unknown;
      result?: unknown;
      error?: string;
    };
    if (Array.isArray(cell.richText)) return cell.richText.map((part) => part.text).join('');
    if ('result' in cell) return cellText(cell.result);
    if (cell.text !== undefined) return cellText(cell.text);
    if (typeof cell.error === 'string') return cell.error;
  }
  return String(value);
}
