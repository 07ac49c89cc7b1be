/**
 * calls/ — call state as the engine tracks it: the state machine every stored state change is
 * checked against, the live-call registry, closing calls a crash left open, and History's export
 * and recording commands (with the media resolver the transports serve recordings through).
 */
export { LiveCalls, type LiveCallExtras } from './live-calls.js';
export { historyCommandHandlers, recordingFile, recordingMediaPath, resolveMediaPath } from './history-commands.js';
export { CALL_TRANSITIONS, IllegalTransitionError, assertTransition, canTransition } from './state-machine.js';
