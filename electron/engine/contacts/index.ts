/**
 * contacts/ — getting contact lists into the store: CSV and XLSX import (streamed, encoding detected,
 * columns mapped, numbers normalized to E.164, duplicates merged, every refused row reported by
 * its spreadsheet row number), read whole into a staging table, then stored in short
 * transactions (see import.ts), with bounded records, cells and XLSX sizes. The CLI's
 * `outbound import` and the console's import (import-commands.ts: upload, preview, commit) both
 * go through `importContactsFromFile`.
 */
export { detectEncoding, isUtf8, type TextEncoding } from './encoding.js';
export {
  BATCH_ROWS,
  importContactsFromFile,
  ImportError,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  MAX_CELL_CHARS,
  MAX_RECORD_BYTES,
  MERGE_BATCH_ROWS,
  type RejectedRow,
} from './import.js';
export {
  type ColumnMapping,
  type ColumnTarget,
  guessColumns,
  mapColumns,
  MappingError,
  targetOf,
} from './mapping.js';
export { isKnownRegion, normalizePhone, type PhoneResult } from './phone.js';
export { cellText, xlsxRows } from './xlsx.js';
