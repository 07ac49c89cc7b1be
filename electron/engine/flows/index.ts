/**
 * flows/ — dialog flows as the engine keeps them: versioned in the store, validated before a save
 * (a refused save stores nothing and names every problem's node and field), audit-logged,
 * announced (`flows.changed`), trained in the background through the bot's FlowTrainer one version
 * at a time (`flow.training`), loaded by name and version for calls, and run as typed test chats
 * over the real DialogRuntime (the same TextChannel as `outbound flow chat`).
 */

export { FlowService } from './flow-service.js';
export { parseChatLine, TextChannel } from './text-channel.js';
