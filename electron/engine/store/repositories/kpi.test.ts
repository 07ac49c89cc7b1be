/**
 * The KPI queries against a real SQLite file holding a known set of calls, answers, replies,
 * labels and agent status changes; every expected number is worked out by hand in the comments.
 * Also: the queries' plans use schema 7's indexes, and the status log's triggers record changes.
 */
import { expect, it } from 'vitest';

import { describeBackends, type TestStore } from '../testing/backends.js';
import { AGENT_TIME_SQL, daysSource, kpiStatements, windowSource } from './kpi.js';

const T0 = Date.UTC(2026, 11, 6, 2, 0, 0); // 10:00 in Shanghai
const MIN = 60_000;
const HOUR = 60 * MIN;

interface CallSpec {
  id: string;
  campaign: 'A' | 'B' | null;
  at: number;
  state?: string;
  outcome?: string | null;
  answered?: boolean;
  flow?: boolean;
  transferReason?: string;
  disposition?: string;
  /** ms from the answer: the agent's takeover, the hang-up, the wrap-up's end. */
  agentAt?: number;
  endAt?: number;
  doneAt?: number;
  replies?: number[];
  /** [start ms, confidence, intent] */
  answers?: Array<[number, number, string | null]>;
}

async function seed(store: TestStore, calls: CallSpec[]): Promise<{ A: number; B: number }> {
  const db = store.database;
  await db.exec(`
    INSERT INTO flows (name, language, created_at, updated_at) VALUES ('f', 'en', 0, 0);
    INSERT INTO flow_versions (flow_id, version, definition, created_at) VALUES (1, 1, '{}', 0);
    INSERT INTO campaigns (name, dialing_mode, max_concurrent_calls, created_at, updated_at) VALUES ('Beta', 'agentless', 1, 0, 0);
    INSERT INTO campaigns (name, dialing_mode, max_concurrent_calls, created_at, updated_at) VALUES ('Alpha', 'agentless', 1, 0, 0);
  `);
  const ids = { A: 2, B: 1 };
  for (const call of calls) {
    const answeredAt = call.answered ? call.at + 2_000 : null;
    const endedAt =
      call.outcome === undefined || call.outcome === null
        ? null
        : (answeredAt ?? call.at) + (call.endAt ?? 30_000);
    await db.run(
      `INSERT INTO calls (id, campaign_id, number, state, outcome, disposition_code, flow_id, flow_version, started_at, answered_at, ended_at, transfer_reason)
       VALUES ($id, $campaign, '+8613800138000', $state, $outcome, $disposition, $flow, $version, $at, $answered, $ended, $reason)`,
      {
        $id: call.id,
        $campaign: call.campaign === null ? null : ids[call.campaign],
        $state: call.state ?? (call.outcome ? 'done' : 'bot'),
        $outcome: call.outcome ?? null,
        $disposition: call.disposition ?? null,
        $flow: call.flow ? 1 : null,
        $version: call.flow ? 1 : null,
        $at: call.at,
        $answered: answeredAt,
        $ended: endedAt,
        $reason: call.transferReason ?? null,
      },
    );
    if (answeredAt !== null && call.agentAt !== undefined) {
      await db.run(
        `INSERT INTO call_transitions (call_id, from_state, to_state, at) VALUES ($id, 'transferring', 'agent', $at)`,
        { $id: call.id, $at: answeredAt + call.agentAt },
      );
      await db.run(
        `INSERT INTO call_transitions (call_id, from_state, to_state, at) VALUES ($id, 'agent', 'wrap_up', $at)`,
        { $id: call.id, $at: answeredAt + (call.endAt ?? 0) },
      );
    }
    if (answeredAt !== null && call.doneAt !== undefined)
      await db.run(
        `INSERT INTO call_transitions (call_id, from_state, to_state, at) VALUES ($id, 'wrap_up', 'done', $at)`,
        { $id: call.id, $at: answeredAt + call.doneAt },
      );
    for (const [i, latency] of (call.replies ?? []).entries())
      await db.run(
        `INSERT INTO utterances (call_id, speaker, text, start_ms, end_ms, reply_latency_ms) VALUES ($id, 'bot', 'ok', $start, $start, $latency)`,
        { $id: call.id, $start: 5_000 + i * 5_000, $latency: latency },
      );
    for (const [start, confidence, intent] of call.answers ?? [])
      await db.run(
        `INSERT INTO utterances (call_id, speaker, text, intent, confidence, start_ms, end_ms) VALUES ($id, 'customer', 'x', $intent, $confidence, $start, $start)`,
        { $id: call.id, $intent: intent, $confidence: confidence, $start: start },
      );
    // A greeting (no latency) and an unscored line must not count.
    if (call.answered)
      await db.run(
        `INSERT INTO utterances (call_id, speaker, text, start_ms, end_ms) VALUES ($id, 'bot', 'hello', 0, 1000)`,
        { $id: call.id },
      );
  }
  return ids;
}

/** The known calls: everything between T0 and T0 + 1 h, two outside it. */
const CALLS: CallSpec[] = [
  // Alpha: bot completed, replies 300 and 500 ms, answers yes (0.9) and unmatched (0.4).
  {
    id: 'a1',
    campaign: 'A',
    at: T0,
    outcome: 'completed',
    answered: true,
    flow: true,
    replies: [300, 500],
    answers: [
      [1_000, 0.9, 'yes'],
      [7_000, 0.4, null],
    ],
  },
  // Alpha: transferred, agent at +10 s, hang-up at +70 s (talk 60 s), form done at +100 s (wrap-up 30 s).
  {
    id: 'a2',
    campaign: 'A',
    at: T0 + MIN,
    outcome: 'transferred',
    answered: true,
    flow: true,
    transferReason: 'asked for a person',
    agentAt: 10_000,
    endAt: 70_000,
    doneAt: 100_000,
    replies: [700],
    answers: [[2_000, 0.8, 'agent']],
  },
  // Alpha: a transfer nobody took (abandoned), reply 900 ms.
  {
    id: 'a3',
    campaign: 'A',
    at: T0 + 2 * MIN,
    outcome: 'completed',
    answered: true,
    flow: true,
    transferReason: 'asked for a person',
    disposition: 'abandoned',
    replies: [900],
  },
  { id: 'a4', campaign: 'A', at: T0 + 3 * MIN, outcome: 'no_answer' },
  { id: 'a5', campaign: 'A', at: T0 + 4 * MIN, outcome: 'failed' },
  // A lease not dialed yet: not placed.
  { id: 'a6', campaign: 'A', at: T0 + 5 * MIN, state: 'queued', outcome: null },
  // Beta: an agent has it (talk 40 s), wrap-up not finished.
  {
    id: 'b1',
    campaign: 'B',
    at: T0 + 10 * MIN,
    state: 'wrap_up',
    outcome: 'transferred',
    answered: true,
    flow: true,
    transferReason: 'vip',
    agentAt: 5_000,
    endAt: 45_000,
  },
  // Beta: bot completed, reply 100 ms.
  {
    id: 'b2',
    campaign: 'B',
    at: T0 + 20 * MIN,
    outcome: 'completed',
    answered: true,
    flow: true,
    replies: [100],
  },
  // No campaign, no flow (a test call that played a file): answered, not the bot's.
  { id: 'n1', campaign: null, at: T0 + 30 * MIN, outcome: 'completed', answered: true },
  // Outside [T0, T0 + 1 h).
  {
    id: 'o1',
    campaign: 'A',
    at: T0 - 1,
    outcome: 'completed',
    answered: true,
    flow: true,
    replies: [5],
  },
  { id: 'o2', campaign: 'A', at: T0 + HOUR, outcome: 'failed' },
];

async function label(store: TestStore, callId: string, startMs: number, intent: string | null) {
  await store.database.run(
    `INSERT INTO utterance_labels (call_id, start_ms, end_ms, flow_id, flow_version, node_id, intent, clip_path, clip_ms, source, labelled_by, labelled_at)
     VALUES ($call, $start, $start, 1, 1, 'ask', $intent, $clip, 500, 'history', 'admin', 0)`,
    { $call: callId, $start: startMs, $intent: intent, $clip: `${callId}-${startMs}.wav` },
  );
}

describeBackends('KPI queries', (testStore, backend) => {
  it('computes a window in total and per campaign, as worked out by hand', async () => {
    const store = await testStore();
    await seed(store, CALLS);
    await label(store, 'a1', 1_000, 'yes'); // recognized yes: correct
    await label(store, 'a1', 7_000, 'no'); // not matched, labelled no: wrong

    const { total, campaigns } = await store.kpi.window({ from: T0, to: T0 + HOUR });

    expect(total.counts).toEqual({
      placed: 8, // a1–a5, b1, b2, n1 (a6 is only queued)
      answered: 6, // a1, a2, a3, b1, b2, n1
      ended: 8, // everything with an outcome
      failed: 1, // a5
      botCompleted: 2, // a1, b2 (a3 asked for a transfer; n1 had no flow)
      transferred: 2, // a2, b1
      abandoned: 1, // a3
      talkCalls: 2,
      talkMs: 100_000, // 60 s + 40 s
      wrapUps: 1,
      wrapUpMs: 30_000,
      handleMs: 90_000,
      answers: 3, // 0.9, 0.4, 0.8
      understood: 2,
      confidenceSum: expect.closeTo(2.1, 9) as number,
      labelled: 2,
      labelledCorrect: 1,
    });
    // Replies 100, 300, 500, 700, 900: p50 = rank ⌈2.5⌉ = 3 → 500; p95 = rank ⌈4.75⌉ = 5 → 900.
    expect(total.latency).toEqual({ replies: 5, p50Ms: 500, p95Ms: 900 });

    expect(campaigns.map((c) => [c.campaignId, c.name])).toEqual([
      [2, 'Alpha'],
      [1, 'Beta'],
      [null, null],
    ]);
    const [alpha, beta, none] = campaigns;
    expect(alpha?.counts).toMatchObject({
      placed: 5,
      answered: 3,
      ended: 5,
      failed: 1,
      botCompleted: 1,
      transferred: 1,
      abandoned: 1,
      talkMs: 60_000,
      wrapUpMs: 30_000,
    });
    // Alpha's replies 300, 500, 700, 900: p50 rank 2 → 500, p95 rank ⌈3.8⌉ = 4 → 900.
    expect(alpha?.latency).toEqual({ replies: 4, p50Ms: 500, p95Ms: 900 });
    expect(beta?.counts).toMatchObject({
      placed: 2,
      answered: 2,
      botCompleted: 1,
      transferred: 1,
      talkCalls: 1,
      talkMs: 40_000,
      wrapUps: 0,
    });
    expect(beta?.latency).toEqual({ replies: 1, p50Ms: 100, p95Ms: 100 });
    expect(none?.counts).toMatchObject({ placed: 1, answered: 1, botCompleted: 0 });
    expect(none?.latency).toEqual({ replies: 0, p50Ms: null, p95Ms: null });
  });

  it('computes days in one pass, for one campaign or all, with a range total', async () => {
    const store = await testStore();
    const ids = await seed(store, CALLS);
    const days = [
      { from: T0 - HOUR, to: T0 }, // o1 only
      { from: T0, to: T0 + 30 * MIN }, // a1–a6, b1, b2
      { from: T0 + 30 * MIN, to: T0 + 2 * HOUR }, // n1, o2
    ];
    const all = await store.kpi.days(days);
    expect(all.days.map((d) => d.counts.placed)).toEqual([1, 7, 2]);
    expect(all.days.map((d) => d.counts.failed)).toEqual([0, 1, 1]);
    expect(all.days.map((d) => d.latency.replies)).toEqual([1, 5, 0]);
    expect(all.total.counts.placed).toBe(10);
    // All six replies: 5, 100, 300, 500, 700, 900: p50 rank 3 → 300, p95 rank ⌈5.7⌉ = 6 → 900.
    expect(all.total.latency).toEqual({ replies: 6, p50Ms: 300, p95Ms: 900 });

    const beta = await store.kpi.days(days, ids.B);
    expect(beta.days.map((d) => d.counts.placed)).toEqual([0, 2, 0]);
    expect(beta.total.latency).toEqual({ replies: 1, p50Ms: 100, p95Ms: 100 });
    expect((await store.kpi.days([])).days).toEqual([]);
  });

  it('sums agents’ time per status inside a window from the status log', async () => {
    const store = await testStore();
    const db = store.database;
    // Users log their first status (offline) at creation, through the insert trigger.
    await db.exec(`
      INSERT INTO users (username, display_name, role, created_at) VALUES ('ann', 'Ann', 'agent', ${T0 - 2 * HOUR});
      INSERT INTO users (username, display_name, role, created_at) VALUES ('bob', 'Bob', 'agent', ${T0 - 3 * HOUR});
    `);
    const set = (user: string, status: string, at: number) =>
      db.run('UPDATE users SET status = $status, status_changed_at = $at WHERE username = $user', {
        $user: user,
        $status: status,
        $at: at,
      });
    await set('bob', 'available', T0 - HOUR);
    await set('ann', 'available', T0);
    await set('ann', 'on_call', T0 + 10 * MIN);
    await set('ann', 'wrap_up', T0 + 20 * MIN);
    await set('ann', 'available', T0 + 25 * MIN);
    await set('bob', 'offline', T0 + 30 * MIN);
    await set('ann', 'away', T0 + 50 * MIN);
    // A status "change" to the same status logs nothing.
    await set('ann', 'away', T0 + 55 * MIN);

    // Ann: available 10 + 25 min, on a call 10, wrap-up 5, away 10. Bob: available 30 (from before the window), offline 30.
    expect(await store.kpi.agentTime({ from: T0, to: T0 + HOUR })).toEqual({
      available: 65 * MIN,
      offered: 0,
      on_call: 10 * MIN,
      wrap_up: 5 * MIN,
      away: 10 * MIN,
      offline: 30 * MIN,
    });
    // Before anyone was available: both offline, Ann from T0 − 2 h, Bob from T0 − 3 h.
    expect(await store.kpi.agentTime({ from: T0 - 4 * HOUR, to: T0 - HOUR })).toMatchObject({
      offline: 2 * HOUR + HOUR,
      available: 0,
    });
    const rows = await db.all<{ n: number }>('SELECT count(*) AS n FROM agent_status_log');
    expect(rows[0]?.n).toBe(2 + 7); // two creations, seven changes (not the repeated away)

    expect(await store.kpi.agentsNow()).toEqual([
      { id: 1, displayName: 'Ann', status: 'away', since: T0 + 55 * MIN },
      { id: 2, displayName: 'Bob', status: 'offline', since: T0 + 30 * MIN },
    ]);
  });

  it('logs a status the routing repository sets, at its time', async () => {
    const store = await testStore();
    const user = await store.users.create({
      username: 'cy',
      displayName: 'Cy',
      role: 'agent',
      skills: [],
    });
    await store.routing.setAgentStatus(user.id, 'available', T0);
    await store.routing.setAgentStatus(user.id, 'on_call', T0 + 1_000);
    const log = await store.database.all<{ status: string; at: number }>(
      'SELECT status, at FROM agent_status_log WHERE user_id = $id ORDER BY id',
      { $id: user.id },
    );
    expect(log.slice(1)).toEqual([
      { status: 'available', at: T0 },
      { status: 'on_call', at: T0 + 1_000 },
    ]);
    expect(log[0]?.status).toBe('offline');
  });

  // SQLite's plans (PostgreSQL plans by its own statistics; the same indexes exist there).
  it.skipIf(backend === 'postgres')(
    'reads through the indexes (EXPLAIN QUERY PLAN), never scanning calls or utterances',
    async () => {
      const store = await testStore();
      await seed(store, CALLS);
      const plan = async (sql: string, params: Record<string, number>) =>
        (await store.database.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map(
          (row) => row.detail,
        );
      const check = async (source: ReturnType<typeof windowSource>) => {
        const statements = kpiStatements(source);
        const plans: Record<string, string[]> = {};
        for (const [name, sql] of Object.entries(statements))
          plans[name] = await plan(sql, source.params as Record<string, number>);
        const all = Object.values(plans).flat();
        // Table aliases: c calls, a/d call_transitions, u utterances, l utterance_labels.
        expect(all.filter((d) => /SCAN (c|u|a|d|l)( |$)|AUTOMATIC/.test(d))).toEqual([]);
        expect(plans.counts?.join('\n')).toMatch(/USING COVERING INDEX calls_kpi/);
        expect(plans.handle?.join('\n')).toMatch(/call_transitions_kpi/);
        expect(plans.answers?.join('\n')).toMatch(/utterances_answers/);
        expect(plans.latency?.join('\n')).toMatch(/utterances_reply_latency/);
        return plans;
      };
      await check(windowSource({ from: T0, to: T0 + HOUR }));
      await check({ ...daysSource([{ from: T0, to: T0 + HOUR }]), params: {} });
      const agentPlan = await plan(AGENT_TIME_SQL, { $from: T0, $to: T0 + HOUR });
      expect(agentPlan.join('\n')).toMatch(/agent_status_log_by_at/);
      expect(agentPlan.join('\n')).toMatch(/agent_status_log_by_user/);
    },
  );
});
