/**
 * speech/ — the engine's offline speech stack, starting with voice activity detection: Silero VAD
 * (v6, MIT) on onnxruntime-node at 8 and 16 kHz, an endpointer that turns window probabilities into
 * speech_start / speech_end / no_input events, and a worker_threads pool that runs inference off
 * the engine's event loop for many calls at once — the same workers also synthesize prompts,
 * recognize utterances with phrase models and train them. No electron import.
 */
export { SileroModel, SileroVad, windowGeometry, isVadSampleRate, type VadSampleRate, type VadWindow } from './vad/silero.js';
export {
  Endpointer,
  DEFAULT_ENDPOINTER_OPTIONS,
  BOT_PAUSE_MS,
  type EndpointerOptions,
  type EndpointEvent,
  type EndpointerState,
} from './vad/endpointer.js';
export { SpeechWorkerPool, SpeechCall, workerLimit, type SpeechWorkerPoolOptions, type OpenCallOptions } from './worker/pool.js';
export type { SpeechWorkerData, ToWorker, FromWorker } from './worker/protocol.js';
export type { SpeechTask, SpeechTaskResults } from './worker/protocol.js';
export type { PhraseModel, PhraseSpec, QuestionSpec, RecordedAnswer, TrainProgress, RecognitionResult } from './recognizers/index.js';
