/**
 * contacts/ — getting contact lists into the store: CSV and XLSX import (streamed, encoding detected,
 * columns mapped, numbers normalized to E.164, duplicates merged, every refused row reported by
 * its spreadsheet row number), read whole into a staging table, then stored in short
 * transactions (see import.ts), with bounded records, cells and XLSX sizes. The CLI's
 * `outbound import` and the console's import (import-commands.ts: upload, preview, commit) both
 * go through `importContactsFromFile`.
 */
export { detectEncoding } from './encoding.js';
export { importContactsFromFile, ImportError, type ImportResult } from './import.js';
export { targetOf } from './mapping.js';
