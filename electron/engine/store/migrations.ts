/**
 * Versioned schema migrations. The version lives in `PRAGMA user_version` (read before anything
 * else, cheaply, even read-only); `schema_migrations` keeps a human-readable history beside it.
 * Each migration runs in its own transaction, together with both version records, so a crash
 * mid-migration leaves the previous version intact.
 *
 * Released migrations never change: add a new one instead.
 */
import type { SqlExecutor } from './database.js';
import { initialSchema } from './migrations/001-initial.js';
import { campaignsAndRouting } from './migrations/002-campaigns-routing.js';
import { campaignDialing } from './migrations/003-campaign-dialing.js';
import { utteranceLabels } from './migrations/004-utterance-labels.js';
import { usersSignIn } from './migrations/005-users-sign-in.js';
import { auditTrail } from './migrations/006-audit-trail.js';
import { kpiIndexes } from './migrations/007-kpi.js';
import { predictiveDialing } from './migrations/008-predictive.js';
import { amdSettings } from './migrations/009-amd.js';
import { retention } from './migrations/010-retention.js';
import { consentRecords } from './migrations/011-consent.js';
import { seatLeases } from './migrations/012-seat-leases.js';
import { seatLegs } from './migrations/013-seat-legs.js';
import { seatCommands } from './migrations/014-seat-commands.js';
import { referTransfers } from './migrations/015-refer-transfers.js';
import { StoreError } from './types.js';

export interface Migration {
  version: number;
  name: string;
  /** SQL run as one script inside the migration's transaction. */
  up: string;
  /**
   * The migration rebuilds a table others reference (SQLite's documented 12-step ALTER): foreign
   * keys are off around its transaction (a pragma that does nothing inside one), so dropping the
   * old table cascades nothing, and `foreign_key_check` must come back empty before it commits.
   */
  rebuildsTables?: boolean;
  /**
   * The same migration for PostgreSQL (from schema 12 on; migrations/portable.ts builds both
   * from one text). 1–11 have none: PostgreSQL starts from postgres/schema-11.ts.
   */
  postgres?: string;
}

export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  campaignsAndRouting,
  campaignDialing,
  utteranceLabels,
  usersSignIn,
  auditTrail,
  kpiIndexes,
  predictiveDialing,
  amdSettings,
  retention,
  consentRecords,
  seatLeases,
  seatLegs,
  seatCommands,
  referTransfers,
];

export const LATEST_SCHEMA_VERSION = latestVersion(MIGRATIONS);

export interface MigrateOptions {
  /** Named in error messages. */
  path: string;
  migrations?: readonly Migration[];
  now?: () => number;
}

/** Brings the database up to the latest schema; returns the resulting version. */
export async function migrate(db: SqlExecutor, options: MigrateOptions): Promise<number> {
  const migrations = options.migrations ?? MIGRATIONS;
  assertWellFormed(migrations);
  const latest = latestVersion(migrations);
  const now = options.now ?? Date.now;
  // Taking the write lock even when nothing is pending makes a database that another process
  // holds fail now, at open, rather than on the first write of a call.
  let version = await db.transaction(async (tx) =>
    assertKnownVersion(await readSchemaVersion(tx), latest, options.path),
  );
  for (const migration of migrations) {
    if (migration.version <= version) continue;
    const foreignKeys = migration.rebuildsTables
      ? (await db.get<{ foreign_keys: number }>('PRAGMA foreign_keys'))?.foreign_keys
      : undefined;
    if (foreignKeys) await db.exec('PRAGMA foreign_keys = OFF');
    try {
      version = await db.transaction(async (tx) => {
        // Re-read inside the lock: another process may have migrated while we waited.
        const current = assertKnownVersion(await readSchemaVersion(tx), latest, options.path);
        if (current >= migration.version) return current;
        await apply(tx, migration, now());
        if (migration.rebuildsTables) {
          const broken = await tx.all('PRAGMA foreign_key_check');
          if (broken.length > 0)
            throw new Error(
              `Migration "${migration.name}" would break ${broken.length} foreign key references; nothing was changed`,
            );
        }
        return migration.version;
      });
    } finally {
      if (foreignKeys) await db.exec('PRAGMA foreign_keys = ON');
    }
  }
  return version;
}

export async function readSchemaVersion(db: SqlExecutor): Promise<number> {
  const row = await db.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}

export function assertKnownVersion(version: number, latest: number, path: string): number {
  if (version > latest) throw tooNewError(path, version, latest);
  return version;
}

export function tooNewError(path: string, found: number, latest: number): StoreError {
  return new StoreError(
    'TOO_NEW',
    `The database at ${path} was written by a newer version of Outbound Console (schema ${found}; ` +
      `this version knows up to ${latest}). Nothing was changed. Install the newer version, or start ` +
      'with another data directory (--data).',
  );
}

async function apply(tx: SqlExecutor, migration: Migration, appliedAt: number): Promise<void> {
  await tx.exec(migration.up);
  await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  await tx.run(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, $applied_at)',
    {
      $version: migration.version,
      $name: migration.name,
      $applied_at: appliedAt,
    },
  );
  // PRAGMA takes no bound parameters; the version is an integer we own.
  await tx.exec(`PRAGMA user_version = ${Math.trunc(migration.version)}`);
}

function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((latest, migration) => Math.max(latest, migration.version), 0);
}

function assertWellFormed(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `Migration "${migration.name}" has version ${migration.version}; expected ${index + 1} (versions count up from 1 without gaps).`,
      );
    }
  });
}
