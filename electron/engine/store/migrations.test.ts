import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { Database } from './database.js';
import {
  LATEST_SCHEMA_VERSION,
  migrate,
  type Migration,
  MIGRATIONS,
  readSchemaVersion,
} from './migrations.js';
import { openSqliteStore } from './sqlite-store.js';
import { useTempDirs } from './testing/temp.js';

const tempDir = useTempDirs();

const EXPECTED_TABLES = [
  'agent_status_log',
  'audit_gate',
  'audit_log',
  'call_events',
  'call_transitions',
  'calls',
  'campaign_abandonment',
  'campaign_contacts',
  'campaign_trunks',
  'campaigns',
  'contact_lists',
  'contacts',
  'dispositions',
  'dnc_entries',
  'dnc_hashes',
  'flow_versions',
  'flows',
  'privacy_state',
  'queues',
  'recording_parts',
  'recordings',
  'routing_rules',
  'schema_migrations',
  'seat_commands',
  'seat_legs',
  'seat_lines',
  'sessions',
  'settings',
  'sign_in_attempts',
  'trunks',
  'users',
  'utterance_labels',
  'utterances',
];

async function schemaDump(db: Database): Promise<string[]> {
  const rows = await db.all<{ sql: string }>(
    "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  return rows.map((row) => row.sql);
}

async function openRaw(): Promise<{ db: Database; path: string }> {
  const path = join(await tempDir(), 'raw.db');
  return { db: await Database.open(path), path };
}

describe('migrations', () => {
  it('are numbered 1, 2, 3 … without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('bring an empty database to the latest schema, recording every step', async () => {
    const store = await openSqliteStore({ dataDir: await tempDir(), now: () => 1_000 });
    try {
      expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      expect(await readSchemaVersion(store.database)).toBe(LATEST_SCHEMA_VERSION);
      const tables = await store.database.all<{ name: string }>(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      );
      expect(tables.map((t) => t.name)).toEqual(EXPECTED_TABLES);
      expect(
        await store.database.all('SELECT version, name, applied_at FROM schema_migrations'),
      ).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: 1_000 })));
      expect(await store.database.all('PRAGMA foreign_key_check')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('leave an up-to-date database alone when it is opened again', async () => {
    const dataDir = await tempDir();
    const first = await openSqliteStore({ dataDir });
    const schemaBefore = await schemaDump(first.database);
    await first.close();

    const second = await openSqliteStore({ dataDir });
    try {
      expect(second.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      expect(await schemaDump(second.database)).toEqual(schemaBefore);
      expect(await second.database.all('SELECT version FROM schema_migrations')).toHaveLength(
        MIGRATIONS.length,
      );
      expect(await second.dispositions.list()).toHaveLength(
        (await second.database.all('SELECT code FROM dispositions')).length,
      );
    } finally {
      await second.close();
    }
  });

  it('apply each migration in one transaction: a failing one leaves the previous version intact', async () => {
    const { db, path } = await openRaw();
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up: 'CREATE TABLE half_done (id INTEGER); INSERT INTO nowhere VALUES (1);',
    };
    try {
      await expect(
        migrate(db, { path, migrations: [...MIGRATIONS.slice(0, 1), broken] }),
      ).rejects.toMatchObject({
        code: 'SQLITE',
        message: expect.stringContaining('no such table: nowhere'),
      });
      expect(await readSchemaVersion(db)).toBe(1);
      expect(await db.all("SELECT name FROM sqlite_schema WHERE name = 'half_done'")).toEqual([]);
      expect(await db.all('SELECT version FROM schema_migrations')).toEqual([{ version: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('apply only the migrations a database lacks', async () => {
    const { db, path } = await openRaw();
    const second: Migration = {
      version: 2,
      name: 'add notes',
      up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT) STRICT;',
    };
    try {
      expect(await migrate(db, { path, migrations: MIGRATIONS.slice(0, 1) })).toBe(1);
      expect(await migrate(db, { path, migrations: [...MIGRATIONS.slice(0, 1), second] })).toBe(2);
      expect(await db.all('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
        { version: 1, name: MIGRATIONS[0]?.name },
        { version: 2, name: 'add notes' },
      ]);
    } finally {
      await db.close();
    }
  });

  it('refuse a database newer than the migrations they know', async () => {
    const { db, path } = await openRaw();
    try {
      const future = LATEST_SCHEMA_VERSION + 1;
      await db.exec(`PRAGMA user_version = ${future}`);
      await expect(migrate(db, { path })).rejects.toMatchObject({
        code: 'TOO_NEW',
        message:
          `The database at ${path} was written by a newer version of Outbound Console (schema ${future}; this version knows up to ` +
          `${LATEST_SCHEMA_VERSION}). Nothing was changed. Install the newer version, or start with another data directory (--data).`,
      });
    } finally {
      await db.close();
    }
  });

  it('refuse a malformed migration list', async () => {
    const { db, path } = await openRaw();
    try {
      await expect(
        migrate(db, { path, migrations: [{ version: 2, name: 'gap', up: '' }] }),
      ).rejects.toThrow(/expected 1/);
    } finally {
      await db.close();
    }
  });
});
