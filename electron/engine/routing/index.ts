/**
 * Routing: queues and the rules that pick one from a contact's fields, agents with skills and
 * statuses (stored with the time they changed), and transfers: offers to one agent at a time
 * (longest idle first, offer window per queue), the bot's fallback when nobody takes the call in
 * time (counted as `transfer_fallback` call events), and the agent's wrap-up after the call.
 * The API commands are in routing-commands.ts; the media switch is the telephony's CallSession.
 */
export {
  AGENT_TRANSITIONS,
  AgentTransitionError,
  assertAgentTransition,
  BUSY_STATUSES,
  canAgentTransition,
} from './agent-states.js';
export { type AgentAudioDevices, botTransfer, transferCallOf } from './bot-transfer.js';
export {
  type AgentCapacityPort,
  campaignHandoff,
  RoutingAgentCapacity,
} from './dialer-capacity.js';
export { type RoutingCommandDeps, routingCommandHandlers } from './routing-commands.js';
export {
  DEFAULT_FALLBACK_CALLBACK_DELAY_MS,
  RoutingError,
  RoutingService,
  type RoutingServiceOptions,
  type TransferCall,
  type TransferInfo,
  type TransferResult,
} from './routing-service.js';
export {
  asNumber,
  checkRules,
  type ContactFields,
  firstMatch,
  type Rule,
  type RuleIssue,
  ruleMatches,
  tagsOf,
} from './rules.js';
