/**
 * Confirmation when unsure (issue 12, item 4): what the bot says back before acting on an answer
 * it is not sure of ("Just to check: you won't be home, is that right?" / "您是说明天还款，对吗？"),
 * and how the customer's reply to it reads: confirmed, denied or unclear.
 *
 * The reply is read with the common-answer library's affirm/deny: on a call the speech recognizer
 * hears it with the affirm/deny library model (ListenOptions.expect = 'confirmation') and hands
 * back `intent: 'affirm' | 'deny'`; typed text (test chats, a transcript) is read here by the text
 * NLU's affirm/deny classifier, which counts negated yes-words as no ("not really", 不可以) and
 * "not sure" / 不确定 as neither.
 */
import { classifyConfirmation } from '../nlu/index.js';
import type { CommonAnswer } from '../nlu/library/index.js';
import type { FlowLanguage, Intent } from './schema.js';
import { promptIn } from './template.js';

/** A short paraphrase per common answer, said in the confirmation when the intent has no example of its own. */
const PARAPHRASES: Record<CommonAnswer, Record<FlowLanguage, string>> = {
  affirm: { en: 'that is a yes', 'zh-CN': '可以' },
  deny: { en: 'that is a no', 'zh-CN': '不行' },
  busy: { en: 'now is not a good time', 'zh-CN': '现在不方便' },
  agent: { en: 'you would like to talk to a person', 'zh-CN': '要转人工' },
  wrong_person: { en: 'we have the wrong person', 'zh-CN': '打错了' },
  who_are_you: { en: 'you would like to know who is calling', 'zh-CN': '想知道我们是谁' },
  why_calling: { en: 'you would like to know why we are calling', 'zh-CN': '想知道我们为什么来电' },
  not_interested: { en: 'you are not interested', 'zh-CN': '不感兴趣' },
  opt_out: { en: 'you would like us to stop calling', 'zh-CN': '以后不要再给您打电话' },
  repeat: { en: 'you would like me to say that again', 'zh-CN': '要我再说一遍' },
  already_done: { en: 'it is already taken care of', 'zh-CN': '已经办好了' },
  complaint: { en: 'you would like to make a complaint', 'zh-CN': '要投诉' },
};

/** The intent's own first example in the flow's language (plain lists are split by script). */
function firstExample(intent: Intent, language: FlowLanguage): string | undefined {
  const ex = intent.examples;
  if (ex === undefined) return undefined;
  const list = Array.isArray(ex)
    ? ex.filter((t) => /\p{Script=Han}/u.test(t) === (language === 'zh-CN'))
    : (ex[language] ?? []);
  return list.map((t) => t.trim()).find((t) => t !== '');
}

/**
 * What the confirmation says the answer was: the intent's `confirmPrompt`, else its own first
 * example (quoted in English, where an example is in the customer's first person), else the
 * paraphrase of its common answer, else its name in words.
 */
export function confirmationSubject(
  intent: Intent,
  language: FlowLanguage,
  heard?: { matchedBy: string; text?: string },
): string {
  if (intent.confirmPrompt !== undefined) return promptIn(intent.confirmPrompt, language).trim();
  // An entity answer ("next Tuesday at 3") is confirmed in the customer's own words.
  if (heard?.matchedBy === 'entity' && heard.text !== undefined && heard.text.trim() !== '')
    return quoted(heard.text.trim(), language);
  const example = firstExample(intent, language);
  if (example !== undefined) return quoted(example, language);
  if (intent.use !== undefined) return PARAPHRASES[intent.use][language];
  return intent.name.replace(/_/g, ' ');
}

function quoted(said: string, language: FlowLanguage): string {
  const bare = said.replace(/[。！？!?.，,]+$/u, '');
  return language === 'zh-CN' ? bare : `you said "${bare}"`;
}

/** The whole confirmation question, e.g. "Just to check: you said "yes", is that right?". */
export function confirmationQuestion(
  intent: Intent,
  language: FlowLanguage,
  heard?: { matchedBy: string; text?: string },
): string {
  const subject = confirmationSubject(intent, language, heard);
  return language === 'zh-CN'
    ? `您是说${subject}，对吗？`
    : `Just to check: ${subject}, is that right?`;
}

export type ConfirmationReply = 'affirm' | 'deny' | 'unclear';

/**
 * A typed or transcribed reply to the confirmation: yes, no, or neither, read by the text NLU's
 * affirm/deny classifier over the common-answer library. Negation counts ("not really", 不是 →
 * deny; "no problem", 没问题 → affirm); an unsure, hedged or off-topic reply ("not sure", 不确定,
 * 今天天气不错) is unclear, so the question is asked again rather than guessed.
 */
export function confirmationReply(text: string, language: FlowLanguage): ConfirmationReply {
  return classifyConfirmation(text, language);
}
