/**
 * Which figures the Wallboard and the Reports page show, in order, and how each is written: counts
 * as numbers, rates as percentages, durations as a clock, latency in ms. A figure with nothing
 * behind it (null: no calls, no replies) is a dash. Pure, so it is unit-tested.
 */
import type { AgentTime, KpiFigures } from '../../api/contract.js';
import { KPI_TARGETS } from '../../api/contract.js';

export const KPI_ROWS = [
  'placed',
  'answered',
  'answerRate',
  'callSuccessRate',
  'botCompleted',
  'containmentRate',
  'transferred',
  'abandoned',
  'abandonRate',
  'avgHandleMs',
  'avgTalkMs',
  'avgWrapUpMs',
  'occupancy',
  'replyLatencyP50Ms',
  'replyLatencyP95Ms',
  'avgConfidence',
  'understoodRate',
  'intentAccuracy',
] as const;
export type KpiRow = (typeof KPI_ROWS)[number];

type Kind = 'count' | 'rate' | 'duration' | 'latency' | 'score';

const KIND: Record<KpiRow, Kind> = {
  placed: 'count',
  answered: 'count',
  answerRate: 'rate',
  callSuccessRate: 'rate',
  botCompleted: 'count',
  containmentRate: 'rate',
  transferred: 'count',
  abandoned: 'count',
  abandonRate: 'rate',
  avgHandleMs: 'duration',
  avgTalkMs: 'duration',
  avgWrapUpMs: 'duration',
  occupancy: 'rate',
  replyLatencyP50Ms: 'latency',
  replyLatencyP95Ms: 'latency',
  avgConfidence: 'score',
  understoodRate: 'rate',
  intentAccuracy: 'rate',
};

export function kpiValue(row: KpiRow, figures: KpiFigures, agents: AgentTime): number | null {
  return row === 'occupancy' ? agents.occupancy : figures[row];
}

export interface ValueFormat {
  number(value: number): string;
  clock(ms: number): string;
}

/** `value` written for people; `dash` when there is nothing behind it. */
export function formatKpi(
  row: KpiRow,
  value: number | null,
  format: ValueFormat,
  dash: string,
): string {
  if (value === null) return dash;
  switch (KIND[row]) {
    case 'count':
      return format.number(value);
    case 'rate':
      return `${(value * 100).toFixed(1)} %`;
    case 'duration':
      return format.clock(value);
    case 'latency':
      return `${format.number(Math.round(value))} ms`;
    case 'score':
      return value.toFixed(2);
  }
}

export type TargetState = 'met' | 'missed' | 'none';

/** The product's targets (KPI_TARGETS) against figures: call success, intent accuracy, reply latency p95. */
export function targetStates(figures: KpiFigures): {
  callSuccess: TargetState;
  intentAccuracy: TargetState;
  replyLatency: TargetState;
} {
  const above = (value: number | null, min: number): TargetState =>
    value === null ? 'none' : value > min ? 'met' : 'missed';
  return {
    callSuccess: above(figures.callSuccessRate, KPI_TARGETS.callSuccessRate.min),
    intentAccuracy: above(figures.intentAccuracy, KPI_TARGETS.intentAccuracy.min),
    replyLatency:
      figures.replyLatencyP95Ms === null
        ? 'none'
        : figures.replyLatencyP95Ms < KPI_TARGETS.replyLatencyMs.max
          ? 'met'
          : 'missed',
  };
}
