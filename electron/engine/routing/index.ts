/**
 * Routing: queues and the rules that pick one from a contact's fields, agents with skills and
 * statuses (stored with the time they changed), and transfers: offers to one agent at a time
 * (longest idle first, offer window per queue), the bot's fallback when nobody takes the call in
 * time (counted as `transfer_fallback` call events), and the agent's wrap-up after the call.
 * The API commands are in routing-commands.ts; the media switch is the telephony's CallSession.
 */
export { RoutingService, RoutingError, DEFAULT_FALLBACK_CALLBACK_DELAY_MS, type TransferCall, type TransferInfo, type TransferResult, type RoutingServiceOptions } from './routing-service.js';
export { firstMatch, ruleMatches, checkRules, tagsOf, asNumber, type Rule, type RuleIssue, type ContactFields } from './rules.js';
export { AGENT_TRANSITIONS, BUSY_STATUSES, AgentTransitionError, assertAgentTransition, canAgentTransition } from './agent-states.js';
export { routingCommandHandlers, type RoutingCommandDeps } from './routing-commands.js';
export { botTransfer, transferCallOf, type AgentAudioDevices } from './bot-transfer.js';
export { RoutingAgentCapacity, campaignHandoff, type AgentCapacityPort } from './dialer-capacity.js';
