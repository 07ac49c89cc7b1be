/**
 * Schema 8 rebuilds `campaigns` (a CHECK cannot change in place): a database at schema 7 with a
 * campaign, its trunks, contacts and calls keeps every row and every reference, and a campaign
 * deleted afterwards still cascades to its children (their foreign keys still name `campaigns`).
 */
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { Database } from './database.js';
import { migrate, MIGRATIONS } from './migrations.js';
import { useTempDirs } from './testing/temp.js';

const tempDir = useTempDirs();

describe('migration 8 (predictive dialing)', () => {
  it('rebuilds campaigns keeping rows and the children’s references', async () => {
    const path = join(await tempDir(), 'seven.db');
    const db = await Database.open(path);
    try {
      await db.exec('PRAGMA foreign_keys = ON');
      expect(await migrate(db, { path, migrations: MIGRATIONS.slice(0, 7) })).toBe(7);
      await db.exec(`
        INSERT INTO contact_lists (id, name, default_region, created_at) VALUES (1, 'L', 'CN', 0);
        INSERT INTO contacts (id, list_id, phone, created_at, updated_at) VALUES (1, 1, '+8613800000001', 0, 0);
        INSERT INTO trunks (id, name, uri, domain, register, max_concurrent_calls, role, created_at, updated_at)
          VALUES (1, 'T', 'ws://127.0.0.1:1', 'x', 0, 2, 'primary', 0, 0);
        INSERT INTO campaigns (id, name, dialing_mode, list_id, max_concurrent_calls, created_at, updated_at, lines_per_agent, queue)
          VALUES (7, 'C', 'power', 1, 3, 0, 0, 2.5, 'sales');
        INSERT INTO campaign_trunks (campaign_id, trunk_id, priority) VALUES (7, 1, 0);
        INSERT INTO campaign_contacts (campaign_id, contact_id, status, next_at) VALUES (7, 1, 'pending', 0);
        INSERT INTO calls (id, campaign_id, contact_id, number, state, started_at) VALUES ('c1', 7, 1, '+8613800000001', 'queued', 0);
      `);
      expect(await migrate(db, { path })).toBe(MIGRATIONS.length);
      expect(await db.all('PRAGMA foreign_key_check')).toEqual([]);
      expect(
        await db.get('SELECT dialing_mode, lines_per_agent, queue, predictive FROM campaigns'),
      ).toEqual({ dialing_mode: 'power', lines_per_agent: 2.5, queue: 'sales', predictive: '{}' });
      const children = await db.all<{ sql: string }>(
        "SELECT sql FROM sqlite_schema WHERE name IN ('calls', 'campaign_trunks', 'campaign_contacts')",
      );
      for (const { sql } of children) expect(sql).not.toContain('campaigns_8');
      await db.run("UPDATE campaigns SET dialing_mode = 'predictive' WHERE id = 7");
      await expect(
        db.run("UPDATE campaigns SET dialing_mode = 'guess' WHERE id = 7"),
      ).rejects.toThrow(/CHECK/);
      await db.run(
        'INSERT INTO campaign_abandonment (campaign_id, minute, answered, abandoned) VALUES (7, 1, 3, 1)',
      );
      await db.run('DELETE FROM campaigns WHERE id = 7');
      expect(await db.get('SELECT count(*) AS n FROM campaign_contacts')).toEqual({ n: 0 });
      expect(await db.get('SELECT count(*) AS n FROM campaign_abandonment')).toEqual({ n: 0 });
      expect(await db.get('SELECT campaign_id FROM calls')).toEqual({ campaign_id: null });
    } finally {
      await db.close();
    }
  });
});
