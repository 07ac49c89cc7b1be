import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { chunkFrames, FRAME_MS, loadPrompt, SAMPLE_RATE, SAMPLES_PER_FRAME } from './frames.js';
import { encodeWavHeader, writeWav } from './wav.js';

describe('frame constants', () => {
  it('are 16 kHz, 20 ms, 320 samples', () => {
    expect([SAMPLE_RATE, FRAME_MS, SAMPLES_PER_FRAME]).toEqual([16000, 20, 320]);
  });
});

describe('chunkFrames', () => {
  it('cuts whole frames and pads the last with zeros', () => {
    const samples = Int16Array.from({ length: 700 }, (_, i) => i + 1);
    const frames = chunkFrames(samples);
    expect(frames.map((f) => f.length)).toEqual([320, 320, 320]);
    expect(frames[0]![0]).toBe(1);
    expect(frames[1]![0]).toBe(321);
    expect(frames[2]![59]).toBe(700);
    expect(Array.from(frames[2]!.subarray(60))).toEqual(new Array(260).fill(0));
  });

  it('does not pad an exact multiple, and gives nothing for nothing', () => {
    expect(chunkFrames(new Int16Array(640)).length).toBe(2);
    expect(chunkFrames(new Int16Array(0))).toEqual([]);
    expect(chunkFrames(new Int16Array(5), 2).map((f) => Array.from(f))).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it('copies instead of aliasing the input', () => {
    const samples = new Int16Array(320).fill(7);
    const [frame] = chunkFrames(samples);
    samples[0] = 1;
    expect(frame![0]).toBe(7);
    expect(() => chunkFrames(samples, 0)).toThrow(RangeError);
  });
});

describe('loadPrompt', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'outbound-prompt-'));
    dirs.push(dir);
    return dir;
  };

  it('turns a 44.1 kHz stereo float WAV into 16 kHz mono 20 ms frames', async () => {
    const path = join(await tempDir(), 'hello.wav');
    const rate = 44100;
    const seconds = 1.01;
    const left = new Float32Array(Math.round(rate * seconds));
    const right = new Float32Array(left.length);
    for (let i = 0; i < left.length; i++) {
      left[i] = 0.6 * Math.sin((2 * Math.PI * 500 * i) / rate);
      right[i] = 0.2 * Math.sin((2 * Math.PI * 500 * i) / rate);
    }
    await writeWav(path, { sampleRate: rate, channels: [left, right] });

    const prompt = await loadPrompt(path);
    expect(prompt.source).toEqual({ sampleRate: 44100, channels: 2 });
    expect(prompt.samples.length).toBe(16160);
    expect(prompt.durationMs).toBe(1010);
    expect(prompt.frames.length).toBe(51);
    expect(prompt.frames.every((f) => f.length === 320)).toBe(true);
    // Mono = the average (0.4 amplitude) of the 500 Hz tone, at 16 kHz.
    for (const i of [1000, 5000, 12345]) {
      expect(
        Math.abs(prompt.samples[i]! - 0.4 * 32768 * Math.sin((2 * Math.PI * 500 * i) / 16000)),
      ).toBeLessThan(30);
    }
    expect(Array.from(prompt.frames[50]!.subarray(160))).toEqual(new Array(160).fill(0));
  });

  it('keeps 16 kHz mono 16-bit samples exactly', async () => {
    const path = join(await tempDir(), 'exact.wav');
    const samples = Int16Array.from({ length: 640 }, (_, i) => ((i * 97) % 30000) - 15000);
    await writeWav(path, { sampleRate: 16000, channels: [samples] });
    const prompt = await loadPrompt(path);
    expect(prompt.samples).toEqual(samples);
    expect(prompt.frames.length).toBe(2);
  });

  it('refuses a WAV without audio, naming the file', async () => {
    const path = join(await tempDir(), 'empty.wav');
    await writeFile(path, encodeWavHeader({ sampleRate: 16000, channels: 1, dataBytes: 0 }));
    await expect(loadPrompt(path)).rejects.toMatchObject({
      code: 'NO_AUDIO',
      message: `${path}: the file holds no audio (its data chunk is empty)`,
    });
  });
});
