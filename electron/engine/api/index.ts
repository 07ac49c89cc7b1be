/**
 * api/ — the engine's one typed API: the contract (commands and events with runtime schemas), the
 * envelopes that carry it, the dispatcher (engine side) and the client (console, CLI and tests).
 * Everything here is pure TypeScript and safe to import from the renderer.
 */
export * from './contract.js';
export * from './errors.js';
export * from './messages.js';
export { createApiClient, type ClientTransport, type OutboundApi, type EventListener } from './client.js';
export { createWebSocketTransport, type WebSocketTransport, type ConnectionState, type WebSocketLike } from './ws-client.js';
export { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from './ipc-channels.js';
