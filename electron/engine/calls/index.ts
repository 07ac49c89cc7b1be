/**
 * calls/ — call state as the engine tracks it: the state machine every stored state change is
 * checked against, the live-call registry, closing calls a crash left open, and History's export
 * and recording commands (with the media resolver the transports serve recordings through, and
 * the grants it checks: media-grants.ts).
 */
export { type MediaSource, resolveRecordingMedia } from './history-commands.js';
export { MediaGrants } from './media-grants.js';
export { lastEventAt } from './recovery.js';
