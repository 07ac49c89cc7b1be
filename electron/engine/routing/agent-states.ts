/**
 * Agent statuses and which may follow which:
 *
 *   offline ⇄ available ⇄ away;  available → offered → on_call → wrap_up → available | away | offline
 *
 * An offer not taken (declined, expired, the call gone) puts the agent back to available. Agents
 * set available, away and offline themselves, but not while they hold a call (offered, on call,
 * wrap-up): the offer, the call and the wrap-up form move them on.
 */
import type { AgentStatus } from '../api/contract.js';

export const AGENT_TRANSITIONS: Readonly<Record<AgentStatus, readonly AgentStatus[]>> = {
  offline: ['available', 'away'],
  available: ['offered', 'away', 'offline'],
  away: ['available', 'offline'],
  offered: ['on_call', 'available'],
  on_call: ['wrap_up'],
  wrap_up: ['available', 'away', 'offline'],
};

/** Statuses in which the agent holds a call (and so cannot change status by hand). */
export const BUSY_STATUSES: ReadonlySet<AgentStatus> = new Set(['offered', 'on_call', 'wrap_up']);

export class AgentTransitionError extends Error {
  override readonly name = 'AgentTransitionError';
  constructor(
    readonly agentId: number,
    readonly from: AgentStatus,
    readonly to: AgentStatus,
  ) {
    super(
      BUSY_STATUSES.has(from) && (to === 'available' || to === 'away' || to === 'offline')
        ? `Agent ${agentId} is ${from.replace('_', ' ')}: finish that call first (status "${to}" can be set after the wrap-up)`
        : `Agent ${agentId} cannot go from "${from}" to "${to}" (from "${from}": ${AGENT_TRANSITIONS[from].map((s) => `"${s}"`).join(', ')})`,
    );
  }
}

export function canAgentTransition(from: AgentStatus, to: AgentStatus): boolean {
  return from === to || AGENT_TRANSITIONS[from].includes(to);
}

export function assertAgentTransition(agentId: number, from: AgentStatus, to: AgentStatus): void {
  if (!canAgentTransition(from, to)) throw new AgentTransitionError(agentId, from, to);
}
