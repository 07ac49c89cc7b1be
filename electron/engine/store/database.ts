/**
 * A promise wrapper around one node-sqlite3 connection that never lets statements interleave.
 *
 * node-sqlite3 is asynchronous: with a naive `BEGIN; await …; COMMIT`, statements other callers
 * issue while we await land inside our transaction (and vanish with our ROLLBACK). So every
 * statement goes through a FIFO queue ("lane"), and a transaction occupies the queue from BEGIN to
 * COMMIT. Inside, the transaction's executor is a lane of its own; a nested transaction on it is a
 * SAVEPOINT that occupies that inner lane in turn. At most one statement is in flight at a time.
 *
 * Code running inside a transaction that calls the outer Database (instead of the executor it was
 * given) joins the transaction rather than queueing behind it, which would deadlock. This is
 * tracked with AsyncLocalStorage, so it also covers events and callbacks started inside `work`.
 * (Once used, AsyncLocalStorage adds roughly 0.1 µs to every await in the process on Node 20;
 * cheap next to a deadlock that only shows up in production.)
 */
import { AsyncLocalStorage } from 'node:async_hooks';

import sqlite3 from 'sqlite3';

import { type Dialect, SQLITE } from './dialect.js';
import {
  type DescribeConflict,
  type ErrorContext,
  type SqlParams,
  toStoreError,
} from './errors.js';
import { StoreError } from './types.js';

export type { SqlParams, SqlValue } from './errors.js';

export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  changes: number;
  /** Rowid of the last row inserted (meaningless for other statements). */
  lastID: number;
}

export interface TransactionOptions {
  /** 'immediate' (default) takes the write lock at BEGIN; 'deferred' suits read-only snapshots. */
  behavior?: 'immediate' | 'deferred';
}

/** What repositories talk to: the Database itself or a transaction's executor. */
export interface SqlExecutor {
  /** Which SQL the backend speaks, for the few statements that differ (dialect.ts). */
  readonly dialect: Dialect;
  run(sql: string, params?: SqlParams): Promise<RunResult>;
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  /** Runs one or more statements without parameters (schema changes). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `work` exclusively: commits when it resolves, rolls back and rethrows when it rejects.
   * On a transaction's executor this nests as a SAVEPOINT.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export interface OpenDatabaseOptions {
  readOnly?: boolean;
  busyTimeoutMs?: number;
  /** Turns a UNIQUE violation into a sentence for the user (see conflicts.ts). */
  describeConflict?: DescribeConflict;
}

export class Database implements SqlExecutor {
  readonly dialect = SQLITE;
  private readonly lane: Lane;

  private constructor(
    private readonly connection: Connection,
    readonly path: string,
  ) {
    this.lane = new Lane(connection, null);
  }

  static async open(path: string, options: OpenDatabaseOptions = {}): Promise<Database> {
    const context: ErrorContext = {
      path,
      busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      describeConflict: options.describeConflict,
    };
    const connection = await Connection.open(path, options.readOnly === true, context);
    return new Database(connection, path);
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.lane.run(sql, params);
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.lane.get<T>(sql, params);
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.lane.all<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.lane.exec(sql);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.lane.transaction(work, options);
  }

  /** Waits for queued work, then closes the connection; later calls are rejected. */
  async close(): Promise<void> {
    await this.lane.finish();
    await this.connection.close();
  }

  /** True when the calling async context is inside one of this connection's transactions. */
  inTransaction(): boolean {
    return this.lane.hasOpenTransactionInContext();
  }
}

/**
 * Reads on a second, read-only connection beside the writer: in WAL mode a reader sees the last
 * committed state and neither waits for the writer nor holds it up, so History's page and the
 * console's counts keep answering while a long import or a dialer pass writes. Writes, and any
 * read made from inside one of the writer's transactions (it must see that transaction's own
 * uncommitted rows), go to the writer as before.
 *
 * Only statements that need no read-your-own-write ordering with writes issued without awaiting
 * should use it: a read here can overtake a write still queued on the writer's lane.
 */
export class ReadRouter implements SqlExecutor {
  readonly dialect: Dialect;

  constructor(
    private readonly writer: RoutedDatabase,
    private readonly reader: RoutedDatabase,
  ) {
    this.dialect = writer.dialect;
  }

  private pick(): RoutedDatabase {
    return this.writer.inTransaction() ? this.writer : this.reader;
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.writer.run(sql, params);
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.pick().get<T>(sql, params);
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.pick().all<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.writer.exec(sql);
  }

  /** A 'deferred' transaction is a read snapshot and goes to the reader; others write. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const target = options?.behavior === 'deferred' ? this.pick() : this.writer;
    return target.transaction(work, options);
  }
}

/** A Database a ReadRouter can route to (SQLite's, or the PostgreSQL one). */
export interface RoutedDatabase extends SqlExecutor {
  inTransaction(): boolean;
}

// ---------------------------------------------------------------------------------------------

/**
 * What a Lane runs statements on: one SQLite connection, or PostgreSQL's pool (postgres/). A
 * transaction's statements run on what `begin` returns (the same SQLite connection; one pool
 * client checked out for the whole transaction on PostgreSQL).
 */
export interface LaneConnection {
  readonly path: string;
  readonly dialect: Dialect;
  run(sql: string, params?: SqlParams): Promise<RunResult>;
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  exec(sql: string): Promise<void>;
  /** Opens a transaction (depth 1) or a SAVEPOINT (depth > 1). */
  begin(depth: number, options: TransactionOptions): Promise<OpenTransaction>;
}

export interface OpenTransaction {
  /** Where the transaction's statements go. */
  connection: LaneConnection;
  commit(): Promise<void>;
  /** Must not throw: the original error is the one worth reporting. */
  rollback(): Promise<void>;
}

/** The innermost transaction lane of the current async context, if any. */
const currentLane = new AsyncLocalStorage<Lane>();

/**
 * A FIFO of statements on one connection; a transaction occupies it from BEGIN to COMMIT and its
 * work runs on an inner Lane (see the header). Shared by both backends, so the "join the open
 * transaction" rule is the same code on SQLite and PostgreSQL.
 */
export class Lane implements SqlExecutor {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly depth: number;
  readonly dialect: Dialect;

  constructor(
    private readonly connection: LaneConnection,
    private readonly parent: Lane | null,
  ) {
    this.depth = parent ? parent.depth + 1 : 0;
    this.dialect = connection.dialect;
  }

  // Each statement runs on the connection of the lane it lands on (`target()`): a joined
  // transaction's, which on PostgreSQL is another client than this lane's pool.
  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.schedule((lane) => lane.connection.run(sql, params));
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.schedule((lane) => lane.connection.get<T>(sql, params));
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.schedule((lane) => lane.connection.all<T>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.schedule((lane) => lane.connection.exec(sql));
  }

  transaction<T>(
    work: (tx: SqlExecutor) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    return this.schedule((lane) => lane.runExclusively(work, options));
  }

  /** Whether the current async context runs inside a transaction opened on this lane. */
  hasOpenTransactionInContext(): boolean {
    let lane = currentLane.getStore();
    while (lane?.closed) lane = lane.parent ?? undefined;
    return lane !== undefined && lane !== this && lane.isWithin(this);
  }

  /** Lets queued work (including work queued meanwhile) finish, then refuses new work. */
  async finish(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.tail;
      await seen;
    } while (seen !== this.tail);
    this.closed = true;
  }

  private async schedule<T>(task: (lane: Lane) => Promise<T>): Promise<T> {
    const lane = this.target();
    return lane.enqueue(() => task(lane));
  }

  private target(): Lane {
    if (this.closed) throw this.closedError();
    let lane = currentLane.getStore();
    while (lane?.closed) lane = lane.parent ?? undefined;
    return lane?.isWithin(this) ? lane : this;
  }

  private isWithin(ancestor: Lane): boolean {
    if (this === ancestor) return true;
    for (let lane = this.parent; lane; lane = lane.parent) if (lane === ancestor) return true;
    return false;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async runExclusively<T>(
    work: (tx: SqlExecutor) => Promise<T>,
    options: TransactionOptions,
  ): Promise<T> {
    const open = await this.connection.begin(this.depth + 1, options);
    const inner = new Lane(open.connection, this);
    try {
      const result = await currentLane.run(inner, () => work(inner));
      await inner.finish();
      await open.commit();
      return result;
    } catch (error) {
      // Statements `work` started without awaiting must not run after the ROLLBACK.
      await inner.finish();
      await open.rollback();
      throw error;
    }
  }

  private closedError(): StoreError {
    const message =
      this.depth === 0
        ? `The database at ${this.connection.path} is closed.`
        : 'This transaction has already finished; its repositories cannot be used any more.';
    return new StoreError('SQLITE', message);
  }
}

export function transactionStatements(
  depth: number,
  options: TransactionOptions,
): { begin: string; commit: string; rollback: string } {
  if (depth === 1) {
    const behavior = options.behavior === 'deferred' ? 'DEFERRED' : 'IMMEDIATE';
    return { begin: `BEGIN ${behavior}`, commit: 'COMMIT', rollback: 'ROLLBACK' };
  }
  const name = `nested_${depth}`;
  return {
    begin: `SAVEPOINT ${name}`,
    commit: `RELEASE ${name}`,
    rollback: `ROLLBACK TO ${name}; RELEASE ${name}`,
  };
}

// ---------------------------------------------------------------------------------------------

/** node-sqlite3's callbacks as promises, with errors mapped to StoreError. */
class Connection implements LaneConnection {
  readonly dialect = SQLITE;

  private constructor(
    private readonly raw: sqlite3.Database,
    private readonly context: ErrorContext,
  ) {}

  get path(): string {
    return this.context.path;
  }

  static open(path: string, readOnly: boolean, context: ErrorContext): Promise<Connection> {
    const access = readOnly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
    return new Promise((resolve, reject) => {
      const raw = new sqlite3.Database(path, access | sqlite3.OPEN_FULLMUTEX, (error) => {
        if (error) return reject(toStoreError(error, context));
        raw.configure('busyTimeout', context.busyTimeoutMs);
        resolve(new Connection(raw, context));
      });
    });
  }

  run(sql: string, params: SqlParams = []): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const fail = this.fail.bind(this);
      this.raw.run(sql, params, function (this: sqlite3.RunResult, error: Error | null) {
        if (error) reject(fail(error, sql, params));
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.raw.get<T>(sql, params, (error: Error | null, row: T | undefined) => {
        if (error) reject(this.fail(error, sql, params));
        else resolve(row);
      });
    });
  }

  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.raw.all<T>(sql, params, (error: Error | null, rows: T[]) => {
        if (error) reject(this.fail(error, sql, params));
        else resolve(rows);
      });
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.raw.exec(sql, (error: Error | null) => {
        if (error) reject(this.fail(error, sql));
        else resolve();
      });
    });
  }

  async begin(depth: number, options: TransactionOptions): Promise<OpenTransaction> {
    const statements = transactionStatements(depth, options);
    await this.exec(statements.begin);
    return {
      connection: this,
      commit: () => this.exec(statements.commit),
      rollback: () =>
        this.exec(statements.rollback).catch(() => {
          // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL); the original
          // error is the one worth reporting.
        }),
    };
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.raw.close((error) => (error ? reject(this.fail(error, 'close')) : resolve()));
    });
  }

  private fail(error: Error, sql: string, params?: SqlParams): StoreError {
    return toStoreError(error, { ...this.context, sql, params });
  }
}
