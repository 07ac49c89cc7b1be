/**
 * Imports a CSV or XLSX file into a contact list, streaming: the file is read in chunks, decoded
 * and parsed (csv-parse; exceljs's streaming reader for XLSX, first sheet) and written in batches
 * of BATCH_ROWS, so memory stays flat whatever the file's size.
 *
 * The whole file is ONE transaction (creating the list included): an import either lands
 * completely or not at all, so a failure mid-file (disk error, a file that turns out not to be
 * text, the process killed) never leaves a half-imported list that a campaign might start dialing.
 * The cost: other writes to the store wait while the file is written (22 s per million rows on
 * the 2-core build machine, see bench/import.bench.ts). Batches keep each statement's JSON a few MB.
 *
 * Duplicates merge by the store's upsert, in file order: a later row for the same number (in the
 * file, or already in the list) updates the contact with its NON-EMPTY cells only — an empty cell
 * never erases what an earlier row or an earlier import stored; custom fields merge key by key.
 *
 * Rows are numbered as a spreadsheet shows them: the header is row 1, the first contact row 2.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';

import { type CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import type { CountryCode } from 'libphonenumber-js/max';

import type { JsonObject, NewContact, Store } from '../store/index.js';
import {
  detectEncoding,
  DETECTION_SAMPLE_BYTES,
  iconvName,
  type TextEncoding,
} from './encoding.js';
import { type ColumnMapping, mapColumns } from './mapping.js';
import { isKnownRegion, normalizePhone } from './phone.js';
import { xlsxRows } from './xlsx.js';

export const BATCH_ROWS = 5_000;
/** Rejected rows kept in the result; all of them go to `onRejected`. */
export const DEFAULT_MAX_REJECTED_KEPT = 10_000;
const MAX_RAW_CHARS = 200;

export interface RejectedRow {
  /** 1-based; the header is row 1. */
  row: number;
  reason: string;
  /** The row's text as in the file (cut at 200 characters). */
  raw: string;
}

export interface ImportProgress {
  rowsRead: number;
  bytesRead: number;
  totalBytes: number;
  /** Rows written so far (new contacts plus merges; they land with the transaction's commit). */
  inserted: number;
  merged: number;
  /** Rows refused so far. */
  rejected: number;
}

export interface ImportOptions {
  file: string;
  listName: string;
  /** Region for numbers without a country code; default: the list's, else CN for a new list. */
  region?: string;
  /** Column header → field (phone, name, timeZone, a custom field, or "-" to skip the column). */
  map?: ReadonlyMap<string, string>;
  onProgress?: (progress: ImportProgress) => void;
  onRejected?: (row: RejectedRow) => void;
  maxRejectedKept?: number;
  /** Who imports, for the audit log (default "cli"). */
  actor?: string;
}

export interface ImportResult {
  listId: number;
  listName: string;
  listCreated: boolean;
  region: string;
  format: 'csv' | 'xlsx';
  /** The CSV's text encoding; null for XLSX (always Unicode inside). */
  encoding: TextEncoding | null;
  /** The CSV's delimiter; null for XLSX. */
  delimiter: string | null;
  /** Header → where it went ("phone", "name", "timeZone", "fields.amount", "-"). */
  columns: Array<{ header: string; field: string }>;
  /** Contact rows read (header and blank rows excluded). */
  rows: number;
  /** Rows stored: new contacts plus merges. */
  accepted: number;
  /** New contacts in the list. */
  inserted: number;
  /** Accepted rows whose number was already in the list or earlier in the file. */
  merged: number;
  rejectedCount: number;
  /** The first `maxRejectedKept` rejected rows, in file order. */
  rejected: RejectedRow[];
  bytes: number;
  durationMs: number;
}

export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    message: string,
    /** EMPTY_FILE | NO_PHONE_COLUMN | UNKNOWN_COLUMN | BAD_FIELD | UNREADABLE | BAD_REGION | NOT_TEXT */
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export async function importContactsFromFile(
  store: Store,
  options: ImportOptions,
): Promise<ImportResult> {
  const started = performance.now();
  const { sample, totalBytes } = await readSample(options.file);
  if (
    sample.length === 0 ||
    sample.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09)
  ) {
    throw new ImportError(
      `${options.file} is empty: there is no header row and no contacts.`,
      'EMPTY_FILE',
    );
  }
  // XLSX is a zip archive: "PK\x03\x04".
  const format =
    sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04
      ? 'xlsx'
      : 'csv';
  let encoding: TextEncoding | null = null;
  let delimiter: string | null = null;
  if (format === 'csv') {
    try {
      encoding = detectEncoding(sample, sample.length === totalBytes);
    } catch (error) {
      throw new ImportError((error as Error).message, 'NOT_TEXT');
    }
    if (sample.subarray(0, 4096).includes(0)) {
      throw new ImportError(
        `${options.file} is neither a CSV nor an XLSX file: it contains binary data. Save the sheet as CSV or XLSX.`,
        'NOT_TEXT',
      );
    }
    delimiter = guessDelimiter(
      iconv.decode(Buffer.from(sample.subarray(0, 8192)), iconvName(encoding)),
    );
  }

  const existing = await store.contacts.getListByName(options.listName);
  const region = (options.region ?? existing?.defaultRegion ?? 'CN').toUpperCase();
  if (!isKnownRegion(region))
    throw new ImportError(
      `--region ${options.region}: not a known region code (two letters, e.g. CN, US, GB)`,
      'BAD_REGION',
    );

  const maxKept = options.maxRejectedKept ?? DEFAULT_MAX_REJECTED_KEPT;
  const rejected: RejectedRow[] = [];
  let rejectedCount = 0;
  const reject = (entry: RejectedRow) => {
    rejectedCount++;
    if (rejected.length < maxKept) rejected.push(entry);
    options.onRejected?.(entry);
  };

  // An XLSX file may be read in more than one pass (see xlsx.ts): progress follows the latest.
  let input: ReadStream | null = null;
  const source =
    encoding !== null && delimiter !== null
      ? csvRecords(
          (input = createReadStream(options.file, { highWaterMark: 256 * 1024 })),
          encoding,
          delimiter,
        )
      : xlsxRecords(options.file, (pass) => (input = pass));
  let rows = 0;
  let mapping: ColumnMapping | null = null;
  let inserted = 0;
  let merged = 0;
  const progress = () =>
    options.onProgress?.({
      rowsRead: rows,
      bytesRead: input?.bytesRead ?? 0,
      totalBytes,
      inserted,
      merged,
      rejected: rejectedCount,
    });

  const outcome = await store.transaction(async (tx) => {
    let listId = existing?.id;
    // One batch is written while the next is parsed: SQLite works on its own thread, so awaiting
    // each write before reading on would leave the CPU idle for a quarter of the import.
    let writing: Promise<void> = Promise.resolve();
    try {
      let batch: NewContact[] = [];
      const flush = async () => {
        await writing;
        if (batch.length === 0) return;
        if (listId === undefined)
          listId = (await tx.contacts.createList({ name: options.listName, defaultRegion: region }))
            .id;
        const id = listId;
        const contacts = batch;
        batch = [];
        writing = tx.contacts.upsertContacts(id, contacts).then((counts) => {
          inserted += counts.inserted;
          merged += counts.merged;
          progress();
        });
        // A failed write must not go unobserved while the next batch is parsed; the next flush rethrows it.
        writing.catch(() => {});
      };
      for await (const { row, cells, raw, error } of source) {
        if (error !== undefined) {
          if (mapping !== null) rows++;
          reject({ row, reason: error, raw: clip(raw) });
          continue;
        }
        if (mapping === null) {
          const headers = cells.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h));
          if (headers.every((h) => h.trim() === ''))
            throw new ImportError(
              `${options.file}: row ${row} should be the header row, but it is empty.`,
              'EMPTY_FILE',
            );
          try {
            mapping = mapColumns(headers, options.map);
          } catch (error) {
            throw new ImportError((error as Error).message, (error as { code: string }).code, {
              cause: error,
            });
          }
          source.columns = mapping.columns.length;
          continue;
        }
        // A blank line is an empty spreadsheet row: counted, not a contact.
        if (cells.every((cell) => cell.trim() === '')) continue;
        rows++;
        // The encoding was decided on the first 64 KB; a row further on in another encoding
        // decodes to replacement characters, and storing it would garble names for good.
        const contact =
          encoding !== null && raw.includes('\uFFFD')
            ? undecodable(encoding)
            : toContact(cells, mapping, region as CountryCode);
        if (typeof contact === 'string') reject({ row, reason: contact, raw: clip(raw) });
        else batch.push(contact);
        if (batch.length >= BATCH_ROWS) await flush();
        else if (rows % BATCH_ROWS === 0) progress();
      }
      if (mapping === null)
        throw new ImportError(
          `${options.file} is empty: there is no header row and no contacts.`,
          'EMPTY_FILE',
        );
      await flush();
      await writing;
      // A file whose every row was rejected still creates the list it names: the user asked for it.
      if (listId === undefined)
        listId = (await tx.contacts.createList({ name: options.listName, defaultRegion: region }))
          .id;
      await tx.audit.add({
        actor: options.actor ?? 'cli',
        action: 'contacts.import',
        subject: options.listName,
        details: {
          file: options.file,
          format,
          rows,
          accepted: inserted + merged,
          inserted,
          merged,
          rejected: rejectedCount,
          encoding,
        },
      });
      return { listId, mapping: mapping as ColumnMapping };
    } catch (error) {
      input?.destroy();
      // The write in flight must settle before the transaction rolls back around it.
      await writing.catch(() => {});
      if (error instanceof ImportError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code === 'string' && code.startsWith('E') && !code.startsWith('ERR')) {
        throw new ImportError(
          `Cannot read ${options.file}: ${(error as Error).message}. Nothing was imported.`,
          'UNREADABLE',
          { cause: error },
        );
      }
      throw error;
    }
  });
  progress();
  return {
    listId: outcome.listId,
    listName: options.listName,
    listCreated: existing === null,
    region,
    format,
    encoding,
    delimiter,
    columns: outcome.mapping.columns.map(({ header, target }) => ({
      header,
      field: describeTarget(target),
    })),
    rows,
    accepted: inserted + merged,
    inserted,
    merged,
    rejectedCount,
    rejected,
    bytes: totalBytes,
    durationMs: Math.round(performance.now() - started),
  };
}

/** One record of the file: its cells, or why it could not be read. */
interface SourceRecord {
  /** Spreadsheet row number (header = 1). */
  row: number;
  cells: string[];
  /** The row as in the file (CSV), or its cells joined by commas (XLSX). */
  raw: string;
  error?: string;
}

/** Records in file order; `columns` is set once the header is known (XLSX pads short rows to it). */
type RecordSource = AsyncGenerator<SourceRecord> & { columns?: number };

function csvRecords(input: Readable, encoding: TextEncoding, delimiter: string): RecordSource {
  const parser = parse({
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    raw: true,
  });
  // Skipped records are reported while parsing, ahead of the records consumed below; each is
  // queued with how many good records preceded it, and handed on in file order.
  const skipped: Array<{ before: number; reason: string; raw: string }> = [];
  parser.on('skip', (error: CsvError, raw: string | undefined) => {
    const reason =
      error.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'unparseable row: a quote (") opened in this row is never closed, so the rest of the file was read as one cell; close the quote and import again'
        : `unparseable row: ${error.message}`;
    skipped.push({ before: parser.info.records, reason, raw: (raw ?? '').replace(/\r?\n?$/, '') });
  });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(iconv.decodeStream(iconvName(encoding))).pipe(parser);
  async function* records(): AsyncGenerator<SourceRecord> {
    let row = 0;
    let parsed = 0;
    for await (const { record, raw } of parser as AsyncIterable<{
      record: string[];
      raw: string;
    }>) {
      parsed++;
      while (skipped.length > 0 && skipped[0]!.before < parsed) {
        const { reason, raw: text } = skipped.shift()!;
        yield { row: ++row, cells: [], raw: text, error: reason };
      }
      yield { row: ++row, cells: record, raw: raw.replace(/\r?\n?$/, '') };
    }
    for (const { reason, raw: text } of skipped.splice(0))
      yield { row: ++row, cells: [], raw: text, error: reason };
  }
  return records();
}

function xlsxRecords(file: string, onInput: (input: ReadStream) => void): RecordSource {
  async function* records(this: void): AsyncGenerator<SourceRecord> {
    try {
      for await (const { row, cells } of xlsxRows(file, onInput)) {
        const width = source.columns;
        // Excel leaves out empty trailing cells; only cells with content beyond the header count.
        let trimmed = cells;
        if (width !== undefined) {
          while (trimmed.length > width && trimmed[trimmed.length - 1] === '')
            trimmed = trimmed.slice(0, -1);
          if (trimmed.length < width)
            trimmed = [...trimmed, ...Array<string>(width - trimmed.length).fill('')];
        }
        yield { row, cells: trimmed, raw: cells.join(',').replace(/,+$/, '') };
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code?.startsWith('E')) throw error;
      throw new ImportError(
        `Cannot read the workbook: ${(error as Error).message}. Is it an XLSX file (not XLS)?`,
        'UNREADABLE',
        { cause: error },
      );
    }
  }
  const source: RecordSource = records();
  return source;
}

/** One data row → a contact, or the reason it is refused (naming the field). */
export function toContact(
  record: readonly string[],
  mapping: ColumnMapping,
  region: CountryCode,
): NewContact | string {
  if (record.length !== mapping.columns.length) {
    return `wrong column count: ${record.length} ${record.length === 1 ? 'column' : 'columns'}, the header has ${mapping.columns.length}`;
  }
  const phone = normalizePhone(record[mapping.phoneColumn] ?? '', region);
  if (!phone.ok) return phone.reason;
  const contact: NewContact = { phone: phone.e164 };
  const fields: JsonObject = {};
  for (let i = 0; i < mapping.columns.length; i++) {
    const value = (record[i] ?? '').trim();
    const { header, target } = mapping.columns[i]!;
    // Empty cells are left out so they never overwrite a value stored before (see the merge rule).
    if (value === '' || target.kind === 'phone' || target.kind === 'ignore') continue;
    if (target.kind === 'name') contact.name = value;
    else if (target.kind === 'timeZone') {
      if (!isTimeZone(value))
        return `${header}: "${value}" is not a time zone (use an IANA name such as Asia/Shanghai)`;
      contact.timeZone = value;
    } else if (target.type === 'number') {
      const number = Number(value.normalize('NFKC').replace(/[,\s¥￥$]/g, ''));
      if (!Number.isFinite(number)) return `${header}: "${value}" is not a number`;
      fields[target.field] = number;
    } else if (target.type === 'tags') {
      fields[target.field] = value
        .split(/[,;|，；、]/)
        .map((t) => t.trim())
        .filter(Boolean);
    } else fields[target.field] = value;
  }
  if (Object.keys(fields).length > 0) contact.fields = fields;
  return contact;
}

function undecodable(encoding: TextEncoding): string {
  const as = encoding === 'gb18030' ? 'GBK/GB18030' : 'UTF-8';
  return `not readable as ${as} like the rows before it (the file mixes text encodings): save the file again as "CSV UTF-8" and import it again`;
}

const zoneCache = new Map<string, boolean>();
function isTimeZone(zone: string): boolean {
  let known = zoneCache.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    zoneCache.set(zone, known);
  }
  return known;
}

function describeTarget(target: ColumnMapping['columns'][number]['target']): string {
  if (target.kind === 'field') return `fields.${target.field}`;
  return target.kind === 'ignore' ? '-' : target.kind;
}

/** Comma unless the header line has more tabs or semicolons (European Excel writes ";"). */
export function guessDelimiter(text: string): string {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const counts = [',', '\t', ';'].map((d) => [d, firstLine.split(d).length - 1] as const);
  const [best] = [...counts].sort((a, b) => b[1] - a[1]);
  return best && best[1] > 0 ? best[0] : ',';
}

async function readSample(file: string): Promise<{ sample: Uint8Array; totalBytes: number }> {
  try {
    const info = await stat(file);
    if (info.isDirectory())
      throw new ImportError(`${file} is a folder, not a CSV file.`, 'UNREADABLE');
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(DETECTION_SAMPLE_BYTES, info.size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return { sample: buffer.subarray(0, bytesRead), totalBytes: info.size };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError(`Cannot read ${file}: ${(error as Error).message}.`, 'UNREADABLE', {
      cause: error,
    });
  }
}

function clip(text: string): string {
  return text.length > MAX_RAW_CHARS ? `${text.slice(0, MAX_RAW_CHARS)}…` : text;
}
