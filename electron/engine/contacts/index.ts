/**
 * contacts/ — getting contact lists into the store: CSV and XLSX import (streamed, encoding detected,
 * columns mapped, numbers normalized to E.164, duplicates merged, every refused row reported by
 * its spreadsheet row number) in one transaction per file. The CLI's `outbound import` and, later,
 * the console's import dialog both go through `importContactsFromFile`.
 */
export {
  importContactsFromFile,
  ImportError,
  BATCH_ROWS,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  type RejectedRow,
} from './import.js';
export { detectEncoding, isUtf8, type TextEncoding } from './encoding.js';
export { mapColumns, guessColumns, targetOf, MappingError, type ColumnMapping, type ColumnTarget } from './mapping.js';
export { xlsxRows, cellText } from './xlsx.js';
export { normalizePhone, isKnownRegion, type PhoneResult } from './phone.js';
