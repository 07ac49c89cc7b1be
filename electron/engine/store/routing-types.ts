/**
 * Records and the repository for routing (schema 2's queues and routing_rules) and the agents'
 * live status with the time it changed (users.status, users.status_changed_at). Kept apart from
 * types.ts so routing can grow without touching the shared file; types.ts re-exports it.
 */
import type { AgentStatus } from '../api/contract.js';
import type { QueueFallback, RoutingRuleOperator } from '../api/routing.js';

export type { QueueFallback, RoutingRuleOperator } from '../api/routing.js';

export interface QueueRecord {
  id: number;
  name: string;
  labelEn: string;
  labelZh: string;
  /** An agent serves the queue when they have every one of these skills. */
  skills: string[];
  offerTimeoutMs: number;
  waitTimeoutMs: number;
  fallback: QueueFallback;
  /** Agents serving several queues take the highest first. */
  priority: number;
  /** Seeded queues (default, priority, complaint) cannot be renamed. */
  system: boolean;
  createdAt: number;
}

export type NewQueue = Pick<
  QueueRecord,
  'name' | 'labelEn' | 'labelZh' | 'skills' | 'offerTimeoutMs' | 'waitTimeoutMs' | 'fallback'
> &
  Partial<Pick<QueueRecord, 'priority'>>;
export type QueueChanges = Partial<Omit<NewQueue, 'name'>>;

export interface RoutingRuleRecord {
  id: number;
  /** 1-based evaluation order. */
  position: number;
  field: string;
  operator: RoutingRuleOperator;
  value: string;
  queueId: number;
  queueName: string;
}

export type NewRoutingRule = Pick<RoutingRuleRecord, 'field' | 'operator' | 'value' | 'queueId'>;

export interface AgentStatusRecord {
  id: number;
  status: AgentStatus;
  /** When the status last changed (null: never since the user was created). */
  changedAt: number | null;
}

export interface RoutingRepository {
  queues(): Promise<QueueRecord[]>;
  queueByName(name: string): Promise<QueueRecord | null>;
  queue(id: number): Promise<QueueRecord | null>;
  createQueue(input: NewQueue): Promise<QueueRecord>;
  /** NOT_FOUND when there is no such queue. */
  updateQueue(name: string, changes: QueueChanges): Promise<QueueRecord>;
  /** The rules in evaluation order. */
  rules(): Promise<RoutingRuleRecord[]>;
  /** Replaces every rule (positions 1..n in the given order). */
  replaceRules(rules: NewRoutingRule[]): Promise<RoutingRuleRecord[]>;
  /**
   * Sets an agent's status and when it changed; NOT_FOUND when there is no such user. With
   * `onlyFrom`, only while the status is still that one, in the same statement (seats sharing the
   * store reserve an agent this way, so two seats never both offer her a call): false when it was
   * not (another seat changed it first, or there is no such user).
   */
  setAgentStatus(
    id: number,
    status: AgentStatus,
    at: number,
    onlyFrom?: AgentStatus,
  ): Promise<boolean>;
  agentStatuses(): Promise<AgentStatusRecord[]>;
  /** Changes an agent's display name and/or skills; NOT_FOUND when there is no such user. */
  updateAgent(id: number, changes: { displayName?: string; skills?: string[] }): Promise<void>;
  /** Transfers that found no agent and fell back to the bot (call events `transfer_fallback`), per fallback kind. */
  fallbackCounts(campaignId: number | null): Promise<Record<string, number>>;
}
