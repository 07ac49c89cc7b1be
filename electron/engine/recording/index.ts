/**
 * recording/ — crash-safe per-call stereo recordings (left = the customer, right = what went out
 * to them). A CallRecorder appends 16-bit WAV segments under `<dir>/<callId>.parts/` as frames
 * arrive, and finish() joins them into `<dir>/<callId>.wav`. After a crash, recoverRecordings()
 * finalizes whatever `.parts` folders were left, so the engine can index them and end those calls.
 */
export {
  CallRecorder,
  type CallRecorderOptions,
  type RecorderFrame,
  type RecorderStats,
} from './call-recorder.js';
export {
  type RecoveredRecording,
  recoverRecordings,
  type RecoveryOutcome,
  type UnrecoverableRecording,
} from './finalize.js';
export {
  checkCallId,
  finalPathOf,
  partsDirOf,
  RecordingError,
  type RecordingErrorCode,
  type RecordingMeta,
  type RecordingResult,
} from './layout.js';
