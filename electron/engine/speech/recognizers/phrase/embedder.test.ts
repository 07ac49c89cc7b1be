import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  EMBEDDING_DIM,
  MIN_EMBED_SAMPLES,
  newEmbeddingStream,
  poolMeanMax,
  SpeechEmbedder,
  streamEmbeddings,
} from './embedder.js';
import { EMBEDDING_MODEL_DIR } from './testing.js';

describe('SpeechEmbedder (openWakeWord front end)', () => {
  let embedder: SpeechEmbedder;
  beforeAll(async () => {
    embedder = await SpeechEmbedder.load(EMBEDDING_MODEL_DIR);
  });
  afterAll(async () => {
    await embedder.release();
  });

  function tone(samples: number): Int16Array {
    return Int16Array.from({ length: samples }, (_, i) =>
      Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / 16000) + 500 * Math.sin(i * 0.37)),
    );
  }

  it('gives 197 rescaled mel frames × 32 bins for 2 s', async () => {
    const mel = await embedder.melspectrogram(tone(32000));
    expect(mel.rows).toBe(197);
    expect(mel.cols).toBe(32);
    // x/10 + 2 puts typical values in a few units around 0..5, not the raw log-mel range.
    const values = Array.from(mel.data);
    expect(Math.min(...values)).toBeGreaterThan(-10);
    expect(Math.max(...values)).toBeLessThan(15);
  });

  it('gives [n, 96] for a 2 s clip with n = 2000/80 − 9 (each embedding sees 760 ms)', async () => {
    const m = await embedder.embed(tone(32000));
    expect(m.cols).toBe(EMBEDDING_DIM);
    expect(m.rows).toBe(16); // floor((197 − 76) / 8) + 1
    expect(m.data.length).toBe(16 * 96);
    expect(m.data.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('pads short clips so they still give one embedding, and pools mean+max', async () => {
    const m = await embedder.embed(tone(4000));
    expect(m.rows).toBe(1);
    expect((await embedder.embed(tone(4000), false)).rows).toBe(0);
    expect((await embedder.embed(tone(MIN_EMBED_SAMPLES), false)).rows).toBe(1);
    const pooled = poolMeanMax(await embedder.embed(tone(32000)));
    expect(pooled.length).toBe(192);
  });

  it('streams: embedding the audio piece by piece gives the embeddings of the whole clip, keeping the newest', async () => {
    const clip = tone(48_000);
    const whole = await embedder.embed(clip, false);
    // Uneven pieces (not multiples of the 160-sample hop), some too short for a mel frame.
    let stream = newEmbeddingStream(1000);
    let keepFive = newEmbeddingStream(5);
    for (const [from, to] of [
      [0, 300],
      [300, 19_200],
      [19_200, 19_333],
      [19_333, 24_320],
      [24_320, 48_000],
    ] as const) {
      stream = await embedder.extendStream(stream, clip.subarray(from, to));
      keepFive = await embedder.extendStream(keepFive, clip.subarray(from, to));
    }
    const streamed = streamEmbeddings(stream);
    expect(streamed.rows).toBe(whole.rows);
    expect(stream.total).toBe(whole.rows);
    let maxDiff = 0;
    for (let i = 0; i < whole.data.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(whole.data[i]! - streamed.data[i]!));
    expect(maxDiff).toBeLessThan(1e-3);
    const newest = streamEmbeddings(keepFive);
    expect(newest.rows).toBe(5);
    expect(keepFive.total).toBe(whole.rows);
    expect(Array.from(newest.data)).toEqual(
      Array.from(streamed.data.subarray((whole.rows - 5) * EMBEDDING_DIM)),
    );
    // Bounded: what it holds besides the embeddings stays under a window's worth.
    expect(keepFive.mel.length / 32).toBeLessThan(76 + 8);
    expect(keepFive.audio.length).toBeLessThan(512);
  });

  it('is deterministic and has a stable version', async () => {
    const a = await embedder.embed(tone(20000));
    const b = await embedder.embed(tone(20000));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(embedder.version).toMatch(/^[0-9a-f]{16}$/);
  });
});
