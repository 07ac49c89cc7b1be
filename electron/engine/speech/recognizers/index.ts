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
  createRecognizer,
  registerRecognizer,
  recognizerIds,
  RecognizerError,
  RECOGNIZER_SAMPLE_RATE,
  RECOGNIZER_FRAME_SAMPLES,
  type Recognizer,
  type RecognizerConfigMap,
  type RecognizerFactory,
  type RecognizerId,
  type RecognizerStartOptions,
  type RecognitionAlternative,
  type RecognitionResult,
} from './recognizer.js';
export {
  SpeechEmbedder,
  poolMeanMax,
  padToMinimum,
  EMBEDDING_DIM,
  EMBEDDING_WINDOW,
  EMBEDDING_STEP,
  EMBEDDING_HOP_SAMPLES,
  MEL_BINS,
  MIN_EMBED_SAMPLES,
  MEL_MODEL_FILE,
  EMBEDDING_MODEL_FILE,
  type Matrix,
  type EmbedderPaths,
  type EmbedderLoadOptions,
} from './phrase/embedder.js';
export {
  createRng,
  augment,
  drawAugmentations,
  addNoise,
  applyGain,
  normalizeLevel,
  offset,
  bandPass,
  telephone,
  muLawEncode,
  muLawDecode,
  makeNoise,
  activeRms,
  type AugmentSpec,
  type NoiseColor,
} from './phrase/augment.js';
export {
  trainPhraseModel,
  voiceSettings,
  baseVoice,
  fitSoftmax,
  type PhraseSpec,
  type QuestionSpec,
  type RecordedAnswer,
  type VoiceSetting,
  type TrainOptions,
  type TrainProgress,
  type TrainStage,
} from './phrase/train.js';
export {
  PHRASE_MODEL_FORMAT,
  checkPhraseModel,
  classifyEmbeddings,
  decide,
  type PhraseModel,
  type PhraseModelStats,
  type PhraseClass,
  type PhraseDecision,
} from './phrase/model.js';
export { DEFAULT_NEGATIVES } from './phrase/negatives.js';
export { PhraseRecognizer, type PhraseRecognizerConfig } from './phrase/recognizer.js';
export { MemoryClipStore, DiskClipStore, clipKey, type ClipStore } from './phrase/clips.js';
