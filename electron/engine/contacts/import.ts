/**
 * Imports a CSV or XLSX file into a contact list, streaming: the file is read in chunks, decoded
 * and parsed (csv-parse; exceljs's streaming reader for XLSX, first sheet) and written in batches,
 * so memory stays flat whatever the file's size.
 *
 * Two phases, so that a large import never holds the store's one writer for its whole duration
 * (the dialer's passes and every other write queue behind whatever holds it) and still never
 * leaves a half-imported list without saying so:
 *  1. Read: the rows are parked in a staging table (a TEMP table of the writer's connection, see
 *     ContactRepository.beginStaging) in batches of BATCH_ROWS, each its own short statement. A
 *     file that turns out unreadable midway (I/O error, binary data, the rejected-rows file
 *     cannot be written, the process killed) stops here: nothing was stored, not even the list.
 *  2. Merge: the staged rows go into the list in file order, MERGE_BATCH_ROWS per transaction
 *     (creating the list goes with the first, the audit entry with the last); between two
 *     batches the writer is free for a dialer pass. Only the database itself can fail here (disk
 *     full, I/O error); the error then says exactly how many rows were stored (whole contacts:
 *     each batch lands whole or not at all) and that importing the file again completes the
 *     list (rows already stored merge, none is doubled).
 * Staging costs one more write of each row (to the temporary database, not the store file); the
 * bench (bench/import.bench.ts) measures the import and the dialer beside it.
 *
 * Duplicates merge by the store's upsert, in file order: a later row for the same number (in the
 * file, or already in the list) updates the contact with its NON-EMPTY cells only — an empty cell
 * never erases what an earlier row or an earlier import stored; custom fields merge key by key.
 *
 * Input is bounded: a CSV record longer than MAX_RECORD_BYTES is refused as a row while it
 * streams (an unclosed quote would otherwise read the rest of the file into one cell), and a cell
 * longer than MAX_CELL_CHARS is refused naming its column. See csvRecords for how reading resumes.
 *
 * Rows are numbered as a spreadsheet shows them: the header is row 1, the first contact row 2.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

import { type CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import type { CountryCode } from 'libphonenumber-js/max';

import { type Actor, writeAudit } from '../audit/index.js';
import { cliPrincipal } from '../auth/index.js';
import {
  type JsonObject,
  type NewContact,
  type Repositories,
  type Store,
  StoreError,
} from '../store/index.js';
import { CONSENT_SOURCE_MAX_CHARS, consentZone, parseConsentTime } from './consent.js';
import {
  detectEncoding,
  DETECTION_SAMPLE_BYTES,
  iconvName,
  type TextEncoding,
} from './encoding.js';
import { type ColumnMapping, mapColumns } from './mapping.js';
import { isKnownRegion, normalizePhone } from './phone.js';
import { XlsxLimitError, xlsxRows } from './xlsx.js';

/**
 * Rows parked in the staging table per statement while the file is read. Small for the reason
 * MERGE_BATCH_ROWS is: another writer's statement waits for the one in progress.
 */
export const BATCH_ROWS = 1_000;
/**
 * Staged rows merged into the list per transaction. Small, because a dialer pass waits for the
 * batch in progress: 1,000 rows took ~14 ms on the (loaded) 2-core build machine.
 */
export const MERGE_BATCH_ROWS = 1_000;
/**
 * The longest CSV record (row) read, in bytes of UTF-8: a contact row is a few hundred bytes; the
 * cap is what stops an unclosed quote from buffering the rest of a 500 MB file as one cell.
 */
export const MAX_RECORD_BYTES = 64 * 1024;
/** The longest cell stored, in characters: a name, number or note an agent reads, not a paste accident. */
export const MAX_CELL_CHARS = 10_000;
/**
 * Rows read between two turns of the event loop. Parsed records are handed out from a buffer
 * without ever leaving the microtask queue, so without a break a whole chunk of the file (~1,400
 * rows of phone-number parsing per 64 KB) would hold back every SQLite callback — a dialer
 * pass's next statement, History's page — for tens of ms each.
 */
const ROWS_PER_TURN = 50;
/**
 * After a slice of ROWS_PER_TURN rows that took `busyMs` (parsing them, and waiting for its own
 * staging write when the store is slow), the import rests as long (at most 20 ms), so it takes
 * about half of the engine's thread and the CPU at most, and backs off when the store is busy:
 * calls come first. Measured on the loaded build machine (bench/import-beside.bench.ts, 200,000 rows
 * beside a dialer over 100,000 contacts): the dialer pass's median went from 5.9–8.5× its time
 * alone to 1.9–4.0×, History's from 7.8× to 3.1–3.7×, and the import was not slower (on a loaded
 * machine its time goes to waiting, not parsing); alone, 200,000 rows took 7.1–11.6 s against
 * 6.9–8.4 s unpaced. A slice under 1 ms (an idle machine) only yields a turn.
 */
function pause(busyMs: number): Promise<unknown> {
  return busyMs >= 1 ? sleep(Math.min(busyMs, 20)) : nextTurn();
}
/** Why a row with a number erased on request is refused (the number is never stored again). */
export const ERASED_REASON =
  "the number was erased at the person's request and may not be imported again (it stays on the do-not-call list)";

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
  /** Who imports, for the audit log (default: the CLI's local admin). */
  actor?: Actor;
  /**
   * Runs once the whole file has been read, before anything is stored; a rejection stops the
   * import with nothing stored (import-commands.ts closes the rejected-rows file here, so a full
   * disk there is known before any row lands).
   */
  beforeStore?: () => Promise<void>;
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
    /**
     * EMPTY_FILE | NO_PHONE_COLUMN | UNKNOWN_COLUMN | BAD_FIELD | UNREADABLE | BAD_REGION | NOT_TEXT
     * | TOO_LARGE (an XLSX over the size limits) | REJECTS_UNWRITABLE (import-commands.ts)
     * | STORE_FAILED (the store refused the first batch: nothing stored)
     * | PARTIAL (the store failed mid-merge after `stored` rows)
     */
    readonly code: string,
    options?: ErrorOptions & { stored?: number },
  ) {
    super(message, options);
    this.stored = options?.stored ?? 0;
  }
  /** Rows stored in the list before the failure (only PARTIAL has any). */
  readonly stored: number;
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
  let lineBreak: '\n' | '\r' = '\n';
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
    const head = iconv.decode(Buffer.from(sample.subarray(0, 8192)), iconvName(encoding));
    delimiter = guessDelimiter(head);
    // As csv-parse decides it: the first line break seen (\r\n counts as \n: it ends in one).
    lineBreak = /^[^\r\n]*\r(?!\n)/.test(head) ? '\r' : '\n';
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

  // A file may be read in more than one pass (see xlsx.ts, csvRecords): progress follows the latest.
  let input: ReadStream | null = null;
  const onInput = (pass: ReadStream) => (input = pass);
  const source =
    encoding !== null && delimiter !== null
      ? csvRecords(options.file, encoding, delimiter, lineBreak, onInput)
      : xlsxRecords(options.file, onInput);
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

  // Phase 1: read the file into the staging table.
  const stagingId = await store.contacts.beginStaging();
  try {
    let staged = 0;
    // One batch is staged while the next is parsed: SQLite works on its own thread, so awaiting
    // each write before reading on would leave the CPU idle for a quarter of the import.
    let writing: Promise<void> = Promise.resolve();
    try {
      let batch: NewContact[] = [];
      let batchRows: Array<{ row: number }> = [];
      const flush = async () => {
        await writing;
        if (batch.length === 0) return;
        // A number erased on request (retention/erase.ts) never comes back through an import.
        const erased = await store.dnc.erasedAmong(batch.map((c) => c.phone));
        const contacts = batch.filter((contact, i) => {
          if (!erased.has(contact.phone)) return true;
          const at = batchRows[i];
          // The row's text is not kept: the rejects file must not bring the number back.
          if (at) reject({ row: at.row, reason: ERASED_REASON, raw: '' });
          return false;
        });
        const firstSeq = staged;
        batch = [];
        batchRows = [];
        if (contacts.length === 0) return;
        staged += contacts.length;
        writing = store.contacts.stageContacts(stagingId, firstSeq, contacts).then(progress);
        // A failed write must not go unobserved while the next batch is parsed; the next flush rethrows it.
        writing.catch(() => {});
      };
      let sliceStart = performance.now();
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
          source.headers = headers;
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
            : (oversizedCell(cells, mapping) ?? toContact(cells, mapping, region as CountryCode));
        if (typeof contact === 'string') reject({ row, reason: contact, raw: clip(raw) });
        else {
          batch.push(contact);
          batchRows.push({ row });
        }
        if (batch.length >= BATCH_ROWS) await flush();
        else if (rows % BATCH_ROWS === 0) progress();
        if (rows % ROWS_PER_TURN === 0) {
          await pause(performance.now() - sliceStart);
          sliceStart = performance.now();
        }
      }
      if (mapping === null)
        throw new ImportError(
          `${options.file} is empty: there is no header row and no contacts.`,
          'EMPTY_FILE',
        );
      await flush();
      await writing;
      await options.beforeStore?.();
    } catch (error) {
      source.stop();
      // The write in flight must settle before the staging table is emptied.
      await writing.catch(() => {});
      if (error instanceof ImportError) throw error;
      // The staging table's own writes (its temporary file, say, on a full /tmp).
      if (error instanceof StoreError)
        throw new ImportError(
          `Staging the contacts of ${options.file} failed: ${error.message}. Nothing was imported.`,
          'STORE_FAILED',
          { cause: error },
        );
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

    // Phase 2: merge the staged rows into the list, a short transaction per batch.
    let listId = existing?.id;
    const audit = (repositories: Repositories, counts: { inserted: number; merged: number }) =>
      writeAudit(repositories, options.actor ?? cliPrincipal(), {
        action: 'contacts.import',
        subject: options.listName,
        details: {
          file: options.file,
          format,
          rows,
          accepted: counts.inserted + counts.merged,
          inserted: counts.inserted,
          merged: counts.merged,
          rejected: rejectedCount,
          encoding,
          ...(counts.inserted + counts.merged < staged ? { incomplete: true } : {}),
        },
      });
    // A file whose every row was rejected still creates the list it names: the user asked for it.
    let from = 0;
    do {
      const to = Math.min(staged, from + MERGE_BATCH_ROWS);
      try {
        const counts = await store.transaction(async (tx) => {
          listId ??= (
            await tx.contacts.createList({ name: options.listName, defaultRegion: region })
          ).id;
          const batch = await tx.contacts.mergeStaged(stagingId, listId, from, to);
          if (to === staged)
            await audit(tx, { inserted: inserted + batch.inserted, merged: merged + batch.merged });
          return batch;
        });
        inserted += counts.inserted;
        merged += counts.merged;
      } catch (error) {
        // A rolled-back first batch also took the list it created with it.
        if (existing === null && from === 0) listId = undefined;
        // What did land is on record, if the store still takes a write.
        if (inserted + merged > 0) await audit(store, { inserted, merged }).catch(() => {});
        throw partialFailure(error, options, inserted + merged, staged, listId !== undefined);
      }
      from = to;
      progress();
    } while (from < staged);
    progress();
    return {
      listId: listId!,
      listName: options.listName,
      listCreated: existing === null,
      region,
      format,
      encoding,
      delimiter,
      columns: (mapping as ColumnMapping).columns.map(({ header, target }) => ({
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
  } finally {
    await store.contacts.dropStaging(stagingId).catch(() => {
      // A full disk can refuse even the delete; the TEMP table goes with the connection anyway.
    });
  }
}

/**
 * The error for a merge that failed after `stored` of `staged` rows landed (each batch is whole):
 * what is in the list, and that importing the file again completes it without doubling a row.
 */
function partialFailure(
  error: unknown,
  options: ImportOptions,
  stored: number,
  staged: number,
  listExists: boolean,
): Error {
  const reason = error instanceof Error ? error.message : String(error);
  if (stored === 0)
    return new ImportError(
      `Storing the contacts of ${options.file} failed: ${reason}. Nothing was imported${listExists ? '' : ' (the list was not created)'}.`,
      'STORE_FAILED',
      { cause: error },
    );
  return new ImportError(
    `Storing the contacts of ${options.file} failed after ${stored.toLocaleString('en-US')} of ${staged.toLocaleString('en-US')} rows were stored in list "${options.listName}": ${reason}. The rows stored are whole contacts (the file's first ${stored.toLocaleString('en-US')} accepted rows); import the same file again to store the rest (rows already stored merge, none is doubled).`,
    'PARTIAL',
    { cause: error, stored },
  );
}

/** A cell longer than MAX_CELL_CHARS refuses its row, naming the column. */
function oversizedCell(cells: readonly string[], mapping: ColumnMapping): string | null {
  for (let i = 0; i < cells.length; i++) {
    const length = cells[i]!.length;
    if (length > MAX_CELL_CHARS) {
      const header = mapping.columns[i]?.header ?? `column ${i + 1}`;
      return `${header}: ${length.toLocaleString('en-US')} characters, more than the ${MAX_CELL_CHARS.toLocaleString('en-US')} a cell may hold`;
    }
  }
  return null;
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

/**
 * Records in file order. The consumer sets `columns` and `headers` once the header is known (XLSX
 * pads short rows to it; error messages name columns by header); `stop` releases the file when
 * the consumer gives up early.
 */
type RecordSource = AsyncGenerator<SourceRecord> & {
  columns?: number;
  headers?: string[];
  stop(): void;
};

/**
 * CSV records, streamed through csv-parse with a cap on the record size (MAX_RECORD_BYTES).
 *
 * An unclosed quote makes the parser read everything after it as one cell; csv-parse cannot find
 * its way back by itself (with skip_records_with_error it drops input after the cap and stays
 * inside the quote). So when a record goes over the cap, or the file ends inside a quote spanning
 * lines, that record is refused as ONE row — the row where it began, naming the column — and the
 * file is read again with a fresh parser from the next physical line on. For a stray quote that
 * is exactly right: the lines it swallowed were rows of their own. (A deliberate multi-line cell
 * of more than 64 KiB is refused the same way, and its later lines are then read as rows; they
 * rarely have a valid number and are refused by the usual checks.) Row numbers stay those of
 * the spreadsheet throughout; bytesRead restarts with the new pass.
 */
function csvRecords(
  file: string,
  encoding: TextEncoding,
  delimiter: string,
  lineBreak: '\n' | '\r',
  onInput: (input: ReadStream) => void,
): RecordSource {
  let stopped = false;
  let release = () => {};
  async function* records(): AsyncGenerator<SourceRecord> {
    let row = 0;
    // Physical lines handled by earlier passes (the next pass starts after them).
    let skipLines = 0;
    for (;;) {
      // csv-parse parses a whole chunk in one synchronous go: 64 KB (~1,400 rows) keeps that short.
      const input = createReadStream(file, { highWaterMark: 64 * 1024 });
      onInput(input);
      // iconv-lite types it as a ReadWriteStream; it is a stream.Transform.
      const decoder = iconv.decodeStream(iconvName(encoding)) as Transform;
      // The line where this pass's last good record ended (csv-parse counts from 1 per pass).
      let lastLine = 0;
      // The record that ended this pass early, and the number of good records before it.
      let broken: { before: number; startLine: number; reason: Reason; raw: string } | null = null;
      const parser = parse({
        delimiter,
        relax_column_count: true,
        relax_quotes: true,
        skip_records_with_error: true,
        raw: true,
        max_record_size: MAX_RECORD_BYTES,
        // Records parsed from chunks already buffered when the pass broke are not handed out.
        on_record: (record, context) => {
          if (broken) return null;
          lastLine = context.lines;
          return record;
        },
      });
      // Skipped records are reported while parsing, ahead of the records consumed below (the
      // header too, so their reasons are worded when handed out); each is queued with how many
      // good records preceded it, and handed on in file order.
      const skipped: Array<{ before: number; reason: Reason; raw: string }> = [];
      parser.on('skip', (error: CsvError, raw: string | undefined) => {
        if (broken) return;
        const text = (raw ?? '').replace(/\r?\n?$/, '');
        const spansLines = /[\r\n]/.test(text);
        const column = (error as CsvError & { column?: number }).column ?? 0;
        if (
          error.code === 'CSV_MAX_RECORD_SIZE' ||
          (error.code === 'CSV_QUOTE_NOT_CLOSED' && spansLines)
        ) {
          const capped = error.code === 'CSV_MAX_RECORD_SIZE';
          const reason: Reason = spansLines
            ? (headers) =>
                `unparseable row: a quote (") opened in ${columnName(headers, column)} of this row is never closed${capped ? ` within ${MAX_RECORD_BYTES / 1024} KiB` : ''}; the row was refused and reading went on at the next line (check the rows after it); close the quote and import this row again`
            : (headers) =>
                `row too long: ${columnName(headers, column)} makes it longer than the ${MAX_RECORD_BYTES / 1024} KiB a row may hold`;
          // Its raw text is the line it began on: the lines after it are read again as rows.
          const [firstLine = ''] = text.split(/\r\n|\n|\r/, 1);
          broken = { before: parser.info.records, startLine: lastLine + 1, reason, raw: firstLine };
          // No more input for this pass; the parser ends with what it has.
          input.unpipe(decoder);
          input.destroy();
          decoder.unpipe();
          decoder.destroy();
          setImmediate(() => parser.end());
          return;
        }
        const reason: Reason = () =>
          error.code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'unparseable row: a quote (") opened in this row is never closed, so the rest of the file was read as one cell; close the quote and import again'
            : `unparseable row: ${error.message}`;
        skipped.push({ before: parser.info.records, reason, raw: text });
      });
      input.on('error', (error) => parser.destroy(error));
      release = () => {
        input.destroy();
        decoder.destroy();
        parser.destroy();
      };
      const text =
        skipLines > 0
          ? input.pipe(decoder).pipe(dropLines(skipLines, lineBreak))
          : input.pipe(decoder);
      text.pipe(parser);
      let parsed = 0;
      try {
        for await (const { record, raw } of parser as AsyncIterable<{
          record: string[];
          raw: string;
        }>) {
          parsed++;
          while (skipped.length > 0 && skipped[0]!.before < parsed) {
            const { reason, raw: text } = skipped.shift()!;
            yield { row: ++row, cells: [], raw: text, error: reason(source.headers) };
          }
          yield { row: ++row, cells: record, raw: raw.replace(/\r?\n?$/, '') };
        }
      } finally {
        release();
      }
      for (const { reason, raw: text } of skipped.splice(0))
        yield { row: ++row, cells: [], raw: text, error: reason(source.headers) };
      const end = broken as { startLine: number; reason: Reason; raw: string } | null;
      if (end === null || stopped) return;
      yield { row: ++row, cells: [], raw: end.raw, error: end.reason(source.headers) };
      skipLines += end.startLine;
    }
  }
  const source = records() as RecordSource;
  source.stop = () => {
    stopped = true;
    release();
  };
  return source;
}

/** Why a record was skipped, worded once the header (if read by then) names its columns. */
type Reason = (headers: readonly string[] | undefined) => string;

function columnName(headers: readonly string[] | undefined, index: number): string {
  const header = headers?.[index]?.trim();
  return header ? `column "${header}"` : `column ${index + 1}`;
}

/** Drops the first `count` lines of a text stream (a CSV pass that resumes after a broken row). */
function dropLines(count: number, lineBreak: '\n' | '\r'): Transform {
  let left = count;
  return new Transform({
    decodeStrings: false,
    transform(chunk: string | Buffer, _encoding, done) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      let at = 0;
      while (left > 0) {
        const newline = text.indexOf(lineBreak, at);
        if (newline === -1) return done();
        at = newline + 1;
        left--;
      }
      done(null, at === 0 ? text : text.slice(at));
    },
  });
}

function xlsxRecords(file: string, onInput: (input: ReadStream) => void): RecordSource {
  let current: ReadStream | null = null;
  async function* records(this: void): AsyncGenerator<SourceRecord> {
    try {
      for await (const { row, cells } of xlsxRows(file, (input) => onInput((current = input)))) {
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
      if (error instanceof XlsxLimitError)
        throw new ImportError(`${file}: ${error.message}. Nothing was imported.`, 'TOO_LARGE', {
          cause: error,
        });
      if ((error as NodeJS.ErrnoException).code?.startsWith('E')) throw error;
      throw new ImportError(
        `Cannot read the workbook: ${(error as Error).message}. Is it an XLSX file (not XLS)?`,
        'UNREADABLE',
        { cause: error },
      );
    }
  }
  const source = records() as RecordSource;
  source.stop = () => current?.destroy();
  return source;
}

/** One data row → a contact, or the reason it is refused (naming the field). */
export function toContact(
  record: readonly string[],
  mapping: ColumnMapping,
  region: CountryCode,
  now: number = Date.now(),
): NewContact | string {
  if (record.length !== mapping.columns.length) {
    return `wrong column count: ${record.length} ${record.length === 1 ? 'column' : 'columns'}, the header has ${mapping.columns.length}`;
  }
  const phone = normalizePhone(record[mapping.phoneColumn] ?? '', region);
  if (!phone.ok) return phone.reason;
  const contact: NewContact = { phone: phone.e164 };
  const fields: JsonObject = {};
  let consentAt: { header: string; value: string } | null = null;
  let consentSourceHeader: string | null = null;
  for (let i = 0; i < mapping.columns.length; i++) {
    const value = (record[i] ?? '').trim();
    const { header, target } = mapping.columns[i]!;
    // Empty cells are left out so they never overwrite a value stored before (see the merge rule).
    if (value === '' || target.kind === 'phone' || target.kind === 'ignore') continue;
    if (target.kind === 'name') contact.name = value;
    else if (target.kind === 'consentSource') {
      if (value.length > CONSENT_SOURCE_MAX_CHARS)
        return `${header}: the consent source is longer than ${CONSENT_SOURCE_MAX_CHARS} characters`;
      contact.consentSource = value;
      consentSourceHeader = header;
    } else if (target.kind === 'consentAt') consentAt = { header, value };
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
  // Read last: a time without an offset is meant in the row's own time zone.
  if (consentAt !== null) {
    const at = parseConsentTime(
      consentAt.value,
      consentZone(contact.timeZone ?? undefined, region),
      now,
    );
    if (typeof at === 'string') return `${consentAt.header}: ${at}`;
    contact.consentAt = at;
  } else if (consentSourceHeader !== null) {
    return `${consentSourceHeader}: a consent source needs its time (consent_at) in the same row`;
  }
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
  if (target.kind === 'consentSource') return 'consent_source';
  if (target.kind === 'consentAt') return 'consent_at';
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
