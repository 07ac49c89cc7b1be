/**
 * The contract every recognizer fulfils, and the registry that creates them by id.
 *
 * A recognizer hears one utterance at a time (the endpointer decides where it starts and ends):
 * `start()` opens it, `push()` feeds 20 ms frames of 16 kHz mono Int16 as they arrive, and
 * `finish()` returns the result. The same object can then be `start()`ed again for the next
 * utterance. Recognizers are created through `createRecognizer(id, config)`: `phrase` (a small
 * classifier over a speech embedding, trained per question) registers itself here; a later
 * `sherpa` recognizer (full vocabulary, model files in native-models/asr/) adds its config type to
 * `RecognizerConfigMap` by declaration merging and calls `registerRecognizer('sherpa', …)`.
 */

/** One candidate reading of the utterance, best first in `alternatives`. */
export interface RecognitionAlternative {
  /** Transcript (full-vocabulary recognizers). */
  text?: string;
  /** The intent this candidate stands for. */
  intent?: string;
  /** The expected phrase it matched (phrase recognizers). */
  phrase?: string;
  /** 0–1. */
  confidence: number;
}

export interface RecognitionResult {
  /** Transcript, when the recognizer produces one (the phrase recognizer reports the matched phrase). */
  text?: string;
  /** The recognised intent; absent when `noMatch`. */
  intent?: string;
  /** The expected phrase that matched; absent when `noMatch`. */
  phrase?: string;
  /** Confidence of the best candidate, 0–1 (also set on a no-match: how close it came). */
  confidence: number;
  /** True when nothing expected was said (or the recognizer is not confident enough). */
  noMatch: boolean;
  /**
   * The best candidate lies between the reject and the accept threshold: `intent` is set and
   * `noMatch` false, but the dialog confirms it before acting on it ("Just to check: …").
   */
  uncertain?: boolean;
  /**
   * Uncertain only because the answer was found in a window of a longer utterance: it scored at
   * accept strength there (phrase/library.ts). The turn detector takes that as a heard answer.
   */
  spotted?: boolean;
  /** Start and end of the utterance's audio, ms on the caller's timeline (see `RecognizerStartOptions`). */
  startMs: number;
  endMs: number;
  /** Candidates, best first (including the chosen one; empty when there were none). */
  alternatives: RecognitionAlternative[];
}

export interface RecognizerStartOptions {
  /** Time (ms) of the first frame pushed, on the caller's timeline (e.g. call start). Default 0. */
  startMs?: number;
}

/** Frames pushed are 20 ms of 16 kHz mono Int16: 320 samples. */
export const RECOGNIZER_SAMPLE_RATE = 16000;

export interface Recognizer {
  /** The registry id of the kind of recognizer ('phrase', later 'sherpa'). */
  readonly kind: string;
  /** Opens an utterance; drops anything left from a previous one. */
  start(options?: RecognizerStartOptions): void;
  /** Adds one frame (any length is accepted; 320 samples is the norm). Throws before `start()`. */
  push(frame: Int16Array): void;
  /** Closes the utterance and recognises it. Throws before `start()`. */
  finish(): Promise<RecognitionResult>;
  /** Frees native resources the recognizer owns (not shared models). */
  close?(): Promise<void>;
}

/**
 * Config type per recognizer id. Recognizer modules extend it by declaration merging:
 *   declare module '../recognizer.js' { interface RecognizerConfigMap { sherpa: SherpaConfig } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty on purpose: recognizer modules fill it by declaration merging
export interface RecognizerConfigMap {}

export type RecognizerId = keyof RecognizerConfigMap & string;

export type RecognizerFactory<C> = (config: C) => Recognizer | Promise<Recognizer>;

export class RecognizerError extends Error {
  override readonly name = 'RecognizerError';
  constructor(
    readonly code:
      'UNKNOWN_RECOGNIZER' | 'DUPLICATE_RECOGNIZER' | 'NOT_STARTED' | 'BAD_MODEL' | 'BAD_INPUT',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const factories = new Map<string, RecognizerFactory<never>>();

/** Makes a recognizer kind available to `createRecognizer`. Throws if the id is taken. */
export function registerRecognizer<K extends RecognizerId>(
  id: K,
  factory: RecognizerFactory<RecognizerConfigMap[K]>,
): void {
  if (factories.has(id))
    throw new RecognizerError('DUPLICATE_RECOGNIZER', `a recognizer "${id}" is already registered`);
  factories.set(id, factory as RecognizerFactory<never>);
}

/** Creates a recognizer of a registered kind. */
export async function createRecognizer<K extends RecognizerId>(
  id: K,
  config: RecognizerConfigMap[K],
): Promise<Recognizer> {
  const factory = factories.get(id) as RecognizerFactory<RecognizerConfigMap[K]> | undefined;
  if (!factory) {
    throw new RecognizerError(
      'UNKNOWN_RECOGNIZER',
      `no recognizer "${id}" (registered: ${[...factories.keys()].join(', ') || 'none'})`,
    );
  }
  return factory(config);
}

/** The ids registered so far. */
export function recognizerIds(): string[] {
  return [...factories.keys()];
}
