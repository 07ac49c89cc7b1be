/**
 * nlu/ — text understanding for the dialog (typed "test chat" now, recognizer transcripts later):
 * an intent classifier trained from a flow's example utterances (Chinese character n-grams +
 * English word and character n-grams, TF-IDF cosine), and entity extraction in Chinese and
 * English — yes/no, numbers, money, phone numbers, dates and times resolved in an IANA time zone
 * against a reference instant. Pure, synchronous, offline; no electron import.
 */
export {
  type DateTimeEntity,
  extractDateTimes,
  type PartOfDay,
  type TimeContext,
  type TimeGrain,
} from './datetime.js';
export {
  type Currency,
  detectYesNo,
  type Entities,
  extractEntities,
  extractMoney,
  extractPhoneNumbers,
  type MoneyEntity,
  type MoneyOptions,
  type PhoneEntity,
  type YesNo,
} from './entities.js';
export {
  extractFeatures,
  hasChinese,
  IntentClassifier,
  type IntentClassifierOptions,
  type IntentResult,
  type IntentScore,
  NO_MATCH,
  normalizeText,
  type TrainingData,
  trainIntentClassifier,
} from './intents.js';
export {
  extractNumbers,
  type NumberEntity,
  parseChineseNumber,
  parseEnglishNumber,
} from './numbers.js';
export {
  type LocalDateTime,
  type LocalParts,
  localParts,
  offsetMinutes,
  toZonedIso,
  zonedToInstant,
} from './zoned-time.js';
