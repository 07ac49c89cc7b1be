/**
 * The dialer and History beside a 1,000,000-row import: the same dialer pass as dialer.bench.ts (a
 * running campaign over a list of a million, 200 contacts judged per pass) and History's calls
 * query (newest 50 of 20,000 calls filtered by outcome, with the total), timed first alone and then
 * while a 1,000,000-row CSV import into another list runs in the same process on the same store.
 * The ratio of the medians is the cost the import puts on them (goal: under 2×).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { importContactsFromFile } from '../electron/engine/contacts/index.js';
import { openSqliteStore } from '../electron/engine/store/sqlite-store.js';
import { createBenchCampaign, createBenchDialer } from './campaign-fixture.js';
import { type BenchRow, type BenchSuite, ms, percentile, perSecond } from './harness.js';
import { writeCsv } from './import.bench.js';

const CONTACTS = Number(process.env.OUTBOUND_BENCH_DIALER_CONTACTS ?? 1_000_000);
const IMPORT_ROWS = Number(process.env.OUTBOUND_BENCH_IMPORT_ROWS ?? 1_000_000);
const BASELINE_SAMPLES = 100;
const HISTORY_CALLS = 20_000;
const NOW = Date.parse('2026-11-25T02:00:00Z'); // Wednesday 10:00 in Shanghai

const suite: BenchSuite = {
  title: 'Dialer and History during a large import',
  method: `One store: a running campaign over ${CONTACTS.toLocaleString('en-US')} contacts (as in "Dialer decisions") and ${HISTORY_CALLS.toLocaleString('en-US')} finished calls. Dialer pass (200 judged, leases written; leased calls ended untimed between passes) and History's calls.list (newest 50 filtered by outcome, with the total; on the read connection) are timed alternately, ${BASELINE_SAMPLES} times each alone, then for as long as a ${IMPORT_ROWS.toLocaleString('en-US')}-row CSV import (import.bench.ts's file) into a new list runs in the same process. Medians and p95; ratio = during / alone (goal: under 2×).`,
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'outbound-bench-beside-'));
    const store = await openSqliteStore({ dataDir: join(dir, 'data') });
    try {
      const file = join(dir, 'contacts.csv');
      await writeCsv(file, IMPORT_ROWS);
      const list = await store.contacts.createList({ name: 'dialing', defaultRegion: 'CN' });
      await store.database.exec(`
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${CONTACTS - 1})
        INSERT INTO contacts (list_id, phone, name, time_zone, fields, created_at, updated_at)
        SELECT ${list.id}, '+86137' || printf('%08d', i), 'contact ' || i, NULL, '{}', 0, 0 FROM n;
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${HISTORY_CALLS - 1})
        INSERT INTO calls (id, number, state, outcome, started_at, ended_at)
        SELECT 'history-' || i, '+86139' || printf('%08d', i), 'done', CASE WHEN i % 3 = 0 THEN 'busy' ELSE 'completed' END,
               ${NOW - 86_400_000} + i * 1000, ${NOW - 86_400_000} + i * 1000 + 30000 FROM n;`);
      const { campaignId, trunkId } = await createBenchCampaign(store, list.id);
      await store.campaignContacts.enroll(campaignId, list.id);
      await store.campaigns.setStatus(campaignId, 'running');
      const running = (await store.campaignContacts.getCampaign(campaignId))!;
      const dialer = createBenchDialer(store, trunkId, NOW);

      const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
      interface Samples {
        pass: number[];
        history: number[];
      }
      const round = async (into: Samples) => {
        let start = process.hrtime.bigint();
        if (!(await dialer.pass(running, { dial: false }))) throw new Error('no free line');
        into.pass.push(elapsedMs(start));
        // Untimed: the leased calls end (busy) and their contacts are put aside, so lines stay free.
        await store.database.exec(`
          UPDATE calls SET state = 'done', outcome = 'busy', ended_at = ${NOW} WHERE state = 'queued';
          UPDATE campaign_contacts SET status = 'done', lease_call_id = NULL, leased_at = NULL, done_reason = 'bench' WHERE status = 'leased';`);
        start = process.hrtime.bigint();
        await store.calls.list({ limit: 50, offset: 0, outcome: 'busy' });
        into.history.push(elapsedMs(start));
      };
      for (let i = 0; i < 10; i++) await round({ pass: [], history: [] });
      const alone: Samples = { pass: [], history: [] };
      for (let i = 0; i < BASELINE_SAMPLES; i++) await round(alone);

      const during: Samples = { pass: [], history: [] };
      let finished = false;
      const started = process.hrtime.bigint();
      const importing = importContactsFromFile(store, { file, listName: 'imported' }).finally(
        () => (finished = true),
      );
      while (!finished) await round(during);
      const result = await importing;
      const importSeconds = elapsedMs(started) / 1000;
      await dialer.stop();
      if (result.accepted !== IMPORT_ROWS)
        throw new Error(`expected ${IMPORT_ROWS} accepted, got ${result.accepted}`);

      const row = (name: string, a: number[], d: number[]): BenchRow => {
        a.sort((x, y) => x - y);
        d.sort((x, y) => x - y);
        const [medianAlone, medianDuring] = [percentile(a, 50), percentile(d, 50)];
        return {
          name,
          values: {
            'median alone': ms(medianAlone),
            'median during import': ms(medianDuring),
            'ratio (median)': `${(medianDuring / medianAlone).toFixed(2)}×`,
            'p95 alone / during': `${ms(percentile(a, 95))} / ${ms(percentile(d, 95))}`,
            samples: `${a.length} / ${d.length}`,
          },
        };
      };
      return [
        row(
          `dialer pass over ${CONTACTS.toLocaleString('en-US')} contacts (200 judged)`,
          alone.pass,
          during.pass,
        ),
        row(
          `History: newest 50 of ${HISTORY_CALLS.toLocaleString('en-US')}+ calls by outcome, with total`,
          alone.history,
          during.history,
        ),
        {
          name: `the import beside them: ${IMPORT_ROWS.toLocaleString('en-US')} rows`,
          values: {
            'median alone': '',
            'median during import': `${importSeconds.toFixed(1)} s (${perSecond(IMPORT_ROWS / importSeconds)})`,
            'ratio (median)': '',
            'p95 alone / during': '',
            samples: '',
          },
        },
      ];
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
export default suite;
