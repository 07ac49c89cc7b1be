/** events/ — the engine's typed outgoing event stream (see api/contract.ts for the event list). */
export { EventHub, type EventSubscriber } from './event-hub.js';
