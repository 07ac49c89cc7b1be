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
/**
 * A sentence with this many content words of its own beside its time is about something else
 * when the off-topic class leads at a lower share (OFF_TOPIC_LEADS): unseen words spread belief
 * thin ("my daughter's wedding is next Saturday and I'm so stressed": off-topic 0.20, the time
 * intent 0.11; 今天股市又跌了: 0.12 against 0.06). Measured on the development sets: at 2 words
 * it rejected answers that say when the customer is free ("Saturday at 10 if you're open").
 */
const OWN_CONTENT_MANY = 3;
const OFF_TOPIC_LEADS = 0.1;
/** Characters of its own beside the time from which a Mandarin sentence is judged without it. */
const ZH_OWN_CONTENT_ALONE = 4;
/**
 * What a Mandarin sentence says beside its time answers nothing when no one knows it: from
 * OWN_CONTENT characters of its own (看春 in 晚上八点看春晚), it is held off-topic when the
 * off-topic class leads, under its 0.25 floor, and every intent stays under this share.
 * Words that neither the question's examples nor the off-topic sentences hold spread the
 * classifier's belief thin (股市大跌: off-topic 0.027, agent 0.020), so isClearlyOffTopic never
 * holds for them; words the off-topic class knows well (转账 0.55, 去银行还 0.67) stay judged by
 * the stricter rule above, from 4 characters, as before: judged from 2 by that rule, 明天下午去银行
 * 还 and 明天下午转账 were answers no longer taken. Payment talk the time intent knows keeps an
 * answer (发工资就还: time 0.24 against off-topic 0.20). On the development sets (typed v1–v4,
 * dev, dev2; `tune.ts zh-CN`): v4's off-topic false accepts 2/60 → 0 (今天股市大跌, 晚上八点看春晚:
 * v4's misses, seen in the benchmark), dev's 1/65 → 0, no answer lost. Answers written to probe it
 * (dev2's last lines): a time with a clause of its own ("下周三，等我出差回来", "下周一去营业厅交") is
 * confirmed instead of taken at once.
 */
const ZH_UNKNOWN_BELOW = 0.1;
const HAN = /\p{Script=Han}/u;

/** The off-topic class won the utterance clearly: its share ≥ `floor` (0.25) and above every intent's. */
export function isClearlyOffTopic(result: IntentResult, floor = OFF_TOPIC_CLEAR): boolean {
  return (
    result.intent === NO_MATCH &&
    result.offTopic >= floor &&
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
  // The customer's own availability around the time: "if you're open", "I get off at 4",
  // "can't do mornings, make it Wednesday".
  'if',
  'open',
  'off',
  'free',
  'available',
  'make',
  'mornings',
  'afternoons',
  'evenings',
  'instead',
  'suit',
  'suits',
]);
/** Characters of Mandarin time talk (下个月, 上午, 左右, 之前) and particles. */
const ZH_TIME_TALK = new Set([
  // 是 too: "不是明天，是周四" says nothing but the time; and 最, 这: "最晚这个月25号" (v5's miss,
  // seen in the benchmark; 过 was left out: "明天晚上我女儿过生日" was then taken as a time).
  ...'上下个月周天日号点分半早晚中午今明后前礼拜星期左右之以内大概可能应该吧吧呢啊呀嗯那就再还时候候钟刻先来去到给打我你等班空是最这',
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
  const own = classifier ? ownContent(withoutEntities(text, entities)) : 0;
  if (!classifier || own < OWN_CONTENT) return false;
  const result = classifier.classify(text);
  if (isClearlyOffTopic(result, own >= OWN_CONTENT_MANY ? OFF_TOPIC_LEADS : OFF_TOPIC_CLEAR))
    return true;
  // A Mandarin sentence's time words (下周一, 明天) are what the time intent's examples say, so
  // they win the whole sentence for it; what the sentence says beside them is judged alone:
  // 我家小孩下周一开学 is 我家小孩开学, which answers nothing.
  if (!HAN.test(text)) return false;
  const rest = classifier.classify(withoutEntities(text, entities));
  if (own >= ZH_OWN_CONTENT_ALONE && isClearlyOffTopic(rest)) return true;
  const top = rest.ranked[0]?.confidence ?? 0;
  return (
    rest.intent === NO_MATCH &&
    rest.offTopic >= top &&
    top < ZH_UNKNOWN_BELOW &&
    rest.offTopic < OFF_TOPIC_CLEAR
  );
}
