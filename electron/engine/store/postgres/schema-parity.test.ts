/**
 * The PostgreSQL schema cannot drift from SQLite's: both backends are migrated to the latest
 * version and their live schemas compared (tables, columns with their type class, NOT NULL,
 * defaults and identity, primary and unique keys, foreign keys with their actions, named indexes
 * with columns, uniqueness and whether partial, triggers, the ledger). CHECK constraints are not
 * compared (their text differs by design: GLOB vs regex, json_valid vs a cast); the repository
 * suites run on both backends and exercise them. Also: migrating is idempotent and two engines
 * migrating one database at once end with one ledger.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freshPostgresUrl, sharedPostgres } from '../../../../test/support/postgres.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../migrations.js';
import { openSqliteStore, type SqliteStore } from '../sqlite-store.js';
import { PgDatabase } from './database.js';
import { migratePostgres } from './migrate.js';

interface Column {
  type: string;
  notNull: boolean;
  default: string | null;
  identity: boolean;
}
interface Schema {
  tables: Record<
    string,
    {
      columns: Record<string, Column>;
      keys: string[];
      foreignKeys: string[];
      indexes: string[];
    }
  >;
  triggers: string[];
}

/** SQLite declared types → the class both sides must agree on. */
function sqliteType(declared: string): string {
  const t = declared.toUpperCase();
  if (t === 'INTEGER') return 'integer';
  if (t === 'REAL') return 'real';
  if (t === 'TEXT') return 'text';
  if (t === 'BLOB') return 'blob';
  return `unknown ${declared}`;
}

function pgType(dataType: string): string {
  switch (dataType) {
    case 'bigint':
      return 'integer';
    case 'double precision':
      return 'real';
    case 'text':
      return 'text';
    case 'bytea':
      return 'blob';
    default:
      // int4, varchar, json…: a drift the test must show.
      return `unknown ${dataType}`;
  }
}

function normalizeDefault(value: string | null): string | null {
  if (value === null) return null;
  // PostgreSQL adds casts ('{}'::text, '2'::double precision); SQLite keeps the text as written.
  const bare = value.replace(/::[a-z ]+$/i, '').trim();
  return /^'-?\d+(?:\.\d+)?'$/.test(bare) ? bare.slice(1, -1) : bare;
}

const ACTIONS: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

async function sqliteSchema(store: SqliteStore): Promise<Schema> {
  const db = store.database;
  const schema: Schema = { tables: {}, triggers: [] };
  const tables = await db.all<{ name: string }>(
    `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
  );
  for (const { name } of tables) {
    const info = await db.all<{
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    }>(`SELECT * FROM pragma_table_info('${name}')`);
    const pkColumns = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    const rowidAlias = pkColumns.length === 1 && pkColumns[0]?.type.toUpperCase() === 'INTEGER';
    const columns: Record<string, Column> = {};
    for (const c of info)
      columns[c.name] = {
        type: sqliteType(c.type),
        notNull: c.notnull === 1 || c.pk > 0,
        default: normalizeDefault(c.dflt_value),
        identity: rowidAlias && c.pk === 1,
      };
    const keys = [`primary (${pkColumns.map((c) => c.name).join(', ')})`];
    const indexes: string[] = [];
    const list = await db.all<{ name: string; unique: number; origin: string; partial: number }>(
      `SELECT * FROM pragma_index_list('${name}')`,
    );
    for (const index of list) {
      const cols = (
        await db.all<{ name: string; seqno: number }>(
          `SELECT * FROM pragma_index_info('${index.name}') ORDER BY seqno`,
        )
      ).map((c) => c.name);
      if (index.unique && index.origin !== 'pk')
        keys.push(`unique (${cols.join(', ')})${index.partial ? ' partial' : ''}`);
      if (index.origin === 'c')
        indexes.push(
          `${index.name} (${cols.join(', ')})${index.unique ? ' unique' : ''}${index.partial ? ' partial' : ''}`,
        );
    }
    const fks = await db.all<{
      id: number;
      seq: number;
      table: string;
      from: string;
      to: string;
      on_update: string;
      on_delete: string;
    }>(`SELECT * FROM pragma_foreign_key_list('${name}') ORDER BY id, seq`);
    const byId = new Map<number, typeof fks>();
    for (const fk of fks) byId.set(fk.id, [...(byId.get(fk.id) ?? []), fk]);
    const foreignKeys = [...byId.values()].map((parts) => {
      const first = parts[0] as (typeof fks)[number];
      return `(${parts.map((p) => p.from).join(', ')}) → ${first.table} (${parts.map((p) => p.to).join(', ')}) on delete ${first.on_delete} on update ${first.on_update}`;
    });
    schema.tables[name] = {
      columns,
      keys: keys.sort(),
      foreignKeys: foreignKeys.sort(),
      indexes: indexes.sort(),
    };
  }
  schema.triggers = (
    await db.all<{ name: string; tbl_name: string }>(
      `SELECT name, tbl_name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name`,
    )
  ).map((t) => `${t.tbl_name}.${t.name}`);
  return schema;
}

async function postgresSchema(db: PgDatabase): Promise<Schema> {
  const schema: Schema = { tables: {}, triggers: [] };
  const columns = await db.all<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
    is_identity: string;
  }>(
    `SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity
     FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  for (const c of columns) {
    const table = (schema.tables[c.table_name] ??= {
      columns: {},
      keys: [],
      foreignKeys: [],
      indexes: [],
    });
    table.columns[c.column_name] = {
      type: pgType(c.data_type),
      notNull: c.is_nullable === 'NO',
      default: normalizeDefault(c.column_default),
      identity: c.is_identity === 'YES',
    };
  }
  const indexes = await db.all<{
    table_name: string;
    index_name: string;
    columns: string;
    is_unique: number;
    is_primary: number;
    partial: number;
    constraint_backed: number;
  }>(
    `SELECT t.relname AS table_name, i.relname AS index_name,
            (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
               FROM unnest(x.indkey) WITH ORDINALITY AS k (attnum, n)
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns,
            x.indisunique AS is_unique, x.indisprimary AS is_primary, x.indpred IS NOT NULL AS partial,
            EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) AS constraint_backed
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = current_schema()`,
  );
  for (const index of indexes) {
    const table = schema.tables[index.table_name];
    if (!table) continue;
    if (index.is_primary) table.keys.push(`primary (${index.columns})`);
    else if (index.is_unique)
      table.keys.push(`unique (${index.columns})${index.partial ? ' partial' : ''}`);
    if (!index.constraint_backed)
      table.indexes.push(
        `${index.index_name} (${index.columns})${index.is_unique ? ' unique' : ''}${index.partial ? ' partial' : ''}`,
      );
  }
  const fks = await db.all<{
    table_name: string;
    from_columns: string;
    to_table: string;
    to_columns: string;
    on_delete: string;
    on_update: string;
  }>(
    `SELECT t.relname AS table_name, r.relname AS to_table,
            (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY AS k (attnum, n)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS from_columns,
            (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY AS k (attnum, n)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS to_columns,
            c.confdeltype AS on_delete, c.confupdtype AS on_update
     FROM pg_constraint c
     JOIN pg_class t ON t.oid = c.conrelid
     JOIN pg_class r ON r.oid = c.confrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE c.contype = 'f' AND n.nspname = current_schema()`,
  );
  for (const fk of fks)
    schema.tables[fk.table_name]?.foreignKeys.push(
      `(${fk.from_columns}) → ${fk.to_table} (${fk.to_columns}) on delete ${ACTIONS[fk.on_delete]} on update ${ACTIONS[fk.on_update]}`,
    );
  for (const table of Object.values(schema.tables)) {
    table.keys.sort();
    table.foreignKeys.sort();
    table.indexes.sort();
  }
  schema.triggers = (
    await db.all<{ name: string; table_name: string }>(
      `SELECT t.tgname AS name, c.relname AS table_name FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY t.tgname`,
    )
  ).map((t) => `${t.table_name}.${t.name}`);
  return schema;
}

describe('PostgreSQL schema parity with SQLite', () => {
  let dir: string;
  let sqlite: SqliteStore;
  let pg: PgDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbound-schema-parity-'));
    sqlite = await openSqliteStore({ dataDir: dir });
    pg = await PgDatabase.open(await freshPostgresUrl());
  }, 60_000);

  afterAll(async () => {
    await sqlite?.close();
    await pg?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has the same tables, columns, keys, foreign keys, indexes and triggers after migrating', async () => {
    const expected = await sqliteSchema(sqlite);
    const actual = await postgresSchema(pg);
    // The introspection itself sees what it should (a comparison of two empty results passes).
    expect(Object.keys(expected.tables).length).toBeGreaterThan(25);
    expect(expected.tables.calls?.columns.started_at).toEqual({
      type: 'integer',
      notNull: true,
      default: null,
      identity: false,
    });
    expect(expected.tables.campaigns?.columns.lines_per_agent).toMatchObject({
      type: 'real',
      default: '2',
    });
    expect(expected.tables.contacts?.keys).toEqual(['primary (id)', 'unique (list_id, phone)']);
    expect(expected.tables.calls?.foreignKeys).toContain(
      '(campaign_id) → campaigns (id) on delete SET NULL on update NO ACTION',
    );
    expect(expected.tables.campaign_contacts?.indexes).toContain(
      'campaign_contacts_by_lease (lease_call_id) unique partial',
    );
    expect(expected.triggers).toContain('audit_log.audit_log_no_update');
    expect(Object.keys(actual.tables).sort()).toEqual(Object.keys(expected.tables).sort());
    for (const name of Object.keys(expected.tables))
      expect({ table: name, ...actual.tables[name] }).toEqual({
        table: name,
        ...expected.tables[name],
      });
    expect(actual.triggers.sort()).toEqual(expected.triggers.sort());
  });

  it('keeps the same ledger: one row per version, named as on SQLite', async () => {
    const names = (db: { all: PgDatabase['all'] }) =>
      db.all<{ version: number; name: string }>(
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
    expect(await names(pg)).toEqual(await names(sqlite.database));
    expect((await names(pg)).map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('migrates idempotently, and two engines migrating one empty database at once agree', async () => {
    const cluster = await sharedPostgres();
    const url = await cluster.createDatabase();
    const [a, b] = await Promise.all([PgDatabase.open(url), PgDatabase.open(url)]);
    try {
      const [ra, rb] = await Promise.all([
        migratePostgres(a, { path: 'a' }),
        migratePostgres(b, { path: 'b' }),
      ]);
      expect(ra.version).toBe(LATEST_SCHEMA_VERSION);
      expect(rb.version).toBe(LATEST_SCHEMA_VERSION);
      // One of them did the work, the other found it done.
      expect([...ra.applied, ...rb.applied].sort((x, y) => x - y)).toEqual(
        MIGRATIONS.map((m) => m.version),
      );
      expect(await migratePostgres(a, { path: 'a' })).toEqual({
        version: LATEST_SCHEMA_VERSION,
        applied: [],
      });
      const rows = await a.all<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
      expect(rows[0]?.n).toBe(MIGRATIONS.length);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses a database that holds another program’s tables, and one from a newer version', async () => {
    const cluster = await sharedPostgres();
    const other = await PgDatabase.open(await cluster.createDatabase());
    try {
      await other.exec('CREATE TABLE invoices (id BIGINT)');
      await expect(migratePostgres(other, { path: 'other' })).rejects.toMatchObject({
        code: 'CORRUPT',
        message: /another program \(invoices…\)/,
      });
      expect(await other.all('SELECT * FROM invoices')).toEqual([]);
    } finally {
      await other.close();
    }
    const newer = await PgDatabase.open(await freshPostgresUrl());
    try {
      await newer.run(
        `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`,
      );
      await expect(migratePostgres(newer, { path: 'newer' })).rejects.toMatchObject({
        code: 'TOO_NEW',
      });
    } finally {
      await newer.close();
    }
  });
});
