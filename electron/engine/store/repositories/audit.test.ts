import { join } from 'node:path';

import { expect, it } from 'vitest';

import { Database } from '../database.js';
import { migrate, MIGRATIONS } from '../migrations.js';
import { openSqliteStore } from '../sqlite-store.js';
import { describeBackends } from '../testing/backends.js';
import { useTempDirs } from '../testing/temp.js';

const tempDir = useTempDirs();

describeBackends('audit repository', (testStore, backend) => {
  it('records entries and lists them newest first with paging', async () => {
    const store = await testStore({ now: () => 5_000 });
    await store.audit.add({
      actor: 'amy',
      actorId: 7,
      role: 'admin',
      source: 'ws',
      address: '127.0.0.1',
      action: 'campaign.start',
      subject: 'Renewals',
      details: { from: 'draft' },
    });
    await store.audit.add({ actor: 'engine', action: 'engine.start', subject: null });
    await store.audit.add({ actor: 'cli', action: 'contacts.import', subject: 'Leads', at: 1_234 });
    const entries = await store.audit.list();
    const plain = { actorId: null, role: null, source: 'engine', address: null, details: {} };
    expect(entries.map(({ id: _id, ...rest }) => rest)).toEqual([
      { ...plain, at: 1_234, actor: 'cli', action: 'contacts.import', subject: 'Leads' },
      { ...plain, at: 5_000, actor: 'engine', action: 'engine.start', subject: null },
      {
        at: 5_000,
        actor: 'amy',
        actorId: 7,
        role: 'admin',
        source: 'ws',
        address: '127.0.0.1',
        action: 'campaign.start',
        subject: 'Renewals',
        details: { from: 'draft' },
      },
    ]);
    expect((await store.audit.list({ limit: 1, offset: 2 })).map((e) => e.actor)).toEqual(['amy']);
  });

  it('filters by actor, actions, subject and a time range, and counts the same', async () => {
    const store = await testStore();
    const rows = [
      { at: 1_000, actor: 'amy', action: 'trunks.create', subject: 'main' },
      { at: 2_000, actor: 'bo', action: 'trunks.update', subject: 'main' },
      { at: 3_000, actor: 'amy', action: 'dnc.add', subject: '+8613800000000' },
      { at: 4_000, actor: 'amy', action: 'trunks.remove', subject: 'backup' },
      { at: 5_000, actor: 'bo', action: 'settings.update', subject: null },
    ];
    for (const row of rows) await store.audit.add(row);
    const actions = async (query: Parameters<typeof store.audit.list>[0]) =>
      (await store.audit.list(query)).map((e) => e.action);
    expect(await actions({ actor: 'amy' })).toEqual(['trunks.remove', 'dnc.add', 'trunks.create']);
    expect(
      await actions({ actions: ['trunks.create', 'trunks.update', 'trunks.remove'], actor: 'amy' }),
    ).toEqual(['trunks.remove', 'trunks.create']);
    expect(await actions({ subject: 'main' })).toEqual(['trunks.update', 'trunks.create']);
    // from inclusive, to exclusive.
    expect(await actions({ from: 2_000, to: 4_000 })).toEqual(['dnc.add', 'trunks.update']);
    expect(await actions({ actions: [] })).toEqual([]);
    expect(await actions({ actor: 'bo', limit: 1, offset: 1 })).toEqual(['trunks.update']);
    expect(await store.audit.count()).toBe(5);
    expect(await store.audit.count({ actor: 'amy', from: 2_000 })).toBe(2);
    expect(await store.audit.count({ actions: ['nothing.like.this'] })).toBe(0);
  });

  it('cannot be changed or deleted, not even with SQL', async () => {
    const store = await testStore();
    await store.audit.add({ actor: 'amy', action: 'trunks.create', subject: 'main' });
    expect(Object.keys(store.audit).sort()).toEqual(['add', 'count', 'list']);
    await expect(store.database.run("UPDATE audit_log SET actor = 'mallory'")).rejects.toThrow(
      /audit entries cannot be changed/,
    );
    await expect(store.database.run('DELETE FROM audit_log')).rejects.toThrow(
      /audit entries cannot be deleted/,
    );
    // Inside a transaction the refusal rolls back the whole transaction.
    await expect(
      store.transaction(async (tx) => {
        await tx.audit.add({ actor: 'amy', action: 'dnc.add', subject: '+1' });
        await store.database.run('DELETE FROM audit_log WHERE id = 1');
      }),
    ).rejects.toThrow(/cannot be deleted/);
    const left = await store.audit.list();
    expect(left.map((e) => [e.actor, e.action])).toEqual([['amy', 'trunks.create']]);
  });

  // SQLite's plans; PostgreSQL plans by its own statistics (the same indexes exist there).
  it.skipIf(backend === 'postgres')('uses its indexes for the filters', async () => {
    const store = await testStore();
    const plan = async (where: string) =>
      (
        await store.database.all<{ detail: string }>(
          `EXPLAIN QUERY PLAN SELECT count(*) FROM audit_log WHERE ${where}`,
        )
      )
        .map((row) => row.detail)
        .join('; ');
    expect(await plan("actor = 'amy'")).toMatch(/audit_log_by_actor/);
    // As the repository asks (one JSON parameter for any number of actions).
    expect(await plan(`action IN (SELECT value FROM json_each('["a","b"]'))`)).toMatch(
      /audit_log_by_action/,
    );
    expect(await plan('at >= 5 AND at < 10')).toMatch(/audit_log_by_at/);
  });

  // Schema 6 is SQLite history: PostgreSQL databases start at schema 11.
  it.skipIf(backend === 'postgres')(
    'migrating to schema 6 keeps older entries and names where they came from',
    async () => {
      const dir = await tempDir();
      const path = join(dir, 'outbound.db');
      const db = await Database.open(path);
      await migrate(db, { path, migrations: MIGRATIONS.slice(0, 5) });
      for (const actor of ['desktop', 'console', 'cli', 'engine'])
        await db.run(
          "INSERT INTO audit_log (at, actor, action, subject) VALUES (1, $actor, 'settings.update', NULL)",
          { $actor: actor },
        );
      await db.close();
      const store = await openSqliteStore({ dataDir: dir });
      try {
        expect(store.schemaVersion).toBeGreaterThanOrEqual(6);
        expect(
          (await store.audit.list()).map((e) => [e.actor, e.source, e.actorId, e.role]).reverse(),
        ).toEqual([
          ['desktop', 'ipc', null, null],
          ['console', 'ws', null, null],
          ['cli', 'cli', null, null],
          ['engine', 'engine', null, null],
        ]);
      } finally {
        await store.close();
      }
    },
  );
});
