/** Messages between the engine's SpeechWorkerPool and a speech worker thread. */
import type { VadSampleRate, VadWindow } from '../vad/silero.js';

/** workerData given to every speech worker. */
export interface SpeechWorkerData {
  /** Absolute path of silero_vad.onnx. */
  vadModelPath: string;
}

export type ToWorker =
  | { type: 'open'; callId: string; sampleRate: VadSampleRate }
  /** Samples of one or more frames in order; the buffer is transferred. */
  | { type: 'frames'; callId: string; samples: Int16Array }
  | { type: 'close'; callId: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'init_error'; message: string }
  | { type: 'windows'; callId: string; windows: VadWindow[] }
  | { type: 'error'; callId: string; message: string }
  | { type: 'closed'; callId: string };
