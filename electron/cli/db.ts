/**
 * `outbound db migrate` and `outbound db copy`.
 *
 * `db migrate` brings a store to this version's schema and prints the versions it
 * applied. With `--database postgres://…` (or OUTBOUND_DATABASE) the shared PostgreSQL database
 * (advisory-locked, so it is safe beside running seats); otherwise the SQLite file in the data
 * folder (SQLite's own locking; a workspace held by a running engine is refused as busy).
 *
 * `db copy --from sqlite:PATH --to postgres://… [--dry-run]` moves a workspace's SQLite store (the
 * file, or the data folder holding outbound.db) into an empty PostgreSQL database in one
 * transaction, and prints each table's rows read and written (store/postgres/copy.ts); with
 * --dry-run it does the whole copy and rolls it back.
 */
import { join } from 'node:path';

import {
  assertDatabaseUrl,
  copySqliteToPostgres,
  DEFAULT_FILE_NAME,
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
  from?: string | undefined;
  to?: string | undefined;
  dryRun?: boolean;
}

export async function dbCommand(args: string[], options: DbOptions, out: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'copy') return copy(rest, options, out);
  if (sub !== 'migrate')
    throw new UsageError(
      sub === undefined
        ? 'db needs a sub-command: migrate or copy'
        : `unknown db sub-command "${sub}"`,
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

async function copy(rest: string[], options: DbOptions, out: Output): Promise<number> {
  if (rest.length > 0) throw new UsageError(`db copy takes no arguments (got "${rest.join(' ')}")`);
  if (!options.from?.startsWith('sqlite:'))
    throw new UsageError(
      'db copy needs --from sqlite:PATH (the workspace folder or its outbound.db)',
    );
  if (options.to === undefined) throw new UsageError('db copy needs --to postgres://…');
  try {
    assertDatabaseUrl(options.to);
  } catch (error) {
    throw new UsageError(`--to: ${(error as Error).message}`);
  }
  const given = options.from.slice('sqlite:'.length);
  const sqlitePath = given.endsWith('.db') ? given : join(given, DEFAULT_FILE_NAME);
  const result = await copySqliteToPostgres({
    sqlitePath,
    url: options.to,
    dryRun: options.dryRun === true,
  });
  const width = Math.max(...result.tables.map((t) => t.table.length));
  for (const t of result.tables)
    out.record(
      { event: 'db_copy_table', table: t.table, source: t.source, target: t.target },
      `  ${t.table.padEnd(width)}  ${String(t.source).padStart(9)} read  ${String(t.target).padStart(9)} written`,
    );
  const rows = result.tables.reduce((n, t) => n + t.target, 0);
  out.record(
    { event: 'db_copied', from: result.from, to: result.to, dryRun: result.dryRun, rows },
    result.dryRun
      ? `Dry run: ${rows} rows of ${result.from} would go to ${result.to}; every table's count matched; nothing was kept.`
      : `Copied ${rows} rows of ${result.from} to ${result.to}; every table's count matched.`,
  );
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
