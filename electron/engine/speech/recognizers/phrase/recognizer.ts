/**
 * `PhraseRecognizer`: the default recognizer. It buffers the utterance's frames and, on
 * `finish()`, embeds the whole utterance (openWakeWord front end, ~3 ms per second of audio),
 * pools it and scores it with the question's trained `PhraseModel`. Registered as 'phrase'.
 */
import {
  RECOGNIZER_SAMPLE_RATE,
  RecognizerError,
  registerRecognizer,
  type RecognitionResult,
  type Recognizer,
  type RecognizerStartOptions,
} from '../recognizer.js';
import type { SpeechEmbedder } from './embedder.js';
import { checkPhraseModel, classifyEmbeddings, type PhraseModel } from './model.js';

export interface PhraseRecognizerConfig {
  model: PhraseModel;
  /** Shared, loaded embedder (one per thread). Its version must match the model's. */
  embedder: SpeechEmbedder;
  /** Overrides the model's calibrated threshold. */
  threshold?: number;
  /** Longest utterance kept, in ms (later audio is dropped); default 10 s. */
  maxMs?: number;
}

declare module '../recognizer.js' {
  interface RecognizerConfigMap {
    phrase: PhraseRecognizerConfig;
  }
}

export class PhraseRecognizer implements Recognizer {
  readonly kind = 'phrase';
  private readonly model: PhraseModel;
  private readonly maxSamples: number;
  private chunks: Int16Array[] | null = null;
  private length = 0;
  private received = 0;
  private startMs = 0;

  constructor(private readonly config: PhraseRecognizerConfig) {
    this.model = checkPhraseModel(config.model);
    if (config.model.embedderVersion && config.model.embedderVersion !== config.embedder.version) {
      throw new RecognizerError(
        'BAD_MODEL',
        `the phrase model was trained with embedding models ${config.model.embedderVersion}, but ${config.embedder.version} are loaded: retrain it`,
      );
    }
    this.maxSamples = Math.round(((config.maxMs ?? 10_000) * RECOGNIZER_SAMPLE_RATE) / 1000);
  }

  start(options: RecognizerStartOptions = {}): void {
    this.chunks = [];
    this.length = 0;
    this.received = 0;
    this.startMs = options.startMs ?? 0;
  }

  push(frame: Int16Array): void {
    if (!this.chunks) throw new RecognizerError('NOT_STARTED', 'push() before start()');
    this.received += frame.length;
    const room = this.maxSamples - this.length;
    if (room <= 0) return;
    const kept = frame.length <= room ? frame.slice() : frame.slice(0, room);
    this.chunks.push(kept);
    this.length += kept.length;
  }

  async finish(): Promise<RecognitionResult> {
    const chunks = this.chunks;
    if (!chunks) throw new RecognizerError('NOT_STARTED', 'finish() before start()');
    this.chunks = null;
    const audio = new Float32Array(this.length);
    let at = 0;
    for (const c of chunks) {
      audio.set(c, at);
      at += c.length;
    }
    const startMs = this.startMs;
    const endMs = startMs + (this.received * 1000) / RECOGNIZER_SAMPLE_RATE;
    const embeddings = await this.config.embedder.embed(audio);
    const model = this.config.threshold === undefined ? this.model : { ...this.model, threshold: this.config.threshold };
    const d = classifyEmbeddings(model, embeddings);
    const result: RecognitionResult = { confidence: d.confidence, noMatch: d.noMatch, startMs, endMs, alternatives: d.alternatives };
    if (!d.noMatch) {
      result.intent = d.intent;
      result.phrase = d.phrase;
      result.text = d.phrase;
    }
    return result;
  }
}

registerRecognizer('phrase', (config) => new PhraseRecognizer(config));
