/**
 * A real, throwaway PostgreSQL for tests: Debian's `postgresql` package, a cluster made by
 * `initdb` in a temp folder and started by `pg_ctl` on a free loopback port (unix socket in the
 * same folder), torn down afterwards.
 *
 * - The binaries are looked up in /usr/lib/postgresql/<version>/bin (the highest version), never
 *   on PATH: a fresh Debian has no links to them there.
 * - initdb and the server refuse to run as root: as root, they run as the package's `postgres`
 *   user (runuser), and the temp folder is handed to it.
 * - One cluster per test file (module state; each vitest file has its own module graph), one fresh
 *   database per suite: `freshDatabase()` copies a migrated template (`CREATE DATABASE … TEMPLATE`,
 *   a file copy: tens of ms) instead of migrating again.
 * - Teardown also on a crash: a detached watchdog shell kills the postmaster and removes the folder
 *   when the test process is gone, however it ended; `stop()` does the same at once.
 * - Durability is off (fsync, synchronous_commit, full_page_writes): the data is thrown away.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { PgDatabase } from '../../electron/engine/store/postgres/database.js';
import { migratePostgres } from '../../electron/engine/store/postgres/migrate.js';
import { freePort } from './ports.js';

export interface PgCluster {
  /** Superuser connection string for a database of this cluster (default `postgres`). */
  url(database?: string): string;
  port: number;
  /** A new, empty database; returns its connection string. */
  createDatabase(name?: string, template?: string): Promise<string>;
  /** Runs one statement as the superuser on `database` (default `postgres`). */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    database?: string,
  ): Promise<T[]>;
  stop(): Promise<void>;
}

const SUPERUSER = 'outbound';
let counter = 0;

/** The bin folder of the newest PostgreSQL Debian installed. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const version = versions[0];
  if (version === undefined)
    throw new Error(
      "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb). Install Debian's package: apt-get install postgresql (npm test does this when run as root).",
    );
  return join(root, version, 'bin');
}

/** Starts a throwaway cluster; stop() (or the end of the process) removes it. */
export async function startPostgres(): Promise<PgCluster> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'outbound-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  // As root, every server-side step runs as the package's unprivileged user.
  const runAs = (command: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const [initdb, initdbArgs] = runAs(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    SUPERUSER,
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  execFileSync(initdb, initdbArgs, { stdio: 'pipe' });

  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    const [pgCtl, pgCtlArgs] = runAs(join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      options,
      'start',
    ]);
    try {
      execFileSync(pgCtl, pgCtlArgs, { stdio: 'pipe' });
      break;
    } catch (error) {
      // Another process took the port between freePort() and the bind: try another.
      if (attempt >= 3) {
        const log = existsSync(join(dir, 'server.log'))
          ? readFileSync(join(dir, 'server.log'), 'utf8')
          : '';
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`pg_ctl start failed: ${String(error)}\n${log}`, { cause: error });
      }
    }
  }
  const postmasterPid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const watchdog = startWatchdog(process.pid, postmasterPid, dir);

  let stopped: Promise<void> | undefined;
  const killNow = (): void => {
    try {
      process.kill(postmasterPid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killNow);

  const url = (database = 'postgres'): string =>
    `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;

  const query = async <T extends pg.QueryResultRow>(sql: string, database?: string) => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };

  return {
    url,
    port,
    query,
    async createDatabase(name = `test_${process.pid}_${++counter}`, template?: string) {
      await query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
      return url(name);
    },
    stop: () =>
      (stopped ??= (async () => {
        process.removeListener('exit', killNow);
        // Immediate: no checkpoint for data about to be deleted.
        const [pgCtl, pgCtlArgs] = runAs(join(bin, 'pg_ctl'), [
          '-D',
          data,
          '-m',
          'immediate',
          'stop',
        ]);
        try {
          execFileSync(pgCtl, pgCtlArgs, { stdio: 'pipe' });
        } catch {
          killNow();
        }
        rmSync(dir, { recursive: true, force: true });
        watchdog.kill('SIGKILL');
      })()),
  };
}

/** A detached shell that outlives a crashed test process and cleans up after it. */
function startWatchdog(parentPid: number, postmasterPid: number, dir: string) {
  const script =
    `while kill -0 ${parentPid} 2>/dev/null; do sleep 1; done; ` +
    `kill -9 ${postmasterPid} 2>/dev/null; rm -rf '${dir}'`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}

// ---------------------------------------------------------------------------------------------

let shared: Promise<PgCluster> | undefined;

/** The test file's one cluster, started on first use and stopped when the process exits. */
export function sharedPostgres(): Promise<PgCluster> {
  return (shared ??= startPostgres());
}

let template: Promise<string> | undefined;

/**
 * A fresh database of this file's cluster at the latest schema: the first call migrates a
 * template database once, each call copies it (CREATE DATABASE … TEMPLATE: a file copy).
 */
export async function freshPostgresUrl(): Promise<string> {
  const cluster = await sharedPostgres();
  template ??= (async () => {
    const name = 'outbound_template';
    const url = await cluster.createDatabase(name);
    const db = await PgDatabase.open(url);
    try {
      await migratePostgres(db, { path: url });
    } finally {
      // A template must have no open connection when it is copied.
      await db.close();
    }
    return name;
  })();
  return cluster.createDatabase(undefined, await template);
}
