/**
 * Windowed spotting (model.ts) with a hand-made model, so the arithmetic is checked exactly: an
 * expected phrase inside a longer utterance is found through a window when the whole utterance's
 * pooled features miss it; the accept/reject band; and the trainer's alignment of a phrase said
 * inside carriers with its embedding frames.
 */
import { describe, expect, it } from 'vitest';

import { EMBEDDING_DIM, type Matrix } from './embedder.js';
import {
  checkPhraseModel,
  classifyEmbeddings,
  decide,
  LENGTH_SLACK,
  lengthLimit,
  PHRASE_MODEL_FORMAT,
  type PhraseModel,
  spansOf,
} from './model.js';
import { phraseFrames, windowLengths } from './train.js';

/** Two classes over mean+max features: "yes" when dimension 0's MEAN is high, else garbage. */
function model(windowFrames?: number[]): PhraseModel {
  const d = 2 * EMBEDDING_DIM;
  const yes = new Array<number>(d).fill(0);
  yes[0] = 8; // mean of dimension 0
  return checkPhraseModel({
    format: PHRASE_MODEL_FORMAT,
    key: 'test',
    language: 'en',
    classes: [
      { phrase: 'yes', intent: 'yes' },
      { phrase: null, intent: null },
    ],
    featureMean: new Array<number>(d).fill(0),
    featureStd: new Array<number>(d).fill(1),
    weights: [yes, new Array<number>(d).fill(0)],
    bias: [-4, 0],
    threshold: 0.8,
    rejectThreshold: 0.5,
    ...(windowFrames ? { windowFrames } : {}),
    embedderVersion: '',
    tts: { id: '', version: '' },
    seed: 1,
    stats: {
      positives: 0,
      negatives: 0,
      clips: 0,
      trainAccuracy: 0,
      calibration: { voice: '', positives: 0, negatives: 0, top1: 0, accepted: 0, falseAccepts: 0 },
      trainMs: 0,
    },
  });
}

/** 20 frames; frames 8–11 carry the phrase (dimension 0 = 1), the rest are other speech. */
function utterance(): Matrix {
  const rows = 20;
  const data = new Float32Array(rows * EMBEDDING_DIM);
  for (let i = 8; i < 12; i++) data[i * EMBEDDING_DIM] = 1;
  return { data, rows, cols: EMBEDDING_DIM };
}

describe('windowed spotting', () => {
  it('lists the whole utterance and every window shorter than it', () => {
    expect(spansOf(5)).toEqual([{ from: 0, frames: 5 }]);
    const spans = spansOf(5, [2, 5, 9]);
    expect(spans[0]).toEqual({ from: 0, frames: 5 });
    expect(spans.slice(1)).toEqual([0, 1, 2, 3].map((from) => ({ from, frames: 2 })));
  });

  it('misses a phrase inside a longer utterance on the whole, finds it through a window (uncertain)', () => {
    const whole = classifyEmbeddings(model(), utterance());
    expect(whole.noMatch).toBe(true); // mean 0.2 → p(yes) ≈ 0.07
    const windowed = classifyEmbeddings(model([4]), utterance());
    expect(windowed.noMatch).toBe(false);
    expect(windowed.intent).toBe('yes');
    // Found through a window: confirmed first, never taken outright.
    expect(windowed.uncertain).toBe(true);
    expect(windowed.span).toEqual({ from: 8, frames: 4 });
    expect(windowed.confidence).toBeGreaterThan(0.95);
    // The whole utterance accepted: it stands, windows are not looked at.
    const said = utterance();
    for (let i = 0; i < 20; i++) said.data[i * EMBEDDING_DIM] = 1;
    const outright = classifyEmbeddings(model([4]), said);
    expect(outright).toMatchObject({
      intent: 'yes',
      noMatch: false,
      span: { from: 0, frames: 20 },
    });
    expect(outright.uncertain).toBeUndefined();
  });

  it('off-topic speech stays rejected in every window', () => {
    const silent: Matrix = {
      data: new Float32Array(20 * EMBEDDING_DIM),
      rows: 20,
      cols: EMBEDDING_DIM,
    };
    expect(classifyEmbeddings(model([2, 4, 8]), silent).noMatch).toBe(true);
  });

  it('decides in three bands: accepted, uncertain (intent kept, the dialog confirms), no match', () => {
    const m = model();
    const d = (p: number) => decide(m, Float64Array.from([p, 1 - p]));
    expect(d(0.9)).toMatchObject({ intent: 'yes', noMatch: false });
    expect(d(0.9).uncertain).toBeUndefined();
    expect(d(0.6)).toMatchObject({ intent: 'yes', noMatch: false, uncertain: true });
    expect(d(0.4)).toMatchObject({ noMatch: true });
    expect(d(0.4).intent).toBeUndefined();
    // Without a reject threshold there is no band (models trained before it).
    const old = { ...m, rejectThreshold: undefined };
    expect(decide(old, Float64Array.from([0.6, 0.4])).noMatch).toBe(true);
  });
});

describe('length evidence', () => {
  it('an utterance far longer than its intent ever was in training is not taken on its whole score', () => {
    const said = (rows: number): Matrix => {
      const m = { data: new Float32Array(rows * EMBEDDING_DIM), rows, cols: EMBEDDING_DIM };
      for (let i = 0; i < rows; i++) m.data[i * EMBEDDING_DIM] = 1;
      return m;
    };
    const m = { ...model([4]), intentFrames: { yes: 10 } };
    expect(lengthLimit(m, 'yes')).toBe(Math.ceil(10 * LENGTH_SLACK));
    expect(lengthLimit(m, 'other')).toBe(Infinity);
    expect(lengthLimit(model(), 'yes')).toBe(Infinity); // older models: no limit
    // Within the limit: taken outright, as before.
    expect(classifyEmbeddings(m, said(15))).toMatchObject({ intent: 'yes', noMatch: false });
    expect(classifyEmbeddings(m, said(15)).uncertain).toBeUndefined();
    // Beyond it: the whole scores yes at 0.98, but only a window can find it, and a window only confirms.
    const long = classifyEmbeddings(m, said(16));
    expect(long).toMatchObject({ intent: 'yes', noMatch: false, uncertain: true });
    expect(long.span?.frames).toBe(4);
    // Without windows, no match at all.
    const whole = classifyEmbeddings({ ...m, windowFrames: [] }, said(16));
    expect(whole).toMatchObject({ noMatch: true, tooLong: true });
    expect(whole.confidence).toBeGreaterThan(0.95);
  });

  it('refuses a model whose intent lengths are not positive numbers', () => {
    expect(() => checkPhraseModel({ ...model(), intentFrames: { yes: 0 } })).toThrow(
      /not a phrase model/,
    );
  });
});

describe('training alignment', () => {
  it('a phrase inside carriers maps to the frames that see it, as if said alone', () => {
    // Frame i sees samples [1280 i, 1280 i + 12,400). A 1.2 s phrase at 0.8–2.0 s.
    const span = phraseFrames(40, 12_800, 32_000);
    expect(span.from).toBe(9); // 1280·9 = 11,520 ≥ 12,800 − 1,280
    expect(1280 * (span.from + span.frames - 1) + 12_400).toBeLessThanOrEqual(32_000 + 1280);
    expect(span.frames).toBe(8); // frames 9–16: 1280·16 + 12,400 = 32,880 ≤ 33,280
    // A phrase shorter than one frame's view: the frame centred on it.
    const short = phraseFrames(40, 16_000, 20_000);
    expect(short.frames).toBe(1);
    expect(Math.abs(1280 * short.from + 6200 - 18_000)).toBeLessThanOrEqual(640);
  });

  it('window lengths come from the phrases’ frame counts', () => {
    expect(windowLengths([])).toEqual([]);
    expect(windowLengths([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([2, 5, 8, 10]);
  });
});
