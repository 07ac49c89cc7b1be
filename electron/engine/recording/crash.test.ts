import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { readWav } from '../audio/wav.js';
import { recoverRecordings } from './finalize.js';
import { killAndWait, spawnScript } from './testing/child.js';
import { leftSample, rightSample, SAMPLES } from './testing/signal.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a process killed while recording', () => {
  it.each([
    ['1 s segments (two closed, one open)', 1000],
    ['the default 10 s segments (one open)', 10_000],
  ])(
    'leaves a recording that recovery turns into the frames pushed, less at most 1 s — %s',
    async (_name, segmentMs) => {
      const dir = await mkdtemp(join(tmpdir(), 'outbound-rec-crash-'));
      dirs.push(dir);
      const child = spawnScript('push-until-killed.ts', [dir, 'crash-call', String(segmentMs)]);
      try {
        await child.waitForLine((line) => line === 'pushed 124'); // 2.5 s of audio
        await sleep(Math.random() * 600); // land the kill anywhere in the 500 ms flush cycle
      } finally {
        expect((await killAndWait(child)).signal).toBe('SIGKILL');
      }
      const pushed = child.lines.filter((line) => line.startsWith('pushed ')).length;
      expect(pushed).toBeGreaterThanOrEqual(125);

      const outcomes = await recoverRecordings(dir);
      expect(outcomes).toHaveLength(1);
      const outcome = outcomes[0]!;
      if (outcome.error !== undefined) throw new Error(`recovery failed: ${outcome.error}`);
      expect(outcome).toMatchObject({
        callId: 'crash-call',
        channels: 2,
        sampleRate: 16000,
        path: join(dir, 'crash-call.wav'),
      });
      expect(await readdir(dir)).toEqual(['crash-call.wav']);

      const wav = await readWav(outcome.path);
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
