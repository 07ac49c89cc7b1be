/**
 * A hang-up's write beside bulk work, on both backends: how long the store takes to store a
 * call's end (CallSession's end transaction: the call row to done with its outcome, SIP code and
 * reason, plus its recording row) while a 100,000-row CSV import runs, History reads newest pages
 * and transcript searches over 20,000 calls, and 20 other live calls append events, all in the same
 * process on the same store. Hang-ups are issued one every 25 ms, alternately as a plain write (the
 * store's FIFO lane, as before) and inside `urgently` (what CallSession does now), so both see the
 * same load at the same moments; the same with no load first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { importContactsFromFile } from '../electron/engine/contacts/index.js';
import type { SqlExecutor } from '../electron/engine/store/database.js';
import { urgently } from '../electron/engine/store/index.js';
import { openPostgresStore } from '../electron/engine/store/postgres/store.js';
import { openSqliteStore } from '../electron/engine/store/sqlite-store.js';
import type { Store } from '../electron/engine/store/types.js';
import { startPostgres } from '../test/support/postgres.js';
import { type BenchRow, type BenchSuite, ms, percentile } from './harness.js';
import { writeCsv } from './import.bench.js';

const IMPORT_ROWS = Number(process.env.OUTBOUND_BENCH_HANGUP_IMPORT_ROWS ?? 100_000);
const HISTORY_CALLS = 20_000;
const LIVE_CALLS = 20;
const HANGUP_EVERY_MS = 100;
const ALONE_SAMPLES = 60;
const NOW = Date.parse('2026-11-25T02:00:00Z');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Phase {
  plain: number[];
  urgent: number[];
}

/** A store and the executor beneath it, for bulk seeding in the backend's own SQL. */
interface BenchStore {
  store: Store;
  database: SqlExecutor;
}

/** History's 20,000 finished calls (every 10th with a customer line), in bulk SQL. */
async function seedHistory({ database }: BenchStore): Promise<void> {
  const postgres = database.dialect.name === 'postgres';
  const n = postgres
    ? `generate_series(0, ${HISTORY_CALLS - 1}) AS n(i)`
    : `(WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${HISTORY_CALLS - 1}) SELECT i FROM n) AS n`;
  const pad = postgres ? "lpad(i::text, 8, '0')" : "printf('%08d', i)";
  await database.exec(`
    INSERT INTO calls (id, number, state, outcome, started_at, ended_at)
    SELECT 'history-' || i, '+86139' || ${pad}, 'done', CASE WHEN i % 3 = 0 THEN 'busy' ELSE 'completed' END,
           ${NOW - 86_400_000} + i * 1000, ${NOW - 86_400_000} + i * 1000 + 30000 FROM ${n};
    INSERT INTO utterances (call_id, speaker, text, start_ms, end_ms)
    SELECT 'history-' || i, 'customer', CASE WHEN i % 70 = 0 THEN '我明天还' ELSE '我已经还了' END, 2500, 3400
      FROM ${n} WHERE i % 10 = 0;`);
}

/** Stored calls to hang up, each in 'bot' (answered). */
async function seedLive({ store }: BenchStore, count: number): Promise<string[]> {
  const ids: string[] = [];
  await store.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      const id = `live-${i}`;
      await tx.calls.create({
        id,
        number: `+86138${String(i).padStart(8, '0')}`,
        startedAt: NOW,
        state: 'dialing',
      });
      await tx.calls.update(id, { state: 'answered', answeredAt: NOW + 3_000 });
      await tx.calls.update(id, { state: 'bot' });
      ids.push(id);
    }
  });
  return ids;
}

/** CallSession's end write: the call done with its outcome, and its recording, in one transaction. */
function hangUp(store: Store, id: string): Promise<void> {
  return store.transaction(async (tx) => {
    await tx.calls.update(id, {
      state: 'done',
      outcome: 'completed',
      sipCode: 200,
      sipReason: 'OK',
      endedAt: NOW + 60_000,
      endReason: 'hung up by the customer',
    });
    await tx.calls.addRecording({
      callId: id,
      path: `recordings/${id}.wav`,
      channels: 2,
      sampleRate: 16_000,
      durationMs: 57_000,
      bytes: 3_648_044,
    });
  });
}

/** Hang-ups every HANGUP_EVERY_MS, alternately plain and urgent, until `until()` is true. */
async function hangUps(
  store: Store,
  ids: string[],
  into: Phase,
  until: () => boolean,
): Promise<void> {
  const pending: Array<Promise<void>> = [];
  for (let n = 0; !until() && ids.length > 0; n++) {
    const id = ids.shift()!;
    const urgent = n % 2 === 1;
    const start = performance.now();
    const done = (urgent ? urgently(() => hangUp(store, id)) : hangUp(store, id)).then(() => {
      (urgent ? into.urgent : into.plain).push(performance.now() - start);
    });
    pending.push(done);
    await sleep(HANGUP_EVERY_MS);
  }
  await Promise.all(pending);
}

async function measure(bench: BenchStore, dir: string, label: string): Promise<BenchRow[]> {
  const { store } = bench;
  await seedHistory(bench);
  const ids = await seedLive(bench, 2_000);
  const alone: Phase = { plain: [], urgent: [] };
  let n = 0;
  await hangUps(store, ids, alone, () => n++ >= ALONE_SAMPLES);

  const file = join(dir, 'contacts.csv');
  await writeCsv(file, IMPORT_ROWS);
  let finished = false;
  const started = performance.now();
  const importing = importContactsFromFile(store, { file, listName: 'imported' }).finally(
    () => (finished = true),
  );
  // History: the newest page with its total, by outcome, and a transcript search, over and over.
  let reads = 0;
  const history = (async () => {
    while (!finished) {
      await store.calls.list({ limit: 50, offset: 0 });
      await store.calls.list({ limit: 50, offset: 0, outcome: 'busy' });
      await store.calls.list({ limit: 50, offset: 0, search: '明天' });
      reads += 3;
    }
  })();
  // Other live calls' events, as their CallSessions append them (plain writes).
  let events = 0;
  const live = (async () => {
    while (!finished) {
      await Promise.all(
        Array.from({ length: LIVE_CALLS }, (_, i) =>
          store.calls.appendEvent(`history-${i}`, {
            at: Date.now(),
            type: 'playback',
            data: { frames: 50 },
          }),
        ),
      );
      events += LIVE_CALLS;
      await sleep(100);
    }
  })();
  const during: Phase = { plain: [], urgent: [] };
  await hangUps(store, ids, during, () => finished);
  const result = await importing;
  await Promise.all([history, live]);
  const importS = (performance.now() - started) / 1000;
  if (result.accepted !== IMPORT_ROWS)
    throw new Error(`expected ${IMPORT_ROWS} accepted, got ${result.accepted}`);

  const row = (name: string, phase: Phase): BenchRow => {
    const p = [...phase.plain].sort((a, b) => a - b);
    const u = [...phase.urgent].sort((a, b) => a - b);
    return {
      name: `${label}: ${name}`,
      values: {
        'median plain (before)': ms(percentile(p, 50)),
        'p95 plain (before)': ms(percentile(p, 95)),
        'median urgent (now)': ms(percentile(u, 50)),
        'p95 urgent (now)': ms(percentile(u, 95)),
        'p95 ratio plain / urgent': `${(percentile(p, 95) / percentile(u, 95)).toFixed(1)}×`,
        samples: `${p.length} / ${u.length}`,
      },
    };
  };
  return [
    row('hang-up write, store idle', alone),
    row(
      `hang-up write beside the import (${IMPORT_ROWS.toLocaleString('en-US')} rows in ${importS.toFixed(1)} s), ${reads.toLocaleString('en-US')} History reads and ${events.toLocaleString('en-US')} other calls' events`,
      during,
    ),
  ];
}

const suite: BenchSuite = {
  title: "Store: a hang-up's write beside an import and History",
  method: `CallSession's end transaction (the call to done with outcome, SIP code and reason, and its recording row) timed from the call to its commit, one every ${HANGUP_EVERY_MS} ms, alternately as a plain write (the store's one FIFO lane, as before) and inside \`urgently\` (ahead of queued work that is not urgent; on PostgreSQL on a lane of its own beside the writer's), first with the store idle (${ALONE_SAMPLES} hang-ups), then while a ${IMPORT_ROWS.toLocaleString('en-US')}-row CSV import (import.bench.ts's file, staged and merged 1,000 rows per statement and transaction) runs, History reads the newest 50 of ${HISTORY_CALLS.toLocaleString('en-US')} calls with the total, by outcome and by transcript text in a loop, and ${LIVE_CALLS} other live calls append an event each every 100 ms, all in one process on one store. SQLite: the workspace file (WAL). PostgreSQL: a throwaway cluster on loopback (test/support/postgres.ts), the store's default pool. Medians and p95; ratio = p95 plain / p95 urgent.`,
  async run() {
    const rows: BenchRow[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'outbound-bench-hangup-'));
    try {
      const sqlite = await openSqliteStore({ dataDir: join(dir, 'data') });
      try {
        rows.push(...(await measure({ store: sqlite, database: sqlite.database }, dir, 'SQLite')));
      } finally {
        await sqlite.close();
      }
      const cluster = await startPostgres();
      try {
        const pgStore = await openPostgresStore({
          url: await cluster.createDatabase('bench_hangup'),
        });
        try {
          rows.push(
            ...(await measure({ store: pgStore, database: pgStore.database }, dir, 'PostgreSQL')),
          );
        } finally {
          await pgStore.close();
        }
      } finally {
        await cluster.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    rows.push({
      name: 'load average at the end',
      values: {
        'median plain (before)': loadavg()
          .map((l) => l.toFixed(1))
          .join(' '),
      },
    });
    return rows;
  },
};
export default suite;
