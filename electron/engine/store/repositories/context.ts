/** What every repository is built from, and the few helpers they share. */
import type { SqlExecutor } from '../database.js';
import { StoreError } from '../types.js';

export interface RepositoryContext {
  /** The Database, or the executor of the transaction the repositories are bound to. */
  db: SqlExecutor;
  /**
   * For reads that may run beside the writer (database.ts's ReadRouter: a second, read-only
   * connection). Absent inside a transaction, where every read must go through `db`.
   */
  read?: SqlExecutor;
  /** Epoch ms for the timestamps the store fills in. */
  now: () => number;
  /**
   * The DNC list's keyed hash for numbers erased on request (schema 10), one holder shared by the
   * store and every transaction's repositories; set through `dnc.keyWith`.
   */
  dncDigest?: { fn: ((phone: string) => string) | null };
}

export interface Page {
  limit: number;
  offset: number;
}

/**
 * Named parameters for `LIMIT $limit OFFSET $offset`; no page means every row (the largest
 * exact integer: SQLite's -1 for "no limit" is an error on PostgreSQL).
 */
export function pageParams(page: Page | undefined): { $limit: number; $offset: number } {
  return page
    ? { $limit: page.limit, $offset: page.offset }
    : { $limit: Number.MAX_SAFE_INTEGER, $offset: 0 };
}

export function notFound(message: string): StoreError {
  return new StoreError('NOT_FOUND', message);
}

/** Replaces the generic foreign-key message with one naming what is missing. */
export async function explainMissing<T>(work: Promise<T>, message: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof StoreError && error.code === 'NOT_FOUND')
      throw new StoreError('NOT_FOUND', message, { cause: error });
    throw error;
  }
}

/** Splits a long list so one statement's JSON parameter stays a few MB at most. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** Escapes LIKE wildcards; use with `ESCAPE '\'`. */
export function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The row an `INSERT … RETURNING` or a just-written key must produce. */
export function returned<T>(row: T | undefined): T {
  if (row === undefined)
    throw new Error('The database returned no row for a statement that always returns one.');
  return row;
}
