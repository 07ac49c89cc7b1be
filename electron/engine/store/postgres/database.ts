/**
 * The PostgreSQL SqlExecutor: a `pg` pool behind the same Lane as SQLite's Database
 * (../database.ts), so the semantics are the same code: statements of one PgDatabase run in FIFO
 * order, a transaction occupies the lane from BEGIN to COMMIT on one pool client, a nested
 * transaction is a SAVEPOINT on that client, and code inside a transaction that calls the outer
 * PgDatabase joins the transaction (AsyncLocalStorage) instead of deadlocking behind it.
 * Concurrency between seats comes from several engines (processes) on one database, each with
 * its own lanes, and from the reader (`reader()`) beside the writer, as on SQLite. Urgent work
 * (`urgently`, ../database.ts: a live call's writes and hang-up) has a lane of its own on the pool
 * beside the writer's, so it waits neither for queued work nor for a transaction in progress (a
 * dialer pass waiting on another seat's row or advisory lock); code inside one of the writer's
 * transactions still joins it.
 *
 * What differs from SQLite, and how it is made the same:
 * - Parameters: `$name` / `?` are translated to `$1…` (params.ts).
 * - Types: BIGINT (int8) and NUMERIC (sum, avg) come back as JS numbers, not strings (an int8
 *   beyond 2^53 is refused rather than rounded); booleans (a comparison's result) come back as
 *   0/1 as SQLite's do; json as its text. Per pool, never process-wide.
 * - A failed statement aborts a PostgreSQL transaction, while SQLite rolls back only that
 *   statement: inside a transaction each write runs under its own SAVEPOINT, so a caller that
 *   catches a CONFLICT can go on in the same transaction, as on SQLite. (Two extra round trips per
 *   write inside a transaction; reads do not pay it.)
 * - BEGIN: read committed for 'immediate' (write) transactions; 'deferred' ones, read snapshots on
 *   SQLite, are REPEATABLE READ (one snapshot for the whole transaction).
 */
import pg from 'pg';

import {
  isUrgent,
  Lane,
  type LaneConnection,
  type OpenTransaction,
  type RoutedDatabase,
  type RunResult,
  type SqlExecutor,
  type TransactionOptions,
  transactionStatements,
} from '../database.js';
import { POSTGRES } from '../dialect.js';
import type { DescribeConflict, ErrorContext, SqlParams } from '../errors.js';
import { toPgStoreError } from './errors.js';
import { translate } from './params.js';

export interface OpenPgOptions {
  /** Turns a UNIQUE violation into a sentence for the user (see ../conflicts.ts). */
  describeConflict?: DescribeConflict;
  /** Pool size. Default 4: the writer, urgent and reader lanes, headroom for tools. */
  max?: number;
  /** Shown in pg_stat_activity. Default 'outbound'. */
  applicationName?: string;
}

const INT8 = 20;
const NUMERIC = 1700;
const BOOL = 16;
const JSON_OID = 114;
const JSONB = 3802;

function toSafeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) && Number.isInteger(value))
    throw new RangeError(`The database returned ${text}, beyond what a JS number holds exactly.`);
  return value;
}

/** Type parsers for one pool: numbers, 0/1 booleans and JSON as text (see the header). */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return toSafeNumber;
    if (oid === BOOL) return (text: string) => (text === 't' ? 1 : 0);
    if (oid === JSON_OID || oid === JSONB) return (text: string) => text;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** The connection string without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the PostgreSQL database (unparsable connection string)';
  }
}

export class PgDatabase implements RoutedDatabase {
  readonly dialect = POSTGRES;
  private readonly lane: Lane;
  /** Urgent work beside the writer's lane (see the header); the reader's has none. */
  private readonly urgentLane: Lane | null;
  private closing: Promise<void> | undefined;

  private constructor(
    /** The pool; shared with the reader. LISTEN needs a client of its own (pool.connect()). */
    readonly pool: pg.Pool,
    readonly path: string,
    private readonly context: ErrorContext,
    private readonly ownsPool: boolean,
  ) {
    this.lane = new Lane(new PoolConnection(pool, context), null);
    this.urgentLane = ownsPool ? new Lane(new PoolConnection(pool, context), null) : null;
  }

  /** The urgent lane for urgent work outside the writer's transactions; else the writer's. */
  private pick(): Lane {
    return this.urgentLane && isUrgent() && !this.lane.hasOpenTransactionInContext()
      ? this.urgentLane
      : this.lane;
  }

  /** Connects (and checks that the server answers) before anything else uses it. */
  static async open(connectionString: string, options: OpenPgOptions = {}): Promise<PgDatabase> {
    const path = redactUrl(connectionString);
    const context: ErrorContext = {
      path,
      busyTimeoutMs: 0,
      describeConflict: options.describeConflict,
    };
    const pool = new pg.Pool({
      connectionString,
      max: options.max ?? 4,
      application_name: options.applicationName ?? 'outbound',
      types: TYPES,
    });
    // An idle client whose server went away must not crash the process: the next query
    // reconnects, and its own error (if any) reaches the caller.
    pool.on('error', () => undefined);
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw toPgStoreError(error, context);
    }
    return new PgDatabase(pool, path, context, true);
  }

  /** A second lane on the same pool, for ReadRouter (reads beside the writer's transactions). */
  reader(): PgDatabase {
    return new PgDatabase(this.pool, this.path, this.context, false);
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.pick().run(sql, params);
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.pick().get<T>(sql, params);
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.pick().all<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.pick().exec(sql);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.pick().transaction(work, options);
  }

  inTransaction(): boolean {
    return (
      this.lane.hasOpenTransactionInContext() ||
      (this.urgentLane?.hasOpenTransactionInContext() ?? false)
    );
  }

  /** Waits for queued work, then ends the pool (when this lane owns it). */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await Promise.all([this.lane.finish(), this.urgentLane?.finish()]);
      if (this.ownsPool) await this.pool.end();
    })());
  }
}

// ---------------------------------------------------------------------------------------------

type Queryable = pg.Pool | pg.PoolClient;

async function query<T extends pg.QueryResultRow>(
  on: Queryable,
  context: ErrorContext,
  sql: string,
  params: SqlParams | undefined,
): Promise<pg.QueryResult<T>> {
  const { text, values } = translate(sql, params);
  try {
    return await on.query<T>({ text, values });
  } catch (error) {
    throw toPgStoreError(error, { ...context, sql, params });
  }
}

/** Statements outside a transaction: any client of the pool. */
class PoolConnection implements LaneConnection {
  readonly dialect = POSTGRES;

  constructor(
    private readonly pool: pg.Pool,
    private readonly context: ErrorContext,
  ) {}

  get path(): string {
    return this.context.path;
  }

  async run(sql: string, params?: SqlParams): Promise<RunResult> {
    const result = await query(this.pool, this.context, sql, params);
    return { changes: result.rowCount ?? 0, lastID: 0 };
  }

  async get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return (await query(this.pool, this.context, sql, params)).rows[0] as T | undefined;
  }

  async all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return (await query(this.pool, this.context, sql, params)).rows as T[];
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.pool.query(sql);
    } catch (error) {
      throw toPgStoreError(error, { ...this.context, sql });
    }
  }

  async begin(depth: number, options: TransactionOptions): Promise<OpenTransaction> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toPgStoreError(error, this.context);
    }
    const connection = new ClientConnection(client, this.context);
    try {
      await connection.exec(
        options.behavior === 'deferred' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ' : 'BEGIN',
      );
    } catch (error) {
      client.release(true);
      throw error;
    }
    void depth; // Always 1 here: nested transactions begin on the ClientConnection.
    return {
      connection,
      commit: async () => {
        try {
          await connection.exec('COMMIT');
          client.release();
        } catch (error) {
          client.release(true);
          throw error;
        }
      },
      rollback: async () => {
        try {
          await client.query('ROLLBACK');
          client.release();
        } catch {
          // A broken connection: drop it from the pool. The original error is the one to report.
          client.release(true);
        }
      },
    };
  }
}

/** Statements inside a transaction: its one client. */
class ClientConnection implements LaneConnection {
  readonly dialect = POSTGRES;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly context: ErrorContext,
  ) {}

  get path(): string {
    return this.context.path;
  }

  /** A write under its own savepoint: a failure leaves the transaction usable, as on SQLite. */
  async run(sql: string, params?: SqlParams): Promise<RunResult> {
    const result = await this.withSavepoint(sql, params);
    return { changes: result.rowCount ?? 0, lastID: 0 };
  }

  async get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return (await this.guarded(sql, params)).rows[0] as T | undefined;
  }

  async all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return (await this.guarded(sql, params)).rows as T[];
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.client.query(sql);
    } catch (error) {
      throw toPgStoreError(error, { ...this.context, sql });
    }
  }

  async begin(depth: number, options: TransactionOptions): Promise<OpenTransaction> {
    const statements = transactionStatements(depth, options);
    await this.exec(statements.begin);
    return {
      connection: this,
      commit: () => this.exec(statements.commit),
      rollback: () => this.exec(statements.rollback).catch(() => undefined),
    };
  }

  /**
   * `get`/`all` may write too (INSERT … RETURNING): those get the savepoint as well; a plain
   * SELECT does not pay for it.
   */
  private guarded(sql: string, params?: SqlParams): Promise<pg.QueryResult> {
    if (/^\s*(?:WITH|SELECT|VALUES)\b/i.test(sql) && !/\bRETURNING\b/i.test(sql))
      return query(this.client, this.context, sql, params);
    return this.withSavepoint(sql, params);
  }

  private async withSavepoint(sql: string, params?: SqlParams): Promise<pg.QueryResult> {
    await this.client.query('SAVEPOINT statement');
    try {
      const result = await query(this.client, this.context, sql, params);
      await this.client.query('RELEASE statement');
      return result;
    } catch (error) {
      await this.client.query('ROLLBACK TO statement; RELEASE statement').catch(() => undefined);
      throw error;
    }
  }
}
