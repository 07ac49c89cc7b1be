/**
 * `outbound db migrate`: brings a store to this version's schema and prints the versions it
 * applied. With `--database postgres://…` (or OUTBOUND_DATABASE) the shared PostgreSQL database
 * (advisory-locked, so it is safe beside running seats); otherwise the SQLite file in the data
 * folder (SQLite's own locking; a workspace held by a running engine is refused as busy).
 */
import {
  assertDatabaseUrl,
  LATEST_SCHEMA_VERSION,
  migratePostgres,
  openSqliteStoreForMaintenance,
  PgDatabase,
} from '../engine/store/maintenance.js';
import type { Output } from './output.js';
import { UsageError } from './usage.js';

export interface DbOptions {
  dataDir: string;
  database: string | undefined;
}

export async function dbCommand(args: string[], options: DbOptions, out: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'migrate')
    throw new UsageError(
      sub === undefined ? 'db needs a sub-command: migrate' : `unknown db sub-command "${sub}"`,
    );
  if (rest.length > 0)
    throw new UsageError(`db migrate takes no arguments (got "${rest.join(' ')}")`);
  const database = options.database || undefined;
  if (database !== undefined) {
    try {
      assertDatabaseUrl(database);
    } catch (error) {
      throw new UsageError(`--database: ${(error as Error).message}`);
    }
    const db = await PgDatabase.open(database);
    try {
      const result = await migratePostgres(db, { path: db.path });
      report(out, db.path, 'postgres', result.applied, result.version);
      return 0;
    } finally {
      await db.close();
    }
  }
  const { path, before, after, close } = await openSqliteStoreForMaintenance(options.dataDir);
  await close();
  const applied = Array.from({ length: after - before }, (_, i) => before + i + 1);
  report(out, path, 'sqlite', applied, after);
  return 0;
}

function report(
  out: Output,
  path: string,
  backend: 'sqlite' | 'postgres',
  applied: number[],
  version: number,
): void {
  const text =
    applied.length === 0
      ? `${path}: schema ${version}, up to date (this version knows up to ${LATEST_SCHEMA_VERSION})`
      : `${path}: applied ${applied.length === 1 ? 'migration' : 'migrations'} ${applied.join(', ')}; schema ${version} now`;
  out.record({ event: 'db_migrated', backend, path, applied, version }, text);
}
