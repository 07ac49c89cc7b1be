/**
 * Runs one store suite against both backends: `describeBackends(name, (testStore, backend) => …)`
 * declares the suite twice, on SQLite (a fresh file per test, as useTestStores) and on a real
 * PostgreSQL (test/support/postgres.ts: one throwaway cluster per test file, a fresh database
 * per test copied from a template migrated once, dropped after the test). The suite body is the
 * same code; a test that only makes sense on one backend says so with `it.skipIf` and a reason.
 */
import { afterEach, describe } from 'vitest';

import { freshPostgresUrl, sharedPostgres } from '../../../../test/support/postgres.js';
import type { SqlExecutor } from '../database.js';
import { openPostgresStore } from '../postgres/store.js';
import type { OpenStoreOptions } from '../sqlite-store.js';
import type { Store } from '../types.js';
import { useTestStores } from './temp.js';

export type Backend = 'sqlite' | 'postgres';

/** A store of either backend, with its database for the raw SQL some tests check. */
export interface TestStore extends Store {
  readonly database: SqlExecutor;
}

export type TestStoreFactory = (
  options?: Partial<Pick<OpenStoreOptions, 'now'>>,
) => Promise<TestStore>;

export const BACKENDS: readonly Backend[] = ['sqlite', 'postgres'];

/** Call once per describe: PostgreSQL stores in fresh databases, closed and dropped after each test. */
export function usePostgresStores(): TestStoreFactory {
  const opened: { store: TestStore; url: string }[] = [];
  afterEach(async () => {
    const cluster = await sharedPostgres();
    for (const { store, url } of opened.splice(0)) {
      await store.close();
      await cluster.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)}`);
    }
  });
  return async (options = {}) => {
    const url = await freshPostgresUrl();
    const store = await openPostgresStore({
      url,
      ...(options.now ? { now: options.now } : {}),
      max: 3,
    });
    opened.push({ store, url });
    return store;
  };
}

export function describeBackends(
  name: string,
  suite: (testStore: TestStoreFactory, backend: Backend) => void,
): void {
  for (const backend of BACKENDS)
    describe(`${name} [${backend}]`, () => {
      const testStore: TestStoreFactory =
        backend === 'sqlite' ? useTestStores() : usePostgresStores();
      suite(testStore, backend);
    });
}
