/**
 * nlu/ — text understanding for the dialog (typed "test chat" now, recognizer transcripts later):
 * an intent classifier trained from a flow's example utterances (Chinese character n-grams +
 * English word and character n-grams, TF-IDF cosine), and entity extraction in Chinese and
 * English — yes/no, numbers, money, phone numbers, dates and times resolved in an IANA time zone
 * against a reference instant. Pure, synchronous, offline; no electron import.
 */
export {
  NO_MATCH,
  IntentClassifier,
  trainIntentClassifier,
  extractFeatures,
  normalizeText,
  hasChinese,
  type IntentClassifierOptions,
  type IntentResult,
  type IntentScore,
  type TrainingData,
} from './intents.js';
export {
  detectYesNo,
  extractEntities,
  extractMoney,
  extractPhoneNumbers,
  type Currency,
  type Entities,
  type MoneyEntity,
  type MoneyOptions,
  type PhoneEntity,
  type YesNo,
} from './entities.js';
export { extractNumbers, parseChineseNumber, parseEnglishNumber, type NumberEntity } from './numbers.js';
export { extractDateTimes, type DateTimeEntity, type PartOfDay, type TimeContext, type TimeGrain } from './datetime.js';
export { localParts, offsetMinutes, toZonedIso, zonedToInstant, type LocalDateTime, type LocalParts } from './zoned-time.js';
