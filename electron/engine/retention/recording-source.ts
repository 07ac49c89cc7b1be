/**
 * A recording's plaintext WAV as a stream for the access export, through recording/'s reader (it
 * decrypts an encrypted recording with the workspace's recording keys, and reads an older plain WAV
 * as it is). The reader is closed when the stream ends or fails.
 */
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';

import { openRecording, type RecordingKeys } from '../recording/index.js';

export function recordingSource(
  dataDir: string,
  keys: () => RecordingKeys | null,
): (callId: string, storedPath: string) => Promise<Readable> {
  return async (_callId, storedPath) => {
    const reader = await openRecording(resolve(dataDir, storedPath), keys());
    const stream = reader.stream();
    stream.once('close', () => void reader.close().catch(() => undefined));
    return stream;
  };
}
