/**
 * speech/ — the engine's offline speech stack, starting with voice activity detection: Silero VAD
 * (v6, MIT) on onnxruntime-node at 8 and 16 kHz, an endpointer that turns window probabilities into
 * speech_start / speech_end / no_input events, and a worker_threads pool that runs inference off
 * the engine's event loop for many calls at once — the same workers also synthesize prompts,
 * recognize utterances with phrase models and train them. No electron import.
 */
export type {
  PhraseModel,
  PhraseSpec,
  QuestionSpec,
  RecognitionResult,
  RecordedAnswer,
  TrainProgress,
} from './recognizers/index.js';
export {
  type LibraryModelFile,
  type LibraryRecognition,
  readLibraryModel,
} from './recognizers/phrase/library.js';
export { BOT_PAUSE_MS, type EndpointerOptions, type EndpointEvent } from './vad/endpointer.js';
export { SileroModel, type VadSampleRate, windowGeometry } from './vad/silero.js';
export {
  LIVE_VAD_MAX_LAG_MS,
  SpeechCall,
  SpeechWorkerPool,
  speechWorkersSetting,
  type VadShed,
} from './worker/pool.js';
