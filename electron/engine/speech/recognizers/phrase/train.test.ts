import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EspeakWasmTts } from '../../../tts/index.js';
import { MemoryClipStore } from './clips.js';
import { SpeechEmbedder } from './embedder.js';
import { checkPhraseModel } from './model.js';
import { EMBEDDING_MODEL_DIR } from './testing.js';
import { type TrainOptions, trainPhraseModel, type TrainProgress, voiceSettings } from './train.js';

describe('trainPhraseModel (small, fast configuration)', () => {
  let embedder: SpeechEmbedder;
  let tts: EspeakWasmTts;
  let dir: string;
  beforeAll(async () => {
    embedder = await SpeechEmbedder.load(EMBEDDING_MODEL_DIR);
    tts = new EspeakWasmTts();
    await tts.init();
    dir = await mkdtemp(join(tmpdir(), 'phrase-cache-'));
  });
  afterAll(async () => {
    await embedder.release();
    await rm(dir, { recursive: true, force: true });
  });

  const question = {
    language: 'en' as const,
    phrases: [
      { text: 'yes', intent: 'yes' },
      { text: 'no', intent: 'no' },
    ],
  };
  const small = (): TrainOptions => ({
    tts,
    embedder,
    voices: ['en-us', 'en-gb-x-rp'],
    rates: [1],
    pitches: [50],
    augmentations: 1,
    negatives: ['what time is it', 'my dog is barking', 'hello who is this'],
    negativeSettings: 1,
    noiseClips: 2,
    iterations: 60,
    seed: 42,
  });

  it('rotates variants over the voice settings', () => {
    expect(voiceSettings(['en-us', 'en'], ['', '+f3'], [1], [40, 60]).map((s) => s.voice)).toEqual([
      'en-us',
      'en-us+f3',
      'en+f3',
      'en',
    ]);
    expect(voiceSettings(['en-us+m7'], ['', '+f3'], [1], [40]).map((s) => s.voice)).toEqual([
      'en-us+m7',
    ]);
  });

  it('is deterministic: the same seed (and clips) gives the same weights and threshold; another seed differs', async () => {
    // espeak-ng WASM does not render bit-identically twice, so determinism holds given the same
    // clips: the store keeps the first rendering (as the disk store under a cache dir does).
    const clips = new MemoryClipStore();
    const a = await trainPhraseModel(question, { ...small(), clips });
    expect(clips.size).toBe(2 * 2 + 3); // 2 phrases × 2 voice settings + 3 garbage sentences × 1
    const b = await trainPhraseModel(question, { ...small(), clips });
    expect(a.weights).toEqual(b.weights);
    expect(a.bias).toEqual(b.bias);
    expect(a.featureMean).toEqual(b.featureMean);
    expect(a.threshold).toBe(b.threshold);
    expect(a.key).toBe(b.key);
    const c = await trainPhraseModel(question, { ...small(), clips, seed: 43 });
    expect(c.key).not.toBe(a.key);
    expect(c.weights).not.toEqual(a.weights);
    // JSON-able and valid after a round trip.
    const copy = checkPhraseModel(JSON.parse(JSON.stringify(a)));
    expect(copy.weights).toEqual(a.weights);
    expect(a.classes.map((k) => k.intent)).toEqual(['yes', 'no', null]);
    expect(a.weights.length).toBe(3);
    expect(a.weights[0]!.length).toBe(192);
  });

  it('reports progress and caches the model by its key', async () => {
    const stages: TrainProgress[] = [];
    const first = await trainPhraseModel(question, {
      ...small(),
      cacheDir: dir,
      onProgress: (p) => stages.push(p),
    });
    expect(stages.some((p) => p.stage === 'synthesize')).toBe(true);
    expect(stages.some((p) => p.stage === 'fit')).toBe(true);
    expect(stages.at(-1)?.stage).toBe('done');
    const synth = stages.filter((p) => p.stage === 'synthesize');
    expect(synth.at(-1)?.done).toBe(synth.at(-1)?.total);
    expect((await readdir(dir)).sort()).toEqual(['clips', `phrase-${first.key}.json`]);
    expect((await readdir(join(dir, 'clips'))).length).toBe(7);

    const again: TrainProgress[] = [];
    const second = await trainPhraseModel(question, {
      ...small(),
      cacheDir: dir,
      onProgress: (p) => again.push(p),
    });
    expect(again.map((p) => p.stage)).toEqual(['cached']);
    expect(second.weights).toEqual(first.weights);
  });
});
