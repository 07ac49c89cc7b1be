/**
 * workspace/ — one workspace, one engine. The process that runs the engine on a data folder holds
 * an exclusive OS-level lock on `<data>/engine.lock` for its whole life; a second engine on the
 * same folder (another process, or another engine in the same process) is refused, naming the
 * holder. The operating system drops the lock when its process ends in any way (exit, crash,
 * kill -9, power loss), so a stale lock never blocks.
 *
 * The lock is SQLite's own file locking, through node-sqlite3 (already the store's engine, built
 * for every OS we ship): the lock file is a SQLite database opened with
 * `PRAGMA locking_mode = EXCLUSIVE` and an exclusive transaction kept open. SQLite takes that with
 * POSIX fcntl locks on Linux and macOS and LockFileEx on Windows, both released by the OS with the
 * process, and it tracks the locks of every connection inside one process itself (POSIX locks are
 * per process), so a second engine in the same process meets the lock too. No page is ever
 * written: the file stays empty and there is never a journal to roll back.
 *
 * Who holds it (pid, host, what, since) is written beside it to `<data>/engine.lock.json`, only so
 * a refusal can name the holder; the lock itself is the SQLite lock, never that file. Nothing but
 * SQLite may open `engine.lock` in a process that holds it: closing any other descriptor of the
 * file would drop the process's POSIX locks.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

import sqlite3 from 'sqlite3';

export const LOCK_FILE = 'engine.lock';
export const HOLDER_FILE = 'engine.lock.json';

/** Who holds a workspace, as written to engine.lock.json. */
export interface WorkspaceHolder {
  pid: number;
  host: string;
  /** What runs the engine, in the user's words: "outbound serve", "the desktop app", "outbound campaign status". */
  what: string;
  /** When it took the lock (epoch ms). */
  since: number;
}

/** The workspace is held by another engine; the message names it and what to do. */
export class WorkspaceInUseError extends Error {
  override readonly name = 'WorkspaceInUseError';
  readonly code = 'WORKSPACE_IN_USE';
  constructor(
    readonly dataDir: string,
    /** null when the holder has not written its details yet (it is starting) or they are unreadable. */
    readonly holder: WorkspaceHolder | null,
  ) {
    super(inUseMessage(dataDir, holder));
  }
}

/** The lock could not be taken for another reason than a holder (the folder is unusable). */
export class WorkspaceLockError extends Error {
  override readonly name = 'WorkspaceLockError';
  readonly code = 'WORKSPACE_LOCK_FAILED';
}

export interface WorkspaceLock {
  readonly dataDir: string;
  readonly holder: WorkspaceHolder;
  /** Gives the workspace up (idempotent). The holder file is removed first, then the lock. */
  release(): Promise<void>;
}

/**
 * Takes the workspace's lock for this process, at once or not at all (no waiting). Throws
 * WorkspaceInUseError naming the holder when another engine has it. The data folder must exist.
 */
export async function lockWorkspace(dataDir: string, what: string): Promise<WorkspaceLock> {
  const dir = resolve(dataDir);
  const db = await openDatabase(join(dir, LOCK_FILE));
  try {
    // busy timeout 0: a held lock is answered at once with SQLITE_BUSY.
    db.configure('busyTimeout', 0);
    await exec(db, 'PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;');
  } catch (error) {
    await close(db);
    if ((error as { code?: string }).code === 'SQLITE_BUSY')
      throw new WorkspaceInUseError(dir, await readWorkspaceHolder(dir));
    throw new WorkspaceLockError(
      `The workspace lock ${join(dir, LOCK_FILE)} could not be taken: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const holder: WorkspaceHolder = { pid: process.pid, host: hostname(), what, since: Date.now() };
  await writeHolder(dir, holder).catch(() => {
    // Informational only: a refusal then says "another process" instead of naming it.
  });
  let released: Promise<void> | null = null;
  return {
    dataDir: dir,
    holder,
    release: () =>
      (released ??= (async () => {
        // Only the holder's own details are removed (a later holder may have written its own).
        const current = await readWorkspaceHolder(dir);
        if (current && current.pid === holder.pid && current.since === holder.since)
          await rm(join(dir, HOLDER_FILE), { force: true }).catch(() => undefined);
        await exec(db, 'ROLLBACK').catch(() => undefined);
        await close(db);
      })()),
  };
}

/** The holder's details from engine.lock.json, or null (none, unreadable, or not well-formed). */
export async function readWorkspaceHolder(dataDir: string): Promise<WorkspaceHolder | null> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(join(resolve(dataDir), HOLDER_FILE), 'utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (
    typeof v.pid !== 'number' ||
    typeof v.host !== 'string' ||
    typeof v.what !== 'string' ||
    typeof v.since !== 'number'
  )
    return null;
  return { pid: v.pid, host: v.host, what: v.what, since: v.since };
}

/** "outbound serve (pid 1234, since 14:09)"; another host and another day are named too. */
export function describeHolder(holder: WorkspaceHolder, now = Date.now()): string {
  const at = new Date(holder.since);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const sameDay = new Date(now).toDateString() === at.toDateString();
  const when = sameDay
    ? time
    : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
  const host = holder.host === hostname() ? '' : ` on ${holder.host}`;
  return `${holder.what} (pid ${holder.pid}${host}, since ${when})`;
}

function inUseMessage(dataDir: string, holder: WorkspaceHolder | null): string {
  if (!holder)
    return `This workspace (${dataDir}) is in use by another Outbound Console process (it is starting, or did not say who it is); stop it, or run this command against it`;
  const advice = holder.what.startsWith('outbound serve')
    ? 'stop it, or run this command against it'
    : holder.what === 'the desktop app'
      ? 'quit it, or do this in its console'
      : 'wait for it to finish, or stop it';
  return `This workspace (${dataDir}) is in use by ${describeHolder(holder)}; ${advice}`;
}

async function writeHolder(dir: string, holder: WorkspaceHolder): Promise<void> {
  // Written whole, then renamed: a reader never sees half a file.
  const temp = join(dir, `${HOLDER_FILE}.${process.pid}-${randomUUID()}.tmp`);
  await writeFile(temp, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  await rename(temp, join(dir, HOLDER_FILE));
}

function openDatabase(path: string): Promise<sqlite3.Database> {
  return new Promise((resolvePromise, reject) => {
    const db = new sqlite3.Database(path, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (error) =>
      error
        ? reject(new WorkspaceLockError(`${path} cannot be opened: ${error.message}`))
        : resolvePromise(db),
    );
  });
}

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolvePromise, reject) =>
    db.exec(sql, (error) => (error ? reject(error) : resolvePromise())),
  );
}

function close(db: sqlite3.Database): Promise<void> {
  return new Promise((resolvePromise) => db.close(() => resolvePromise()));
}
