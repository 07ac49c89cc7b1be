/**
 * `outbound db copy`: moves a workspace's SQLite store into an empty PostgreSQL database, all or
 * nothing, with a count per table read back from the target before it commits.
 *
 * - The source is read in one snapshot (a deferred transaction on a read-only connection), so an
 *   engine still writing to it does not tear the copy; its schema must be the latest (run
 *   `outbound db migrate` on it first), and the target is migrated to the same version.
 * - The target must hold no data: only the rows its migrations seed (system dispositions, the
 *   default queues and routing rules, the audit gate), which the source's own replace.
 * - One PostgreSQL transaction: tables in foreign-key order, in batches of JSON rows
 *   (json_populate_recordset: one statement per batch, the column types PostgreSQL's), user
 *   triggers off meanwhile (the agent status log is copied as it is, not re-derived), identity
 *   counters moved past the copied ids, then every table counted on both sides. Any mismatch or
 *   error rolls everything back. `dryRun` does all of it and rolls back.
 */
import { Database } from '../database.js';
import { LATEST_SCHEMA_VERSION, readSchemaVersion } from '../migrations.js';
import { StoreError } from '../types.js';
import { PgDatabase } from './database.js';
import { migratePostgres } from './migrate.js';

/** Rows per INSERT: a few MB of JSON at most for the widest tables. */
const BATCH = 2_000;
/** Rows the target's migrations seed; the source's replace them. */
const SEEDED = ['routing_rules', 'queues', 'dispositions', 'audit_gate'];
/** Each store's own migration history, never copied. */
const LEDGER = 'schema_migrations';

export interface CopyTableCount {
  table: string;
  source: number;
  target: number;
}

export interface CopyResult {
  from: string;
  to: string;
  dryRun: boolean;
  tables: CopyTableCount[];
}

export async function copySqliteToPostgres(options: {
  sqlitePath: string;
  url: string;
  dryRun?: boolean;
}): Promise<CopyResult> {
  const source = await Database.open(options.sqlitePath, { readOnly: true });
  let target: PgDatabase | undefined;
  try {
    const version = await readSchemaVersion(source);
    if (version !== LATEST_SCHEMA_VERSION)
      throw new StoreError(
        'SQLITE',
        `The SQLite store at ${options.sqlitePath} is at schema ${version}; this version copies schema ${LATEST_SCHEMA_VERSION}. Run "outbound db migrate --data <its folder>" first (or an older app's copy for an older file).`,
      );
    target = await PgDatabase.open(options.url);
    await migratePostgres(target, { path: target.path });
    const pg = target;
    const tables = await copyOrder(pg);
    const counts: CopyTableCount[] = [];
    const rollback = new Error('dry run');
    try {
      await source.transaction(
        (snapshot) =>
          pg.transaction(async (tx) => {
            await assertNoData(tx, tables, pg.path);
            for (const table of [...SEEDED]) await tx.run(`DELETE FROM ${table}`);
            for (const table of tables) await tx.exec(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
            for (const table of tables) {
              const columns = await targetColumns(tx, table);
              const withoutRowid = await isWithoutRowid(snapshot, table);
              for (let last = -Infinity, offset = 0; ;) {
                const rows = withoutRowid
                  ? await snapshot.all<Record<string, unknown>>(
                      `SELECT * FROM ${table} LIMIT ${BATCH} OFFSET ${offset}`,
                    )
                  : await snapshot.all<Record<string, unknown>>(
                      `SELECT rowid AS copy_rowid__, * FROM ${table} WHERE rowid > $last ORDER BY rowid LIMIT ${BATCH}`,
                      { $last: last === -Infinity ? Number.MIN_SAFE_INTEGER : last },
                    );
                if (rows.length === 0) break;
                if (!withoutRowid) last = Number(rows.at(-1)?.copy_rowid__);
                offset += rows.length;
                const list = columns.map((c) => `"${c}"`).join(', ');
                await tx.run(
                  `INSERT INTO ${table} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${table}, CAST($rows AS json))`,
                  { $rows: JSON.stringify(rows.map((row) => pick(row, columns))) },
                );
              }
              await resetIdentity(tx, table);
            }
            for (const table of tables) await tx.exec(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
            for (const table of tables) {
              const [s, t] = await Promise.all([
                snapshot.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`),
                tx.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`),
              ]);
              counts.push({ table, source: s?.n ?? 0, target: t?.n ?? 0 });
            }
            const wrong = counts.filter((c) => c.source !== c.target);
            if (wrong.length > 0)
              throw new StoreError(
                'SQLITE',
                `The copy does not match its source (${wrong.map((c) => `${c.table}: ${c.source} read, ${c.target} written`).join('; ')}); nothing was kept.`,
              );
            if (options.dryRun) throw rollback;
          }),
        { behavior: 'deferred' },
      );
    } catch (error) {
      if (error !== rollback) throw error;
    }
    return {
      from: options.sqlitePath,
      to: pg.path,
      dryRun: options.dryRun === true,
      tables: counts,
    };
  } finally {
    await source.close();
    await target?.close();
  }
}

/** The schema's tables, each after the tables its foreign keys name; the ledger left out. */
async function copyOrder(db: PgDatabase): Promise<string[]> {
  const tables = (
    await db.all<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $ledger
         AND table_name <> 'import_staging'
       ORDER BY table_name`,
      { $ledger: LEDGER },
    )
  ).map((t) => t.name);
  const edges = await db.all<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.oid <> p.oid`,
  );
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const next = tables.filter(
      (t) =>
        !placed.has(t) &&
        edges.every((e) => e.child !== t || placed.has(e.parent) || e.parent === t),
    );
    if (next.length === 0)
      throw new Error('The schema has a foreign-key cycle; cannot order the copy.');
    for (const t of next) {
      placed.add(t);
      ordered.push(t);
    }
  }
  return ordered;
}

async function assertNoData(
  tx: Pick<PgDatabase, 'get'>,
  tables: readonly string[],
  path: string,
): Promise<void> {
  for (const table of tables) {
    if (SEEDED.includes(table)) continue;
    const row = await tx.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
    if ((row?.n ?? 0) > 0)
      throw new StoreError(
        'CONFLICT',
        `The PostgreSQL database at ${path} already holds data (${row?.n} rows in ${table}). Nothing was copied: copy into an empty database (docs/POSTGRES.md).`,
      );
  }
}

async function targetColumns(tx: Pick<PgDatabase, 'all'>, table: string): Promise<string[]> {
  return (
    await tx.all<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = $table ORDER BY ordinal_position`,
      { $table: table },
    )
  ).map((c) => c.name);
}

async function isWithoutRowid(db: Pick<Database, 'get'>, table: string): Promise<boolean> {
  const row = await db.get<{ sql: string }>(
    `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = $table`,
    { $table: table },
  );
  if (!row) throw new StoreError('SQLITE', `The SQLite store has no table ${table}.`);
  return /WITHOUT\s+ROWID/i.test(row.sql);
}

/** Identity columns continue after the highest copied id. */
async function resetIdentity(tx: Pick<PgDatabase, 'all' | 'get'>, table: string): Promise<void> {
  const identities = await tx.all<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $table AND is_identity = 'YES'`,
    { $table: table },
  );
  for (const { name } of identities)
    await tx.get(
      `SELECT setval(pg_get_serial_sequence($table, $column), coalesce((SELECT max("${name}") FROM ${table}), 0) + 1, false) AS v`,
      { $table: table, $column: name },
    );
}

function pick(row: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) out[column] = row[column] ?? null;
  return out;
}
