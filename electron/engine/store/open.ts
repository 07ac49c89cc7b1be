/**
 * Which backend a store opens on: the SQLite file in the workspace folder (the default, nothing
 * to install), or the PostgreSQL database a `postgres://` connection string names (several seats
 * sharing one store, docs/POSTGRES.md). The engine gets the same `Store` either way.
 */
import { redactUrl } from './postgres/database.js';
import { isPostgresUrl, openPostgresStore } from './postgres/store.js';
import { openSqliteStore, type OpenStoreOptions } from './sqlite-store.js';
import { type Store, StoreError } from './types.js';

export interface OpenAnyStoreOptions extends OpenStoreOptions {
  /** A postgres:// connection string; absent: SQLite in `dataDir`. */
  database?: string;
}

export function openStore(options: OpenAnyStoreOptions): Promise<Store> {
  const { database } = options;
  if (database === undefined || database === '') return openSqliteStore(options);
  assertDatabaseUrl(database);
  return openPostgresStore({ url: database, ...(options.now ? { now: options.now } : {}) });
}

/** Refuses anything but a PostgreSQL connection string, without echoing a password. */
export function assertDatabaseUrl(database: string): void {
  if (!isPostgresUrl(database))
    throw new StoreError(
      'SQLITE',
      `The database must be a PostgreSQL connection string, postgres://USER@HOST[:PORT]/DATABASE (got "${redactUrl(database)}"). Leave it out to use the SQLite file in the data folder.`,
    );
}
