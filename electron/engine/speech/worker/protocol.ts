/** Messages between the engine's SpeechWorkerPool and a speech worker thread. */
import type { TtsOptions } from '../../tts/types.js';
import type { EmbeddingStream } from '../recognizers/phrase/embedder.js';
import type { EarlyMediaStepResult } from '../recognizers/phrase/line-status.js';
import type { PhraseModel } from '../recognizers/phrase/model.js';
import type { QuestionSpec, TrainProgress } from '../recognizers/phrase/train.js';
import type { RecognitionResult } from '../recognizers/recognizer.js';
import type { VadSampleRate, VadWindow } from '../vad/silero.js';

/** workerData given to every speech worker. */
export interface SpeechWorkerData {
  /** Absolute path of silero_vad.onnx. */
  vadModelPath: string;
  /** Absolute paths of the openWakeWord mel and embedding models (phrase recognition), when available. */
  melModelPath?: string;
  embeddingModelPath?: string;
}

/** Work a worker does on request besides VAD: TTS, recognizing one utterance, training a question. */
export type SpeechTask =
  | { kind: 'synthesize'; text: string; options: TtsOptions }
  | {
      kind: 'recognize';
      /**
       * Identifies the question's phrase model (absent when the question only uses the library);
       * the model itself is sent the first time a worker sees the key.
       */
      modelKey?: string;
      model?: PhraseModel;
      /** The common-answer library's model (sent the first time too) and the answers the question uses. */
      library?: {
        key: string;
        model?: PhraseModel;
        /** Common answer → the question's intent that uses it. */
        uses: Readonly<Partial<Record<string, string>>>;
      };
      samples: Int16Array;
      /** Time of the first sample on the caller's timeline (ms). */
      startMs: number;
    }
  | { kind: 'train'; question: QuestionSpec; cacheDir: string; seed?: number }
  /**
   * A ringing call's early-media audio since its previous step, embedded onto its stream (which
   * travels with the step: the worker keeps no call state) and scored by each line-status model
   * (each sent the first time a worker sees its key): the best span ending at the newest frame.
   */
  | {
      kind: 'spotAnnouncement';
      models: Array<{ key: string; model?: PhraseModel }>;
      samples: Int16Array;
      stream: EmbeddingStream;
    }
  /**
   * Loads the TTS engine and/or the embedder now (both when `parts` is absent), so a call's first
   * prompt and answer do not wait for them.
   */
  | { kind: 'warm'; parts?: Array<'tts' | 'embedder'> };

export interface SpeechTaskResults {
  synthesize: { samples: Int16Array; durationMs: number };
  recognize: RecognitionResult;
  train: PhraseModel;
  spotAnnouncement: EarlyMediaStepResult;
  warm: { ready: true };
}

export type ToWorker =
  | { type: 'open'; callId: string; sampleRate: VadSampleRate; maxLagMs?: number }
  /** Samples of one or more frames in order; the buffer is transferred. */
  | { type: 'frames'; callId: string; samples: Int16Array }
  | { type: 'close'; callId: string }
  | { type: 'task'; id: number; task: SpeechTask }
  /**
   * Stop: abort training, let native inference in progress finish, release the models, exit.
   * (terminate() while onnxruntime runs native code aborts the whole process.)
   */
  | { type: 'shutdown' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'init_error'; message: string }
  | { type: 'windows'; callId: string; windows: VadWindow[] }
  | { type: 'error'; callId: string; message: string }
  | { type: 'closed'; callId: string }
  | { type: 'task_result'; id: number; result: SpeechTaskResults[keyof SpeechTaskResults] }
  | { type: 'task_error'; id: number; message: string }
  | { type: 'task_progress'; id: number; progress: TrainProgress };
