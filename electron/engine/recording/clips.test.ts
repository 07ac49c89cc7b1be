/**
 * recording/clips.ts: a label clip is the recordings' container in mono — nothing plain on disk,
 * read back as the WAV it stands for (whole or by range), refused when altered or under another
 * key — and readAudioFile passes plain WAVs through without asking for keys.
 */
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { encodeWav, parseWav } from '../audio/index.js';
import { readAudioFile, writeEncryptedClip } from './clips.js';
import { openRecording } from './reader.js';
import { testKeys } from './testing/keys.js';

const RATE = 16_000;

function noise(frames: number): Int16Array {
  let seed = 7;
  return Int16Array.from({ length: frames }, () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed % 20000) - 10000;
  });
}

describe('label clips encrypted at rest', () => {
  it('writes a mono clip that holds no plaintext and reads back as the same WAV encodeWav makes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'label-clip-'));
    const keys = testKeys();
    const samples = noise(RATE * 1.3); // more than one chunk (a chunk holds 1 s of mono)
    const path = join(dir, 'c-1500.wav');
    await writeEncryptedClip(path, keys, RATE, samples, { callId: 'c' });
    const onDisk = await readFile(path);
    const wav = encodeWav({ sampleRate: RATE, channels: [samples] });
    expect(onDisk.subarray(0, 4).toString('latin1')).not.toBe('RIFF');
    for (const at of [44, 44 + RATE, wav.length - 64])
      expect(onDisk.includes(wav.subarray(at, at + 32))).toBe(false);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readAudioFile(path, () => keys)).toEqual(wav);
    const reader = await openRecording(path, keys);
    try {
      expect(reader).toMatchObject({ encrypted: true, channels: 1, sampleRate: RATE });
      expect(reader.durationMs).toBe(1300);
      expect(await reader.read(44 + RATE * 2 - 10, 20)).toEqual(
        wav.subarray(44 + RATE * 2 - 10, 44 + RATE * 2 + 10),
      );
    } finally {
      await reader.close();
    }
    // Another workspace's keys, or one changed byte, and it does not open.
    await expect(readAudioFile(path, testKeys)).rejects.toThrow();
    const altered = Buffer.from(onDisk);
    altered.writeUInt8(altered.readUInt8(altered.length - 200) ^ 1, altered.length - 200);
    await writeFile(path, altered);
    await expect(readAudioFile(path, () => keys)).rejects.toThrow(/does not authenticate/);
  });

  it('reads a plain WAV as it is, without asking for keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'label-clip-'));
    const wav = encodeWav({ sampleRate: 8000, channels: [noise(4000), noise(4000)] });
    await writeFile(join(dir, 'hand-made.wav'), wav);
    const bytes = await readAudioFile(join(dir, 'hand-made.wav'), () => {
      throw new Error('keys asked for');
    });
    expect(bytes).toEqual(wav);
    expect(parseWav(bytes).channels).toBe(2);
  });
});
