/**
 * recording/ — crash-safe, encrypted per-call stereo recordings (left = the customer, right = what
 * went out to them). A CallRecorder appends encrypted segments under `<dir>/<callId>.parts/` as
 * frames arrive, and finish() joins them into `<dir>/<callId>.wav` (an encrypted container that
 * stands for a WAV: container.ts). After a crash, recoverRecordings() finalizes whatever `.parts`
 * folders were left. `openRecording` is the one way to a recording's plaintext (a WAV, with
 * random access for HTTP ranges); the keys that wrap each recording's own key are keys.ts's.
 * History's label clips are kept in the same container (clips.ts), and migrate.ts encrypts
 * plaintext recordings and label clips of older versions at start.
 */
export { CallRecorder } from './call-recorder.js';
export { readAudioFile, writeEncryptedClip } from './clips.js';
export { recoverRecordings } from './finalize.js';
export {
  describeRecordingKeys,
  generateRecordingKeyPair,
  loadRecordingPrivateKey,
  type OpenedRecordingKeys,
  openRecordingKeys,
  RecordingKeyError,
  type RecordingKeys,
  setRecordingPublicKey,
  unloadRecordingPrivateKey,
} from './keys.js';
export { PARTS_SUFFIX } from './layout.js';
export {
  joinRecordings,
  openRecording,
  readRecordingWav,
  type RecordingReader,
  RecordingReadError,
} from './reader.js';
