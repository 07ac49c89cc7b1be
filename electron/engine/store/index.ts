/**
 * store/ — everything the engine keeps, behind typed repositories, and the only place that writes
 * SQL. Two backends behind the same `Store`: the SQLite file in the workspace (opening, integrity
 * checks, migrations, the one-writer queue; the default) and a shared PostgreSQL database
 * (postgres/: a pg pool behind the same lane, the same migrations list and ledger) chosen by a
 * postgres:// connection string.
 */

export { readingBeside, urgently } from './database.js';
export { openStore } from './open.js';
export * from './types.js';
