/**
 * recognizers/ — speech recognizers behind one streaming interface (`Recognizer`: start, push
 * 20 ms 16 kHz frames, finish → intent/phrase/text, confidence, noMatch, times, alternatives),
 * created by id through a registry. `phrase` (the default) classifies an utterance among a
 * question's expected phrases with a small softmax model over the openWakeWord speech embedding,
 * trained per question from espeak-ng speech (augmented: noise, gain, offsets, telephone band),
 * deterministic and cached on disk. A later `sherpa` (full-vocabulary) recognizer plugs in via
 * `registerRecognizer` and `RecognizerConfigMap`.
 */
// Loading the phrase recognizer registers it as 'phrase' (a side effect): imported here so every
// user of the registry, which goes through this index, finds it.
import './phrase/recognizer.js';

export { addNoise, createRng, normalizeLevel, offset, telephone } from './phrase/augment.js';
export { SpeechEmbedder } from './phrase/embedder.js';
export { type PhraseModel } from './phrase/model.js';
export {
  type PhraseSpec,
  type QuestionSpec,
  type RecordedAnswer,
  trainPhraseModel,
  type TrainProgress,
} from './phrase/train.js';
export {
  createRecognizer,
  type RecognitionResult,
  type Recognizer,
  RecognizerError,
  type RecognizerId,
  recognizerIds,
  registerRecognizer,
} from './recognizer.js';
