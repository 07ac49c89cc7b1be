/**
 * `outbound db migrate` and `outbound db copy` through the CLI's entry (runCli): a real
 * PostgreSQL database migrated to the latest schema and then found up to date, a SQLite workspace
 * the same way, a connection string that is not PostgreSQL's refused as a usage mistake without
 * echoing its password; a SQLite workspace with data copied (dry run first, then for real) with
 * every table's count matching, the copy readable through the PostgreSQL store, and a second copy
 * into the now non-empty database refused.
 */
import { writeFile } from 'node:fs/promises';

import { afterAll, describe, expect, it } from 'vitest';

import { sharedPostgres } from '../../test/support/postgres.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../engine/store/migrations.js';
import { SYSTEM_DISPOSITIONS } from '../engine/store/migrations/001-initial.js';
import { openPostgresStore } from '../engine/store/postgres/store.js';
import { openSqliteStore } from '../engine/store/sqlite-store.js';
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

  it('copies a SQLite workspace into an empty PostgreSQL database, verified per table', async () => {
    const data = await tempDir();
    const sqlite = await openSqliteStore({ dataDir: data, now: () => 1_000 });
    const list = await sqlite.contacts.createList({ name: 'Leads' });
    await sqlite.contacts.upsertContacts(list.id, [
      { phone: '+8613800000001', name: '张伟', fields: { vip_level: 4 } },
      { phone: '+8613800000002' },
    ]);
    await sqlite.users.create({ username: 'ann', displayName: 'Ann', role: 'agent', skills: [] });
    await sqlite.users.setStatus(1, 'available');
    await sqlite.audit.add({ actor: 'amy', action: 'trunks.create', subject: 'main' });
    await sqlite.dispositions.upsert({
      code: 'sale',
      labelEn: 'Sale',
      labelZh: '成交',
      kind: 'agent',
      final: true,
    });
    await sqlite.close();
    const url = await (await sharedPostgres()).createDatabase();

    const dry = await cli([
      'db',
      'copy',
      '--from',
      `sqlite:${data}`,
      '--to',
      url,
      '--dry-run',
      '--json',
    ]);
    expect(dry.err).toBe('');
    expect(dry.code).toBe(0);
    const dryLines = dry.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(dryLines.at(-1)).toMatchObject({ event: 'db_copied', dryRun: true });
    const pgAfterDry = await openPostgresStore({ url });
    expect(await pgAfterDry.contacts.countContacts(list.id)).toBe(0);
    await pgAfterDry.close();

    const real = await cli(['db', 'copy', '--from', `sqlite:${data}`, '--to', url, '--json']);
    expect(real.code).toBe(0);
    const lines = real.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const counts = Object.fromEntries(
      lines.filter((l) => l.event === 'db_copy_table').map((l) => [l.table, [l.source, l.target]]),
    );
    expect(counts.contacts).toEqual([2, 2]);
    expect(counts.users).toEqual([1, 1]);
    // The status log as it was (two entries), not re-made by the insert trigger.
    expect(counts.agent_status_log).toEqual([2, 2]);
    expect(counts.dispositions).toEqual([
      SYSTEM_DISPOSITIONS.length + 1,
      SYSTEM_DISPOSITIONS.length + 1,
    ]);

    const pg = await openPostgresStore({ url });
    try {
      expect((await pg.contacts.contactByPhone(list.id, '+8613800000001'))?.fields).toEqual({
        vip_level: 4,
      });
      expect((await pg.dispositions.list()).at(-1)?.code).toBe('sale');
      // New rows continue after the copied ids.
      const next = await pg.contacts.createList({ name: 'More' });
      expect(next.id).toBe(list.id + 1);
      expect(await pg.audit.list()).toHaveLength(1);
    } finally {
      await pg.close();
    }

    const again = await cli(['db', 'copy', '--from', `sqlite:${data}`, '--to', url]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already holds data');
  });

  // Commands that open the store themselves (import, flow) use --database too.
  it('outbound import --database puts the contacts in the shared store, not in the workspace’s SQLite file', async () => {
    const url = await (await sharedPostgres()).createDatabase();
    const data = await tempDir();
    const csv = `${data}/leads.csv`;
    await writeFile(csv, 'name,phone\nAnn,+8613800000001\nBo,+8613800000002\n');
    const run = await cli(['import', csv, '--list', 'Leads', '--database', url, '--data', data]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(process.env.OUTBOUND_DATABASE).toBeUndefined();
    const pg = await openPostgresStore({ url });
    try {
      const list = (await pg.contacts.lists()).find((l) => l.name === 'Leads');
      expect(list).toBeDefined();
      expect(await pg.contacts.countContacts(list!.id)).toBe(2);
    } finally {
      await pg.close();
    }
    const sqlite = await openSqliteStore({ dataDir: data });
    try {
      expect((await sqlite.contacts.lists()).map((l) => l.name)).not.toContain('Leads');
    } finally {
      await sqlite.close();
    }
  });
});
