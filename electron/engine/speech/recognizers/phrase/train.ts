/**
 * Trains the phrase classifier for one question from synthetic speech, deterministically:
 *
 * 1. every phrase is spoken by every voice setting (voice/variant × rate × pitch), and the
 *    garbage sentences by a rotating subset of them; each clip is augmented a few times
 *    (`drawAugmentations`: offsets, level, 10–30 dB noise, the telephone channel), plus
 *    noise-only clips for the garbage class;
 * 2. every augmented clip is embedded (openWakeWord front end) and pooled (mean + max);
 * 3. a softmax logistic regression (classes: each phrase + garbage; class-balanced; L2; full-batch
 *    gradient descent with momentum, a fixed number of iterations) is fitted first without one
 *    voice, whose clips then calibrate the rejection threshold (the lowest threshold whose false
 *    accepts on garbage stay within `falseAcceptTarget`), and then refitted on everything.
 *
 * The result is a JSON-able `PhraseModel`; with `cacheDir` it is stored as
 * `phrase-<key>.json`, where the key hashes the phrases, voices, prosody, augmentation, seed,
 * hyper-parameters, TTS engine version and embedding model version.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { floatToInt16, int16ToFloat } from '../../../audio/index.js';
import type { TtsEngine, TtsLanguage } from '../../../tts/index.js';
import { augment, type AugmentSpec, createRng, drawAugmentations, makeNoise } from './augment.js';
import { clipKey, type ClipStore, DiskClipStore } from './clips.js';
import { poolMeanMax, type SpeechEmbedder } from './embedder.js';
import {
  checkPhraseModel,
  decide,
  PHRASE_MODEL_FORMAT,
  type PhraseClass,
  type PhraseModel,
  softmaxScores,
} from './model.js';
import { DEFAULT_NEGATIVES } from './negatives.js';

export interface PhraseSpec {
  /** What the customer says, in the question's language. */
  text: string;
  /** What it means. Several phrases may share an intent. */
  intent: string;
}

export interface QuestionSpec {
  language: TtsLanguage;
  phrases: readonly PhraseSpec[];
  /** Real recordings of customers answering (an admin adds them), each for one intent. */
  recordings?: readonly RecordedAnswer[];
  /**
   * One output class per intent instead of one per phrase (the common-answer library: hundreds
   * of phrasings, a dozen answers; the fit's cost and the model's size grow with the classes).
   * Each class is named after its intent's first phrase.
   */
  classPerIntent?: boolean;
}

export interface RecordedAnswer {
  intent: string;
  /** 16 kHz mono Int16. */
  samples: Int16Array;
  /** Names the recording in errors and in the model's cache key (e.g. its path and content hash). */
  id: string;
}

/** Recordings are few and real: each is augmented this many times more than a synthetic clip. */
const RECORDING_AUGMENTATION_FACTOR = 3;

/** One way of speaking: a TTS voice id (with an optional "+variant") at a rate and pitch. */
export interface VoiceSetting {
  voice: string;
  rate: number;
  pitch: number;
}

export type TrainStage = 'cached' | 'synthesize' | 'embed' | 'calibrate' | 'fit' | 'done';

export interface TrainProgress {
  stage: TrainStage;
  done: number;
  total: number;
}

export interface TrainOptions {
  tts: TtsEngine;
  /**
   * Other engines that speak the language (e.g. flite for English): each of their voices says
   * every phrase at each rate (no espeak variants or pitches). With them, the rejection threshold
   * is calibrated on an engine the draft model never heard, so it holds for unfamiliar voices.
   */
  extraEngines?: readonly TtsEngine[];
  embedder: SpeechEmbedder;
  /** Voice ids (base voice, optionally "+variant"). Default: every voice of the engine for the language. */
  voices?: readonly string[];
  /** espeak variants rotated over the voices' settings (default ['', '+f3', '+m3', '+f5']); [] to use voices as given. */
  variants?: readonly string[];
  /** Speed factors (default [0.85, 1.15]). */
  rates?: readonly number[];
  /** Pitches 0–100 (default [35, 65]). */
  pitches?: readonly number[];
  /** Augmented copies per synthesized clip (default 3). */
  augmentations?: number;
  /**
   * Voice settings each phrase is spoken with, rotating over all of them (default: every setting).
   * With many phrasings per intent, a few voices each cover the voices at a fraction of the cost.
   */
  phraseSettings?: number;
  /** Garbage sentences (default: DEFAULT_NEGATIVES for the language). */
  negatives?: readonly string[];
  /** Voice settings each garbage sentence is spoken with (default 3, rotating). */
  negativeSettings?: number;
  /** Noise-only garbage clips (default 12). */
  noiseClips?: number;
  seed?: number;
  iterations?: number;
  l2?: number;
  learningRate?: number;
  /** Tolerated share of garbage accepted on the calibration voice (default 0.05). */
  falseAcceptTarget?: number;
  /** Threshold limits (default 0.4–0.95). */
  minThreshold?: number;
  maxThreshold?: number;
  /** Where the trained model (`phrase-<key>.json`) and, unless `clips` is given, the clips (`clips/`) are kept. */
  cacheDir?: string;
  /**
   * Synthesized clips to reuse (see clips.ts: espeak-ng does not render bit-identically twice, so
   * the same seed gives the same weights only with the same clips). Default: a DiskClipStore in
   * `cacheDir/clips`, or none without a cache dir.
   */
  clips?: ClipStore;
  onProgress?: (progress: TrainProgress) => void;
  /** Aborts the training between clips (it rejects with the signal's reason). */
  signal?: AbortSignal;
}

const DEFAULTS = {
  variants: ['', '+f3', '+m3', '+f5'],
  rates: [0.85, 1.15],
  pitches: [35, 65],
  augmentations: 3,
  negativeSettings: 3,
  noiseClips: 12,
  seed: 1,
  iterations: 300,
  l2: 1e-3,
  learningRate: 0.1,
  falseAcceptTarget: 0.05,
  minThreshold: 0.4,
  maxThreshold: 0.95,
};

/** Bump when this file changes what a given input trains into. */
const TRAINER_REVISION = 2;

/** The voice settings used for training: voices × rates × pitches, with variants rotated over them. */
export function voiceSettings(
  voices: readonly string[],
  variants: readonly string[],
  rates: readonly number[],
  pitches: readonly number[],
): VoiceSetting[] {
  const out: VoiceSetting[] = [];
  voices.forEach((voice, vi) => {
    let k = 0;
    for (const rate of rates) {
      for (const pitch of pitches) {
        const variant =
          variants.length && !voice.includes('+') ? variants[(vi + k) % variants.length]! : '';
        out.push({ voice: voice + variant, rate, pitch });
        k++;
      }
    }
  });
  return out;
}

/** The base voice of a voice id ("en-us+f3" → "en-us"). */
export function baseVoice(voice: string): string {
  return voice.split('+')[0]!;
}

interface Example {
  features: Float32Array;
  label: number;
  /** Base voice (or 'noise'): the calibration split. */
  voice: string;
}

/** Trains (or loads from the cache) the model for one question. */
export async function trainPhraseModel(
  question: QuestionSpec,
  options: TrainOptions,
): Promise<PhraseModel> {
  const started = performance.now();
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  const progress = options.onProgress ?? (() => undefined);
  if (question.phrases.length === 0)
    throw new Error('a question needs at least one expected phrase');
  const voices =
    options.voices ??
    (await options.tts.voices()).filter((v) => v.language === question.language).map((v) => v.id);
  if (voices.length === 0) throw new Error(`no TTS voices for ${question.language}`);
  const phraseTexts = new Set(question.phrases.map((p) => normalizeText(p.text)));
  const negatives = (options.negatives ?? DEFAULT_NEGATIVES[question.language]).filter(
    (t) => !phraseTexts.has(normalizeText(t)),
  );
  const extraEngines = (options.extraEngines ?? []).filter((e) =>
    e.languages.includes(question.language),
  );
  const settings = voiceSettings(voices, o.variants, o.rates, o.pitches);
  for (const engine of extraEngines) {
    for (const voice of (await engine.voices()).filter((v) => v.language === question.language)) {
      for (const rate of o.rates)
        settings.push({ voice: `${engine.id}:${voice.id}`, rate, pitch: 50 });
    }
  }
  const engineOf = (setting: VoiceSetting): { engine: TtsEngine; voice: string } => {
    const at = setting.voice.indexOf(':');
    const engine =
      at > 0 ? extraEngines.find((e) => e.id === setting.voice.slice(0, at)) : undefined;
    return engine
      ? { engine, voice: setting.voice.slice(at + 1) }
      : { engine: options.tts, voice: setting.voice };
  };

  const key = createHash('sha256')
    .update(
      JSON.stringify({
        format: PHRASE_MODEL_FORMAT,
        trainer: TRAINER_REVISION,
        language: question.language,
        phrases: question.phrases.map((p) => [p.text, p.intent]),
        settings,
        negatives,
        augmentations: o.augmentations,
        negativeSettings: o.negativeSettings,
        noiseClips: o.noiseClips,
        seed: o.seed,
        hyper: [
          o.iterations,
          o.l2,
          o.learningRate,
          o.falseAcceptTarget,
          o.minThreshold,
          o.maxThreshold,
        ],
        tts: [options.tts.id, options.tts.version, ...extraEngines.map((e) => [e.id, e.version])],
        embedder: options.embedder.version,
        // Only when set, so the questions trained before these options keep their cached models.
        ...(question.classPerIntent ? { classPerIntent: true } : {}),
        ...(options.phraseSettings !== undefined ? { phraseSettings: options.phraseSettings } : {}),
        // Only when there are some, so questions without recordings keep their cached models.
        ...(question.recordings?.length
          ? { recordings: question.recordings.map((r) => [r.intent, r.id]) }
          : {}),
      }),
    )
    .digest('hex')
    .slice(0, 24);
  const cacheFile = options.cacheDir ? join(options.cacheDir, `phrase-${key}.json`) : null;
  if (cacheFile) {
    const cached = await readCached(cacheFile);
    if (cached) {
      progress({ stage: 'cached', done: 1, total: 1 });
      return cached;
    }
  }

  const recordings = question.recordings ?? [];
  // An intent with recordings but no phrase gets a class of its own, named after the intent.
  const recordedOnly = [...new Set(recordings.map((r) => r.intent))].filter(
    (intent) => !question.phrases.some((p) => p.intent === intent),
  );
  const phraseClasses: PhraseClass[] = question.classPerIntent
    ? [...new Set(question.phrases.map((p) => p.intent))].map((intent) => ({
        phrase: question.phrases.find((p) => p.intent === intent)!.text,
        intent,
      }))
    : question.phrases.map((p) => ({ phrase: p.text, intent: p.intent }));
  const phraseLabel = (p: PhraseSpec, index: number): number =>
    question.classPerIntent ? phraseClasses.findIndex((c) => c.intent === p.intent) : index;
  const classes: PhraseClass[] = [
    ...phraseClasses,
    ...recordedOnly.map((intent) => ({ phrase: intent, intent })),
    { phrase: null, intent: null },
  ];
  const garbageLabel = classes.length - 1;
  const rng = createRng(o.seed);

  // 1. Synthesis jobs.
  interface Job {
    text: string;
    setting: VoiceSetting;
    label: number;
  }
  const jobs: Job[] = [];
  const perPhrase = Math.min(
    settings.length,
    Math.max(1, options.phraseSettings ?? settings.length),
  );
  question.phrases.forEach((p, i) => {
    const label = phraseLabel(p, i);
    for (let k = 0; k < perPhrase; k++) {
      const setting = settings[(i * perPhrase + k) % settings.length]!;
      jobs.push({ text: p.text, setting, label });
    }
  });
  negatives.forEach((text, i) => {
    for (let k = 0; k < o.negativeSettings; k++) {
      jobs.push({
        text,
        setting: settings[(i * o.negativeSettings + k) % settings.length]!,
        label: garbageLabel,
      });
    }
  });
  const total = jobs.length + o.noiseClips;
  const examples: Example[] = [];
  let done = 0;
  const store =
    options.clips ??
    (options.cacheDir ? new DiskClipStore(join(options.cacheDir, 'clips')) : undefined);
  for (const job of jobs) {
    options.signal?.throwIfAborted();
    const { engine, voice } = engineOf(job.setting);
    const samples = await synthesizeClip(engine, store, question.language, job.text, {
      ...job.setting,
      voice,
    });
    const clean = int16ToFloat(samples);
    for (const spec of drawAugmentations(o.augmentations, rng)) {
      examples.push({
        features: await embedPooled(options.embedder, augment(clean, spec)),
        label: job.label,
        voice: baseVoice(job.setting.voice),
      });
    }
    done++;
    progress({ stage: 'synthesize', done, total });
  }
  for (const recording of recordings) {
    const label = classes.findIndex((c) => c.intent === recording.intent);
    const clean = int16ToFloat(recording.samples);
    for (const spec of drawAugmentations(o.augmentations * RECORDING_AUGMENTATION_FACTOR, rng)) {
      options.signal?.throwIfAborted();
      examples.push({
        features: await embedPooled(options.embedder, augment(clean, spec)),
        label,
        voice: 'recorded',
      });
    }
  }
  for (let i = 0; i < o.noiseClips; i++) {
    const length = Math.round((0.6 + rng() * 1.4) * 16000);
    const spec: AugmentSpec = {
      ...drawAugmentations(1, rng)[0]!,
      snrDb: null,
      telephone: i % 2 === 0,
    };
    const colors = ['white', 'pink', 'brown'] as const;
    const noise = makeNoise(length, colors[i % 3]!, createRng(spec.noiseSeed));
    const level = 10 ** ((-60 + rng() * 35) / 20);
    for (let j = 0; j < noise.length; j++) noise[j]! *= level;
    const shaped = spec.telephone
      ? augment(noise, {
          ...spec,
          levelDbfs: 20 * Math.log10(level),
          beforeSamples: 0,
          afterSamples: 0,
        })
      : noise;
    options.signal?.throwIfAborted();
    examples.push({
      features: await embedPooled(options.embedder, shaped),
      label: garbageLabel,
      voice: 'noise',
    });
    done++;
    progress({ stage: 'synthesize', done, total });
  }

  // 2. Calibration: fit without one voice (with several engines: without a whole extra engine),
  //    choose the threshold on what was left out.
  const bases = [
    ...new Set(examples.map((e) => e.voice).filter((v) => v !== 'noise' && v !== 'recorded')),
  ].sort();
  const heldEngine =
    extraEngines.length > 0
      ? `${extraEngines[Math.floor(rng() * extraEngines.length)]!.id}:`
      : null;
  const calibrationVoice =
    heldEngine ?? (bases.length >= 2 ? bases[Math.floor(rng() * bases.length)]! : '');
  const heldOut = (e: Example): boolean =>
    heldEngine ? e.voice.startsWith(heldEngine) : e.voice === calibrationVoice;
  const fitSet = calibrationVoice ? examples.filter((e) => !heldOut(e)) : examples;
  const calSet = calibrationVoice ? examples.filter(heldOut) : examples;
  const fitOptions = {
    iterations: o.iterations,
    l2: o.l2,
    learningRate: o.learningRate,
    classes: classes.length,
  };
  const draft = fitSoftmax(fitSet, fitOptions, (d) =>
    progress({ stage: 'calibrate', done: d, total: o.iterations }),
  );
  const draftModel = assemble(draft, classes, 0.5);
  const calProbs = calSet.map((e) => ({ e, probs: draftProbs(draftModel, e.features) }));
  const threshold = chooseThreshold(
    draftModel,
    calProbs,
    garbageLabel,
    o.falseAcceptTarget,
    o.minThreshold,
    o.maxThreshold,
  );
  const calStats = summarize(draftModel, calProbs, garbageLabel, threshold);

  // 3. The final fit on everything.
  const final = fitSoftmax(examples, fitOptions, (d) =>
    progress({ stage: 'fit', done: d, total: o.iterations }),
  );
  const partial = assemble(final, classes, threshold);
  let correct = 0;
  for (const e of examples) {
    const p = draftProbs(partial, e.features);
    if (argmax(p) === e.label) correct++;
  }
  const model: PhraseModel = {
    format: PHRASE_MODEL_FORMAT,
    key,
    language: question.language,
    classes,
    featureMean: final.mean,
    featureStd: final.std,
    weights: final.weights,
    bias: final.bias,
    threshold,
    embedderVersion: options.embedder.version,
    tts: { id: options.tts.id, version: options.tts.version },
    seed: o.seed,
    stats: {
      positives: examples.filter((e) => e.label !== garbageLabel).length,
      negatives: examples.filter((e) => e.label === garbageLabel).length,
      clips: total,
      trainAccuracy: correct / examples.length,
      calibration: { voice: calibrationVoice, ...calStats },
      trainMs: Math.round(performance.now() - started),
    },
  };
  if (cacheFile && options.cacheDir) {
    await mkdir(options.cacheDir, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(model));
    await rename(tmp, cacheFile);
  }
  progress({ stage: 'done', done: 1, total: 1 });
  return model;
}

async function synthesizeClip(
  tts: TtsEngine,
  store: ClipStore | undefined,
  language: TtsLanguage,
  text: string,
  setting: VoiceSetting,
): Promise<Int16Array> {
  const key = clipKey({ engine: tts.id, version: tts.version, language, text, ...setting });
  const stored = await store?.get(key);
  if (stored) return stored;
  const audio = await tts.synthesize(text, {
    language,
    voice: setting.voice,
    rate: setting.rate,
    pitch: setting.pitch,
  });
  await store?.set(key, audio.samples);
  return audio.samples;
}

async function readCached(file: string): Promise<PhraseModel | null> {
  try {
    return checkPhraseModel(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return null; // missing or unreadable: train again
  }
}

async function embedPooled(embedder: SpeechEmbedder, audio: Float32Array): Promise<Float32Array> {
  // The mel model takes the int16 scale.
  const int16 = floatToInt16(audio);
  return poolMeanMax(await embedder.embed(int16));
}

function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
}

interface Fitted {
  mean: number[];
  std: number[];
  weights: number[][];
  bias: number[];
}

function assemble(f: Fitted, classes: PhraseClass[], threshold: number): PhraseModel {
  return {
    format: PHRASE_MODEL_FORMAT,
    key: '',
    language: '',
    classes,
    featureMean: f.mean,
    featureStd: f.std,
    weights: f.weights,
    bias: f.bias,
    threshold,
    embedderVersion: '',
    tts: { id: '', version: '' },
    seed: 0,
    stats: {
      positives: 0,
      negatives: 0,
      clips: 0,
      trainAccuracy: 0,
      calibration: { voice: '', positives: 0, negatives: 0, top1: 0, accepted: 0, falseAccepts: 0 },
      trainMs: 0,
    },
  };
}

function draftProbs(model: PhraseModel, features: Float32Array): Float64Array {
  const x = new Float64Array(features.length);
  for (let j = 0; j < x.length; j++)
    x[j] = (features[j]! - model.featureMean[j]!) / model.featureStd[j]!;
  return softmaxScores(model.weights, model.bias, x);
}

/** Softmax regression by full-batch gradient descent with momentum; class-balanced, L2 on weights. */
export function fitSoftmax(
  examples: readonly { features: Float32Array; label: number }[],
  options: { iterations: number; l2: number; learningRate: number; classes: number },
  onIteration?: (done: number) => void,
): Fitted {
  const n = examples.length;
  const d = examples[0]?.features.length ?? 0;
  const k = options.classes;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const e of examples) for (let j = 0; j < d; j++) mean[j]! += e.features[j]! / n;
  for (const e of examples)
    for (let j = 0; j < d; j++) std[j]! += (e.features[j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]!) || 1;
  const xs = examples.map((e) => {
    const x = new Float64Array(d);
    for (let j = 0; j < d; j++) x[j] = (e.features[j]! - mean[j]!) / std[j]!;
    return x;
  });
  const counts = new Array<number>(k).fill(0);
  for (const e of examples) counts[e.label]!++;
  const present = counts.filter((c) => c > 0).length;
  const sampleWeight = examples.map((e) => n / (present * counts[e.label]!));
  const wsum = sampleWeight.reduce((a, b) => a + b, 0);

  const weights = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  const bias = new Array<number>(k).fill(0);
  const vW = Array.from({ length: k }, () => new Float64Array(d));
  const vB = new Float64Array(k);
  const gW = Array.from({ length: k }, () => new Float64Array(d));
  const gB = new Float64Array(k);
  const momentum = 0.9;
  for (let it = 0; it < options.iterations; it++) {
    for (let c = 0; c < k; c++) {
      gW[c]!.fill(0);
      gB[c] = 0;
    }
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      const p = softmaxScores(weights, bias, x);
      const label = examples[i]!.label;
      const sw = sampleWeight[i]! / wsum;
      for (let c = 0; c < k; c++) {
        const g = (p[c]! - (c === label ? 1 : 0)) * sw;
        if (g === 0) continue;
        const row = gW[c]!;
        for (let j = 0; j < d; j++) row[j]! += g * x[j]!;
        gB[c]! += g;
      }
    }
    for (let c = 0; c < k; c++) {
      const w = weights[c]!;
      const v = vW[c]!;
      const g = gW[c]!;
      for (let j = 0; j < d; j++) {
        v[j] = momentum * v[j]! - options.learningRate * (g[j]! + options.l2 * w[j]!);
        w[j]! += v[j]!;
      }
      vB[c] = momentum * vB[c]! - options.learningRate * gB[c]!;
      bias[c]! += vB[c]!;
    }
    onIteration?.(it + 1);
  }
  return { mean, std, weights, bias };
}

/** The lowest threshold (in 0.01 steps within limits) whose garbage false-accept rate is within target. */
function chooseThreshold(
  model: PhraseModel,
  scored: readonly { e: Example; probs: Float64Array }[],
  garbageLabel: number,
  target: number,
  min: number,
  max: number,
): number {
  const negatives = scored.filter((s) => s.e.label === garbageLabel);
  if (negatives.length === 0) return min;
  for (let t = min; t <= max + 1e-9; t += 0.01) {
    const fa =
      negatives.filter((s) => !decide(model, s.probs, t).noMatch).length / negatives.length;
    if (fa <= target) return Math.round(t * 100) / 100;
  }
  return max;
}

function summarize(
  model: PhraseModel,
  scored: readonly { e: Example; probs: Float64Array }[],
  garbageLabel: number,
  threshold: number,
) {
  const pos = scored.filter((s) => s.e.label !== garbageLabel);
  const neg = scored.filter((s) => s.e.label === garbageLabel);
  let top1 = 0;
  let accepted = 0;
  for (const s of pos) {
    const intent = model.classes[s.e.label]!.intent;
    const d = decide(model, s.probs, 0);
    if (d.alternatives[0]?.intent === intent) top1++;
    const t = decide(model, s.probs, threshold);
    if (!t.noMatch && t.intent === intent) accepted++;
  }
  const falseAccepts = neg.filter((s) => !decide(model, s.probs, threshold).noMatch).length;
  const rate = (a: number, b: number): number => (b ? Math.round((a / b) * 1000) / 1000 : 0);
  return {
    positives: pos.length,
    negatives: neg.length,
    top1: rate(top1, pos.length),
    accepted: rate(accepted, pos.length),
    falseAccepts: rate(falseAccepts, neg.length),
  };
}
