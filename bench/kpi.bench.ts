/**
 * The wallboard's and the reports' queries (store/repositories/kpi.ts) over 1,000,000 stored
 * calls: the rows are generated inside SQLite (recursive CTEs, one transaction per table) into a
 * temporary workspace that is removed afterwards, then each query is timed many times.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { KpiService } from '../electron/engine/kpi/index.js';
import { silentLogger } from '../electron/engine/log.js';
import { openSqliteStore } from '../electron/engine/store/sqlite-store.js';
import { type BenchRow, type BenchSuite, ms, time } from './harness.js';

const CALLS = 1_000_000;
const DAYS = 30;
const CAMPAIGNS = 5;
const AGENTS = 20;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const suite: BenchSuite = {
  title: 'Wallboard KPIs (1,000,000 calls)',
  method: `${CALLS.toLocaleString('en-US')} calls over the last ${DAYS} days (${Math.round(CALLS / DAYS).toLocaleString('en-US')} a day, ${CAMPAIGNS} campaigns; half answered, with three bot lines (two replies with their latency) and two scored customer answers each; 5 % transferred with their agent and wrap-up transitions, 5 % abandoned), ${AGENTS} agents changing status every 5 minutes, generated in SQLite into a temporary file. Each query is the store's (calls in the window through the covering index calls_kpi, per-call indexes for transitions, answers and replies; percentiles read from a histogram SQLite groups per distinct latency), run on the read-only connection; p50 and p95 over repeated runs. "Wallboard" is the whole kpi.wallboard answer: three windows in total and per campaign, agents' time and states.`,
  async run() {
    const dataDir = await mkdtemp(join(tmpdir(), 'outbound-bench-kpi-'));
    const store = await openSqliteStore({ dataDir });
    try {
      const now = Date.now();
      const generated = await generate(store.database, now);
      const size = (await stat(store.path)).size;
      const window = (span: number) => () => store.kpi.window({ from: now - span, to: now });
      const kpi = new KpiService({
        store,
        log: silentLogger,
        timeZone: () => Promise.resolve('Asia/Shanghai'),
        push: () => undefined,
        now: () => now, // the generated calls end at \`now\`; the generation itself takes minutes
      });
      const rows: BenchRow[] = [];
      const add = async (name: string, fn: () => Promise<unknown>, samples: number) => {
        const t = await time(fn, samples, 2);
        rows.push({
          name,
          values: { p50: ms(t.medianMs), p95: ms(t.p95Ms), runs: String(samples) },
        });
      };
      await add(
        `window: last 15 min (${Math.round(CALLS / DAYS / 96)} calls)`,
        window(15 * MIN),
        60,
      );
      await add(`window: last hour (${Math.round(CALLS / DAYS / 24)} calls)`, window(HOUR), 40);
      await add(`window: a full day (${Math.round(CALLS / DAYS)} calls)`, window(DAY), 12);
      await add(
        'agents: time per status over a day',
        () => store.kpi.agentTime({ from: now - DAY, to: now }),
        30,
      );
      await add('wallboard (kpi.wallboard: 15 min, 1 h, today so far)', () => kpi.wallboard(), 12);
      const days = Array.from({ length: DAYS }, (_, i) => ({
        from: now - (DAYS - i) * DAY,
        to: now - (DAYS - i - 1) * DAY,
      }));
      await add(`report: ${DAYS} days, per day`, () => store.kpi.days(days), 3);
      await add(`report: ${DAYS} days, one campaign`, () => store.kpi.days(days, 1), 3);
      kpi.stop();
      rows.push({
        name: 'generating the database',
        values: {
          p50: `${(generated / 1000).toFixed(1)} s`,
          p95: '',
          runs: `${(size / 2 ** 20).toFixed(0)} MiB file`,
        },
      });
      return rows;
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};

export default suite;

/** Fills the store in SQLite itself; returns the ms it took. */
async function generate(
  db: Awaited<ReturnType<typeof openSqliteStore>>['database'],
  now: number,
): Promise<number> {
  const started = performance.now();
  const first = now - DAYS * DAY;
  const step = (DAYS * DAY) / CALLS;
  const seq = (n: number) =>
    `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n - 1})`;
  await db.exec(`
    PRAGMA cache_size = -200000;
    INSERT INTO flows (name, language, created_at, updated_at) VALUES ('bench', 'zh-CN', 0, 0);
    INSERT INTO flow_versions (flow_id, version, definition, created_at) VALUES (1, 1, '{}', 0);
  `);
  await db.transaction(async (tx) => {
    for (let c = 1; c <= CAMPAIGNS; c++)
      await tx.run(
        `INSERT INTO campaigns (name, dialing_mode, max_concurrent_calls, created_at, updated_at) VALUES ($name, 'agentless', 10, 0, 0)`,
        { $name: `Campaign ${c}` },
      );
    // Twenty outcomes in a cycle: 6 no answer, 2 busy, 1 failed, 8 bot-completed, 1 transferred, 1 abandoned, 1 invalid.
    await tx.exec(`${seq(CALLS)}
      INSERT INTO calls (id, campaign_id, number, state, outcome, disposition_code, flow_id, flow_version,
                         started_at, answered_at, ended_at, transfer_reason)
      SELECT 'c' || i, 1 + i % ${CAMPAIGNS}, '+86138' || printf('%08d', i), 'done',
        CASE WHEN i % 20 < 6 THEN 'no_answer' WHEN i % 20 < 8 THEN 'busy' WHEN i % 20 = 8 THEN 'failed'
             WHEN i % 20 < 17 THEN 'completed' WHEN i % 20 = 17 THEN 'transferred' WHEN i % 20 = 18 THEN 'completed'
             ELSE 'invalid_number' END,
        CASE WHEN i % 20 = 18 THEN 'abandoned' END,
        1, 1, s, CASE WHEN i % 20 BETWEEN 9 AND 18 THEN s + 8000 END, s + 60000,
        CASE WHEN i % 20 IN (17, 18) THEN 'asked for a person' END
      FROM (SELECT i, CAST(${first} + i * ${step} AS INTEGER) AS s FROM seq)`);
  });
  await db.transaction(async (tx) => {
    // Every answered call: a greeting, two replies with their latency, two scored answers.
    await tx.exec(`
      INSERT INTO utterances (call_id, speaker, text, start_ms, end_ms, reply_latency_ms, intent, confidence)
      SELECT c.id, u.speaker, u.text, u.start_ms, u.start_ms + 1500,
        CASE WHEN u.reply THEN 250 + (c.rowid * 7919 + u.start_ms) % 650 END,
        CASE WHEN u.speaker = 'customer' AND (c.rowid + u.start_ms) % 10 <> 0 THEN 'yes' END,
        CASE WHEN u.speaker = 'customer' THEN ((c.rowid * 31 + u.start_ms) % 1000) / 1000.0 END
      FROM calls c
      JOIN (SELECT 'bot' AS speaker, '您好' AS text, 0 AS start_ms, 0 AS reply
            UNION ALL SELECT 'customer', '是的', 3000, 0
            UNION ALL SELECT 'bot', '好的', 5000, 1
            UNION ALL SELECT 'customer', '可以', 9000, 0
            UNION ALL SELECT 'bot', '再见', 11000, 1) u
      WHERE c.answered_at IS NOT NULL`);
  });
  await db.transaction(async (tx) => {
    await tx.exec(`
      INSERT INTO call_transitions (call_id, from_state, to_state, at)
      SELECT id, 'queued', 'dialing', started_at FROM calls;
      INSERT INTO call_transitions (call_id, from_state, to_state, at)
      SELECT c.id, t.f, t.t, c.answered_at + t.d FROM calls c
      JOIN (SELECT 'transferring' AS f, 'agent' AS t, 20000 AS d
            UNION ALL SELECT 'agent', 'wrap_up', 52000
            UNION ALL SELECT 'wrap_up', 'done', 80000) t
      WHERE c.outcome = 'transferred';
      INSERT INTO call_transitions (call_id, from_state, to_state, at)
      SELECT id, 'bot', 'done', ended_at FROM calls WHERE outcome <> 'transferred';
      INSERT INTO utterance_labels (call_id, start_ms, end_ms, flow_id, flow_version, node_id, intent, clip_path, clip_ms, source, labelled_by, labelled_at)
      SELECT id, 3000, 4500, 1, 1, 'ask', 'yes', 'labelled/' || id || '.wav', 1500, 'history', 'admin', 0
      FROM calls WHERE answered_at IS NOT NULL AND rowid % 997 = 0;`);
  });
  await db.transaction(async (tx) => {
    for (let a = 1; a <= AGENTS; a++)
      await tx.run(
        `INSERT INTO users (username, display_name, role, created_at) VALUES ($u, $u, 'agent', ${first - DAY})`,
        { $u: `agent${a}` },
      );
    // Every 5 minutes, each agent's next status in a cycle (the log, as the triggers would write it).
    const changes = (DAYS * DAY) / (5 * MIN);
    await tx.exec(`${seq(changes)}
      INSERT INTO agent_status_log (user_id, status, at)
      SELECT u.id,
        CASE (i + u.id) % 6 WHEN 0 THEN 'available' WHEN 1 THEN 'offered' WHEN 2 THEN 'on_call'
          WHEN 3 THEN 'wrap_up' WHEN 4 THEN 'available' ELSE 'away' END,
        ${first} + i * ${5 * MIN} + u.id * 1000
      FROM seq CROSS JOIN users u`);
  });
  return performance.now() - started;
}
