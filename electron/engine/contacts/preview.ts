/**
 * The first rows of a contact file, for the console's mapping step: format, encoding and delimiter
 * decided exactly as the import decides them (same functions), the header with each column's
 * suggested field and sample values, and an estimate of the row count. Reads at most the first
 * 64 KB of a CSV and the first rows of an XLSX, so previewing a 50 MB file is instant.
 */
import { open, stat } from 'node:fs/promises';

import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';

import {
  detectEncoding,
  DETECTION_SAMPLE_BYTES,
  iconvName,
  type TextEncoding,
} from './encoding.js';
import { guessDelimiter, ImportError } from './import.js';
import { type ColumnTarget, guessColumns } from './mapping.js';
import { XlsxLimitError, xlsxRows } from './xlsx.js';

export const PREVIEW_ROWS = 10;
const SAMPLES_PER_COLUMN = 5;

export interface FilePreview {
  format: 'csv' | 'xlsx';
  encoding: TextEncoding | null;
  delimiter: string | null;
  columns: Array<{ header: string; suggested: string; samples: string[] }>;
  rows: Array<{ row: number; cells: string[] }>;
  rowEstimate: number | null;
  rowEstimateExact: boolean;
  /** Set when no column was recognised as the phone column. */
  mappingProblem: string | null;
}

/** The field name the import's `map` option takes for a target (phone, name, timeZone, "-", or a custom field). */
export function fieldOf(target: ColumnTarget): string {
  if (target.kind === 'field') return target.field;
  if (target.kind === 'consentSource') return 'consent_source';
  if (target.kind === 'consentAt') return 'consent_at';
  return target.kind === 'ignore' ? '-' : target.kind;
}

/** `label` names the file in messages (the user's file name, not the temporary path). */
export async function previewContactFile(file: string, label: string): Promise<FilePreview> {
  const info = await stat(file);
  const handle = await open(file, 'r');
  let sample: Buffer;
  try {
    const buffer = Buffer.alloc(Math.min(DETECTION_SAMPLE_BYTES, info.size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    sample = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (sample.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09)) {
    throw new ImportError(
      `${label} is empty: there is no header row and no contacts.`,
      'EMPTY_FILE',
    );
  }
  const complete = sample.length === info.size;
  if (sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04)
    return previewXlsx(file, label);

  let encoding: TextEncoding;
  try {
    encoding = detectEncoding(sample, complete);
  } catch (error) {
    throw new ImportError((error as Error).message, 'NOT_TEXT');
  }
  if (sample.subarray(0, 4096).includes(0)) {
    throw new ImportError(
      `${label} is neither a CSV nor an XLSX file: it contains binary data. Save the sheet as CSV or XLSX.`,
      'NOT_TEXT',
    );
  }
  // Only whole lines of the sample are parsed (the last one may be cut mid-row).
  const lastNewline = complete ? sample.length : sample.lastIndexOf(0x0a) + 1;
  const whole = lastNewline > 0 ? sample.subarray(0, lastNewline) : sample;
  const text = iconv.decode(whole, iconvName(encoding)).replace(/^\uFEFF/, '');
  const delimiter = guessDelimiter(text);
  const records = parse(text, {
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    skip_empty_lines: true,
  }) as string[][];
  const [header, ...data] = records;
  if (!header || header.every((h) => h.trim() === ''))
    throw new ImportError(
      `${label}: row 1 should be the header row, but it is empty.`,
      'EMPTY_FILE',
    );
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '').length - 1;
  const rowEstimate = complete
    ? data.length
    : Math.round((lines * info.size) / Math.max(1, whole.length));
  // CSV rows are numbered by line here (a quoted cell spanning lines is rare in contact lists).
  return finish(
    'csv',
    encoding,
    delimiter,
    header,
    data.map((cells, i) => ({ row: i + 2, cells })),
    rowEstimate,
    complete,
  );
}

async function previewXlsx(file: string, label: string): Promise<FilePreview> {
  const rows: Array<{ row: number; cells: string[] }> = [];
  try {
    for await (const row of xlsxRows(file)) {
      if (rows.length === 0 && row.cells.every((c) => c.trim() === '')) continue;
      rows.push(row);
      if (rows.length > PREVIEW_ROWS) break;
    }
  } catch (error) {
    if (error instanceof XlsxLimitError)
      throw new ImportError(`${label}: ${error.message}.`, 'TOO_LARGE', { cause: error });
    throw new ImportError(
      `Cannot read ${label}: ${(error as Error).message}. Is it an XLSX file (not XLS)?`,
      'UNREADABLE',
      { cause: error },
    );
  }
  const [header, ...data] = rows;
  if (!header)
    throw new ImportError(
      `${label} is empty: its first sheet has no header row and no contacts.`,
      'EMPTY_FILE',
    );
  // The streaming reader cannot count rows without reading the whole sheet.
  return finish(
    'xlsx',
    null,
    null,
    header.cells,
    data,
    rows.length <= PREVIEW_ROWS ? data.length : null,
    rows.length <= PREVIEW_ROWS,
  );
}

function finish(
  format: 'csv' | 'xlsx',
  encoding: TextEncoding | null,
  delimiter: string | null,
  header: string[],
  data: Array<{ row: number; cells: string[] }>,
  rowEstimate: number | null,
  exact: boolean,
): FilePreview {
  const guessed = guessColumns(header);
  const columns = guessed.map(({ header: name, target }, i) => ({
    header: name,
    suggested: fieldOf(target),
    samples: data
      .map((r) => (r.cells[i] ?? '').trim())
      .filter((v) => v !== '')
      .slice(0, SAMPLES_PER_COLUMN),
  }));
  const hasPhone = guessed.some((c) => c.target.kind === 'phone');
  return {
    format,
    encoding,
    delimiter,
    columns,
    rows: data.slice(0, PREVIEW_ROWS),
    rowEstimate,
    rowEstimateExact: exact,
    mappingProblem: hasPhone
      ? null
      : `No column was recognised as the phone number (the file's columns: ${header.map((h) => `"${h.trim()}"`).join(', ')}). Choose the column that holds the phone numbers.`,
  };
}
