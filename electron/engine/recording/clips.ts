/**
 * Label clips encrypted at rest: the few seconds of a customer's answer History's labelling loop
 * keeps to train a question's model (flows/labels.ts) are written in the recordings' own container
 * (container.ts, mono) with the workspace recording keys, and everything that trains or evaluates
 * on a clip reads it here. `readAudioFile` also reads plain WAV files as they are: the answers an
 * admin puts into phrase-recordings/ by hand, and label clips from before (migrate.ts encrypts
 * those at start).
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

import { isContainer } from './container.js';
import { encryptPcm, syncDir } from './finalize.js';
import type { RecordingKeys } from './keys.js';
import { openRecording } from './reader.js';

/**
 * Writes 16-bit mono PCM as an encrypted clip at `path` (a temporary file, fsynced, renamed over
 * it): no plaintext byte of it reaches the disk.
 */
export async function writeEncryptedClip(
  path: string,
  keys: RecordingKeys,
  sampleRate: number,
  samples: Int16Array,
  meta: { callId: string },
): Promise<void> {
  const pcm = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) pcm.writeInt16LE(samples[i]!, i * 2);
  const temp = `${path}.tmp`;
  try {
    await encryptPcm(
      temp,
      keys,
      sampleRate,
      { callId: meta.callId, startedAt: null },
      pcm.length,
      async (position, buffer, length) => pcm.copy(buffer, 0, position, position + length),
      1,
    );
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDir(dirname(path));
}

/**
 * The bytes of the WAV an audio file stands for: an encrypted clip or recording decrypted (the
 * keys are asked for only then), a plain WAV file read as it is. Meant for short files (clips,
 * answers): the whole WAV is in memory.
 */
export async function readAudioFile(
  path: string,
  keys: () => RecordingKeys | null,
): Promise<Buffer> {
  const head = Buffer.alloc(6);
  const file = await open(path, 'r');
  try {
    await file.read(head, 0, head.length, 0);
  } finally {
    await file.close();
  }
  if (!isContainer(head)) return readFile(path);
  const reader = await openRecording(path, keys());
  try {
    return await reader.read(0, reader.size);
  } finally {
    await reader.close();
  }
}
