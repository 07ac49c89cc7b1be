/**
 * The trained phrase model (plain JSON) and how it scores an utterance: pooled embeddings
 * (mean + max over time, 192 values) are standardized, a softmax logistic regression gives one
 * probability per expected phrase plus a garbage class, phrase probabilities are summed per
 * intent, and the best intent is accepted when its probability reaches the calibrated threshold
 * and beats the garbage class.
 */
import type { RecognitionAlternative } from '../recognizer.js';
import { type Matrix, poolMeanMax } from './embedder.js';

export const PHRASE_MODEL_FORMAT = 'outbound-phrase-lr/1';

/** One output class: an expected phrase, or the garbage class (phrase and intent null). */
export interface PhraseClass {
  phrase: string | null;
  intent: string | null;
}

export interface PhraseModel {
  format: typeof PHRASE_MODEL_FORMAT;
  /** Cache key it was trained under (hash of everything that shaped it). */
  key: string;
  language: string;
  classes: PhraseClass[];
  /** Standardization of the pooled features. */
  featureMean: number[];
  featureStd: number[];
  /** [classes][features] and [classes]. */
  weights: number[][];
  bias: number[];
  /** Minimum intent probability to accept (below → noMatch). */
  threshold: number;
  embedderVersion: string;
  tts: { id: string; version: string };
  seed: number;
  stats: PhraseModelStats;
}

export interface PhraseModelStats {
  /** Training examples (after augmentation): positives and garbage. */
  positives: number;
  negatives: number;
  /** Synthesized clips (before augmentation). */
  clips: number;
  /** Top-1 accuracy of the final model on its own training data. */
  trainAccuracy: number;
  /** On the held-out calibration voice, with the chosen threshold. */
  calibration: {
    voice: string;
    positives: number;
    negatives: number;
    top1: number;
    accepted: number;
    falseAccepts: number;
  };
  trainMs: number;
}

export interface PhraseDecision {
  intent?: string;
  phrase?: string;
  confidence: number;
  noMatch: boolean;
  alternatives: RecognitionAlternative[];
  /** Probability of the garbage class. */
  garbage: number;
}

/** Class probabilities for one standardized-or-raw pooled feature vector. */
export function classProbabilities(model: PhraseModel, features: Float32Array): Float64Array {
  const dim = model.featureMean.length;
  if (features.length !== dim)
    throw new Error(`phrase model expects ${dim} features, got ${features.length}`);
  const x = new Float64Array(dim);
  for (let j = 0; j < dim; j++)
    x[j] = (features[j]! - model.featureMean[j]!) / model.featureStd[j]!;
  return softmaxScores(model.weights, model.bias, x);
}

export function softmaxScores(
  weights: readonly (readonly number[])[],
  bias: readonly number[],
  x: Float64Array,
): Float64Array {
  const k = weights.length;
  const out = new Float64Array(k);
  let max = -Infinity;
  for (let c = 0; c < k; c++) {
    const w = weights[c]!;
    let s = bias[c]!;
    for (let j = 0; j < x.length; j++) s += w[j]! * x[j]!;
    out[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < k; c++) {
    out[c] = Math.exp(out[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < k; c++) out[c]! /= sum;
  return out;
}

/** Turns class probabilities into a decision with `threshold`. */
export function decide(
  model: PhraseModel,
  probs: Float64Array,
  threshold = model.threshold,
): PhraseDecision {
  const byIntent = new Map<string, { p: number; best: string; bestP: number }>();
  let garbage = 0;
  model.classes.forEach((cls, c) => {
    const p = probs[c]!;
    if (cls.intent === null || cls.phrase === null) {
      garbage += p;
      return;
    }
    const entry = byIntent.get(cls.intent);
    if (!entry) byIntent.set(cls.intent, { p, best: cls.phrase, bestP: p });
    else {
      entry.p += p;
      if (p > entry.bestP) {
        entry.best = cls.phrase;
        entry.bestP = p;
      }
    }
  });
  const alternatives: RecognitionAlternative[] = [...byIntent.entries()]
    .map(([intent, e]) => ({ intent, phrase: e.best, text: e.best, confidence: e.p }))
    .sort((a, b) => b.confidence - a.confidence);
  const top = alternatives[0];
  if (!top || top.confidence < threshold || top.confidence <= garbage) {
    return { confidence: top?.confidence ?? 0, noMatch: true, alternatives, garbage };
  }
  return {
    intent: top.intent,
    phrase: top.phrase,
    confidence: top.confidence,
    noMatch: false,
    alternatives,
    garbage,
  };
}

/** Scores [n, 96] embeddings of one utterance. */
export function classifyEmbeddings(model: PhraseModel, embeddings: Matrix): PhraseDecision {
  return decide(model, classProbabilities(model, poolMeanMax(embeddings)));
}

/** Throws unless `value` looks like a PhraseModel (for models read from disk). */
export function checkPhraseModel(value: unknown): PhraseModel {
  const m = value as Partial<PhraseModel> | null;
  const ok =
    !!m &&
    m.format === PHRASE_MODEL_FORMAT &&
    Array.isArray(m.classes) &&
    Array.isArray(m.weights) &&
    Array.isArray(m.bias) &&
    Array.isArray(m.featureMean) &&
    Array.isArray(m.featureStd) &&
    m.weights.length === m.classes.length &&
    m.bias.length === m.classes.length &&
    m.featureMean.length === m.featureStd.length &&
    m.weights.every((w) => Array.isArray(w) && w.length === m.featureMean!.length) &&
    typeof m.threshold === 'number';
  if (!ok) throw new Error(`not a phrase model (format ${PHRASE_MODEL_FORMAT})`);
  return m as PhraseModel;
}
