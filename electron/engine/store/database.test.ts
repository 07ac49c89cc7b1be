import { join } from 'node:path';

import sqlite3 from 'sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import { Database, type SqlExecutor } from './database.js';
import { sleep, useTempDirs } from './testing/temp.js';
import { StoreError } from './types.js';

const tempDir = useTempDirs();
const opened: Database[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close().catch(() => undefined)));
});

async function openItems(options: Parameters<typeof Database.open>[1] = {}): Promise<Database> {
  const db = await Database.open(join(await tempDir(), 'test.db'), options);
  opened.push(db);
  await db.exec(`
    PRAGMA foreign_keys = ON;
    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, size INTEGER CHECK (size > 0));
    CREATE TABLE tags (item_id INTEGER NOT NULL REFERENCES items (id), tag TEXT NOT NULL);`);
  return db;
}

const insert = (db: Pick<Database, 'run'>, name: string) =>
  db.run('INSERT INTO items (name) VALUES ($name)', { $name: name });

async function names(db: Database): Promise<string[]> {
  return (await db.all<{ name: string }>('SELECT name FROM items ORDER BY id')).map(
    (row) => row.name,
  );
}

/** A promise plus the function that resolves it, to pause at a known point inside a transaction. */
function signal(): { reached: Promise<void>; reach: () => void } {
  let reach = () => {};
  const reached = new Promise<void>((resolve) => (reach = resolve));
  return { reached, reach };
}

describe('Database', () => {
  it('runs, gets and reports changes and rowids', async () => {
    const db = await openItems();
    expect(await insert(db, 'a')).toEqual({ changes: 1, lastID: 1 });
    expect(await db.get<{ name: string }>('SELECT name FROM items WHERE id = ?', [1])).toEqual({
      name: 'a',
    });
    expect(await db.get('SELECT name FROM items WHERE id = 99')).toBeUndefined();
    expect(await db.run('UPDATE items SET size = 2')).toMatchObject({ changes: 1 });
  });

  it('commits a transaction and returns what the work returned', async () => {
    const db = await openItems();
    const result = await db.transaction(async (tx) => {
      await insert(tx, 'a');
      await insert(tx, 'b');
      return 'done';
    });
    expect(result).toBe('done');
    expect(await names(db)).toEqual(['a', 'b']);
  });

  it('rolls a failed transaction back completely and rethrows its error', async () => {
    const db = await openItems();
    const failure = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await insert(tx, 'a');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await names(db)).toEqual([]);
  });

  // The hazard this module exists for, shown on a bare node-sqlite3 connection.
  it('(control) a bare connection lets an outside write land inside a transaction and vanish with its rollback', async () => {
    const raw = new sqlite3.Database(join(await tempDir(), 'raw.db'));
    const run = (sql: string) =>
      new Promise<void>((resolve, reject) =>
        raw.run(sql, (error) => (error ? reject(error) : resolve())),
      );
    await run('CREATE TABLE items (name TEXT)');
    await run('BEGIN');
    await run("INSERT INTO items VALUES ('in-transaction')");
    const outside = run("INSERT INTO items VALUES ('outside')"); // another caller, meanwhile
    await sleep(10);
    await run('ROLLBACK');
    await outside;
    const rows = await new Promise<unknown[]>((resolve, reject) =>
      raw.all('SELECT * FROM items', (error, r) => (error ? reject(error) : resolve(r))),
    );
    await new Promise<void>((resolve) => raw.close(() => resolve()));
    expect(rows).toEqual([]);
  });

  it('makes a write issued during a transaction wait, so it survives the rollback', async () => {
    const db = await openItems();
    const inside = signal();
    const transaction = db.transaction(async (tx) => {
      await insert(tx, 'in-transaction');
      inside.reach();
      await sleep(20);
      throw new Error('boom');
    });
    await inside.reached;
    const outside = insert(db, 'outside');
    await expect(transaction).rejects.toThrow('boom');
    await outside;
    expect(await names(db)).toEqual(['outside']);
  });

  it('nests a transaction on the executor as a savepoint', async () => {
    const db = await openItems();
    await db.transaction(async (tx) => {
      await insert(tx, 'outer');
      await expect(
        tx.transaction(async (inner) => {
          await insert(inner, 'inner');
          throw new Error('inner failed');
        }),
      ).rejects.toThrow('inner failed');
      await tx.transaction((inner) => insert(inner, 'inner kept'));
    });
    expect(await names(db)).toEqual(['outer', 'inner kept']);
  });

  it('keeps concurrent nested transactions apart', async () => {
    const db = await openItems();
    await db.transaction(async (tx) => {
      const failing = tx.transaction(async (inner) => {
        await insert(inner, 'a1');
        await sleep(10);
        await insert(inner, 'a2');
        throw new Error('a failed');
      });
      const succeeding = tx.transaction(async (inner) => {
        await insert(inner, 'b1');
        await sleep(5);
        await insert(inner, 'b2');
      });
      const plain = insert(tx, 'c');
      await Promise.allSettled([failing, succeeding, plain]);
    });
    expect(await names(db)).toEqual(['b1', 'b2', 'c']);
  });

  it('lets code inside a transaction that calls the outer database join the transaction instead of deadlocking', async () => {
    const db = await openItems();
    await expect(
      db.transaction(async () => {
        await insert(db, 'via outer handle');
        await db.transaction((nested) => insert(nested, 'nested via outer handle'));
        expect(await names(db)).toEqual(['via outer handle', 'nested via outer handle']);
        throw new Error('roll it all back');
      }),
    ).rejects.toThrow('roll it all back');
    expect(await names(db)).toEqual([]);
  });

  it('finishes statements started without awaiting before it commits or rolls back', async () => {
    const db = await openItems();
    await db.transaction(async (tx) => {
      void insert(tx, 'committed, not awaited');
    });
    const rolledBack = db.transaction(async (tx) => {
      insert(tx, 'rolled back, not awaited').catch(() => undefined);
      throw new Error('boom');
    });
    await expect(rolledBack).rejects.toThrow('boom');
    expect(await names(db)).toEqual(['committed, not awaited']);
  });

  it('refuses a transaction executor used after its transaction ended', async () => {
    const db = await openItems();
    let kept: SqlExecutor | undefined;
    await db.transaction(async (tx) => {
      kept = tx;
    });
    await expect(insert(kept!, 'late')).rejects.toThrow(/transaction has already finished/);
    expect(await names(db)).toEqual([]);
  });

  it('runs work queued from inside a finished transaction on the database, outside any transaction', async () => {
    const db = await openItems();
    let later: Promise<unknown> | undefined;
    await db.transaction(async () => {
      later = sleep(10).then(() => insert(db, 'after commit'));
    });
    await later;
    const next = db.transaction(async (tx) => {
      await insert(tx, 'next');
      throw new Error('boom');
    });
    await expect(next).rejects.toThrow('boom');
    expect(await names(db)).toEqual(['after commit']);
  });

  it('serves a consistent snapshot in a deferred (read) transaction', async () => {
    const db = await openItems();
    await insert(db, 'a');
    const counts = await db.transaction(
      async (tx) => {
        const first = await tx.get<{ n: number }>('SELECT count(*) AS n FROM items');
        const second = await tx.get<{ n: number }>('SELECT count(*) AS n FROM items');
        return [first?.n, second?.n];
      },
      { behavior: 'deferred' },
    );
    expect(counts).toEqual([1, 1]);
  });

  describe('maps SQLite errors to StoreError', () => {
    it('UNIQUE → CONFLICT naming the table, column and value, keeping the cause', async () => {
      const db = await openItems();
      await insert(db, 'a');
      const error = await insert(db, 'a').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({
        code: 'CONFLICT',
        message: 'A record in items with the same name "a" already exists.',
      });
      expect((error as StoreError).cause).toMatchObject({ code: 'SQLITE_CONSTRAINT' });
    });

    it('UNIQUE → CONFLICT worded by the describer given at open', async () => {
      const db = await openItems({
        describeConflict: ({ table, values }) => `${table} "${String(values[0])}" is taken`,
      });
      await insert(db, 'a');
      await expect(insert(db, 'a')).rejects.toMatchObject({
        code: 'CONFLICT',
        message: 'items "a" is taken',
      });
    });

    it('FOREIGN KEY → NOT_FOUND', async () => {
      const db = await openItems();
      await expect(
        db.run("INSERT INTO tags (item_id, tag) VALUES (42, 'x')"),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: 'A referenced record does not exist while writing tags.',
      });
    });

    it('CHECK and syntax errors → SQLITE with SQLite’s words', async () => {
      const db = await openItems();
      await expect(db.run("INSERT INTO items (name, size) VALUES ('a', 0)")).rejects.toMatchObject({
        code: 'SQLITE',
        message: expect.stringContaining('CHECK constraint failed'),
      });
      await expect(db.run('SELEKT 1')).rejects.toMatchObject({
        code: 'SQLITE',
        message: expect.stringContaining('syntax error'),
      });
    });
  });

  it('rejects work after close', async () => {
    const db = await openItems();
    await db.close();
    await expect(db.get('SELECT 1')).rejects.toMatchObject({
      code: 'SQLITE',
      message: expect.stringContaining('is closed'),
    });
  });
});
