/**
 * The Reports page's CSV: one row per day and a total row, English column names that stay stable
 * for spreadsheets and scripts, rates as percentages with one decimal, durations in seconds with
 * one decimal, an empty cell where a figure has no calls to stand on. Every cell goes through the
 * CSV injection guard (csv-safe.ts) like every CSV the engine writes; UTF-8 with a BOM so Excel
 * reads a Chinese campaign name right.
 */
import { stringify } from 'csv-stringify/sync';

import type { AgentTime, KpiFigures, KpiReport } from '../api/kpi.js';
import { csvSafeCell } from '../csv-safe.js';

const REPORT_COLUMNS = [
  'date',
  'campaign',
  'placed',
  'answered',
  'answer_rate_pct',
  'ended',
  'failed',
  'call_success_pct',
  'bot_completed',
  'containment_pct',
  'transferred',
  'abandoned',
  'abandon_rate_pct',
  'avg_talk_s',
  'avg_wrap_up_s',
  'avg_handle_s',
  'occupancy_pct',
  'replies',
  'reply_latency_p50_ms',
  'reply_latency_p95_ms',
  'answers',
  'understood_pct',
  'avg_confidence',
  'labelled',
  'intent_accuracy_pct',
] as const;

const pct = (rate: number | null): string => (rate === null ? '' : (rate * 100).toFixed(1));
const seconds = (ms: number | null): string => (ms === null ? '' : (ms / 1000).toFixed(1));
const num = (value: number | null): string => (value === null ? '' : String(value));

function reportRow(date: string, campaign: string, f: KpiFigures, agents: AgentTime): string[] {
  return [
    date,
    campaign,
    num(f.placed),
    num(f.answered),
    pct(f.answerRate),
    num(f.ended),
    num(f.failed),
    pct(f.callSuccessRate),
    num(f.botCompleted),
    pct(f.containmentRate),
    num(f.transferred),
    num(f.abandoned),
    pct(f.abandonRate),
    seconds(f.avgTalkMs),
    seconds(f.avgWrapUpMs),
    seconds(f.avgHandleMs),
    pct(agents.occupancy),
    num(f.replies),
    num(f.replyLatencyP50Ms),
    num(f.replyLatencyP95Ms),
    num(f.answers),
    pct(f.understoodRate),
    f.avgConfidence === null ? '' : f.avgConfidence.toFixed(3),
    num(f.labelled),
    pct(f.intentAccuracy),
  ];
}

/** `campaign`: the campaign's name, or null for a report over every call. */
export function reportCsv(report: KpiReport, campaign: string | null): string {
  const name = campaign ?? (report.campaignId === null ? 'all' : `#${report.campaignId}`);
  const rows = [
    ...report.days.map((d) => reportRow(d.date, name, d.figures, d.agents)),
    reportRow('total', name, report.total, report.agents),
  ];
  const body = stringify([[...REPORT_COLUMNS], ...rows.map((row) => row.map(csvSafeCell))]);
  return `\uFEFF${body}`;
}
