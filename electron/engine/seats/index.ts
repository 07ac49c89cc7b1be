/** Agents and supervisors on other seats sharing one store (issue 16 §3): the seat line and legs. */
export { type RelayedCommand, SeatCommandRelay } from './command-relay.js';
export { SeatLink, SeatLinkError } from './seat-link.js';
