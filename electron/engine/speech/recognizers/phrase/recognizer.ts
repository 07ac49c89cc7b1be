/**
 * `PhraseRecognizer`: the default recognizer. It buffers the utterance's frames and, on
 * `finish()`, embeds the whole utterance (openWakeWord front end, ~3 ms per second of audio) and
 * scores the whole and its sliding windows with the question's trained `PhraseModel` (model.ts
 * `classifyEmbeddings`): accepted, uncertain (between the reject and accept thresholds: `intent`
 * set, `uncertain: true`, the dialog confirms) or no match. Registered as 'phrase'.
 */
import {
  type RecognitionResult,
  type Recognizer,
  RECOGNIZER_SAMPLE_RATE,
  RecognizerError,
  type RecognizerStartOptions,
  registerRecognizer,
} from '../recognizer.js';
import type { SpeechEmbedder } from './embedder.js';
import { checkPhraseModel, classifyEmbeddings, type PhraseModel } from './model.js';

export interface PhraseRecognizerConfig {
  model: PhraseModel;
  /** Shared, loaded embedder (one per thread). Its version must match the model's. */
  embedder: SpeechEmbedder;
  /** Overrides the model's calibrated accept threshold (and caps its reject threshold to it). */
  threshold?: number;
  /** Longest utterance kept, in ms (later audio is dropped); default 10 s. */
  maxMs?: number;
}

declare module '../recognizer.js' {
  interface RecognizerConfigMap {
    phrase: PhraseRecognizerConfig;
  }
}

/**
 * One utterance's frames as a recognizer receives them: kept up to `maxSamples` (later audio is
 * dropped but still counted, so the end time stays right).
 */
export class UtteranceBuffer {
  private chunks: Int16Array[] | null = null;
  private length = 0;
  private received = 0;
  private startMs = 0;

  constructor(private readonly maxSamples: number) {}

  start(startMs = 0): void {
    this.chunks = [];
    this.length = 0;
    this.received = 0;
    this.startMs = startMs;
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

  /** The audio kept (int16 scale) and the utterance's span in ms; the buffer waits for a new start. */
  take(): { audio: Float32Array; startMs: number; endMs: number } {
    const chunks = this.chunks;
    if (!chunks) throw new RecognizerError('NOT_STARTED', 'finish() before start()');
    this.chunks = null;
    const audio = new Float32Array(this.length);
    let at = 0;
    for (const c of chunks) {
      audio.set(c, at);
      at += c.length;
    }
    return {
      audio,
      startMs: this.startMs,
      endMs: this.startMs + (this.received * 1000) / RECOGNIZER_SAMPLE_RATE,
    };
  }
}

export class PhraseRecognizer implements Recognizer {
  readonly kind = 'phrase';
  private readonly model: PhraseModel;
  private readonly buffer: UtteranceBuffer;

  constructor(private readonly config: PhraseRecognizerConfig) {
    this.model = checkPhraseModel(config.model);
    if (config.model.embedderVersion && config.model.embedderVersion !== config.embedder.version) {
      throw new RecognizerError(
        'BAD_MODEL',
        `the phrase model was trained with embedding models ${config.model.embedderVersion}, but ${config.embedder.version} are loaded: retrain it`,
      );
    }
    this.buffer = new UtteranceBuffer(
      Math.round(((config.maxMs ?? 10_000) * RECOGNIZER_SAMPLE_RATE) / 1000),
    );
  }

  start(options: RecognizerStartOptions = {}): void {
    this.buffer.start(options.startMs);
  }

  push(frame: Int16Array): void {
    this.buffer.push(frame);
  }

  async finish(): Promise<RecognitionResult> {
    const { audio, startMs, endMs } = this.buffer.take();
    const embeddings = await this.config.embedder.embed(trimSilence(audio));
    const model =
      this.config.threshold === undefined
        ? this.model
        : {
            ...this.model,
            threshold: this.config.threshold,
            rejectThreshold: Math.min(
              this.config.threshold,
              this.model.rejectThreshold ?? this.config.threshold,
            ),
          };
    const d = classifyEmbeddings(model, embeddings);
    const result: RecognitionResult = {
      confidence: d.confidence,
      noMatch: d.noMatch,
      startMs,
      endMs,
      alternatives: d.alternatives,
    };
    if (!d.noMatch) {
      result.intent = d.intent;
      result.phrase = d.phrase;
      result.text = d.phrase;
      if (d.uncertain) result.uncertain = true;
    }
    return result;
  }
}

/** 10 ms analysis frames for trimming. */
const TRIM_FRAME = RECOGNIZER_SAMPLE_RATE / 100;
/** Kept around the loud part, so soft word edges stay in. */
const TRIM_MARGIN_FRAMES = 8;

/**
 * Cuts the quiet lead-in and tail off an utterance: frames more than 35 dB under the loudest (or
 * under −50 dBFS) at either end, keeping an 80 ms margin. The endpointer's pre-roll and hangover
 * add up to half a second of line silence, often digital zeros on a call, which the speech
 * embedding never saw in training (its clips have at most 300 ms of noisy lead-in) and which
 * pulls a real "tomorrow" from 1.0 to 0.14 confidence.
 */
export function trimSilence(audio: Float32Array): Float32Array {
  const frames = Math.floor(audio.length / TRIM_FRAME);
  if (frames < 4) return audio;
  const energy = new Float64Array(frames);
  let peak = 0;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = f * TRIM_FRAME; i < (f + 1) * TRIM_FRAME; i++) sum += audio[i]! * audio[i]!;
    energy[f] = Math.sqrt(sum / TRIM_FRAME);
    if (energy[f]! > peak) peak = energy[f]!;
  }
  // Samples are on the int16 scale here (±32768): −50 dBFS ≈ 104.
  const floor = Math.max(peak * 10 ** (-35 / 20), 32768 * 10 ** (-50 / 20));
  let first = 0;
  while (first < frames && energy[first]! < floor) first++;
  let last = frames - 1;
  while (last > first && energy[last]! < floor) last--;
  if (first >= frames) return audio;
  const from = Math.max(0, first - TRIM_MARGIN_FRAMES) * TRIM_FRAME;
  const to = Math.min(audio.length, (last + 1 + TRIM_MARGIN_FRAMES) * TRIM_FRAME);
  return audio.subarray(from, to);
}

registerRecognizer('phrase', (config) => new PhraseRecognizer(config));
