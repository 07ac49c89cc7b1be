/**
 * Dialer decisions with 1,000,000 contacts: a running campaign over a list of a million (a quarter in
 * New York, outside the calling window at the frozen clock; the rest in Shanghai, inside it; 1 % on
 * the DNC list), judged by the real dialer passes on a real SQLite file: each pass reads the next
 * 200 due contacts, their call history and DNC entries, runs the policy on each, and in the same
 * transaction leases the callable ones with their call rows (up to 200 free lines), defers the rest
 * to their next eligible time or finishes them. Between passes the leased calls are ended (untimed),
 * so every pass has free lines. Also: adding the million contacts to the campaign (start).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openSqliteStore } from '../electron/engine/store/sqlite-store.js';
import { createBenchCampaign, createBenchDialer } from './campaign-fixture.js';
import { type BenchRow, type BenchSuite, ms, percentile, perSecond } from './harness.js';

const CONTACTS = Number(process.env.OUTBOUND_BENCH_DIALER_CONTACTS ?? 1_000_000);
const PASSES = Number(process.env.OUTBOUND_BENCH_DIALER_PASSES ?? 200);
const NOW = Date.parse('2026-11-25T02:00:00Z'); // Wednesday 10:00 in Shanghai, Tuesday 21:00 in New York

const suite: BenchSuite = {
  title: 'Dialer decisions',
  method: `A running campaign over ${CONTACTS.toLocaleString('en-US')} contacts (25 % in New York, outside the 09:00–20:00 window at the frozen clock; 75 % in Shanghai, inside it; 1 % on the DNC list) on a real SQLite file. ${PASSES} timed dialer passes, each judging the next 200 due contacts with the compliance policy in one transaction (history and DNC reads, leases with their call rows for the callable ones, next eligible time for the rest); leased calls are ended between passes (untimed). Decisions per second from the median pass; also the time to add the million contacts to the campaign when it starts.`,
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'outbound-bench-dialer-'));
    const store = await openSqliteStore({ dataDir: dir });
    try {
      const list = await store.contacts.createList({ name: 'bench', defaultRegion: 'CN' });
      // Generated in SQL: the import has its own benchmark; this one is about the dialer.
      await store.database.exec(`
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${CONTACTS - 1})
        INSERT INTO contacts (list_id, phone, name, time_zone, fields, created_at, updated_at)
        SELECT ${list.id}, '+86138' || printf('%08d', i), 'contact ' || i, CASE WHEN i % 4 = 0 THEN 'America/New_York' END, '{}', 0, 0 FROM n;
        INSERT INTO dnc_entries (phone, reason, source, created_at) SELECT phone, 'bench', 'api', 0 FROM contacts WHERE id % 100 = 7;`);
      const { campaignId, trunkId } = await createBenchCampaign(store, list.id);
      const enrollStart = process.hrtime.bigint();
      const { added } = await store.campaignContacts.enroll(campaignId, list.id);
      const enrollMs = Number(process.hrtime.bigint() - enrollStart) / 1e6;
      await store.campaigns.setStatus(campaignId, 'running');
      const running = (await store.campaignContacts.getCampaign(campaignId))!;

      const dialer = createBenchDialer(store, trunkId, NOW);
      const durations: number[] = [];
      const totals = { judged: 0, leased: 0, deferred: 0, finished: 0 };
      for (let i = 0; i < PASSES + 10; i++) {
        const start = process.hrtime.bigint();
        const result = await dialer.pass(running, { dial: false });
        const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
        if (!result) throw new Error('a pass found no free line');
        if (i >= 10) {
          durations.push(elapsed);
          for (const key of Object.keys(totals) as Array<keyof typeof totals>)
            totals[key] += result[key];
        }
        // Untimed: the calls just leased end (busy) and their contacts are put aside, so lines stay free.
        await store.database.exec(`
          UPDATE calls SET state = 'done', outcome = 'busy', ended_at = ${NOW} WHERE state = 'queued';
          UPDATE campaign_contacts SET status = 'done', lease_call_id = NULL, leased_at = NULL, done_reason = 'bench' WHERE status = 'leased';`);
      }
      await dialer.stop();
      durations.sort((a, b) => a - b);
      const median = percentile(durations, 50);
      const perPass = totals.judged / PASSES;
      const rows: BenchRow[] = [
        {
          name: `dialer pass over ${CONTACTS.toLocaleString('en-US')} contacts (200 judged per pass)`,
          values: {
            'pass median': ms(median),
            'pass p95': ms(percentile(durations, 95)),
            'decisions/s (median pass)': perSecond((perPass / median) * 1000),
            'leased / deferred / finished': `${totals.leased} / ${totals.deferred} / ${totals.finished}`,
          },
        },
        {
          name: `campaign start: add ${added.toLocaleString('en-US')} contacts (INSERT … SELECT)`,
          values: {
            'pass median': ms(enrollMs),
            'pass p95': '',
            'decisions/s (median pass)': '',
            'leased / deferred / finished': '',
          },
        },
      ];
      return rows;
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
export default suite;
