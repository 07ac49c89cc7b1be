/**
 * bot/ — the speech bot on a live call: where telephony (the call's audio), speech (VAD,
 * endpointing, recognizers) and, later, the dialog meet. For now: listening to a call, with
 * barge-in.
 */
export { listenToCall, type CallListener, type CallListenerOptions } from './listener.js';
