/** calls/ — call state as the engine tracks it: the live-call registry (the state machine joins later). */
export { LiveCalls } from './live-calls.js';
