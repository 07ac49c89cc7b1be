/**
 * "Does this answer the question?" for answers an entity would otherwise answer alone: a date, a
 * number or an amount inside a sentence about something else ("my car broke down last week",
 * "I planted tomatoes today" to "When is a good time to call you back?") answers nothing. The
 * sentence is held off-topic when the classifier's off-topic class wins it clearly and it says
 * something of its own beside its entities (content words that are not time talk: "in two weeks",
 * "probably Wednesday" and 下个月一号 are nothing but a time).
 */
import { type Entities, withoutEntities } from './entities.js';
import { type IntentClassifier, type IntentResult, NO_MATCH } from './intents.js';
import { analyze, isFunctionWord } from './negation.js';

/**
 * The off-topic class's share at or above which, when it also beats every intent, an utterance
 * is held to speak of something else (an answer with unseen words spreads its belief thin:
 * 我儿子下周三要去医院拔牙 gives the off-topic class 0.30, every intent less).
 */
const OFF_TOPIC_CLEAR = 0.25;
/** Content words beside the entities that make a sentence of its own. */
const OWN_CONTENT = 2;

/** The off-topic class won the utterance clearly: its share ≥ 0.25 and above every intent's. */
export function isClearlyOffTopic(result: IntentResult): boolean {
  return (
    result.intent === NO_MATCH &&
    result.offTopic >= OFF_TOPIC_CLEAR &&
    result.offTopic >= (result.ranked[0]?.confidence ?? 0)
  );
}

/** Words that go with a time said aloud without saying anything else. */
const EN_TIME_TALK = new Set([
  'around',
  'about',
  'by',
  'before',
  'after',
  'until',
  'till',
  'from',
  'sometime',
  'anytime',
  'time',
  'probably',
  'maybe',
  'perhaps',
  'say',
  'how',
  'what',
  'or',
  'then',
  'best',
  'better',
  'works',
  'work',
  'good',
  'fine',
  'please',
  'thanks',
  'ok',
  'okay',
  'morning',
  'afternoon',
  'evening',
  'night',
  'ish',
  'o',
  'clock',
  "o'clock",
  'am',
  'pm',
  'half',
  'past',
  'quarter',
  'noon',
  'midday',
  'lunchtime',
  'early',
  'late',
  'later',
  'earliest',
  'latest',
  'either',
  'any',
  'day',
  'let',
  "let's",
  'us',
  'try',
  'call',
  'me',
  'back',
  'ring',
]);
/** Characters of Mandarin time talk (下个月, 上午, 左右, 之前) and particles. */
const ZH_TIME_TALK = new Set([
  ...'上下个月周天日号点分半早晚中午今明后前礼拜星期左右之以内大概可能应该吧吧呢啊呀嗯那就再还时候候钟刻先来去到给打我你',
]);

/** Content words of a text that are not time talk, function words, fillers or particles. */
function ownContent(text: string): number {
  let n = 0;
  for (const t of analyze(text).tokens) {
    if (t.filler || t.cue || t.kind === 'idiom') continue;
    if (t.kind === 'en' && !isFunctionWord(t.text) && !EN_TIME_TALK.has(t.text)) n++;
    if (t.kind === 'zh' && !ZH_TIME_TALK.has(t.text)) n++;
  }
  return n;
}

/**
 * An entity intent may not take this answer: the whole answer is clearly off-topic for the
 * question's classifier and says something of its own beside its entities.
 */
export function offTopicBesideEntities(
  classifier: IntentClassifier | null | undefined,
  text: string,
  entities: Entities,
): boolean {
  if (!classifier || ownContent(withoutEntities(text, entities)) < OWN_CONTENT) return false;
  return isClearlyOffTopic(classifier.classify(text));
}
