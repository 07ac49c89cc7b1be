/**
 * Built-in "garbage" sentences per language: things a called person says that are not short
 * answers to a typical question. They train the no-match class (with noise-only clips); a
 * question's own phrases are removed from the list before training.
 */
import type { TtsLanguage } from '../../../tts/index.js';

export const DEFAULT_NEGATIVES: Readonly<Record<TtsLanguage, readonly string[]>> = {
  en: [
    'hello who is this',
    'what is the weather like today',
    'I am driving right now',
    'can you repeat the question',
    'my dog is barking',
    'the kids are at school',
    'what time is it',
    'I bought a new car last week',
    'sorry I did not catch that',
    'how much does it cost',
    'the train was late again',
    'I like chocolate ice cream',
    'where did you get my number',
    'we are having dinner',
    'turn the music down',
    'my phone battery is low',
    'the meeting starts at nine',
    'she went to the market',
    'I think it might rain',
    'please send me an email',
    'hold on a second',
    'one two three four five',
    'good morning everybody',
    'the printer is broken',
    'let me check my calendar',
    'is this a recording',
    'I have a question about my account',
    'the football game was great',
    // Short words: without them one-word replies outside the set ("Hello.") are accepted.
    'hi there',
    'bye bye',
    'sorry',
    'what',
    'who',
    'really',
    'maybe',
    'wait',
    'pardon',
    'excuse me',
    'well',
    'speaking',
    'nice',
    'seven',
  ],
  'zh-CN': [
    '喂你是谁',
    '今天天气怎么样',
    '我在开车',
    '你再说一遍',
    '我家的狗在叫',
    '孩子们在学校',
    '现在几点了',
    '我上周买了新车',
    '不好意思我没听清',
    '这个多少钱',
    '火车又晚点了',
    '我喜欢吃巧克力',
    '你怎么有我的电话',
    '我们在吃饭',
    '把音乐关小一点',
    '我手机快没电了',
    '会议九点开始',
    '她去市场了',
    '好像要下雨了',
    '请给我发邮件',
    '等一下',
    '一二三四五',
    '大家早上好',
    '打印机坏了',
    '我看一下日历',
    '这是录音吗',
    '我的账户有个问题',
    '昨天的足球比赛很精彩',
    // Short words: without them one-word replies outside the set are accepted.
    '喂',
    '你好',
    '再见',
    '谢谢',
    '什么',
    '哪位',
    '稍等',
    '对不起',
    '可能吧',
    '真的吗',
    '七',
    '哦',
  ],
};

/**
 * Filler and carrier words said around a phrase in training ("uh, no thanks", "yes, tomorrow I
 * guess"), so a window of the answer that holds the phrase scores as the phrase. Neutral on
 * purpose; a carrier that is part of one of the question's phrases is dropped for that question.
 */
export const DEFAULT_CARRIERS: Readonly<
  Record<TtsLanguage, { before: readonly string[]; after: readonly string[] }>
> = {
  en: {
    before: ['uh', 'um', 'well', 'oh', 'so', 'hmm', 'yeah well', 'okay so'],
    after: ['uh', 'I guess', 'you know', 'I think', 'then', 'right now', 'actually', 'thanks'],
  },
  'zh-CN': {
    before: ['嗯', '那个', '呃', '这个', '哦', '就是', '嗯那个', '其实'],
    after: ['吧', '啊', '嗯', '那个', '我觉得', '就这样', '好吧', '谢谢'],
  },
};
