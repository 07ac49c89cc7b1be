/**
 * From the store's sums and counts (store/kpi-types.ts) to the figures the API carries
 * (api/kpi.ts): rates, averages and occupancy. Pure, so the definitions are unit-tested apart
 * from SQL.
 */
import type { AgentTime, KpiFigures } from '../api/kpi.js';
import type { AgentStatusTime, KpiGroup } from '../store/kpi-types.js';

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const mean = (sum: number, count: number): number | null =>
  count > 0 ? Math.round(sum / count) : null;

export function toFigures({ counts: c, latency }: KpiGroup): KpiFigures {
  return {
    placed: c.placed,
    answered: c.answered,
    answerRate: ratio(c.answered, c.placed),
    ended: c.ended,
    failed: c.failed,
    callSuccessRate: ratio(c.ended - c.failed, c.ended),
    botCompleted: c.botCompleted,
    containmentRate: ratio(c.botCompleted, c.answered),
    transferred: c.transferred,
    abandoned: c.abandoned,
    abandonRate: ratio(c.abandoned, c.transferred + c.abandoned),
    avgTalkMs: mean(c.talkMs, c.talkCalls),
    avgWrapUpMs: mean(c.wrapUpMs, c.wrapUps),
    avgHandleMs: mean(c.handleMs, c.wrapUps),
    replies: latency.replies,
    replyLatencyP50Ms: latency.p50Ms,
    replyLatencyP95Ms: latency.p95Ms,
    answers: c.answers,
    understood: c.understood,
    understoodRate: ratio(c.understood, c.answers),
    // Scores are 0–1 with three decimals; the mean is kept to four.
    avgConfidence:
      c.answers > 0
        ? Math.min(1, Math.round((c.confidenceSum / c.answers) * 10_000) / 10_000)
        : null,
    labelled: c.labelled,
    labelledCorrect: c.labelledCorrect,
    intentAccuracy: ratio(c.labelledCorrect, c.labelled),
  };
}

/** Occupancy: on a call or in wrap-up, over staffed time (available, offered, on a call, wrap-up). */
export function toAgentTime(time: AgentStatusTime): AgentTime {
  const busy = time.on_call + time.wrap_up;
  return {
    availableMs: time.available,
    offeredMs: time.offered,
    onCallMs: time.on_call,
    wrapUpMs: time.wrap_up,
    awayMs: time.away,
    occupancy: ratio(busy, busy + time.available + time.offered),
  };
}
