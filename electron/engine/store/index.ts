/**
 * store/ — everything the engine keeps on disk, behind typed repositories. It owns the SQLite file
 * (opening, integrity checks, schema migrations, the one-writer queue) and is the only place that
 * writes SQL. A PostgreSQL backend can implement the same `Store` interface later (DESIGN.md §5).
 */
export { LATEST_SCHEMA_VERSION } from './migrations.js';
export { DEFAULT_FILE_NAME, openStore, type OpenStoreOptions } from './sqlite-store.js';
export * from './types.js';
