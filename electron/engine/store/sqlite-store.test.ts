import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import sqlite3 from 'sqlite3';
import { describe, expect, it } from 'vitest';

import { LATEST_SCHEMA_VERSION } from './migrations.js';
import { openSqliteStore, openStore } from './sqlite-store.js';
import { describeBackends } from './testing/backends.js';
import { killAndWait, spawnScript } from './testing/child.js';
import { sha256, useTempDirs, useTestStores } from './testing/temp.js';
import { StoreError } from './types.js';

const tempDir = useTempDirs();
const testStore = useTestStores();

/** Runs SQL on a plain node-sqlite3 connection, as another program would. */
async function rawExec(path: string, sql: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const db = new sqlite3.Database(path, (openError) => {
      if (openError) return reject(openError);
      db.exec(sql, (error) => db.close(() => (error ? reject(error) : resolve())));
    });
  });
}

async function openError(options: Parameters<typeof openStore>[0]): Promise<StoreError> {
  const error = await openStore(options).then(
    async (store) => {
      await store.close();
      return new Error('openStore succeeded');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

/** A closed store with some data in it; returns its directory and file. */
async function storeWithData(): Promise<{ dataDir: string; path: string }> {
  const dataDir = await tempDir();
  const store = await openStore({ dataDir });
  const list = await store.contacts.createList({ name: 'list' });
  await store.contacts.upsertContacts(
    list.id,
    Array.from({ length: 3_000 }, (_, i) => ({
      phone: `+86138${String(i).padStart(8, '0')}`,
      name: `Contact ${i}`,
    })),
  );
  await store.close();
  return { dataDir, path: store.path };
}

describe('openStore', () => {
  it('creates the data directory and the database, configured for WAL, foreign keys and a busy timeout', async () => {
    const dataDir = join(await tempDir(), 'nested', 'data');
    const store = await openSqliteStore({ dataDir });
    try {
      expect(store.path).toBe(join(dataDir, 'outbound.db'));
      expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      expect((await stat(store.path)).isFile()).toBe(true);
      const pragma = async (name: string) =>
        Object.values(
          (await store.database.get<Record<string, unknown>>(`PRAGMA ${name}`)) ?? {},
        )[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('synchronous')).toBe(1); // NORMAL
      expect(await pragma('busy_timeout')).toBe(5_000);
    } finally {
      await store.close();
    }
    // The write probe leaves nothing behind.
    expect(
      (await readdir(dataDir)).filter((name) => name.startsWith('.outbound-write-probe')),
    ).toEqual([]);
  });

  it('uses the file name given', async () => {
    const store = await testStore({ fileName: 'other.db' });
    expect(store.path.endsWith('other.db')).toBe(true);
  });

  it('treats an empty file as a new database', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'outbound.db'), '');
    const store = await testStore({ dataDir });
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
  });

  it('recovers a database left with a hot rollback journal', async () => {
    const { dataDir, path } = await storeWithData();
    const crashed = await spawnScript('hot-journal.ts', [path]).exited;
    expect(crashed.signal).toBe('SIGKILL');
    expect((await stat(`${path}-journal`)).size).toBeGreaterThan(0); // the journal is there to replay

    const store = await testStore({ dataDir });
    expect(await store.database.all('PRAGMA quick_check')).toEqual([{ quick_check: 'ok' }]);
    expect(await store.database.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await store.audit.list()).toEqual([]);
    expect(
      await store.contacts.countContacts((await store.contacts.getListByName('list'))!.id),
    ).toBe(3_000);
  });

  it('closes idempotently and refuses work afterwards', async () => {
    const store = await openStore({ dataDir: await tempDir() });
    await store.close();
    await store.close();
    await expect(store.users.list()).rejects.toMatchObject({
      code: 'SQLITE',
      message: expect.stringContaining('is closed'),
    });
  });

  describe('refuses a database written by a newer version, leaving it untouched', () => {
    it('when the file is one of ours in WAL mode', async () => {
      const { dataDir, path } = await storeWithData();
      const future = LATEST_SCHEMA_VERSION + 1;
      await rawExec(
        path,
        `CREATE TABLE future_feature (id INTEGER); PRAGMA user_version = ${future};`,
      );
      const before = await sha256(path);

      const error = await openError({ dataDir });
      expect(error.code).toBe('TOO_NEW');
      expect(error.message).toBe(
        `The database at ${path} was written by a newer version of Outbound Console (schema ${future}; this version knows up to ` +
          `${LATEST_SCHEMA_VERSION}). Nothing was changed. Install the newer version, or start with another data directory (--data).`,
      );
      expect(await sha256(path)).toBe(before);
    });

    it('when the file uses a rollback journal (and must not be switched to WAL)', async () => {
      const dataDir = await tempDir();
      const path = join(dataDir, 'outbound.db');
      await rawExec(
        path,
        'CREATE TABLE t (x); INSERT INTO t VALUES (1); PRAGMA user_version = 99;',
      );
      const before = await sha256(path);

      expect((await openError({ dataDir })).code).toBe('TOO_NEW');
      expect(await sha256(path)).toBe(before);
      expect(await readdir(dataDir)).toEqual(['outbound.db']);
    });
  });

  describe('refuses a file that is not a usable database, leaving it untouched', () => {
    async function expectCorrupt(dataDir: string, path: string, reason: RegExp): Promise<void> {
      const before = await sha256(path);
      const error = await openError({ dataDir });
      expect(error.code).toBe('CORRUPT');
      expect(error.message).toContain(path);
      expect(error.message).toMatch(reason);
      expect(error.message).toContain('Nothing was changed');
      expect(error.message).toContain('Move the file away or restore it from a backup');
      expect(await sha256(path)).toBe(before);
    }

    it('4 KB of random bytes', async () => {
      const dataDir = await tempDir();
      const path = join(dataDir, 'outbound.db');
      await writeFile(path, randomBytes(4096));
      await expectCorrupt(dataDir, path, /not a SQLite database/);
    });

    it('a text file', async () => {
      const dataDir = await tempDir();
      const path = join(dataDir, 'outbound.db');
      await writeFile(path, 'name,phone\nAlice,+8613800138000\n'.repeat(100));
      await expectCorrupt(dataDir, path, /not a SQLite database/);
    });

    it('a file shorter than the SQLite header', async () => {
      const dataDir = await tempDir();
      const path = join(dataDir, 'outbound.db');
      await writeFile(path, 'SQLite');
      await expectCorrupt(dataDir, path, /not a SQLite database/);
    });

    it('a SQLite database with damaged pages', async () => {
      const { dataDir, path } = await storeWithData();
      const { size } = await stat(path);
      const file = await open(path, 'r+');
      await file.write(randomBytes(size - 8192), 0, size - 8192, 8192); // everything after the first two pages
      await file.close();
      await expectCorrupt(dataDir, path, /integrity check failed|malformed|not a database/);
    });

    it("another program's SQLite database", async () => {
      const dataDir = await tempDir();
      const path = join(dataDir, 'outbound.db');
      await rawExec(
        path,
        "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT); INSERT INTO photos (path) VALUES ('a.jpg');",
      );
      await expectCorrupt(dataDir, path, /another program/);
    });

    it('a SQLite database carrying another application id', async () => {
      const dataDir = await tempDir();
      const path = join(dataDir, 'outbound.db');
      await rawExec(
        path,
        'PRAGMA application_id = 1234; PRAGMA user_version = 1; CREATE TABLE x (y);',
      );
      await expectCorrupt(dataDir, path, /application id 1234/);
    });
  });

  describe('refuses a data directory it cannot write', () => {
    it('when the path is a regular file', async () => {
      const dataDir = join(await tempDir(), 'not-a-dir');
      await writeFile(dataDir, 'hello');
      const error = await openError({ dataDir });
      expect(error.code).toBe('DATA_DIR_UNWRITABLE');
      expect(error.message).toContain(dataDir);
      expect(error.message).toContain('it is a file, not a directory');
      expect((error.cause as NodeJS.ErrnoException).code).toBe('EEXIST');
    });

    it('when a parent of the path is a regular file', async () => {
      const file = join(await tempDir(), 'file');
      await writeFile(file, 'hello');
      const error = await openError({ dataDir: join(file, 'data') });
      expect(error.code).toBe('DATA_DIR_UNWRITABLE');
      expect(error.message).toContain('part of the path is a file, not a directory (ENOTDIR)');
    });

    // Permission bits do not stop root, so this case only runs as an ordinary user.
    it.skipIf(process.getuid?.() === 0)('when the directory is read-only', async () => {
      const dataDir = join(await tempDir(), 'read-only');
      await mkdir(dataDir, { mode: 0o500 });
      try {
        const error = await openError({ dataDir });
        expect(error.code).toBe('DATA_DIR_UNWRITABLE');
        expect(error.message).toContain('permission denied');
      } finally {
        await chmod(dataDir, 0o700);
      }
    });
  });

  describe('reports a database another process holds as LOCKED', () => {
    for (const mode of ['write', 'exclusive'] as const) {
      it(`(${mode} lock)`, async () => {
        const { dataDir, path } = await storeWithData();
        const holder = spawnScript('hold-lock.ts', [path, mode]);
        try {
          await holder.waitForLine((line) => line === 'locked');
          const error = await openError({ dataDir, busyTimeoutMs: 200 });
          expect(error.code).toBe('LOCKED');
          expect(error.message).toContain(path);
          expect(error.message).toContain('in use by another process');
        } finally {
          await killAndWait(holder);
        }
        const store = await testStore({ dataDir });
        expect(await store.contacts.lists()).toHaveLength(1);
      });
    }
  });
});

// The store's behaviour (not the SQLite file's): the same on both backends.
describeBackends('Store', (testStore) => {
  it('enforces foreign keys', async () => {
    const store = await testStore();
    await expect(
      store.calls.create({ id: 'c1', number: '+8613800138000', startedAt: 1, campaignId: 999 }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      store.database.run("INSERT INTO call_events (call_id, at, type) VALUES ('missing', 1, 'x')"),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await store.calls.get('c1')).toBeNull();
  });

  it('cascades a deleted contact list to its contacts, keeping call history', async () => {
    const store = await testStore();
    const list = await store.contacts.createList({ name: 'list' });
    await store.contacts.upsertContacts(list.id, [{ phone: '+8613800138000', name: 'A' }]);
    const [contact] = await store.contacts.contacts(list.id);
    await store.calls.create({
      id: 'c1',
      number: '+8613800138000',
      startedAt: 1,
      contactId: contact!.id,
    });
    await store.database.run('DELETE FROM contact_lists WHERE id = $id', { $id: list.id });
    expect(await store.contacts.countContacts(list.id)).toBe(0);
    expect(await store.calls.get('c1')).toMatchObject({
      contactId: null,
      number: '+8613800138000',
    });
  });

  it('turns unique clashes into CONFLICT errors that say what clashed', async () => {
    const store = await testStore();
    await store.contacts.createList({ name: 'Spring leads' });
    await expect(store.contacts.createList({ name: 'Spring leads' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'A contact list named "Spring leads" already exists.',
    });
    await store.users.create({ username: 'amy', displayName: 'Amy', role: 'agent', skills: [] });
    await expect(
      store.users.create({ username: 'amy', displayName: 'Amy 2', role: 'agent', skills: [] }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'A user named "amy" already exists.',
    });
  });

  it('rolls back everything a failed transaction wrote, across repositories', async () => {
    const store = await testStore();
    await expect(
      store.transaction(async (tx) => {
        await tx.users.create({ username: 'amy', displayName: 'Amy', role: 'agent', skills: [] });
        await tx.calls.create({ id: 'c1', number: '+8613800138000', startedAt: 1 });
        await tx.audit.add({ actor: 'test', action: 'x', subject: null });
        await tx.settings.setMany({ language: 'en' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await store.users.list()).toEqual([]);
    expect(await store.calls.get('c1')).toBeNull();
    expect(await store.calls.events('c1')).toEqual([]);
    expect(await store.audit.list()).toEqual([]);
    expect(await store.settings.getAll()).toEqual({});
  });

  it('commits a transaction and returns its result', async () => {
    const store = await testStore();
    const user = await store.transaction(async (tx) => {
      const created = await tx.users.create({
        username: 'amy',
        displayName: 'Amy',
        role: 'agent',
        skills: ['zh'],
      });
      await tx.audit.add({ actor: 'test', action: 'users.create', subject: created.username });
      return created;
    });
    expect(await store.users.get(user.id)).toEqual(user);
    expect(await store.audit.list()).toHaveLength(1);
  });
});
