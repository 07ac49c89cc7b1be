/**
 * Intent classifier trained from a flow's example utterances (Chinese and/or English).
 *
 * Features: Chinese character 1–3-grams (no segmenter), English lowercase word 1–2-grams, and
 * character 3-grams inside English words (robust to typos and inflections). Weights: sublinear
 * TF × smoothed IDF over the training examples, L2-normalised. An intent's score is the mean of
 * the cosine to its centroid and the cosine to its nearest example; confidence is a softmax over
 * scores scaled down when even the best score is weak, so unrelated sentences fall under the
 * threshold and come back as `no_match`. Training is a single pass (milliseconds), deterministic.
 */

export const NO_MATCH = 'no_match';

export interface IntentScore {
  intent: string;
  /** 0..1, calibrated-ish: the share of belief, reduced when the best match is weak. */
  confidence: number;
  /** Raw similarity score 0..1 (for debugging and thresholds). */
  score: number;
}

export interface IntentResult {
  /** The best intent, or `no_match` when its confidence is under the threshold. */
  intent: string;
  /** Confidence in `intent`; for `no_match` it is 1 − the best intent's confidence. */
  confidence: number;
  /** Every trained intent, best first. */
  ranked: IntentScore[];
}

export interface IntentClassifierOptions {
  /** Minimum confidence for a match (default 0.25). */
  threshold?: number;
  /** Softmax temperature over scores (default 0.08; lower = more peaked). */
  temperature?: number;
  /** Score at which confidence is no longer scaled down (default 0.25). */
  fullScore?: number;
}

export type TrainingData = Readonly<Record<string, readonly string[]>>;

type Vector = Map<string, number>;

/** Weight per feature type (prefix of the feature key). */
const FEATURE_WEIGHT = { z1: 0.5, z2: 1, z3: 1, w1: 1, w2: 1, c3: 0.35 } as const;
type FeatureType = keyof typeof FEATURE_WEIGHT;

/** Lower-cases, folds full-width forms (NFKC) and drops punctuation. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[’‘`]/g, "'");
}

/** Feature occurrence counts for one utterance (keys are prefixed by type: z1/z2/z3/w1/w2/c3). */
export function extractFeatures(text: string): Vector {
  const counts: Vector = new Map();
  const add = (key: string): void => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  const s = normalizeText(text);
  // Chinese runs: character n-grams inside each run of CJK characters.
  for (const m of s.matchAll(/[\u3400-\u9fff\uf900-\ufaff]+/g)) {
    const chars = [...m[0]];
    for (let i = 0; i < chars.length; i++) {
      add(`z1:${chars[i]}`);
      if (i + 1 < chars.length) add(`z2:${chars[i]}${chars[i + 1]}`);
      if (i + 2 < chars.length) add(`z3:${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
    }
  }
  // English (and digits): words, word bigrams, character trigrams within words.
  const words = [...s.matchAll(/[a-z0-9]+(?:'[a-z]+)?/g)].map((m) => m[0]);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    add(`w1:${w}`);
    if (i + 1 < words.length) add(`w2:${w} ${words[i + 1]}`);
    const padded = `#${w.replace(/'/g, '')}#`;
    for (let k = 0; k + 3 <= padded.length; k++) add(`c3:${padded.slice(k, k + 3)}`);
  }
  return counts;
}

function normalize(v: Vector): Vector {
  let sum = 0;
  for (const x of v.values()) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm === 0) return v;
  const out: Vector = new Map();
  for (const [k, x] of v) out.set(k, x / norm);
  return out;
}

function dot(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [k, x] of small) {
    const y = large.get(k);
    if (y !== undefined) sum += x * y;
  }
  return sum;
}

export class IntentClassifier {
  readonly intents: readonly string[];
  private readonly idf: Map<string, number>;
  private readonly unseenIdf: number;
  private readonly examples: ReadonlyArray<{ intent: string; vector: Vector }>;
  private readonly centroids: ReadonlyMap<string, Vector>;
  private readonly threshold: number;
  private readonly temperature: number;
  private readonly fullScore: number;

  constructor(training: TrainingData, options: IntentClassifierOptions = {}) {
    this.threshold = options.threshold ?? 0.25;
    this.temperature = options.temperature ?? 0.08;
    this.fullScore = options.fullScore ?? 0.25;
    // Sorted so the model does not depend on object key order.
    this.intents = Object.keys(training)
      .filter((k) => (training[k]?.length ?? 0) > 0)
      .sort();
    const raw: Array<{ intent: string; counts: Vector }> = [];
    for (const intent of this.intents) {
      for (const example of training[intent] ?? [])
        raw.push({ intent, counts: extractFeatures(example) });
    }
    const df = new Map<string, number>();
    for (const { counts } of raw) for (const k of counts.keys()) df.set(k, (df.get(k) ?? 0) + 1);
    const n = raw.length;
    this.idf = new Map([...df].map(([k, d]) => [k, Math.log(1 + n / d)]));
    this.unseenIdf = 0.5 * Math.log(1 + n);
    this.examples = raw.map(({ intent, counts }) => ({ intent, vector: this.vectorize(counts) }));
    const centroids = new Map<string, Vector>();
    for (const intent of this.intents) {
      const sum: Vector = new Map();
      for (const e of this.examples) {
        if (e.intent !== intent) continue;
        for (const [k, x] of e.vector) sum.set(k, (sum.get(k) ?? 0) + x);
      }
      centroids.set(intent, normalize(sum));
    }
    this.centroids = centroids;
  }

  private vectorize(counts: Vector): Vector {
    const v: Vector = new Map();
    for (const [k, c] of counts) {
      const type = k.slice(0, 2) as FeatureType;
      v.set(k, FEATURE_WEIGHT[type] * (1 + Math.log(c)) * (this.idf.get(k) ?? this.unseenIdf));
    }
    return normalize(v);
  }

  /** Ranks every intent for the utterance; `intent` is `no_match` below the threshold. */
  classify(text: string): IntentResult {
    const q = this.vectorize(extractFeatures(text));
    const scores = this.intents.map((intent) => {
      const centroid = this.centroids.get(intent) ?? new Map<string, number>();
      let nearest = 0;
      for (const e of this.examples)
        if (e.intent === intent) nearest = Math.max(nearest, dot(q, e.vector));
      return { intent, score: 0.5 * dot(q, centroid) + 0.5 * nearest };
    });
    const top = Math.max(0, ...scores.map((s) => s.score));
    const exps = scores.map((s) => Math.exp((s.score - top) / this.temperature));
    const total = exps.reduce((a, b) => a + b, 0);
    const strength = Math.min(1, top / this.fullScore);
    const ranked: IntentScore[] = scores
      .map((s, i) => ({
        intent: s.intent,
        score: s.score,
        confidence: total > 0 ? ((exps[i] ?? 0) / total) * strength : 0,
      }))
      .sort((a, b) => b.confidence - a.confidence || a.intent.localeCompare(b.intent));
    const best = ranked[0];
    if (!best || best.confidence < this.threshold) {
      return { intent: NO_MATCH, confidence: best ? 1 - best.confidence : 1, ranked };
    }
    return { intent: best.intent, confidence: best.confidence, ranked };
  }
}

/** Trains a classifier from example utterances per intent. */
export function trainIntentClassifier(
  training: TrainingData,
  options: IntentClassifierOptions = {},
): IntentClassifier {
  return new IntentClassifier(training, options);
}
