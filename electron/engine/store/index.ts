/**
 * store/ — everything the engine keeps on disk, behind typed repositories. It owns the SQLite file
 * (opening, integrity checks, schema migrations, the one-writer queue) and is the only place that
 * writes SQL. A PostgreSQL backend can implement the same `Store` interface later (DESIGN.md §5).
 */

export { openStore } from './sqlite-store.js';
export * from './types.js';
