/**
 * What PostgreSQL reports (SQLSTATE codes), as the same StoreErrors and sentences SQLite's
 * errors.ts gives: a unique violation names the table and columns (from the error's table and its
 * "Key (a, b)=(…)" detail) and goes through the same `describeConflict`; a foreign-key violation
 * is NOT_FOUND "A referenced record does not exist while writing T."; other integrity violations
 * (CHECK, NOT NULL, the audit trail's append-only triggers) "refused the change"; lock timeouts,
 * deadlocks and serialization failures are LOCKED.
 */
import { type ErrorContext, genericConflictMessage, type UniqueViolation } from '../errors.js';
import { StoreError } from '../types.js';

interface PgError extends Error {
  code?: string;
  table?: string;
  detail?: string;
  constraint?: string;
}

function pgCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as PgError).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function toPgStoreError(error: unknown, context: ErrorContext): StoreError {
  if (error instanceof StoreError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const code = pgCode(error);
  if (code === '23505') {
    const unique = uniqueViolation(error as PgError, context);
    const message = context.describeConflict?.(unique) ?? genericConflictMessage(unique);
    return new StoreError('CONFLICT', message, { cause: error });
  }
  if (code === '23503') {
    const table = (error as PgError).table;
    const where = table ? ` while writing ${table}` : '';
    return new StoreError('NOT_FOUND', `A referenced record does not exist${where}.`, {
      cause: error,
    });
  }
  if (code?.startsWith('23'))
    return new StoreError(
      'SQLITE',
      `The database at ${context.path} refused the change: ${detail}`,
      { cause: error },
    );
  if (code === '40P01' || code === '40001' || code === '55P03')
    return new StoreError(
      'LOCKED',
      `The database at ${context.path} is busy (${detail}). Try again in a moment.`,
      { cause: error },
    );
  if (code === '3D000' || code === '28P01' || code === '28000' || isUnreachable(error))
    return new StoreError(
      'SQLITE',
      `The PostgreSQL database at ${context.path} cannot be reached: ${detail}. Check the connection string (--database), that the server runs, and that the role may connect.`,
      { cause: error },
    );
  return new StoreError('SQLITE', `The database at ${context.path} reported an error: ${detail}`, {
    cause: error,
  });
}

function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'].includes(code)
  );
}

const KEY_DETAIL = /^Key \((.+?)\)=\(/;

function uniqueViolation(error: PgError, context: ErrorContext): UniqueViolation {
  const columns = KEY_DETAIL.exec(error.detail ?? '')?.[1]?.split(', ') ?? [];
  const params = context.params;
  const values = columns.map((column) =>
    params && !Array.isArray(params)
      ? (params as Readonly<Record<string, unknown>>)[`$${column}`]
      : undefined,
  );
  return { table: error.table ?? '', columns, values };
}
