/**
 * The hesitation spotter's phrases: what a customer says before the answer itself ("uh…", "I
 * think…", "you know what…", "嗯…", "那个…", "我觉得…"), as one phrase model per language with a
 * `hesitation` intent against an `answer` intent of short complete answers. The bot runs it at each
 * pause on the words since the previous pause (bot/call-bot.ts) and the turn detector
 * (bot/turn-detector.ts) waits longer when that stretch was only a hesitation.
 *
 * Why a model of its own: the question's recognizer cannot say "not finished". Trained on answers
 * that start with a filler ("uh yes", "um, no, sorry", the common-answer library's phrasings), it
 * takes a bare "uh" for "yes" at full confidence (bench/understanding/turn-tuning.ts --detail: most
 * of the false cut-offs that remained were a filler or an opener matched as an answer). A model
 * that knows both a hesitation and the short answers it must not be confused with tells them apart
 * on the audio, where no transcript exists. It is trained like a question's model (its phrases
 * spoken by the project's own voices), once per language, and cached with the question models.
 */
import type { FlowLanguage } from '../dialog/index.js';
import type { QuestionSpec } from '../speech/index.js';

export const HESITATION_INTENT = 'hesitation';
export const ANSWER_INTENT = 'answer';

/**
 * Fillers, openers and half phrases. Written for this model, not taken from any evaluation set;
 * words that are often a whole answer ("maybe", "no", "嗯" as yes) are weighed in the comments.
 */
const HESITATIONS: Readonly<Record<FlowLanguage, readonly string[]>> = {
  en: [
    'uh',
    'um',
    'umm',
    'er',
    'erm',
    'hmm',
    'mm',
    'well',
    'so',
    'and',
    'but',
    'like',
    'you know',
    'you know what',
    'I think',
    'I guess',
    'I mean',
    'let me see',
    'let me think',
    'hold on',
    'wait',
    'one second',
    'actually',
    'honestly',
    'the thing is',
    'well uh',
    'so um',
    'and uh',
    'I would',
    'can I',
    'I want to',
    'I am',
  ],
  'zh-CN': [
    '嗯',
    '呃',
    '额',
    '啊',
    '那个',
    '这个',
    '就是',
    '就是说',
    '然后',
    '我觉得',
    '我想',
    '我想想',
    '让我想想',
    '等一下',
    '怎么说呢',
    '其实',
    '但是',
    '所以',
    '还有',
    '我',
    '我是',
    '我现在',
    '那个那个',
    '嗯那个',
  ],
};

/** Short complete answers: what a hesitation must not be mistaken for (a bare "yes" ends at once). */
const ANSWERS: Readonly<Record<FlowLanguage, readonly string[]>> = {
  en: [
    'yes',
    'yeah',
    'yep',
    'sure',
    'okay',
    'no',
    'nope',
    'no thanks',
    'right',
    'correct',
    'that is fine',
    'of course',
    'absolutely',
    'not now',
    'tomorrow',
    'today',
    'next week',
    'Monday',
    'Friday',
    'this evening',
    'call me later',
    'a person please',
    'stop calling',
    'wrong number',
    'who is this',
    'already paid',
  ],
  'zh-CN': [
    '对',
    '对的',
    '好的',
    '是的',
    '好',
    '行',
    '可以',
    '不是',
    '不用',
    '不需要',
    '没有',
    '没问题',
    '明天',
    '今天',
    '后天',
    '下周一',
    '晚上',
    '已经还了',
    '转人工',
    '你是谁',
    '我在忙',
    '没兴趣',
    '打错了',
  ],
};

/** The hesitation spotter's question: trained like any question's phrase model. */
export function hesitationQuestion(language: FlowLanguage): QuestionSpec {
  return {
    language,
    phrases: [
      ...HESITATIONS[language].map((text) => ({ text, intent: HESITATION_INTENT })),
      ...ANSWERS[language].map((text) => ({ text, intent: ANSWER_INTENT })),
    ],
  };
}
