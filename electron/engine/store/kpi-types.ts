/**
 * The store's side of the wallboard and the reports (repositories/kpi.ts): raw sums and counts
 * per window, per campaign, computed by indexed queries (schema 7). Rates, averages and the
 * time-zone arithmetic of "today" and of report days are the engine's (kpi/); percentiles are
 * computed here, in SQL, because they cannot be added up from parts.
 */

/** [from, to) in epoch ms, over calls' start times and agents' status changes. */
export interface KpiRange {
  from: number;
  to: number;
}

/** Additive counts and sums of one group of calls (a campaign, or all). */
export interface KpiCallCounts {
  placed: number;
  answered: number;
  ended: number;
  failed: number;
  botCompleted: number;
  transferred: number;
  abandoned: number;
  /** Calls an agent took that have ended: count and sum of agent talk time. */
  talkCalls: number;
  talkMs: number;
  /** Of those, wrap-ups finished: count, sum of wrap-up time, sum of talk + wrap-up. */
  wrapUps: number;
  wrapUpMs: number;
  handleMs: number;
  /** Customer answers with a score: count, with an intent, sum of the scores. */
  answers: number;
  understood: number;
  confidenceSum: number;
  /** Labelled answers, and those recognized as labelled. */
  labelled: number;
  labelledCorrect: number;
}

export interface KpiLatency {
  replies: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface KpiGroup {
  counts: KpiCallCounts;
  latency: KpiLatency;
}

export interface KpiCampaignGroup extends KpiGroup {
  /** null: calls outside any campaign. */
  campaignId: number | null;
  /** null for calls outside a campaign, or a campaign deleted since. */
  name: string | null;
}

export interface KpiWindowFigures {
  total: KpiGroup;
  campaigns: KpiCampaignGroup[];
}

/** ms agents spent in each status inside the range (summed over agents). */
export type AgentStatusTime = Record<
  'available' | 'offered' | 'on_call' | 'wrap_up' | 'away' | 'offline',
  number
>;

export interface KpiAgentNow {
  id: number;
  displayName: string;
  status: keyof AgentStatusTime;
  since: number | null;
}

export interface KpiRepository {
  /** Figures of the calls started in the range, in total and per campaign (only campaigns with calls). */
  window(range: KpiRange): Promise<KpiWindowFigures>;
  /**
   * The same for a report's days (consecutive ranges), in one pass, and for all of them together;
   * `campaignId` restricts it to one campaign. `days` in the order of `ranges`.
   */
  days(
    ranges: readonly KpiRange[],
    campaignId?: number,
  ): Promise<{ days: KpiGroup[]; total: KpiGroup }>;
  /** Time in each status over the range, from the status log (summed over agents). */
  agentTime(range: KpiRange): Promise<AgentStatusTime>;
  /** Every user's status now and since when. */
  agentsNow(): Promise<KpiAgentNow[]>;
}
