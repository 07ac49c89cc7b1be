/**
 * calls/ — call state as the engine tracks it: the state machine every stored state change is
 * checked against, the live-call registry, closing calls a crash left open, and History's export
 * and recording commands (with the media resolver the transports serve recordings through).
 */
export {
  historyCommandHandlers,
  recordingFile,
  recordingMediaPath,
  resolveMediaPath,
} from './history-commands.js';
export { type LiveCallExtras, LiveCalls } from './live-calls.js';
export {
  assertTransition,
  CALL_TRANSITIONS,
  canTransition,
  IllegalTransitionError,
} from './state-machine.js';
