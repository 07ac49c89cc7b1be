/**
 * The wallboard's and the reports' figures (kpi-types.ts), computed by SQLite over indexed ranges
 * (schema 7): every query starts from the calls started in a range through the covering index
 * calls_kpi and reaches a call's transitions, answers and replies through their per-call indexes,
 * so its cost follows the calls in the range, never the whole table (EXPLAIN QUERY PLAN is checked
 * in kpi.test.ts). Reads go to the read-only connection beside the writer.
 *
 * Joins are CROSS JOINs (`orderedJoin`; a plain JOIN on PostgreSQL), which SQLite never reorders: the calls of the range stay the outer loop (on
 * its own the planner sometimes preferred an automatic index over every utterance).
 *
 * Percentiles are nearest-rank (the value at rank ⌈p·n⌉), read from a histogram SQLite groups per
 * distinct latency (a few hundred rows, however many replies); the total merges the groups'
 * histograms, so it is never an average of groups.
 */
import type { SqlExecutor, SqlValue } from '../database.js';
import { type Dialect, SQLITE } from '../dialect.js';
import type {
  AgentStatusTime,
  KpiAgentNow,
  KpiCallCounts,
  KpiGroup,
  KpiLatency,
  KpiRange,
  KpiRepository,
} from '../kpi-types.js';
import type { RepositoryContext } from './context.js';

/**
 * Where a query's calls come from: `c` is the calls table, `k` the group key expression
 * (never -1), and the conditions bound the calls to the range(s).
 */
interface Source {
  from: string;
  key: string;
  where: string[];
  params: Record<string, SqlValue>;
}

interface CountsRow {
  k: number;
  placed: number | null;
  answered: number;
  ended: number;
  failed: number | null;
  bot_completed: number | null;
  transferred: number | null;
  abandoned: number | null;
}

interface HandleRow {
  k: number;
  talk_calls: number;
  talk_ms: number | null;
  wrap_ups: number;
  wrap_ms: number | null;
  handle_ms: number | null;
}

interface AnswersRow {
  k: number;
  answers: number;
  understood: number;
  confidence: number | null;
}

interface LabelsRow {
  k: number;
  labelled: number;
  correct: number | null;
}

interface LatencyRow {
  k: number;
  v: number;
  n: number;
}

/** Nearest-rank percentiles (the value at rank ⌈p·n⌉) of a histogram. */
function percentiles(histogram: ReadonlyMap<number, number>): KpiLatency {
  const values = [...histogram.keys()].sort((a, b) => a - b);
  const total = values.reduce((sum, v) => sum + (histogram.get(v) ?? 0), 0);
  if (total === 0) return { ...EMPTY_LATENCY };
  const at = (p: number): number => {
    const rank = Math.max(1, Math.ceil(p * total - 1e-9));
    let seen = 0;
    for (const v of values) {
      seen += histogram.get(v) ?? 0;
      if (seen >= rank) return v;
    }
    return values[values.length - 1] ?? 0;
  };
  return { replies: total, p50Ms: at(0.5), p95Ms: at(0.95) };
}

function emptyCounts(): KpiCallCounts {
  return {
    placed: 0,
    answered: 0,
    ended: 0,
    failed: 0,
    botCompleted: 0,
    transferred: 0,
    abandoned: 0,
    talkCalls: 0,
    talkMs: 0,
    wrapUps: 0,
    wrapUpMs: 0,
    handleMs: 0,
    answers: 0,
    understood: 0,
    confidenceSum: 0,
    labelled: 0,
    labelledCorrect: 0,
  };
}

const EMPTY_LATENCY: KpiLatency = { replies: 0, p50Ms: null, p95Ms: null };

function addCounts(into: KpiCallCounts, add: KpiCallCounts): void {
  for (const key of Object.keys(into) as Array<keyof KpiCallCounts>) into[key] += add[key];
}

function rows(source: Source, select: string, join = '', extra: string[] = []): string {
  const where = [...source.where, ...extra];
  return `SELECT ${source.key} AS k, ${select}
    FROM ${source.from} ${join}
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
}

function sql(source: Source, select: string, join = '', extra: string[] = []): string {
  return `${rows(source, select, join, extra)} GROUP BY k`;
}

/** Only answered calls have a transcript: read from calls_kpi, it spares the other calls' utterance lookups. */
const ANSWERED = 'c.answered_at IS NOT NULL';

/**
 * Rows where `condition` holds, as SQLite's sum(condition) counts them (a comparison is 0/1
 * there); PostgreSQL has no sum of booleans, so the CASE is written out for both.
 */
const countIf = (condition: string): string => `sum(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;

/** The statements, by name, so tests and the bench can EXPLAIN each one. */
export function kpiStatements(source: Source, d: Dialect = SQLITE): Record<string, string> {
  const join = d.orderedJoin;
  return {
    counts: sql(
      source,
      `${countIf(`c.state <> 'queued'`)} AS placed,
       count(c.answered_at) AS answered,
       count(c.outcome) AS ended,
       ${countIf(`c.outcome = 'failed'`)} AS failed,
       ${countIf(`c.answered_at IS NOT NULL AND c.outcome = 'completed' AND c.flow_id IS NOT NULL
           AND c.transfer_reason IS NULL AND c.disposition_code IS DISTINCT FROM 'abandoned'`)} AS bot_completed,
       ${countIf(`c.outcome = 'transferred'`)} AS transferred,
       ${countIf(`c.answered_at IS NOT NULL AND c.outcome IS NOT NULL AND c.outcome <> 'transferred'
           AND (c.transfer_reason IS NOT NULL OR c.disposition_code = 'abandoned')`)} AS abandoned`,
    ),
    // The agent's takeover (→ agent) and the wrap-up's end (→ done) of calls an agent had.
    handle: sql(
      source,
      `count(*) AS talk_calls,
       sum(c.ended_at - a.at) AS talk_ms,
       count(d.at) AS wrap_ups,
       sum(d.at - c.ended_at) AS wrap_ms,
       sum(d.at - a.at) AS handle_ms`,
      `${join} call_transitions a ON a.call_id = c.id AND a.to_state = 'agent'
       LEFT JOIN call_transitions d ON d.call_id = c.id AND d.to_state = 'done'`,
      [`c.outcome = 'transferred'`, 'c.ended_at IS NOT NULL'],
    ),
    answers: sql(
      source,
      'count(*) AS answers, count(u.intent) AS understood, sum(u.confidence) AS confidence',
      `${join} utterances u ON u.call_id = c.id AND u.speaker = 'customer' AND u.confidence IS NOT NULL`,
      [ANSWERED],
    ),
    // A label's intent NULL means "none of these", as an answer's NULL intent means no match.
    labels: sql(
      source,
      `count(*) AS labelled, ${countIf('l.intent IS NOT DISTINCT FROM u.intent')} AS correct`,
      `${join} utterance_labels l ON l.call_id = c.id
       ${join} utterances u ON u.call_id = l.call_id AND u.start_ms = l.start_ms AND u.speaker = 'customer'`,
      [ANSWERED],
    ),
    // A histogram (each distinct ms with its count): bounded by the distinct latencies, and the
    // percentiles are then read from it exactly (nearest rank), the total from the merged groups.
    latency: `${rows(source, 'u.reply_latency_ms AS v, count(*) AS n', `${join} utterances u ON u.call_id = c.id AND u.reply_latency_ms IS NOT NULL`, [ANSWERED])}
      GROUP BY k, v`,
  };
}

/** Calls started in one range, grouped by campaign (0: no campaign). */
export function windowSource(range: KpiRange): Source {
  return {
    from: 'calls c',
    key: 'coalesce(c.campaign_id, 0)',
    where: ['c.started_at >= $from', 'c.started_at < $to'],
    params: { $from: range.from, $to: range.to },
  };
}

/** Calls started in each of the ranges (a report's days), grouped by the range's index. */
export function daysSource(
  ranges: readonly KpiRange[],
  campaignId?: number,
  d: Dialect = SQLITE,
): Source {
  // Integers we produced ourselves; VALUES rows let the planner loop over the days and range-scan calls_kpi for each.
  const values = ranges
    .map((r, i) => `(${i}, ${Math.trunc(r.from)}, ${Math.trunc(r.to)})`)
    .join(', ');
  return {
    from: `(SELECT column1 AS i, column2 AS a, column3 AS b FROM (VALUES ${values}) AS v) days
      ${d.orderedJoin} calls c ON c.started_at >= days.a AND c.started_at < days.b`,
    // Not `d`: the handle statement's wrap-up transitions are `d` (PostgreSQL refuses the clash).
    key: 'days.i',
    where: campaignId === undefined ? [] : ['c.campaign_id = $campaign_id'],
    params: campaignId === undefined ? {} : { $campaign_id: campaignId },
  };
}

async function grouped(
  db: SqlExecutor,
  source: Source,
): Promise<{ groups: Map<number, KpiGroup>; total: KpiGroup }> {
  const statements = kpiStatements(source, db.dialect);
  const [counts, handle, answers, labels, latency] = await Promise.all([
    db.all<CountsRow>(statements.counts as string, source.params),
    db.all<HandleRow>(statements.handle as string, source.params),
    db.all<AnswersRow>(statements.answers as string, source.params),
    db.all<LabelsRow>(statements.labels as string, source.params),
    db.all<LatencyRow>(statements.latency as string, source.params),
  ]);
  const groups = new Map<number, KpiGroup>();
  const group = (k: number): KpiGroup => {
    let g = groups.get(k);
    if (!g) {
      g = { counts: emptyCounts(), latency: { ...EMPTY_LATENCY } };
      groups.set(k, g);
    }
    return g;
  };
  for (const row of counts) {
    const c = group(row.k).counts;
    c.placed = row.placed ?? 0;
    c.answered = row.answered;
    c.ended = row.ended;
    c.failed = row.failed ?? 0;
    c.botCompleted = row.bot_completed ?? 0;
    c.transferred = row.transferred ?? 0;
    c.abandoned = row.abandoned ?? 0;
  }
  for (const row of handle) {
    const c = group(row.k).counts;
    c.talkCalls = row.talk_calls;
    c.talkMs = row.talk_ms ?? 0;
    c.wrapUps = row.wrap_ups;
    c.wrapUpMs = row.wrap_ms ?? 0;
    c.handleMs = row.handle_ms ?? 0;
  }
  for (const row of answers) {
    const c = group(row.k).counts;
    c.answers = row.answers;
    c.understood = row.understood;
    c.confidenceSum = row.confidence ?? 0;
  }
  for (const row of labels) {
    const c = group(row.k).counts;
    c.labelled = row.labelled;
    c.labelledCorrect = row.correct ?? 0;
  }
  const histograms = new Map<number, Map<number, number>>();
  const all = new Map<number, number>();
  for (const row of latency) {
    let histogram = histograms.get(row.k);
    if (!histogram) histograms.set(row.k, (histogram = new Map()));
    histogram.set(row.v, row.n);
    all.set(row.v, (all.get(row.v) ?? 0) + row.n);
  }
  for (const [k, histogram] of histograms) group(k).latency = percentiles(histogram);
  const totalLatency = percentiles(all);
  const totalCounts = emptyCounts();
  for (const g of groups.values()) addCounts(totalCounts, g.counts);
  return { groups, total: { counts: totalCounts, latency: totalLatency } };
}

/** The status log's spans clipped to the range, summed per status. */
export const AGENT_TIME_SQL = `
  WITH rows AS (
    SELECT id, user_id, status, at FROM agent_status_log WHERE at >= $from AND at < $to
    UNION ALL
    SELECT l.id, l.user_id, l.status, l.at
    FROM users u
    JOIN agent_status_log l ON l.id = (
      SELECT x.id FROM agent_status_log x
      WHERE x.user_id = u.id AND x.at < $from
      ORDER BY x.at DESC, x.id DESC LIMIT 1)
  ),
  spans AS (
    SELECT status, CASE WHEN at > $from THEN at ELSE $from END AS a,
           coalesce(lead(at) OVER (PARTITION BY user_id ORDER BY at, id), $to) AS b
    FROM rows
  )
  SELECT status, sum(b - a) AS ms FROM spans GROUP BY status`;

export function createKpiRepository({ db, read }: RepositoryContext): KpiRepository {
  const reader = read ?? db;
  return {
    async window(range) {
      const { groups, total } = await grouped(reader, windowSource(range));
      const ids = [...groups.keys()].filter((k) => k > 0);
      const names = new Map<number, string>();
      if (ids.length > 0) {
        const rows = await reader.all<{ id: number; name: string }>(
          `SELECT id, name FROM campaigns WHERE id IN ${reader.dialect.jsonIntegers('$ids')}`,
          { $ids: JSON.stringify(ids) },
        );
        for (const row of rows) names.set(row.id, row.name);
      }
      const campaigns = [...groups.entries()]
        .map(([k, g]) => ({
          campaignId: k === 0 ? null : k,
          name: k === 0 ? null : (names.get(k) ?? null),
          ...g,
        }))
        .sort((a, b) =>
          a.campaignId === null
            ? 1
            : b.campaignId === null
              ? -1
              : (a.name ?? '').localeCompare(b.name ?? '') || a.campaignId - b.campaignId,
        );
      return { total, campaigns };
    },

    async days(ranges, campaignId) {
      if (ranges.length === 0)
        return { days: [], total: { counts: emptyCounts(), latency: { ...EMPTY_LATENCY } } };
      const { groups, total } = await grouped(
        reader,
        daysSource(ranges, campaignId, reader.dialect),
      );
      return {
        days: ranges.map(
          (_, i) => groups.get(i) ?? { counts: emptyCounts(), latency: { ...EMPTY_LATENCY } },
        ),
        total,
      };
    },

    async agentTime(range) {
      const rows = await reader.all<{ status: keyof AgentStatusTime; ms: number | null }>(
        AGENT_TIME_SQL,
        { $from: range.from, $to: range.to },
      );
      const time: AgentStatusTime = {
        available: 0,
        offered: 0,
        on_call: 0,
        wrap_up: 0,
        away: 0,
        offline: 0,
      };
      for (const row of rows) time[row.status] = Math.max(0, row.ms ?? 0);
      return time;
    },

    async agentsNow() {
      const rows = await reader.all<{
        id: number;
        display_name: string;
        status: KpiAgentNow['status'];
        status_changed_at: number | null;
      }>('SELECT id, display_name, status, status_changed_at FROM users ORDER BY display_name, id');
      return rows.map((row) => ({
        id: row.id,
        displayName: row.display_name,
        status: row.status,
        since: row.status_changed_at,
      }));
    },
  };
}
