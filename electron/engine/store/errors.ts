/**
 * Turns what node-sqlite3 reports into StoreErrors a person can act on. The original error always
 * travels along as `cause`.
 */
import { StoreError } from './types.js';

export type SqlValue = string | number | null | Buffer;
/** Positional (`?`) or named (`$name`) parameters. */
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;

/** A UNIQUE / PRIMARY KEY violation, with the offending values when the statement named them. */
export interface UniqueViolation {
  table: string;
  columns: string[];
  /** The values bound as `$<column>`, in column order; undefined where the statement had none. */
  values: unknown[];
}

/** Returns a sentence for a unique violation, or undefined to fall back to a generic one. */
export type DescribeConflict = (violation: UniqueViolation) => string | undefined;

export interface ErrorContext {
  path: string;
  busyTimeoutMs: number;
  sql?: string;
  params?: SqlParams;
  describeConflict?: DescribeConflict;
}

interface SqliteError extends Error {
  code?: string;
  errno?: number;
}

export function sqliteCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as SqliteError).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export function toStoreError(error: unknown, context: ErrorContext): StoreError {
  if (error instanceof StoreError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  switch (sqliteCode(error)) {
    case 'SQLITE_CONSTRAINT':
      return constraintError(error as SqliteError, context);
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new StoreError('LOCKED', lockedMessage(context.path, context.busyTimeoutMs), {
        cause: error,
      });
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return new StoreError('CORRUPT', corruptMessage(context.path, detail), { cause: error });
    default:
      return new StoreError(
        'SQLITE',
        `The database at ${context.path} reported an error: ${detail}`,
        { cause: error },
      );
  }
}

export function lockedMessage(path: string, busyTimeoutMs: number): string {
  return (
    `The database at ${path} is in use by another process (it stayed locked for ${busyTimeoutMs} ms). ` +
    'Close the other copy of Outbound Console, or start with another data directory (--data).'
  );
}

export function corruptMessage(path: string, reason: string): string {
  return (
    `The file at ${path} is not a usable Outbound Console database (${reason}). Nothing was changed. ` +
    'Move the file away or restore it from a backup, then start again; a new empty database is created ' +
    'when none exists.'
  );
}

function constraintError(error: SqliteError, context: ErrorContext): StoreError {
  const unique = parseUniqueViolation(error.message, context.params);
  if (unique) {
    const message = context.describeConflict?.(unique) ?? genericConflictMessage(unique);
    return new StoreError('CONFLICT', message, { cause: error });
  }
  if (error.message.includes('FOREIGN KEY constraint failed')) {
    const table = context.sql ? writtenTable(context.sql) : undefined;
    const where = table ? ` while writing ${table}` : '';
    return new StoreError('NOT_FOUND', `A referenced record does not exist${where}.`, {
      cause: error,
    });
  }
  return new StoreError(
    'SQLITE',
    `The database at ${context.path} refused the change: ${error.message}`,
    { cause: error },
  );
}

const UNIQUE_PATTERN = /UNIQUE constraint failed: (.+)$/;

export function parseUniqueViolation(message: string, params?: SqlParams): UniqueViolation | null {
  const match = UNIQUE_PATTERN.exec(message);
  if (!match?.[1]) return null;
  const qualified = match[1].split(',').map((part) => part.trim());
  const table = qualified[0]?.split('.')[0] ?? '';
  const columns = qualified.map((name) => name.slice(name.indexOf('.') + 1));
  return { table, columns, values: columns.map((column) => namedParam(params, column)) };
}

function namedParam(params: SqlParams | undefined, column: string): unknown {
  if (!params || Array.isArray(params)) return undefined;
  return (params as Readonly<Record<string, SqlValue>>)[`$${column}`];
}

export function genericConflictMessage({ table, columns, values }: UniqueViolation): string {
  const pairs = columns.map((column, i) =>
    values[i] === undefined ? column : `${column} ${JSON.stringify(values[i])}`,
  );
  return `A record in ${table} with the same ${pairs.join(' and ')} already exists.`;
}

function writtenTable(sql: string): string | undefined {
  return /^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)/i.exec(sql)?.[1];
}
