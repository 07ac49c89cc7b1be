/**
 * The trained phrase model (plain JSON) and how it scores an utterance: pooled embeddings
 * (mean + max over time, 192 values) are standardized, a softmax gives one probability per
 * expected phrase plus a garbage class, phrase probabilities are summed per intent. The best intent is accepted when its probability reaches the calibrated accept
 * threshold and beats the garbage class; between the reject and the accept threshold it is
 * uncertain (the dialog confirms); below the reject threshold it is no match. Like a wake-word
 * model, it also scores every window of `windowFrames` embedding frames (hop 80 ms), so an
 * expected phrase is found inside a longer answer ("no, I won't be home tomorrow"): a window
 * that would be accepted makes an otherwise rejected answer uncertain (confirmed, not taken).
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
  /** Minimum intent probability to accept (below: uncertain, or noMatch under `rejectThreshold`). */
  threshold: number;
  /** Below this, no match; from here up to `threshold`, uncertain. Absent: the same as `threshold`. */
  rejectThreshold?: number;
  /** Window lengths (embedding frames) scored besides the whole utterance. Absent: whole only. */
  windowFrames?: number[];
  /**
   * Per intent, the longest whole training example (embedding frames, carriers included): the
   * length evidence. An utterance longer than `LENGTH_SLACK` times it is never taken on its whole
   * score (a window may still make it uncertain). Absent (older models): no length limit.
   */
  intentFrames?: Record<string, number>;
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
    /** Real speech held apart (the garbage bank's calibration speakers): utterances, false accepts and uncertain at the thresholds. */
    real?: { utterances: number; falseAccepts: number; uncertain: number };
    /** Held-apart positives that land between the thresholds. */
    uncertain?: number;
  };
  trainMs: number;
}

export interface PhraseDecision {
  intent?: string;
  phrase?: string;
  confidence: number;
  noMatch: boolean;
  /** Between the reject and the accept threshold: intent set, the dialog confirms. */
  uncertain?: boolean;
  alternatives: RecognitionAlternative[];
  /** Probability of the garbage class. */
  garbage: number;
  /** The scored span that won: first frame and frame count (the whole utterance: 0 and all). */
  span?: { from: number; frames: number };
  /** The whole utterance is too long for its best intent to be taken on it (`lengthLimit`). */
  tooLong?: boolean;
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

/**
 * Turns class probabilities into a decision: accepted at or above `threshold` (and above the
 * garbage class), uncertain from `reject` up, no match below.
 */
export function decide(
  model: PhraseModel,
  probs: Float64Array,
  threshold = model.threshold,
  reject = Math.min(threshold, model.rejectThreshold ?? threshold),
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
  const accepted = !!top && top.confidence >= threshold && top.confidence > garbage;
  if (top && !accepted && top.confidence >= reject && reject < threshold) {
    return {
      intent: top.intent,
      phrase: top.phrase,
      confidence: top.confidence,
      noMatch: false,
      uncertain: true,
      alternatives,
      garbage,
    };
  }
  if (!top || !accepted) {
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

/**
 * How much longer than an intent's longest training example an utterance may be and still be
 * heard whole as that intent: people speak slower than the slowest synthetic voice (espeak at
 * 0.85 is about 150 words a minute, a slow speaker 100), and say a word more.
 */
export const LENGTH_SLACK = 1.5;

/** The most embedding frames an utterance may have to be taken as `intent` on its whole score. */
export function lengthLimit(model: PhraseModel, intent: string | undefined): number {
  const frames = intent === undefined ? undefined : model.intentFrames?.[intent];
  return typeof frames === 'number' && frames > 0 ? Math.ceil(frames * LENGTH_SLACK) : Infinity;
}

/**
 * The whole utterance's decision with the length evidence: an utterance far longer than anything
 * its top intent was trained on (a monologue, a long IVR prompt, an answer cut at the maximum
 * length) is no match on its whole score, whatever that score; windows may still find a phrase in it.
 */
function decideWhole(model: PhraseModel, embeddings: Matrix): PhraseDecision {
  const d = decide(model, classProbabilities(model, poolMeanMax(embeddings)));
  if (d.noMatch || embeddings.rows <= lengthLimit(model, d.intent)) return d;
  return {
    confidence: d.confidence,
    noMatch: true,
    alternatives: d.alternatives,
    garbage: d.garbage,
    tooLong: true,
  };
}

/** Mean + max pooling of rows [from, from + frames) of [n, d] embeddings. */
export function poolSpan(m: Matrix, from: number, frames: number): Float32Array {
  return poolMeanMax({
    data: m.data.subarray(from * m.cols, (from + frames) * m.cols),
    rows: frames,
    cols: m.cols,
  });
}

/** The spans scored: the whole utterance, then every window of each length shorter than it (hop 1 frame). */
export function spansOf(
  rows: number,
  windowFrames: readonly number[] = [],
): { from: number; frames: number }[] {
  const out = [{ from: 0, frames: rows }];
  for (const w of windowFrames) {
    if (w < 1 || w >= rows) continue;
    for (let from = 0; from + w <= rows; from++) out.push({ from, frames: w });
  }
  return out;
}

/**
 * The class probabilities of the best span: the whole utterance (unless `windowsOnly`) and each
 * window of `model.windowFrames`, the one whose best intent (garbage excluded) scores highest.
 */
export function bestSpanProbabilities(
  model: PhraseModel,
  embeddings: Matrix,
  windowsOnly = false,
): { probs: Float64Array; span: { from: number; frames: number } } {
  const garbage = model.classes.map((c) => c.intent === null || c.phrase === null);
  let best: { probs: Float64Array; span: { from: number; frames: number } } | null = null;
  let bestScore = -1;
  const spans = spansOf(embeddings.rows, model.windowFrames);
  // Windows only: the whole stays in when there is no shorter window (best is never empty).
  for (const span of windowsOnly && spans.length > 1 ? spans.slice(1) : spans) {
    const probs = classProbabilities(model, poolSpan(embeddings, span.from, span.frames));
    // Per-intent sums, as decide() ranks them.
    const byIntent = new Map<string, number>();
    model.classes.forEach((c, k) => {
      if (!garbage[k]) byIntent.set(c.intent!, (byIntent.get(c.intent!) ?? 0) + probs[k]!);
    });
    const score = Math.max(0, ...byIntent.values());
    if (score > bestScore) {
      bestScore = score;
      best = { probs, span };
    }
  }
  return best!;
}

/**
 * Scores [n, 96] embeddings of one utterance. The whole utterance decides as it stands (unless it
 * is far too long for its intent: `decideWhole`); when it is not accepted, a window that scores at or above the accept threshold makes the answer uncertain
 * (the dialog confirms it: "Just to check: …"), never accepted outright: a long off-topic sentence
 * offers dozens of windows, and a window's match is weaker evidence than the whole's.
 */
export function classifyEmbeddings(model: PhraseModel, embeddings: Matrix): PhraseDecision {
  const whole = decideWhole(model, embeddings);
  const wholeSpan = { from: 0, frames: embeddings.rows };
  if ((!whole.noMatch && !whole.uncertain) || !model.windowFrames?.length)
    return { ...whole, span: wholeSpan };
  // The whole has been judged (and may be too long to count): only the windows are looked at.
  const { probs, span } = bestSpanProbabilities(model, embeddings, true);
  const best = decide(model, probs);
  if (span.frames === embeddings.rows || best.noMatch || best.uncertain)
    return { ...whole, span: wholeSpan };
  return { ...best, uncertain: true, span };
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
    typeof m.threshold === 'number' &&
    (m.rejectThreshold === undefined || typeof m.rejectThreshold === 'number') &&
    (m.windowFrames === undefined ||
      (Array.isArray(m.windowFrames) &&
        m.windowFrames.every((w) => Number.isInteger(w) && w >= 1))) &&
    (m.intentFrames === undefined ||
      (typeof m.intentFrames === 'object' &&
        m.intentFrames !== null &&
        Object.values(m.intentFrames).every((f) => typeof f === 'number' && f > 0)));
  if (!ok) throw new Error(`not a phrase model (format ${PHRASE_MODEL_FORMAT})`);
  return m as PhraseModel;
}
