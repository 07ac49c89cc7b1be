/**
 * Reading a workspace's call recordings in tests: they are encrypted at rest (recording/), so a
 * test decrypts them with the workspace's own keys — the headless key file and
 * recording-keys.json in its data folder, as the next start of the app would.
 */
import type { WavAudio } from '../../electron/engine/audio/wav.js';
import { silentLogger } from '../../electron/engine/log.js';
import {
  openRecordingKeys,
  readRecordingWav,
  type RecordingKeys,
} from '../../electron/engine/recording/index.js';
import { openKeyFileSecretBox } from '../../electron/engine/secrets/index.js';

/** The recording keys of the (headless) workspace in `dataDir`. */
export function workspaceRecordingKeys(dataDir: string): RecordingKeys {
  return openRecordingKeys(dataDir, openKeyFileSecretBox(dataDir, silentLogger, { create: false }));
}

/** A recording of the workspace in `dataDir`, decrypted: what readWav gave for plaintext files. */
export function readStoredRecording(dataDir: string, path: string): Promise<WavAudio> {
  return readRecordingWav(path, workspaceRecordingKeys(dataDir));
}
