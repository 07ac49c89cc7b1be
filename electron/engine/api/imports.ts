/**
 * Contact import in the API: a file goes up in chunks, is previewed, mapped, and imported.
 *
 * Messages are limited to MAX_MESSAGE_BYTES (1 MiB) on both transports, and a WebSocket request
 * times out after 15 s, so a 50 MB spreadsheet cannot travel in one request nor be imported inside
 * one: `imports.begin` opens an upload (a temporary file in the data folder), `imports.chunk` appends
 * base64 pieces of at most IMPORT_CHUNK_BYTES in order, `imports.preview` reads the first rows,
 * `imports.commit` checks the list, mapping and region and STARTS the import, which then reports
 * `import.progress` and finally `import.finished` (also readable with `imports.status`).
 * `imports.rejects` pages through every rejected row as CSV text for download.
 *
 * The import reads the whole file before it stores a row (contacts/import.ts): a file that fails
 * to read stores nothing; a store failure while storing (error code PARTIAL) says how many rows
 * were stored, and importing the file again completes the list.
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

/** Raw bytes per `imports.chunk`: 384 KiB, i.e. 512 KiB of base64, well inside one 1 MiB message. */
export const IMPORT_CHUNK_BYTES = 384 * 1024;
/** Largest file accepted (the 1,000,000-contact benchmark file is 46 MB). */
export const MAX_IMPORT_FILE_BYTES = 512 * 1024 * 1024;
/** CSV text per `imports.rejects` page. */
export const REJECTS_PAGE_BYTES = 256 * 1024;
/** Rejected rows carried in an import's result (all of them are in `imports.rejects`). */
export const IMPORT_RESULT_REJECTED_ROWS = 500;

const ImportId = z.string().regex(/^[a-z0-9-]{8,64}$/, 'is not an import id');
const ListName = z.string().trim().min(1, 'is required').max(200);
const Region = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, 'must be a two-letter region code such as CN or US');

/** Where a column goes: phone, name, timeZone, "-" (ignored), or a custom field name (region, amount, tags…). */
export const ImportFieldName = z.string().trim().min(1, 'is required').max(64);

export const ImportColumnSchema = z.object({
  /** The header as in the file (trimmed). */
  header: z.string(),
  /** The engine's suggestion: phone, name, timeZone, "-", or a custom field name. */
  suggested: z.string(),
  /** Up to five non-empty values from the first rows. */
  samples: z.array(z.string()),
});
export type ImportColumn = z.infer<typeof ImportColumnSchema>;

export const ImportPreviewSchema = z.object({
  id: ImportId,
  fileName: z.string(),
  bytes: z.number().int().nonnegative(),
  format: z.enum(['csv', 'xlsx']),
  /** The CSV's detected encoding; null for XLSX. */
  encoding: z.enum(['utf-8', 'utf-8-bom', 'gb18030']).nullable(),
  delimiter: z.string().nullable(),
  columns: z.array(ImportColumnSchema),
  /** The first data rows as text cells (row numbers as a spreadsheet shows them: header = 1). */
  rows: z.array(z.object({ row: z.number().int(), cells: z.array(z.string()) })),
  /** Contact rows in the file: exact when the whole file was read for the preview, else an estimate. */
  rowEstimate: z.number().int().nonnegative().nullable(),
  rowEstimateExact: z.boolean(),
  /** Why the mapping cannot be used as suggested (no phone column found), in words; null when fine. */
  mappingProblem: z.string().nullable(),
});
export type ImportPreview = z.infer<typeof ImportPreviewSchema>;

export const ImportState = z.enum(['uploading', 'uploaded', 'importing', 'done', 'failed']);
export type ImportState = z.infer<typeof ImportState>;

export const ImportProgressSchema = z.object({
  id: ImportId,
  rowsRead: z.number().int().nonnegative(),
  bytesRead: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative(),
  /** Rows stored so far (new plus merged), and rows refused so far. */
  accepted: z.number().int().nonnegative(),
  inserted: z.number().int().nonnegative(),
  merged: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
});
export type ImportProgressData = z.infer<typeof ImportProgressSchema>;

export const ImportRejectedRowSchema = z.object({
  row: z.number().int(),
  reason: z.string(),
  raw: z.string(),
});
export type ImportRejectedRow = z.infer<typeof ImportRejectedRowSchema>;

export const ImportResultSchema = z.object({
  listName: z.string(),
  listCreated: z.boolean(),
  region: z.string(),
  rows: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  inserted: z.number().int().nonnegative(),
  merged: z.number().int().nonnegative(),
  rejectedCount: z.number().int().nonnegative(),
  /** The first IMPORT_RESULT_REJECTED_ROWS rejected rows, in file order. */
  rejected: z.array(ImportRejectedRowSchema),
  durationMs: z.number().int().nonnegative(),
});
export type ImportResult = z.infer<typeof ImportResultSchema>;

export const ImportStatusSchema = z.object({
  id: ImportId,
  fileName: z.string(),
  bytes: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
  state: ImportState,
  progress: ImportProgressSchema.nullable(),
  result: ImportResultSchema.nullable(),
  /** Why the import failed: the import's code (EMPTY_FILE, NO_PHONE_COLUMN, UNREADABLE, TOO_LARGE, REJECTS_UNWRITABLE…; nothing was imported) or PARTIAL (the message says how many rows were stored), and the message. */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ImportStatus = z.infer<typeof ImportStatusSchema>;

const ById = z.object({ id: ImportId }).strict();

export const importCommands = {
  /** Opens an upload; returns its id. */
  'imports.begin': {
    params: z
      .object({
        fileName: z.string().trim().min(1, 'is required').max(255),
        bytes: z
          .number()
          .int()
          .min(0)
          .max(MAX_IMPORT_FILE_BYTES, `must be at most ${MAX_IMPORT_FILE_BYTES / 1024 / 1024} MB`),
      })
      .strict(),
    result: z.object({ id: ImportId, chunkBytes: z.number().int().positive() }),
  },
  /** Appends the next piece of the file; `offset` must equal the bytes received so far. */
  'imports.chunk': {
    params: z
      .object({
        id: ImportId,
        offset: z.number().int().min(0),
        data: z
          .string()
          .max(
            Math.ceil(IMPORT_CHUNK_BYTES / 3) * 4,
            'is larger than one chunk (384 KiB before base64)',
          )
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
      })
      .strict(),
    result: z.object({ received: z.number().int().nonnegative(), complete: z.boolean() }),
  },
  /** The uploaded file's encoding, columns with suggested fields and sample values, and first rows. */
  'imports.preview': { params: ById, result: ImportPreviewSchema },
  /** Checks the target list, mapping and region, then starts the import (progress and result by event). */
  'imports.commit': {
    params: z
      .object({
        id: ImportId,
        list: ListName,
        /** True: a new list named `list` (refused when one exists). False: an existing list. */
        createList: z.boolean(),
        /** Every column of the file, by header, to phone / name / timeZone / "-" / a custom field. Exactly one phone. */
        mapping: z
          .array(z.object({ header: z.string(), field: ImportFieldName }).strict())
          .min(1)
          .max(500),
        /** Region for numbers written without a country code (a new list keeps it). */
        defaultRegion: Region,
      })
      .strict(),
    result: ImportStatusSchema,
  },
  'imports.status': { params: ById, result: ImportStatusSchema },
  /** Every rejected row as CSV text (row,reason,raw; UTF-8), a page of REJECTS_PAGE_BYTES at a time. */
  'imports.rejects': {
    params: z.object({ id: ImportId, offset: z.number().int().min(0).default(0) }).strict(),
    result: z.object({
      text: z.string(),
      nextOffset: z.number().int().nullable(),
      totalBytes: z.number().int().nonnegative(),
    }),
  },
  /** Drops an upload and its temporary files (refused while its import runs: it cannot stop halfway). */
  'imports.cancel': { params: ById, result: z.object({ cancelled: z.boolean() }) },
} as const;

export const importEvents = {
  /** A running import's counts (a few times a second). */
  'import.progress': ImportProgressSchema,
  /** An import ended: `done` with its result, or `failed` with why (and nothing imported). */
  'import.finished': ImportStatusSchema,
} as const;
