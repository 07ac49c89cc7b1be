/**
 * Routing: queues and the rules that pick one from a contact's fields, agents with skills and
 * statuses (stored with the time they changed), and transfers: offers to one agent at a time
 * (longest idle first, offer window per queue), the bot's fallback when nobody takes the call in
 * time (counted as `transfer_fallback` call events), and the agent's wrap-up after the call.
 * The API commands are in routing-commands.ts; the media switch is the telephony's CallSession.
 */

export { botTransfer } from './bot-transfer.js';
export { campaignHandoff, RoutingAgentCapacity } from './dialer-capacity.js';
export { routingCommandHandlers } from './routing-commands.js';
export { RoutingService } from './routing-service.js';
