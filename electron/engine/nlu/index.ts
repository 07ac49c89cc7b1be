/**
 * nlu/ — text understanding for the dialog (typed "test chat" now, recognizer transcripts later):
 * an intent classifier trained from a flow's example utterances (Chinese character n-grams +
 * English word and character n-grams, TF-IDF cosine), and entity extraction in Chinese and
 * English — yes/no, numbers, money, phone numbers, dates and times resolved in an IANA time zone
 * against a reference instant. Pure, synchronous, offline; no electron import.
 */
export { type TimeContext } from './datetime.js';
export { type Entities, extractEntities } from './entities.js';
export { IntentClassifier, NO_MATCH, type TrainingData } from './intents.js';
export { localParts, toZonedIso, zonedToInstant } from './zoned-time.js';
