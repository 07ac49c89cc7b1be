/**
 * Rows of an XLSX workbook's first worksheet as text cells, streamed with exceljs's reader (the
 * sheet XML is parsed as it is unzipped, never loaded whole). Row numbers are the sheet's own, so
 * a rejected row points at the row the user sees in Excel even when empty rows sit in between.
 */
import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

export interface SheetRow {
  row: number;
  cells: string[];
}

/** Only the first worksheet is read: a contact workbook holds its list there. */
export async function* xlsxRows(input: Readable): AsyncGenerator<SheetRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      // row.values is 1-based and sparse: index 0 is unused, missing cells are holes.
      const values = row.values as unknown[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      yield { row: row.number, cells };
    }
    return;
  }
}

/** A cell as the text the user sees: numbers without exponent, rich text joined, formula results. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const cell = value as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown; error?: string };
    if (Array.isArray(cell.richText)) return cell.richText.map((part) => part.text).join('');
    if ('result' in cell) return cellText(cell.result);
    if (cell.text !== undefined) return cellText(cell.text);
    if (typeof cell.error === 'string') return cell.error;
  }
  return String(value);
}
