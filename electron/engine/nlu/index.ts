/**
 * nlu/ — text understanding for the dialog (typed "test chat", `flow eval`, recognizer
 * transcripts): an intent classifier trained from a flow's example utterances (Chinese character
 * n-grams + English word and character n-grams, TF-IDF cosine) that reads negation with its scope,
 * hedges and fixed expressions (negation.ts), rejects off-topic input through a "none of these"
 * class, and reports accept / reject thresholds with an uncertain band between them; the
 * common-answer library (library/: affirm, deny, busy, … in Mandarin and English) that a flow's
 * intents `use`; and entity extraction in Chinese and English — yes/no, numbers, money, phone
 * numbers, dates and times resolved in an IANA time zone against a reference instant. Pure,
 * synchronous, offline; no electron import.
 */
export {
  classifyConfirmation,
  offTopicTraining,
  questionOffTopic,
  questionTraining,
} from './common-answers.js';
export { type TimeContext } from './datetime.js';
export { type Entities, extractEntities, extractMoney } from './entities.js';
export { IntentClassifier, type IntentResult, NO_MATCH, trainIntentClassifier } from './intents.js';
export { spokenKey } from './keys.js';
export { isClearlyOffTopic, offTopicBesideEntities } from './relevance.js';
export { localParts, toZonedIso, zonedToInstant } from './zoned-time.js';
