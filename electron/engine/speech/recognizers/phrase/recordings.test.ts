/**
 * Admin-added recordings in training: a real recording (Debian's asterisk-core-sounds-en-wav, a
 * human voice) of an answer no example phrase covers gets a class of its own and is recognized;
 * the model's cache key follows the recordings; an intent's recordings (History's labelled clips)
 * get a class of their own beside its phrases', and recordings labelled none train the garbage
 * class. Plumbing, not accuracy: the recognized audio is the recording trained on (there is one
 * human "tomorrow" to be had here).
 */
import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { floatToInt16, parseWav, resample, toMono } from '../../../audio/index.js';
import { EspeakWasmTts } from '../../../tts/index.js';
import { createRecognizer } from '../index.js';
import { SpeechEmbedder } from './embedder.js';
import { EMBEDDING_MODEL_DIR } from './testing.js';
import { type QuestionSpec, trainPhraseModel } from './train.js';

// The voice's own folder (asterisk-core-sounds-en-wav), not the sounds/en alternatives link.
const TOMORROW = '/usr/share/asterisk/sounds/en_US_f_Allison/digits/tomorrow.wav';

async function wav16k(path: string): Promise<Int16Array> {
  const wav = parseWav(await readFile(path));
  return floatToInt16(resample(toMono(wav.samples), wav.sampleRate, 16000));
}

/** One voice setting and few iterations: these tests check how recordings enter training, fast. */
const SMALL_TRAINING = {
  voices: ['en-us'],
  variants: [''],
  rates: [1],
  pitches: [50],
  augmentations: 2,
  negativeSettings: 1,
  noiseClips: 4,
  iterations: 120,
};

describe('phrase training with recordings', () => {
  let embedder: SpeechEmbedder;
  const tts = new EspeakWasmTts();
  beforeAll(async () => {
    embedder = await SpeechEmbedder.load(EMBEDDING_MODEL_DIR);
  });
  afterAll(async () => {
    await embedder.release();
  });

  it('gives a recorded-only intent a class, recognizes its recording, and keys the model by the recordings', async () => {
    const samples = await wav16k(TOMORROW);
    const base: QuestionSpec = {
      language: 'en',
      phrases: [
        { text: 'yes', intent: 'yes' },
        { text: 'no', intent: 'no' },
      ],
    };
    const question: QuestionSpec = {
      ...base,
      recordings: [{ intent: 'time', samples, id: 'time/tomorrow.wav#1' }],
    };
    const options = { tts, embedder, ...SMALL_TRAINING };
    const model = await trainPhraseModel(question, options);
    expect(model.classes.map((c) => c.intent)).toEqual(['yes', 'no', 'time', null]);
    const recognizer = await createRecognizer('phrase', { model, embedder });
    const padded = new Int16Array(samples.length + 8000);
    padded.set(samples, 4000);
    recognizer.start();
    recognizer.push(padded);
    const result = await recognizer.finish();
    expect(result.alternatives[0]?.intent).toBe('time');
    const without = await trainPhraseModel(base, options);
    expect(without.classes.map((c) => c.intent)).toEqual(['yes', 'no', null]);
    expect(without.key).not.toBe(model.key);
  }, 60_000);

  it('gives the recordings of an intent that has phrases their own class, and trains "none" recordings as garbage', async () => {
    // History's labelling: a clip labelled "yes" that no phrase sounds like, and one labelled none.
    const samples = await wav16k(TOMORROW);
    const question: QuestionSpec = {
      language: 'en',
      phrases: [
        { text: 'yes', intent: 'yes' },
        { text: 'no', intent: 'no' },
      ],
      recordings: [
        { intent: 'yes', samples, id: 'labelled/1/q/yes/c-1.wav#1' },
        { intent: null, samples: samples.slice(0, 4000), id: 'labelled/1/q/none/c-2.wav#1' },
      ],
    };
    const model = await trainPhraseModel(question, { tts, embedder, ...SMALL_TRAINING });
    expect(model.classes).toEqual([
      { phrase: 'yes', intent: 'yes' },
      { phrase: 'no', intent: 'no' },
      { phrase: 'yes', intent: 'yes' },
      { phrase: null, intent: null },
    ]);
    const recognizer = await createRecognizer('phrase', { model, embedder });
    recognizer.start();
    recognizer.push(samples);
    expect((await recognizer.finish()).alternatives[0]?.intent).toBe('yes');
  }, 60_000);
});
