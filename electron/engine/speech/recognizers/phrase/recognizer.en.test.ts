/**
 * English phrase recognition, trained on six espeak-ng voices (synthetic speech only) and tested
 * on voices/variants NOT used in training (en-us-nyc and en-gb-x-gbcwmd with variants the
 * trainer never applies), through noise and the telephone channel. That audio is synthetic, so
 * those numbers flatter the recognizer. The last test uses REAL human telephone speech (Debian's
 * asterisk-core-sounds-en-wav: one speaker, 8 kHz prompts with their texts; skipped when the
 * package is not installed): "vm-no" ("no") and out-of-set prompts that must give noMatch.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chunkFrames, floatToInt16, readWav, resample, toMono } from '../../../audio/index.js';
import { EspeakWasmTts } from '../../../tts/index.js';
import { createRecognizer } from '../index.js';
import { SpeechEmbedder } from './embedder.js';
import type { PhraseModel } from './model.js';
import { EMBEDDING_MODEL_DIR, type EvalCase, evaluate, summarize } from './testing.js';
import { trainPhraseModel } from './train.js';

const PHRASES = [
  { text: 'yes', intent: 'yes' },
  { text: 'yes please', intent: 'yes' },
  { text: 'no', intent: 'no' },
  { text: 'no thanks', intent: 'no' },
  { text: 'call me later', intent: 'later' },
  { text: 'talk to a person', intent: 'agent' },
];
const TRAIN_VOICES = ['en-us', 'en', 'en-gb-x-rp', 'en-gb-scotland', 'en-029', 'en-gb-x-gbclan'];
const HELD_OUT = ['en-us-nyc+m7', 'en-gb-x-gbcwmd+f2', 'en-us-nyc+f4'];
// The voice's own folder (asterisk-core-sounds-en-wav), not the sounds/en alternatives link.
const ASTERISK_SOUNDS = '/usr/share/asterisk/sounds/en_US_f_Allison';
const ASTERISK_TEXTS = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz';
const UNRELATED = [
  'I would like to order a pizza',
  'the weather is nice in spring',
  'my brother lives in Chicago',
  'what is your company called',
  'I never received that letter',
  'can you hear me now',
];

describe('PhraseRecognizer, English, held-out voices', () => {
  let embedder: SpeechEmbedder;
  let tts: EspeakWasmTts;
  let model: PhraseModel;
  beforeAll(async () => {
    embedder = await SpeechEmbedder.load(EMBEDDING_MODEL_DIR);
    tts = new EspeakWasmTts();
    await tts.init();
    model = await trainPhraseModel(
      { language: 'en', phrases: PHRASES },
      { tts, embedder, voices: TRAIN_VOICES, augmentations: 2, seed: 1 },
    );
    console.log(
      `[en] trained in ${model.stats.trainMs} ms: ${JSON.stringify(model.stats)}; threshold ${model.threshold}; ${JSON.stringify(model).length} bytes`,
    );
  }, 300_000); // training: about 30 s alone, minutes on a loaded machine
  afterAll(async () => {
    await embedder.release();
  });

  it('picks the right intent for held-out voices and rejects unrelated sentences', async () => {
    const recognizer = await createRecognizer('phrase', { model, embedder });
    const cases: EvalCase[] = [];
    for (const voice of HELD_OUT) {
      for (const [rate, pitch] of [
        [1, 50],
        [0.9, 45],
        [1.1, 58],
      ] as const) {
        for (const p of PHRASES) cases.push({ text: p.text, intent: p.intent, voice, rate, pitch });
      }
      for (const text of UNRELATED) cases.push({ text, voice, rate: 1, pitch: 50 });
    }
    const outcomes = await evaluate(recognizer, tts, 'en', cases);
    const s = summarize(outcomes);
    console.log(`[en] held-out ${HELD_OUT.join(', ')}: ${JSON.stringify(s)}`);
    for (const o of outcomes)
      if (o.intent ? o.top !== o.intent || o.noMatch : !o.noMatch)
        console.log(
          `[en] miss ${o.voice} ${o.rate} "${o.text}" → ${o.top} ${o.confidence.toFixed(2)} noMatch=${o.noMatch}`,
        );
    expect(s.top1 / s.phrases).toBeGreaterThanOrEqual(0.9);
    expect(s.acceptedCorrect / s.phrases).toBeGreaterThanOrEqual(0.8);
    expect(s.rejected / s.unrelated).toBeGreaterThanOrEqual(0.75);
  }, 60_000);

  it('finds an expected phrase inside a longer answer through a window of frames', async () => {
    // Answers with a word or three more than the phrases (words not among the trainer's carriers).
    const LONGER = [
      { text: 'oh no thanks not today', intent: 'no' },
      { text: 'yes please go ahead', intent: 'yes' },
      { text: 'could you call me later this evening', intent: 'later' },
      { text: 'I would rather talk to a person', intent: 'agent' },
    ];
    const cases: EvalCase[] = HELD_OUT.flatMap((voice) =>
      LONGER.map((l) => ({ ...l, voice, rate: 1, pitch: 50 })),
    );
    const windowed = await evaluate(
      await createRecognizer('phrase', { model, embedder }),
      tts,
      'en',
      cases,
    );
    const wholeOnly = await evaluate(
      await createRecognizer('phrase', { model: { ...model, windowFrames: [] }, embedder }),
      tts,
      'en',
      cases,
    );
    const w = summarize(windowed);
    const whole = summarize(wholeOnly);
    console.log(
      `[en] longer answers, windows ${JSON.stringify(model.windowFrames)}: ${JSON.stringify(w)}; whole utterance only: ${JSON.stringify(whole)}`,
    );
    for (const o of windowed)
      if (o.top !== o.intent)
        console.log(
          `[en] longer miss ${o.voice} "${o.text}" → ${o.top} ${o.confidence.toFixed(2)}`,
        );
    // A window's match is confirmed first (uncertain), never taken outright. Measured (seed 1):
    // top-1 12/12 either way; taken 1/12 on the whole utterance, 1 + 7 confirmed with windows.
    const taken = (x: typeof w): number => x.acceptedCorrect + x.uncertainCorrect;
    expect(model.windowFrames?.length).toBeGreaterThan(0);
    expect(w.top1).toBeGreaterThanOrEqual(whole.top1);
    expect(w.top1 / w.phrases).toBeGreaterThanOrEqual(0.75);
    expect(taken(w)).toBeGreaterThan(taken(whole));
    expect(taken(w) / w.phrases).toBeGreaterThanOrEqual(0.6);
  }, 120_000);

  it('reports start/end times and refuses push before start', async () => {
    const recognizer = await createRecognizer('phrase', { model, embedder });
    expect(() => recognizer.push(new Int16Array(320))).toThrow(/before start/);
    recognizer.start({ startMs: 5000 });
    for (let i = 0; i < 50; i++) recognizer.push(new Int16Array(320));
    const r = await recognizer.finish();
    expect(r.startMs).toBe(5000);
    expect(r.endMs).toBe(6000);
    expect(r.noMatch).toBe(true); // digital silence is not an answer
    expect(r.alternatives.length).toBe(4);
  });

  it.skipIf(!existsSync(ASTERISK_SOUNDS) || !existsSync(ASTERISK_TEXTS))(
    'real telephone speech: "no" and out-of-set prompts',
    async () => {
      const recognizer = await createRecognizer('phrase', { model, embedder });
      const texts = new Map<string, string>();
      for (const line of gunzipSync(await readFile(ASTERISK_TEXTS))
        .toString('utf8')
        .split('\n')) {
        const m = /^([\w/-]+):\s*(.+)$/.exec(line.trim());
        if (m) texts.set(m[1]!, m[2]!);
      }
      const recognize = async (name: string) => {
        const wav = await readWav(join(ASTERISK_SOUNDS, `${name}.wav`));
        const samples = floatToInt16(resample(toMono(wav.samples), wav.sampleRate, 16000));
        recognizer.start();
        for (const frame of chunkFrames(samples)) recognizer.push(frame);
        return { r: await recognizer.finish(), ms: (samples.length / 16) | 0 };
      };
      const no = (await recognize('vm-no')).r;
      console.log(
        `[en-real] vm-no ("no"): top ${no.alternatives[0]?.intent} ${no.confidence.toFixed(2)} noMatch=${no.noMatch}`,
      );
      // Out of set: top-level prompts whose text holds none of the expected words, 0.5–3 s long.
      const names = [...texts.keys()]
        .filter((n) => !n.includes('/') && existsSync(join(ASTERISK_SOUNDS, `${n}.wav`)))
        .filter((n) => !/\b(yes|no|later|person|call me|talk)\b/i.test(texts.get(n)!))
        .sort();
      let tried = 0;
      let rejected = 0;
      const falseAccepts: string[] = [];
      for (const n of names) {
        if (tried >= 80) break;
        const { r, ms } = await recognize(n);
        if (ms < 500 || ms > 3000) continue;
        tried++;
        if (r.noMatch) rejected++;
        else falseAccepts.push(`${n} "${texts.get(n)}" → ${r.intent} ${r.confidence.toFixed(2)}`);
      }
      console.log(
        `[en-real] out-of-set prompts rejected ${rejected}/${tried}; false accepts: ${falseAccepts.join('; ')}`,
      );
      expect(no.alternatives[0]?.intent).toBe('no');
      expect(tried).toBeGreaterThanOrEqual(40);
      // Measured 77/80 (96 %) with seed 1 and the real-speech garbage bank (74/80 before it);
      // the one-speaker real "no" is accepted at 1.00.
      expect(rejected / tried).toBeGreaterThanOrEqual(0.85);
    },
    60_000,
  );
});
