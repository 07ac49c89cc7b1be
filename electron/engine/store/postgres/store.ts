/**
 * Opens the store on PostgreSQL: connects, migrates (advisory-locked, see migrate.ts) and binds
 * the same repositories SQLite's store uses to a PgDatabase, with a reader lane beside the writer
 * as on SQLite (ReadRouter). The engine gets a `Store` and cannot tell the backends apart.
 */
import { describeConflict } from '../conflicts.js';
import { ReadRouter } from '../database.js';
import { createRepositories } from '../repositories/index.js';
import type { Store } from '../types.js';
import { PgDatabase } from './database.js';
import { type PgChangeListener, startPgChangeListener } from './listen.js';
import { migratePostgres, type PgMigrateResult } from './migrate.js';

export interface OpenPostgresStoreOptions {
  /** postgres://user[:password]@host[:port]/database[?…] */
  url: string;
  /** Clock for the timestamps the store fills in. Default Date.now. */
  now?: () => number;
  /** Pool size (default 4). */
  max?: number;
}

/** The store plus its database, for tests and maintenance code inside store/. */
export interface PostgresStore extends Store {
  readonly database: PgDatabase;
  readonly migrated: PgMigrateResult;
}

export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value);
}

export async function openPostgresStore(options: OpenPostgresStoreOptions): Promise<PostgresStore> {
  const now = options.now ?? Date.now;
  const database = await PgDatabase.open(options.url, {
    describeConflict,
    ...(options.max === undefined ? {} : { max: options.max }),
  });
  try {
    const migrated = await migratePostgres(database, { path: database.path, now });
    const reader = database.reader();
    const dncDigest: { fn: ((phone: string) => string) | null } = { fn: null };
    let closing: Promise<void> | undefined;
    // The change feed's own connection, opened by the first listener (one-shot commands never do).
    let listener: PgChangeListener | null = null;
    return {
      ...createRepositories({
        // The writer, or the reader inside readingBeside (../database.ts).
        db: new ReadRouter(database, reader, { onlyBeside: true }),
        read: new ReadRouter(database, reader),
        now,
        dncDigest,
      }),
      database,
      migrated,
      path: database.path,
      schemaVersion: migrated.version,
      transaction: (work) =>
        database.transaction((tx) => work(createRepositories({ db: tx, now, dncDigest }))),
      listen: (topic, onWake) =>
        (listener ??= startPgChangeListener(options.url)).listen(topic, onWake),
      close: () =>
        (closing ??= (async () => {
          await listener?.close();
          await reader.close().catch(() => undefined);
          await database.close();
        })()),
    };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}
