import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { findPlaintextAudio, pcmNeedles } from '../../../test/support/plaintext-audio.js';
import { silentLogger } from '../log.js';
import { openKeyFileSecretBox } from '../secrets/index.js';
import { recoverRecordings } from './finalize.js';
import { openRecordingKeys } from './keys.js';
import { openRecording, readRecordingWav } from './reader.js';
import { killAndWait, spawnScript } from './testing/child.js';
import { leftSample, makeFrame, rightSample, SAMPLES } from './testing/signal.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Interleaved PCM of the frames the child pushes (what must never be found on disk). */
function pushedPcm(frames: number): Buffer {
  const out = Buffer.alloc(frames * SAMPLES * 4);
  for (let seq = 0; seq < frames; seq++) {
    const frame = makeFrame(seq);
    for (let i = 0; i < SAMPLES; i++) {
      out.writeInt16LE(frame.left[i]!, (seq * SAMPLES + i) * 4);
      out.writeInt16LE(frame.right[i]!, (seq * SAMPLES + i) * 4 + 2);
    }
  }
  return out;
}

describe('a process killed while recording', () => {
  it.each([
    ['1 s segments (two closed, one open)', 1000],
    ['the default 10 s segments (one open)', 10_000],
  ])(
    'leaves an encrypted recording that recovery turns into the frames pushed, less at most 1 s — %s',
    async (_name, segmentMs) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'outbound-rec-crash-'));
      dirs.push(dataDir);
      const dir = join(dataDir, 'recordings');
      const child = spawnScript('push-until-killed.ts', [dataDir, 'crash-call', String(segmentMs)]);
      try {
        await child.waitForLine((line) => line === 'pushed 124'); // 2.5 s of audio
        await sleep(Math.random() * 600); // land the kill anywhere in the 500 ms flush cycle
      } finally {
        expect((await killAndWait(child)).signal).toBe('SIGKILL');
      }
      const pushed = child.lines.filter((line) => line.startsWith('pushed ')).length;
      expect(pushed).toBeGreaterThanOrEqual(125);

      // What the kill left: encrypted segments only, no audio in the clear anywhere.
      const needles = pcmNeedles(pushedPcm(pushed));
      expect(needles.length).toBeGreaterThan(8);
      expect(await findPlaintextAudio(dataDir, needles)).toEqual([]);

      // The restarted app opens the same keys (key file + recording-keys.json) and recovers.
      const keys = openRecordingKeys(dataDir, openKeyFileSecretBox(dataDir, silentLogger));
      const outcomes = await recoverRecordings(dir, keys);
      expect(outcomes).toHaveLength(1);
      const outcome = outcomes[0]!;
      if (outcome.error !== undefined) throw new Error(`recovery failed: ${outcome.error}`);
      expect(outcome).toMatchObject({
        callId: 'crash-call',
        channels: 2,
        sampleRate: 16000,
        path: join(dir, 'crash-call.wav'),
        warnings: [], // the kill left a final chunk after the last write: nothing torn
      });
      expect(await readdir(dir)).toEqual(['crash-call.wav']);
      expect(await findPlaintextAudio(dataDir, needles)).toEqual([]);

      const reader = await openRecording(outcome.path, keys);
      expect(reader.complete).toBe(true);
      await reader.close();
      const wav = await readRecordingWav(outcome.path, keys);
      expect([wav.channels, wav.sampleRate]).toEqual([2, 16000]);
      const samples = wav.samples[0]!.length;
      expect(samples % SAMPLES).toBe(0); // whole frames: the recorder writes nothing smaller
      const frames = samples / SAMPLES;
      expect(outcome.durationMs).toBe(frames * 20);
      expect(frames).toBeLessThanOrEqual(pushed);
      expect(pushed - frames, `pushed ${pushed} frames, recovered ${frames}`).toBeLessThanOrEqual(
        50,
      );

      // Every recovered sample is exactly the one pushed there, on the right channel.
      const [left, right] = [wav.samples[0]!, wav.samples[1]!];
      for (let at = 0; at < samples; at++) {
        const seq = Math.floor(at / SAMPLES);
        const i = at % SAMPLES;
        const [l, r] = [Math.round(left[at]! * 32768), Math.round(right[at]! * 32768)];
        if (l !== leftSample(seq, i) || r !== rightSample(seq, i)) {
          throw new Error(
            `sample ${at} (frame ${seq}, index ${i}): got ${l}/${r}, pushed ${leftSample(seq, i)}/${rightSample(seq, i)}`,
          );
        }
      }
    },
    30_000,
  );
});
