/**
 * The common-answer library's speech models, and how a question's recognition combines them with
 * its own model.
 *
 * Built when the app is built (build/train-library-models.mjs, `npm run build:library`), never
 * when a flow is saved: per language one phrase model over every common answer of nlu/library
 * (affirm, deny, busy, …), one class per phrasing summed per answer, as a question's model does.
 * One class per answer was tried first and measured far worse (zh-CN, 645 phrasings: top-1 0.44
 * and 15 % accepted on the held-apart voice, train accuracy 0.63): a linear softmax over pooled
 * embeddings cannot map dozens of acoustically different phrasings onto one class. The model
 * takes each answer's first `LIBRARY_MAX_PHRASES` phrasings (the data files list the commonest
 * first) to bound its size and training time; the text classifier uses them all. Shipped as
 * `native-models/library/common-answers.<language>.json` with its sha256 in the models manifest. Each file records the hash of the data it was built from, so a stale file is found
 * (`libraryStale`, checked by a unit test) and rebuilt.
 *
 * At recognition, an ask node whose intents `use` common answers is heard by its own question
 * model (its intents' own examples; none when every intent only uses the library) and by the
 * library model restricted to the answers the node uses: the other answers' probability joins the
 * garbage class (for this node they are answers to nothing). `combineRecognitions` puts the two
 * decisions into one RecognitionResult on a common calibrated scale, with the accept/reject band
 * (`uncertain`: the dialog confirms).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
  COMMON_ANSWERS,
  type CommonAnswer,
  commonAnswerPhrases,
  type LibraryLanguage,
  offTopicSentences,
} from '../../../nlu/library/index.js';
import {
  type RecognitionAlternative,
  type RecognitionResult,
  type Recognizer,
  RECOGNIZER_SAMPLE_RATE,
  type RecognizerStartOptions,
} from '../recognizer.js';
import { type Matrix, poolMeanMax, type SpeechEmbedder } from './embedder.js';
import { checkPhraseModel, classProbabilities, lengthLimit, type PhraseModel } from './model.js';
import { PhraseRecognizer, trimSilence, UtteranceBuffer } from './recognizer.js';
import type { QuestionSpec, TrainOptions } from './train.js';

export const LIBRARY_LANGUAGES: readonly LibraryLanguage[] = ['en', 'zh-CN'];
export const LIBRARY_FORMAT = 'outbound-common-answers/1';

/**
 * What the build asks of the trainer beyond its defaults (part of the data hash), per language:
 * each phrasing is a class of its own, so it must be heard in many voices (a first build with 3
 * rotating settings of 40 per phrasing, 20 phrasings per answer, reached top-1 0.18 on English's
 * held-out engine); English has 40 voice settings, so each phrasing takes 12 of them, rotating.
 */
export const LIBRARY_TRAINING: Record<
  LibraryLanguage,
  Pick<TrainOptions, 'phraseSettings' | 'augmentations' | 'negativeSettings'>
> = {
  // 8 espeak-ng voices × 4 settings + 4 flite voices × 2 rates = 40 settings.
  en: { phraseSettings: 12, augmentations: 2, negativeSettings: 2 },
  // 2 voices × 4 settings: every phrasing by all of them.
  'zh-CN': { phraseSettings: 8, augmentations: 2, negativeSettings: 2 },
};
/** Phrasings per answer the model is trained on at most (the first ones in the data file). */
export const LIBRARY_MAX_PHRASES = 10;
/** Off-topic sentences used as the garbage class at most. */
export const LIBRARY_MAX_NEGATIVES = 160;
/** Bump when the build changes what the same data trains into. */
const LIBRARY_BUILD_REVISION = 2;

/** A shipped library model file. */
export interface LibraryModelFile {
  format: typeof LIBRARY_FORMAT;
  language: LibraryLanguage;
  /** `libraryDataHash(language)` of the data it was built from. */
  dataHash: string;
  /** The commit the data and trainer came from (`git describe`), and how long it took. */
  built: { commit: string; ms: number };
  model: PhraseModel;
}

export function libraryFileName(language: LibraryLanguage): string {
  return `common-answers.${language}.json`;
}

/** The library as one question: each answer's first phrasings, one class each, intent = the answer. */
export function libraryQuestion(language: LibraryLanguage): QuestionSpec {
  const seen = new Set<string>();
  const phrases: QuestionSpec['phrases'][number][] = [];
  for (const answer of COMMON_ANSWERS) {
    let taken = 0;
    for (const raw of commonAnswerPhrases(answer, language)) {
      const text = raw.trim();
      const key = text.toLowerCase();
      if (text === '' || seen.has(key)) continue;
      if (taken++ >= LIBRARY_MAX_PHRASES) break;
      seen.add(key);
      phrases.push({ text, intent: answer });
    }
  }
  return { language, phrases };
}

/** The garbage sentences the library model trains on: the library's off-topic sentences. */
export function libraryNegatives(language: LibraryLanguage): string[] {
  return offTopicSentences(language).slice(0, LIBRARY_MAX_NEGATIVES);
}

/** Hash of everything from this repository's data that shapes a library model. */
export function libraryDataHash(language: LibraryLanguage): string {
  const question = libraryQuestion(language);
  return createHash('sha256')
    .update(
      JSON.stringify({
        revision: LIBRARY_BUILD_REVISION,
        language,
        phrases: question.phrases.map((p) => [p.text, p.intent]),
        negatives: libraryNegatives(language),
        training: LIBRARY_TRAINING[language],
      }),
    )
    .digest('hex')
    .slice(0, 24);
}

/** Throws unless `value` is a library model file for `language`. */
export function checkLibraryFile(value: unknown, language: LibraryLanguage): LibraryModelFile {
  const f = value as Partial<LibraryModelFile> | null;
  if (!f || f.format !== LIBRARY_FORMAT || f.language !== language || !f.dataHash)
    throw new Error(`not a common-answer library model for ${language} (${LIBRARY_FORMAT})`);
  checkPhraseModel(f.model);
  return f as LibraryModelFile;
}

/** Reads `dir/common-answers.<language>.json`; null when the file is not there. */
export async function readLibraryModel(
  dir: string,
  language: LibraryLanguage,
): Promise<LibraryModelFile | null> {
  const path = join(dir, libraryFileName(language));
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return checkLibraryFile(JSON.parse(raw), language);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}; run \`npm run build:library\``, {
      cause: error,
    });
  }
}

/** Why a shipped library model no longer matches the data, or null when it does. */
export function libraryStale(file: LibraryModelFile): string | null {
  const now = libraryDataHash(file.language);
  return now === file.dataHash
    ? null
    : `the ${file.language} common-answer library model was built from data ${file.dataHash}, the data is now ${now}: the library models are stale, run \`npm run build:library\``;
}

/** JSON-sized model: weights and statistics rounded (4 significant decimals keep decisions). */
export function roundModel(model: PhraseModel, digits = 4): PhraseModel {
  const r = (x: number): number => Number(x.toFixed(digits));
  return {
    ...model,
    featureMean: model.featureMean.map(r),
    featureStd: model.featureStd.map(r),
    weights: model.weights.map((row) => row.map(r)),
    bias: model.bias.map(r),
  };
}

// --- Combination --------------------------------------------------------------------------

/** How a node uses the library: the library model and, per common answer, the node's intent. */
export interface LibraryUse {
  model: PhraseModel;
  /** Common answer → the node's intent that uses it. */
  uses: Readonly<Partial<Record<CommonAnswer, string>>>;
}

/** A node's library use as the engine sends it to a speech worker: `key` names the model there. */
export interface LibraryRecognition extends LibraryUse {
  key: string;
}

/** One model's view of an utterance, for `combineRecognitions`. */
export interface RecognitionSource {
  /** The recognizer's result with every intent in `alternatives` (phrase recognizers give all). */
  result: RecognitionResult;
  /** At or above: accepted (the model's calibrated threshold). */
  accept: number;
  /** Below: rejected; between: uncertain. */
  reject: number;
  /**
   * Maps this model's intents onto the node's; intents not in it count as garbage (the library
   * model's answers the node does not use). Absent: every intent is the node's.
   */
  intents?: ReadonlyMap<string, string>;
  /**
   * The most this source may decide: its recognizer's own decision (a question model's window
   * match is only uncertain, an utterance far too long for its intent is no match). Default: 2.
   */
  maxLevel?: Level;
  /**
   * The source scored a window, not the whole utterance: what it would accept is only uncertain
   * (confirmed), and what it finds uncertain counts for nothing.
   */
  windowOnly?: boolean;
}

/** A model's reject threshold (calibrated by the trainer); without one, no uncertain band. */
export function rejectThresholdOf(model: PhraseModel): number {
  const own = (model as { rejectThreshold?: unknown }).rejectThreshold;
  return typeof own === 'number' && own >= 0 ? Math.min(own, model.threshold) : model.threshold;
}

type Level = 0 | 1 | 2; // rejected, uncertain, accepted

interface Candidate {
  intent: string;
  phrase?: string;
  confidence: number;
  /** On one scale for every model: reject threshold → 1/3, accept threshold → 2/3. */
  calibrated: number;
  level: Level;
  /** Accept strength held to uncertain because it was only a window (see RecognitionResult.spotted). */
  spotted: boolean;
}

/** Maps p onto [0, 1] piecewise linearly so that reject → 1/3 and accept → 2/3. */
export function calibrate(p: number, reject: number, accept: number): number {
  const seg = (x: number, x0: number, x1: number, y0: number, y1: number): number =>
    x1 > x0 ? y0 + ((x - x0) / (x1 - x0)) * (y1 - y0) : y1;
  if (p >= accept) return seg(p, accept, 1, 2 / 3, 1);
  if (p >= reject) return seg(p, reject, accept, 1 / 3, 2 / 3);
  return seg(p, 0, reject, 0, 1 / 3);
}

/**
 * One decision from several models' views of the same utterance: every node intent's best
 * calibrated score over the models; the best intent wins; it is accepted when its model accepts it
 * (at or above the accept threshold and above that model's garbage), uncertain when at or above
 * the reject threshold, and garbage wins (noMatch) when every model rejects.
 */
export function combineRecognitions(
  sources: readonly RecognitionSource[],
  times: { startMs: number; endMs: number },
): RecognitionResult {
  const best = new Map<string, Candidate>();
  for (const source of sources) {
    const mapped: Array<RecognitionAlternative & { intent: string }> = [];
    let total = 0;
    for (const a of source.result.alternatives) {
      total += a.confidence;
      if (a.intent === undefined) continue;
      const intent = source.intents ? source.intents.get(a.intent) : a.intent;
      if (intent !== undefined) mapped.push({ ...a, intent });
    }
    // The garbage class's share, plus (restricted) the answers this node does not use.
    const kept = mapped.reduce((s, a) => s + a.confidence, 0);
    const garbage = Math.max(0, 1 - total) + (total - kept);
    for (const a of mapped) {
      const scored: Level =
        a.confidence >= source.accept && a.confidence > garbage
          ? 2
          : a.confidence >= source.reject
            ? 1
            : 0;
      const windowed: Level = source.windowOnly ? (scored === 2 ? 1 : 0) : scored;
      const level = Math.min(windowed, source.maxLevel ?? 2) as Level;
      let calibrated = calibrate(a.confidence, source.reject, source.accept);
      if (level === 1) calibrated = Math.min(calibrated, 2 / 3 - 1e-9);
      const candidate: Candidate = {
        intent: a.intent,
        ...(a.phrase !== undefined ? { phrase: a.phrase } : {}),
        confidence: a.confidence,
        calibrated,
        level,
        spotted: scored === 2 && level === 1,
      };
      const held = best.get(a.intent);
      if (!held || rank(candidate) > rank(held)) best.set(a.intent, candidate);
    }
  }
  const ranked = [...best.values()].sort((a, b) => rank(b) - rank(a));
  const alternatives: RecognitionAlternative[] = ranked.map((c) => ({
    intent: c.intent,
    ...(c.phrase !== undefined ? { phrase: c.phrase, text: c.phrase } : {}),
    confidence: c.confidence,
  }));
  const top = ranked[0];
  const result: RecognitionResult = {
    confidence: top?.confidence ?? 0,
    noMatch: !top || top.level === 0,
    startMs: times.startMs,
    endMs: times.endMs,
    alternatives,
  };
  if (top && top.level > 0) {
    result.intent = top.intent;
    if (top.phrase !== undefined) {
      result.phrase = top.phrase;
      result.text = top.phrase;
    }
    if (top.level === 1) result.uncertain = true;
    if (top.spotted) result.spotted = true;
  }
  return result;
}

function rank(c: Candidate): number {
  return c.level * 10 + c.calibrated;
}

/**
 * Spots the answers a node uses with the library model: the whole utterance and each window of
 * the model's `windowFrames` (hop one frame) are scored, and the span kept is the one where the
 * node's answers score highest, not the library's overall best (in "yes, that works" the whole
 * sounds most like a long "busy" phrasing, while a short window holds a clear "yes"). Its result
 * lists every answer of that span (for the garbage share); combineRecognitions maps them.
 */
export class LibrarySpotter implements Recognizer {
  readonly kind = 'phrase';
  private readonly buffer = new UtteranceBuffer(10 * RECOGNIZER_SAMPLE_RATE);

  constructor(
    private readonly model: PhraseModel,
    private readonly embedder: SpeechEmbedder,
    private readonly answers: ReadonlySet<string>,
  ) {
    checkPhraseModel(model);
  }

  start(options: RecognizerStartOptions = {}): void {
    this.buffer.start(options.startMs);
  }

  push(frame: Int16Array): void {
    this.buffer.push(frame);
  }

  async finish(): Promise<RecognitionResult> {
    return (await this.finishSpans()).whole;
  }

  /**
   * The whole utterance's view (an answer it is far too long for counts as garbage: the length
   * evidence, model.ts `lengthLimit`) and the best window's (null when no window is shorter than
   * the utterance), each listing every answer for combineRecognitions, which decides.
   */
  async finishSpans(): Promise<{ whole: RecognitionResult; window: RecognitionResult | null }> {
    const { audio, startMs, endMs } = this.buffer.take();
    const embeddings = await this.embedder.embed(trimSilence(audio));
    const result = (byIntent: Map<string, { p: number; phrase: string }>): RecognitionResult => {
      const alternatives = [...byIntent.entries()]
        .map(([intent, e]) => ({ intent, phrase: e.phrase, text: e.phrase, confidence: e.p }))
        .sort((a, b) => b.confidence - a.confidence);
      return {
        confidence: alternatives[0]?.confidence ?? 0,
        noMatch: true, // combineRecognitions decides
        startMs,
        endMs,
        alternatives,
      };
    };
    const whole = this.bestSpan(embeddings, [{ from: 0, frames: embeddings.rows }]);
    for (const answer of [...whole.keys()])
      if (embeddings.rows > lengthLimit(this.model, answer)) whole.delete(answer);
    const windows = this.windowSpans(embeddings.rows);
    return {
      whole: result(whole),
      window: windows.length ? result(this.bestSpan(embeddings, windows)) : null,
    };
  }

  /** Every window of the model's `windowFrames` shorter than the utterance (hop one frame). */
  private windowSpans(rows: number): { from: number; frames: number }[] {
    const windows = (this.model as { windowFrames?: unknown }).windowFrames;
    const lengths = Array.isArray(windows)
      ? windows.filter((w): w is number => typeof w === 'number')
      : [];
    const spans: { from: number; frames: number }[] = [];
    for (const w of lengths)
      if (w >= 1 && w < rows)
        for (let from = 0; from + w <= rows; from++) spans.push({ from, frames: w });
    return spans;
  }

  /** Per answer its summed probability (and best phrasing) in the span best for the node's answers. */
  private bestSpan(
    embeddings: Matrix,
    spans: readonly { from: number; frames: number }[],
  ): Map<string, { p: number; phrase: string }> {
    let best: Map<string, { p: number; phrase: string; bestP: number }> = new Map();
    let bestScore = -1;
    for (const span of spans) {
      const features = poolMeanMax({
        data: embeddings.data.subarray(
          span.from * embeddings.cols,
          (span.from + span.frames) * embeddings.cols,
        ),
        rows: span.frames,
        cols: embeddings.cols,
      });
      const probs = classProbabilities(this.model, features);
      const byIntent = new Map<string, { p: number; phrase: string; bestP: number }>();
      this.model.classes.forEach((c, k) => {
        if (c.intent === null || c.phrase === null) return;
        const p = probs[k]!;
        const e = byIntent.get(c.intent);
        if (!e) byIntent.set(c.intent, { p, phrase: c.phrase, bestP: p });
        else {
          e.p += p;
          if (p > e.bestP) Object.assign(e, { phrase: c.phrase, bestP: p });
        }
      });
      let score = 0;
      for (const answer of this.answers) score = Math.max(score, byIntent.get(answer)?.p ?? 0);
      if (score > bestScore) {
        bestScore = score;
        best = byIntent;
      }
    }
    return best;
  }
}

/**
 * Recognizes an ask node's answers with its own question model and/or the library model of the
 * answers it uses, combined (`combineRecognitions`). Registered nowhere: the speech worker builds
 * one per utterance from the models it was sent.
 */
/**
 * The embedder for one AskRecognizer's parts: the question's model and the library's spotter each
 * embed the same trimmed utterance, so the second one gets the first one's embeddings (read only by
 * both) instead of running the models again. Issue 17: recognitions were the bot's bottleneck at 20
 * calls on a loaded 2-core machine, and a node that uses common answers ran every one twice.
 */
function sharedEmbedder(embedder: SpeechEmbedder): SpeechEmbedder {
  let last: { samples: Float32Array; pad: boolean; result: Promise<Matrix> } | null = null;
  const shared = Object.create(embedder) as SpeechEmbedder;
  shared.embed = (samples, pad = true) => {
    if (samples instanceof Float32Array && last?.pad === pad && sameSamples(last.samples, samples))
      return last.result;
    const result = embedder.embed(samples, pad);
    if (samples instanceof Float32Array) last = { samples, pad, result };
    return result;
  };
  return shared;
}

function sameSamples(a: Float32Array, b: Float32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class AskRecognizer implements Recognizer {
  readonly kind = 'phrase';
  private readonly parts: Array<{
    recognizer: PhraseRecognizer | LibrarySpotter;
    source: Omit<RecognitionSource, 'result'>;
  }> = [];

  constructor(config: { question?: PhraseModel; library?: LibraryUse; embedder: SpeechEmbedder }) {
    const { question, library } = config;
    const embedder = sharedEmbedder(config.embedder);
    if (question) {
      this.parts.push({
        recognizer: new PhraseRecognizer({ model: question, embedder }),
        source: { accept: question.threshold, reject: rejectThresholdOf(question) },
      });
    }
    if (library) {
      const intents = new Map<string, string>();
      for (const [answer, intent] of Object.entries(library.uses))
        if (intent !== undefined) intents.set(answer, intent);
      if (intents.size > 0)
        this.parts.push({
          recognizer: new LibrarySpotter(library.model, embedder, new Set(intents.keys())),
          source: {
            accept: library.model.threshold,
            reject: rejectThresholdOf(library.model),
            intents,
          },
        });
    }
    if (this.parts.length === 0)
      throw new Error('an ask recognizer needs a question model or a library model it uses');
  }

  start(options?: RecognizerStartOptions): void {
    for (const p of this.parts) p.recognizer.start(options);
  }

  push(frame: Int16Array): void {
    for (const p of this.parts) p.recognizer.push(frame);
  }

  async finish(): Promise<RecognitionResult> {
    const views = await Promise.all(
      this.parts.map(async ({ recognizer, source }): Promise<RecognitionSource[]> => {
        if (recognizer instanceof LibrarySpotter) {
          const { whole, window } = await recognizer.finishSpans();
          return [
            { ...source, result: whole },
            ...(window ? [{ ...source, result: window, windowOnly: true }] : []),
          ];
        }
        // The question model decided already (a window only confirms, a too-long whole is no
        // match): its decision caps the level its scores reach.
        const result = await recognizer.finish();
        const maxLevel: Level = result.noMatch ? 0 : result.uncertain ? 1 : 2;
        return [{ ...source, result, maxLevel }];
      }),
    );
    const sources = views.flat();
    const first = sources[0]!.result;
    return combineRecognitions(sources, { startMs: first.startMs, endMs: first.endMs });
  }
}
