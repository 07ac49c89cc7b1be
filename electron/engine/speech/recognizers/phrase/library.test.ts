import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { COMMON_ANSWERS } from '../../../nlu/library/index.js';
import { EspeakWasmTts } from '../../../tts/index.js';
import type { RecognitionResult } from '../recognizer.js';
import { SpeechEmbedder } from './embedder.js';
import {
  AskRecognizer,
  calibrate,
  combineRecognitions,
  LIBRARY_LANGUAGES,
  type LibraryModelFile,
  libraryStale,
  readLibraryModel,
  type RecognitionSource,
} from './library.js';
import { EMBEDDING_MODEL_DIR, evaluate } from './testing.js';

const LIBRARY_DIR = join(EMBEDDING_MODEL_DIR, '..', 'library');
const times = { startMs: 0, endMs: 1000 };

/** A phrase recognizer's result: per intent its probability; the rest is garbage. */
function seen(probs: Record<string, number>): RecognitionResult {
  const alternatives = Object.entries(probs)
    .map(([intent, confidence]) => ({ intent, phrase: intent, text: intent, confidence }))
    .sort((a, b) => b.confidence - a.confidence);
  return { confidence: alternatives[0]?.confidence ?? 0, noMatch: true, ...times, alternatives };
}

const question = (probs: Record<string, number>): RecognitionSource => ({
  result: seen(probs),
  accept: 0.6,
  reject: 0.4,
});
/** The library model heard through a node whose intents "yes" and "no" use affirm and deny. */
const library = (probs: Record<string, number>): RecognitionSource => ({
  result: seen(probs),
  accept: 0.5,
  reject: 0.3,
  intents: new Map([
    ['affirm', 'yes'],
    ['deny', 'no'],
  ]),
});

describe('combining a question model with the library model', () => {
  it('maps each threshold onto one scale: reject → 1/3, accept → 2/3', () => {
    expect(calibrate(0.4, 0.4, 0.6)).toBeCloseTo(1 / 3);
    expect(calibrate(0.6, 0.4, 0.6)).toBeCloseTo(2 / 3);
    expect(calibrate(1, 0.4, 0.6)).toBeCloseTo(1);
    expect(calibrate(0, 0.4, 0.6)).toBe(0);
    expect(calibrate(0.5, 0.3, 0.5)).toBeCloseTo(2 / 3);
  });

  it("takes the library's answer when the question's own model does not know it", () => {
    const r = combineRecognitions(
      [question({ home: 0.1, away: 0.05 }), library({ affirm: 0.8, deny: 0.05 })],
      times,
    );
    expect(r).toMatchObject({ noMatch: false, intent: 'yes', confidence: 0.8, phrase: 'affirm' });
    expect(r.uncertain).toBeUndefined();
    expect(r.alternatives.map((a) => a.intent)).toEqual(['yes', 'home', 'no', 'away']);
  });

  it("takes the question's own intent when it is the one accepted", () => {
    const r = combineRecognitions(
      [question({ home: 0.9 }), library({ affirm: 0.2, deny: 0.1 })],
      times,
    );
    expect(r).toMatchObject({ noMatch: false, intent: 'home', confidence: 0.9 });
  });

  it('between two accepted intents, the one further above its own threshold wins', () => {
    // home: 0.7 over 0.6 → 0.75 of the way; yes: 0.9 over 0.5 → 0.87.
    const r = combineRecognitions(
      [question({ home: 0.7 }), library({ affirm: 0.9, deny: 0.05 })],
      times,
    );
    expect(r.intent).toBe('yes');
  });

  it('keeps the better of two views of the same intent', () => {
    const r = combineRecognitions(
      [question({ yes: 0.5, other: 0.1 }), library({ affirm: 0.85, deny: 0.05 })],
      times,
    );
    expect(r).toMatchObject({ intent: 'yes', confidence: 0.85, noMatch: false });
    expect(r.alternatives.filter((a) => a.intent === 'yes')).toHaveLength(1);
  });

  it('garbage wins when both reject', () => {
    const r = combineRecognitions(
      [question({ home: 0.2, away: 0.1 }), library({ affirm: 0.1, deny: 0.2 })],
      times,
    );
    expect(r).toMatchObject({ noMatch: true, confidence: 0.2 });
    expect(r.intent).toBeUndefined();
    expect(r.uncertain).toBeUndefined();
  });

  it("counts the library's answers the node does not use as garbage", () => {
    // "I'm busy" heard well by the library: for a yes/no question it answers nothing.
    const r = combineRecognitions([library({ busy: 0.85, affirm: 0.1, deny: 0.02 })], times);
    expect(r.noMatch).toBe(true);
    expect(r.alternatives.map((a) => a.intent)).toEqual(['yes', 'no']);
    // Above the accept threshold but not above garbage plus the unused answers: confirm, never accept.
    const close = combineRecognitions([library({ affirm: 0.5, busy: 0.45 })], times);
    expect(close).toMatchObject({ noMatch: false, intent: 'yes', uncertain: true });
  });

  it("a window's match is only confirmed, and a recognizer's own decision caps its scores", () => {
    // The library's best window scores yes at 0.9: uncertain, never accepted; its uncertain counts for nothing.
    const window = combineRecognitions(
      [{ ...library({ affirm: 0.9, deny: 0.05 }), windowOnly: true }],
      times,
    );
    expect(window).toMatchObject({ noMatch: false, intent: 'yes', uncertain: true });
    const weak = combineRecognitions(
      [{ ...library({ affirm: 0.4, deny: 0.05 }), windowOnly: true }],
      times,
    );
    expect(weak.noMatch).toBe(true);
    // The question model found "home" in a window (its result says uncertain): not taken outright,
    // though its window's score is over the accept threshold.
    const found = combineRecognitions([{ ...question({ home: 0.95 }), maxLevel: 1 }], times);
    expect(found).toMatchObject({ intent: 'home', uncertain: true });
    // It judged the utterance far too long for "home": no match, whatever the score.
    const tooLong = combineRecognitions([{ ...question({ home: 0.95 }), maxLevel: 0 }], times);
    expect(tooLong.noMatch).toBe(true);
    // Beside the whole utterance's view, the window's cannot outrank an accepted answer.
    const both = combineRecognitions(
      [question({ home: 0.7 }), { ...library({ affirm: 0.99, deny: 0.005 }), windowOnly: true }],
      times,
    );
    expect(both).toMatchObject({ intent: 'home', noMatch: false });
    expect(both.uncertain).toBeUndefined();
  });

  it('says when an answer is uncertain only because it was found in a window (spotted, for the turn detector)', () => {
    const window = combineRecognitions(
      [{ ...library({ affirm: 0.9, deny: 0.05 }), windowOnly: true }],
      times,
    );
    expect(window).toMatchObject({ intent: 'yes', uncertain: true, spotted: true });
    const found = combineRecognitions([{ ...question({ home: 0.95 }), maxLevel: 1 }], times);
    expect(found).toMatchObject({ intent: 'home', uncertain: true, spotted: true });
    // Between the thresholds (whole or window) is merely uncertain; accepted is not spotted.
    const between = combineRecognitions([{ ...question({ home: 0.5 }), maxLevel: 1 }], times);
    expect(between).toMatchObject({ intent: 'home', uncertain: true });
    expect(between.spotted).toBeUndefined();
    expect(combineRecognitions([question({ home: 0.5 })], times).spotted).toBeUndefined();
    expect(combineRecognitions([question({ home: 0.9 })], times).spotted).toBeUndefined();
  });

  it('is uncertain between the reject and the accept threshold, so the dialog confirms', () => {
    const r = combineRecognitions([question({ home: 0.5, away: 0.1 })], times);
    expect(r).toMatchObject({ noMatch: false, intent: 'home', uncertain: true, confidence: 0.5 });
    // An uncertain intent never beats an accepted one, whatever the scale.
    const both = combineRecognitions(
      [question({ home: 0.59 }), library({ affirm: 0.51, deny: 0.01 })],
      times,
    );
    expect(both).toMatchObject({ intent: 'yes', noMatch: false });
    expect(both.uncertain).toBeUndefined();
  });
});

describe('the shipped common-answer library models', () => {
  const files = new Map<string, LibraryModelFile>();
  beforeAll(async () => {
    for (const language of LIBRARY_LANGUAGES) {
      const file = await readLibraryModel(LIBRARY_DIR, language);
      if (file) files.set(language, file);
    }
  });

  it.each(LIBRARY_LANGUAGES)(
    '%s: is there, built from the library data as it is now, over every common answer',
    (language) => {
      const file = files.get(language);
      expect(
        file,
        `native-models/library has no ${language} model: npm run build:library`,
      ).toBeDefined();
      expect(libraryStale(file!)).toBeNull();
      expect(new Set(file!.model.classes.map((c) => c.intent))).toEqual(
        new Set([...COMMON_ANSWERS, null]),
      );
      expect(file!.model.language).toBe(language);
    },
  );
});

describe('a question whose intent uses the library (real embedding, synthetic voice)', () => {
  let embedder: SpeechEmbedder;
  let tts: EspeakWasmTts;
  beforeAll(async () => {
    embedder = await SpeechEmbedder.load(EMBEDDING_MODEL_DIR);
    tts = new EspeakWasmTts();
    await tts.init();
  });
  afterAll(async () => {
    await embedder?.release();
  });

  it('recognizes "yes" and "no" in a voice setting training never used, as the node\'s intents, and rejects other talk', async () => {
    const file = await readLibraryModel(LIBRARY_DIR, 'en');
    expect(file).not.toBeNull();
    const recognizer = new AskRecognizer({
      library: { model: file!.model, uses: { affirm: 'confirm', deny: 'refuse' } },
      embedder,
    });
    // Held apart: rate 1 and pitch 50 are off the training grid (0.85/1.15, 35/65), and the clips
    // go through noise and the telephone channel (testing.ts evaluate).
    const setting = { voice: 'en-us', rate: 1, pitch: 50 };
    const outcomes = await evaluate(recognizer, tts, 'en', [
      { text: 'yes', intent: 'confirm', ...setting },
      { text: 'no thanks', intent: 'refuse', ...setting },
      { text: 'the weather was lovely last weekend', ...setting },
      // A common answer this node does not use is no answer here.
      { text: 'I am busy right now', ...setting },
    ]);
    expect(outcomes.map((o) => o.accepted ?? null)).toEqual(['confirm', 'refuse', null, null]);
  }, 60_000);

  it("embeds an utterance once for the question's model and the library's together", async () => {
    const file = await readLibraryModel(LIBRARY_DIR, 'en');
    expect(file).not.toBeNull();
    // Counts the embedding runs (the recognizers see the real embedder through it).
    let runs = 0;
    const counting = Object.create(embedder) as SpeechEmbedder;
    counting.embed = (samples, pad) => {
      runs++;
      return embedder.embed(samples, pad);
    };
    const { samples } = await tts.synthesize('yes please', { language: 'en', voice: 'en-us' });
    const recognize = async (
      config: ConstructorParameters<typeof AskRecognizer>[0],
    ): Promise<ReturnType<AskRecognizer['finish']>> => {
      const recognizer = new AskRecognizer(config);
      recognizer.start({ startMs: 0 });
      recognizer.push(samples);
      return recognizer.finish();
    };
    // The library's model stands in for a question's own (any phrase model does).
    const both = await recognize({
      question: file!.model,
      library: { model: file!.model, uses: { affirm: 'confirm', deny: 'refuse' } },
      embedder: counting,
    });
    expect(runs).toBe(1);
    expect(both.noMatch).toBe(false);
    // Another utterance is embedded anew.
    await recognize({
      library: { model: file!.model, uses: { affirm: 'confirm' } },
      embedder: counting,
    });
    expect(runs).toBe(2);
  }, 60_000);
});
