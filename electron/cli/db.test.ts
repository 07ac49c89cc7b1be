/**
 * `outbound db migrate` through the CLI's entry (runCli): a real PostgreSQL database migrated to
 * the latest schema and then found up to date, a SQLite workspace the same way, and a connection
 * string that is not PostgreSQL's refused as a usage mistake without echoing its password.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { sharedPostgres } from '../../test/support/postgres.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../engine/store/migrations.js';
import { useTempDirs } from '../engine/store/testing/temp.js';
import { runCli } from './main.js';

const tempDir = useTempDirs();

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    version: 'test',
    rendererDir: '/nowhere',
    streams: {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    },
  });
  return { code, out, err };
}

describe('outbound db migrate', () => {
  afterAll(async () => (await sharedPostgres()).stop());

  it('migrates a PostgreSQL database, then finds it up to date', async () => {
    const url = await (await sharedPostgres()).createDatabase();
    const data = await tempDir();
    const first = await cli(['db', 'migrate', '--database', url, '--data', data, '--json']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({
      event: 'db_migrated',
      backend: 'postgres',
      applied: MIGRATIONS.map((m) => m.version),
      version: LATEST_SCHEMA_VERSION,
    });
    const again = await cli(['db', 'migrate', '--database', url, '--data', data]);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`schema ${LATEST_SCHEMA_VERSION}, up to date`);
    // The option does not outlive the command.
    expect(process.env.OUTBOUND_DATABASE).toBeUndefined();
  });

  it('migrates the SQLite file in the data folder without --database', async () => {
    const data = await tempDir();
    const result = await cli(['db', 'migrate', '--data', data]);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`applied migrations 1, 2`);
    expect(result.out).toContain(`schema ${LATEST_SCHEMA_VERSION} now`);
  });

  it('refuses a connection string that is not PostgreSQL’s, and an unreachable database', async () => {
    const data = await tempDir();
    const wrong = await cli([
      'db',
      'migrate',
      '--database',
      'mysql://u:secret@h/db',
      '--data',
      data,
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('--database must be a PostgreSQL connection string');
    expect(wrong.err).not.toContain('secret');
    const cluster = await sharedPostgres();
    const missing = await cli([
      'db',
      'migrate',
      '--database',
      `postgres://outbound:hunter2@127.0.0.1:${cluster.port}/no_such_database`,
      '--data',
      data,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('cannot be reached');
    expect(missing.err).not.toContain('hunter2');
  });
});
