/**
 * api/ — the engine's one typed API: the contract (commands and events with runtime schemas), the
 * envelopes that carry it, the dispatcher (engine side) and the client (console, CLI and tests).
 * Everything here is pure TypeScript and safe to import from the renderer.
 */
export {
  type ClientTransport,
  createApiClient,
  type EventListener,
  type OutboundApi,
} from './client.js';
export * from './contract.js';
export * from './errors.js';
export { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from './ipc-channels.js';
export * from './messages.js';
export {
  type ConnectionState,
  createWebSocketTransport,
  type WebSocketLike,
  type WebSocketTransport,
} from './ws-client.js';
