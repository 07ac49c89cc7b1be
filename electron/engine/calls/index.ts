/**
 * calls/ — call state as the engine tracks it: the state machine every stored state change is
 * checked against, the live-call registry, and closing calls a crash left open.
 */
export { LiveCalls } from './live-calls.js';
export { CALL_TRANSITIONS, IllegalTransitionError, assertTransition, canTransition } from './state-machine.js';
