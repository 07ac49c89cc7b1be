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
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

import ExcelJS from 'exceljs';

export interface SheetRow {
  row: number;
  cells: string[];
}

const MAX_PASSES = 4;

/**
 * Only the first worksheet is read: a contact workbook holds its list there. `onInput` sees each
 * pass's file stream (progress reads its bytesRead).
 */
export async function* xlsxRows(
  file: string,
  onInput?: (input: ReadStream) => void,
): AsyncGenerator<SheetRow> {
  const entries = await zipEntryNames(file);
  const hasSharedStrings = entries?.has('xl/sharedStrings.xml') ?? false;
  const hasWorksheet = entries
    ? [...entries].some((name) => /^xl\/worksheets\/sheet\d+\.xml$/.test(name))
    : false;
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

/**
 * The names in a zip's central directory (its table of contents at the end), or null when the
 * file is not a zip (exceljs then says what is wrong with it).
 */
export async function zipEntryNames(file: string): Promise<Set<string> | null> {
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
    const count = tail.readUInt16LE(eocd + 10);
    const directorySize = tail.readUInt32LE(eocd + 12);
    const directoryOffset = tail.readUInt32LE(eocd + 16);
    if (directoryOffset + directorySize > size) return null;
    const directory = Buffer.alloc(directorySize);
    await handle.read(directory, 0, directorySize, directoryOffset);
    const names = new Set<string>();
    let at = 0;
    for (let i = 0; i < count && at + 46 <= directory.length; i++) {
      if (directory.readUInt32LE(at) !== 0x02014b50) return null;
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      names.add(directory.toString('utf8', at + 46, at + 46 + nameLength));
      at += 46 + nameLength + extraLength + commentLength;
    }
    return names;
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
