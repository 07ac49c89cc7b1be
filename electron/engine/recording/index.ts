/**
 * recording/ — crash-safe per-call stereo recordings (left = the customer, right = what went out
 * to them). A CallRecorder appends 16-bit WAV segments under `<dir>/<callId>.parts/` as frames
 * arrive, and finish() joins them into `<dir>/<callId>.wav`. After a crash, recoverRecordings()
 * finalizes whatever `.parts` folders were left, so the engine can index them and end those calls.
 */
export { CallRecorder } from './call-recorder.js';
export { recoverRecordings } from './finalize.js';
