/** Test helpers: real SQLite files in temporary directories, removed after each test. */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach } from 'vitest';

import { openSqliteStore, type OpenStoreOptions, type SqliteStore } from '../sqlite-store.js';

/** Call once per test file: returns a factory of fresh directories removed after each test. */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(() => removeAll(dirs));
  return () => makeTempDir(dirs);
}

/** Call once per test file: opens stores in fresh directories, closed and removed after each test. */
export function useTestStores(): (options?: Partial<OpenStoreOptions>) => Promise<SqliteStore> {
  const dirs: string[] = [];
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await removeAll(dirs);
  });
  return async (options = {}) => {
    const store = await openSqliteStore({ dataDir: await makeTempDir(dirs), ...options });
    stores.push(store);
    return store;
  };
}

async function makeTempDir(dirs: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'outbound-store-'));
  dirs.push(dir);
  return dir;
}

async function removeAll(dirs: string[]): Promise<void> {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
