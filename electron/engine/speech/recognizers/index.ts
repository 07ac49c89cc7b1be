/**
 * recognizers/ — speech recognizers behind one streaming interface (`Recognizer`: start, push
 * 20 ms 16 kHz frames, finish → intent/phrase/text, confidence, noMatch, times, alternatives),
 * created by id through a registry. `phrase` (the default) classifies an utterance among a
 * question's expected phrases with a small softmax model over the openWakeWord speech embedding,
 * trained per question from espeak-ng speech (augmented: noise, gain, offsets, telephone band),
 * deterministic and cached on disk. A later `sherpa` (full-vocabulary) recognizer plugs in via
 * `registerRecognizer` and `RecognizerConfigMap`.
 */
export {
  activeRms,
  addNoise,
  applyGain,
  augment,
  type AugmentSpec,
  bandPass,
  createRng,
  drawAugmentations,
  makeNoise,
  muLawDecode,
  muLawEncode,
  type NoiseColor,
  normalizeLevel,
  offset,
  telephone,
} from './phrase/augment.js';
export { clipKey, type ClipStore, DiskClipStore, MemoryClipStore } from './phrase/clips.js';
export {
  type EmbedderLoadOptions,
  type EmbedderPaths,
  EMBEDDING_DIM,
  EMBEDDING_HOP_SAMPLES,
  EMBEDDING_MODEL_FILE,
  EMBEDDING_STEP,
  EMBEDDING_WINDOW,
  type Matrix,
  MEL_BINS,
  MEL_MODEL_FILE,
  MIN_EMBED_SAMPLES,
  padToMinimum,
  poolMeanMax,
  SpeechEmbedder,
} from './phrase/embedder.js';
export {
  checkPhraseModel,
  classifyEmbeddings,
  decide,
  PHRASE_MODEL_FORMAT,
  type PhraseClass,
  type PhraseDecision,
  type PhraseModel,
  type PhraseModelStats,
} from './phrase/model.js';
export { DEFAULT_NEGATIVES } from './phrase/negatives.js';
export { PhraseRecognizer, type PhraseRecognizerConfig } from './phrase/recognizer.js';
export {
  baseVoice,
  fitSoftmax,
  type PhraseSpec,
  type QuestionSpec,
  type RecordedAnswer,
  type TrainOptions,
  trainPhraseModel,
  type TrainProgress,
  type TrainStage,
  type VoiceSetting,
  voiceSettings,
} from './phrase/train.js';
export {
  createRecognizer,
  type RecognitionAlternative,
  type RecognitionResult,
  type Recognizer,
  RECOGNIZER_FRAME_SAMPLES,
  RECOGNIZER_SAMPLE_RATE,
  type RecognizerConfigMap,
  RecognizerError,
  type RecognizerFactory,
  type RecognizerId,
  recognizerIds,
  type RecognizerStartOptions,
  registerRecognizer,
} from './recognizer.js';
