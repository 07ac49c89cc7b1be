/**
 * What maintenance commands (`outbound db …`) use of the store beyond the engine's `Store`: the
 * PostgreSQL database, its migrations and the SQLite-to-PostgreSQL copy directly, and a SQLite
 * store opened (and so migrated) to report the schema before and after.
 */
import { join, resolve } from 'node:path';

import { inspectFile } from './data-dir.js';
import { Database } from './database.js';
import { readSchemaVersion } from './migrations.js';
import { DEFAULT_FILE_NAME, openSqliteStore } from './sqlite-store.js';

export { LATEST_SCHEMA_VERSION } from './migrations.js';
export { assertDatabaseUrl } from './open.js';
export { copySqliteToPostgres } from './postgres/copy.js';
export { PgDatabase } from './postgres/database.js';
export { migratePostgres } from './postgres/migrate.js';
export { DEFAULT_FILE_NAME } from './sqlite-store.js';

/** Opens (and so migrates) the workspace's SQLite store; the schema before and after. */
export async function openSqliteStoreForMaintenance(dataDir: string): Promise<{
  path: string;
  before: number;
  after: number;
  close: () => Promise<void>;
}> {
  const path = join(resolve(dataDir), DEFAULT_FILE_NAME);
  let before = 0;
  if ((await inspectFile(path)) === 'sqlite') {
    const probe = await Database.open(path, { readOnly: true });
    try {
      before = await readSchemaVersion(probe);
    } finally {
      await probe.close();
    }
  }
  const store = await openSqliteStore({ dataDir });
  return { path, before, after: store.schemaVersion, close: () => store.close() };
}
