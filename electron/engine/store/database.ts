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
 *
 * Urgent work (`urgently`: a live call's state changes, events and hang-up) goes ahead of
 * everything queued that is not urgent: FIFO among the urgent, never interrupting the statement or
 * transaction in progress. A hang-up then waits for one statement or transaction at most, not for
 * every import batch, dialer pass and settlement queued before it (on PostgreSQL it has a lane of
 * its own beside the writer's, postgres/database.ts). Only a caller's own chain keeps its order, so
 * only code that awaits each write before the next (CallSession's per-call chain) should use it.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';

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

/** A statement the read connection can run: a SELECT (or WITH / VALUES) that returns no write. */
const PLAIN_READ = /^\s*(?:WITH|SELECT|VALUES)\b(?![\s\S]*\b(?:RETURNING|INSERT|UPDATE|DELETE)\b)/i;

/** Set while work that reads beside the writer runs (see readingBeside). */
const besideWork = new AsyncLocalStorage<true>();

/**
 * Runs `work` with every read the store makes for it on the read connection beside the writer
 * (ReadRouter), not only the reads the repositories always send there: for read-only requests
 * that need not see writes still queued (History's call detail and export, the Audit page, an
 * access export), so they neither wait behind the writer's queue nor hold it. Writes, and reads
 * inside one of the writer's transactions, still go to the writer.
 */
export function readingBeside<T>(work: () => Promise<T>): Promise<T> {
  return besideWork.run(true, work);
}

/**
 * Reads on a second, read-only connection beside the writer: in WAL mode a reader sees the last
 * committed state and neither waits for the writer nor holds it up, so History's page and the
 * console's counts keep answering while a long import or a dialer pass writes. Writes, and any
 * read made from inside one of the writer's transactions (it must see that transaction's own
 * uncommitted rows), go to the writer as before.
 *
 * Only statements that need no read-your-own-write ordering with writes issued without awaiting
 * should use it: a read here can overtake a write still queued on the writer's lane. With
 * `onlyBeside`, reads go to the reader only inside `readingBeside` (the executor every repository
 * gets as its `db`); without, always (the one repositories get as `read`).
 */
export class ReadRouter implements SqlExecutor {
  readonly dialect: Dialect;

  constructor(
    private readonly writer: RoutedDatabase,
    private readonly reader: RoutedDatabase,
    private readonly options: { onlyBeside?: boolean } = {},
  ) {
    this.dialect = writer.dialect;
  }

  private pick(sql?: string): RoutedDatabase {
    if (this.writer.inTransaction()) return this.writer;
    if (this.options.onlyBeside === true && besideWork.getStore() !== true) return this.writer;
    // A write through get/all (INSERT … RETURNING) or a PRAGMA (a checkpoint) is the writer's.
    if (sql !== undefined && !PLAIN_READ.test(sql)) return this.writer;
    return this.reader;
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.writer.run(sql, params);
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.pick(sql).get<T>(sql, params);
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.pick(sql).all<T>(sql, params);
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

/** Set while urgent work runs (see the header). */
const urgentWork = new AsyncLocalStorage<true>();

/**
 * Runs `work` with its store statements and transactions ahead of any queued work that is not
 * urgent, on either backend (see the header). For short, time-critical writes whose caller awaits
 * each one before the next: a live call's state, events and hang-up.
 */
export function urgently<T>(work: () => Promise<T>): Promise<T> {
  return urgentWork.run(true, work);
}

/** Whether the calling async context runs urgent work. */
export function isUrgent(): boolean {
  return urgentWork.getStore() === true;
}

interface Job {
  task: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * A FIFO of statements on one connection; a transaction occupies it from BEGIN to COMMIT and its
 * work runs on an inner Lane (see the header). Shared by both backends, so the "join the open
 * transaction" rule is the same code on SQLite and PostgreSQL.
 */
export class Lane implements SqlExecutor {
  /** Waiting jobs: the urgent ones run first (depth 0 only; see the header). */
  private readonly urgent: Job[] = [];
  private readonly normal: Job[] = [];
  private busy = false;
  /** Resolved whenever the lane runs dry, for finish(). */
  private idle: Array<() => void> = [];
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
    // Work queued by a job's continuation lands before the lane runs dry, so one wait suffices.
    while (this.busy || this.urgent.length > 0 || this.normal.length > 0)
      await new Promise<void>((resolve) => this.idle.push(resolve));
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
    return new Promise<T>((resolve, reject) => {
      // The task runs in its caller's async context (its transaction, its urgency), as it did
      // when it was chained with .then where it was queued; not in the previous job's.
      const job: Job = {
        task: AsyncResource.bind(task),
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      // Inside a transaction the order is the transaction's own: no overtaking there.
      if (this.depth === 0 && isUrgent()) this.urgent.push(job);
      else this.normal.push(job);
      if (!this.busy) this.next();
    });
  }

  /** Starts the next job, urgent first; at most one runs at a time. */
  private next(): void {
    const job = this.urgent.shift() ?? this.normal.shift();
    if (!job) {
      this.busy = false;
      for (const wake of this.idle.splice(0)) wake();
      return;
    }
    this.busy = true;
    // A microtask later, as the promise chain it replaces did: the caller's synchronous code
    // after queueing runs first.
    void Promise.resolve()
      .then(job.task)
      .then(job.resolve, job.reject)
      .finally(() => this.next());
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
