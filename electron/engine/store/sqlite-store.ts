/**
 * Opens the SQLite store: checks the data directory, inspects an existing file without changing
 * it (a file we cannot use must be left exactly as found), then configures and migrates.
 */
import { join, resolve } from 'node:path';

import { listenNowhere } from './change-feed.js';
import { describeConflict } from './conflicts.js';
import { ensureWritableDir, inspectFile } from './data-dir.js';
import { Database, DEFAULT_BUSY_TIMEOUT_MS, ReadRouter } from './database.js';
import { corruptMessage, sqliteCode } from './errors.js';
import {
  assertKnownVersion,
  LATEST_SCHEMA_VERSION,
  migrate,
  readSchemaVersion,
} from './migrations.js';
import { APPLICATION_ID } from './migrations/001-initial.js';
import { createRepositories } from './repositories/index.js';
import { type Store, StoreError } from './types.js';

export const DEFAULT_FILE_NAME = 'outbound.db';

export interface OpenStoreOptions {
  dataDir: string;
  /** Default 'outbound.db'. */
  fileName?: string;
  /** How long to wait for another process's lock before failing with LOCKED. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Clock for the timestamps the store fills in. Default Date.now. */
  now?: () => number;
}

/** The store plus its connections, for tests and maintenance code inside store/. */
export interface SqliteStore extends Store {
  readonly database: Database;
  /** The second, read-only connection some reads use beside the writer (see ReadRouter). */
  readonly readDatabase: Database;
}

export function openStore(options: OpenStoreOptions): Promise<Store> {
  return openSqliteStore(options);
}

export async function openSqliteStore(options: OpenStoreOptions): Promise<SqliteStore> {
  const dataDir = resolve(options.dataDir);
  const path = join(dataDir, options.fileName ?? DEFAULT_FILE_NAME);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const now = options.now ?? Date.now;

  await ensureWritableDir(dataDir);
  const checked = await checkExistingFile(path, busyTimeoutMs);
  const database = await Database.open(path, { busyTimeoutMs, describeConflict });
  try {
    // A hot rollback journal cannot be replayed read-only; the read-write connection replays it.
    if (checked === 'needs-recovery') await checkDatabase(database, path);
    await configure(database, path);
    const schemaVersion = await migrate(database, { path, now });
    // Opened after the migration, so it never sees a schema older than the writer's.
    const reader = await Database.open(path, { readOnly: true, busyTimeoutMs });
    return createStore(database, reader, path, schemaVersion, now);
  } catch (error) {
    await database.close().catch(() => {
      // The open failure is what the caller needs to hear about.
    });
    throw error;
  }
}

type CheckResult = 'new' | 'checked' | 'needs-recovery';

/** Read-only look at an existing file: the version, whose file it is, and its integrity. */
async function checkExistingFile(path: string, busyTimeoutMs: number): Promise<CheckResult> {
  const kind = await inspectFile(path);
  if (kind !== 'sqlite') return 'new';
  const probe = await Database.open(path, { readOnly: true, busyTimeoutMs });
  try {
    await checkDatabase(probe, path);
    return 'checked';
  } catch (error) {
    if (error instanceof StoreError && sqliteCode(error.cause) === 'SQLITE_READONLY')
      return 'needs-recovery';
    throw error;
  } finally {
    await probe.close();
  }
}

async function checkDatabase(db: Database, path: string): Promise<void> {
  const version = assertKnownVersion(await readSchemaVersion(db), LATEST_SCHEMA_VERSION, path);
  await assertOurs(db, path, version);
  await quickCheck(db, path);
}

async function assertOurs(db: Database, path: string, version: number): Promise<void> {
  const applicationId =
    (await db.get<{ application_id: number }>('PRAGMA application_id'))?.application_id ?? 0;
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) {
    throw new StoreError(
      'CORRUPT',
      corruptMessage(path, `it belongs to another program (application id ${applicationId})`),
    );
  }
  if (version > 0) return;
  const tables =
    (await db.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'"))
      ?.n ?? 0;
  if (tables > 0)
    throw new StoreError(
      'CORRUPT',
      corruptMessage(path, 'it is a SQLite database of another program'),
    );
}

async function quickCheck(db: Database, path: string): Promise<void> {
  const rows = await db.all<{ quick_check: string }>('PRAGMA quick_check');
  const problems = rows.map((row) => row.quick_check).filter((line) => line !== 'ok');
  if (problems.length > 0) {
    throw new StoreError(
      'CORRUPT',
      corruptMessage(path, `its integrity check failed: ${problems.slice(0, 3).join('; ')}`),
    );
  }
}

async function configure(db: Database, path: string): Promise<void> {
  const mode = (await db.get<{ journal_mode: string }>('PRAGMA journal_mode = WAL'))?.journal_mode;
  if (mode !== 'wal')
    throw new StoreError(
      'SQLITE',
      `The database at ${path} cannot use write-ahead logging (journal mode stayed "${mode}").`,
    );
  // foreign_keys is per connection and ignored inside a transaction, so it is set here, first.
  // secure_delete: deleted rows are overwritten with zeros, so an erased person's number does not
  // linger in free pages of the file (issue 15 §4; also per connection).
  await db.exec(
    'PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;',
  );
}

function createStore(
  database: Database,
  reader: Database,
  path: string,
  schemaVersion: number,
  now: () => number,
): SqliteStore {
  let closing: Promise<void> | undefined;
  const dncDigest: { fn: ((phone: string) => string) | null } = { fn: null };
  return {
    ...createRepositories({
      // The writer, or the reader inside readingBeside (database.ts).
      db: new ReadRouter(database, reader, { onlyBeside: true }),
      read: new ReadRouter(database, reader),
      now,
      dncDigest,
    }),
    database,
    readDatabase: reader,
    path,
    schemaVersion,
    transaction: (work) =>
      database.transaction((tx) => work(createRepositories({ db: tx, now, dncDigest }))),
    // One seat per SQLite file: no other seat to hear from (change-feed.ts).
    listen: listenNowhere,
    close: () => (closing ??= closeDatabase(database, reader)),
  };
}

async function closeDatabase(database: Database, reader: Database): Promise<void> {
  await reader.close().catch(() => undefined);
  // Cheap upkeep SQLite recommends before closing a long-lived connection.
  await database.exec('PRAGMA optimize').catch(() => undefined);
  await database.close();
}
