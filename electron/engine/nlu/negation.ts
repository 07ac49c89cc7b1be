/**
 * Utterance analysis for the intent classifier: tokens (English words, Chinese characters, fixed
 * expressions), negation cues and their scope, hedges, and positive cues.
 *
 * Negation scope: a cue (not, n't, never, no, nobody, cannot…; 不, 没, 别, 未, 甭, 莫…) marks the
 * words after it as negated up to a clause boundary (punctuation, "but"/"and"/"so", 但是/不过/所以,
 * a sentence particle 了/吧/呢…, a second-person pronoun) or a few tokens, whichever comes first.
 * Fixed expressions are read before cues so that idioms which look negative but answer positively
 * ("no problem", 没问题, 不错, 不客气), hedges built from a cue ("not sure", 不一定, 说不定), A-not-A
 * questions (是不是, 能不能) and words that merely contain a cue character (别人, 不好意思, 不过) are
 * never taken for a negation. Pure and synchronous; the classifier turns the marks into features.
 */

import { standardForms } from './variants.js';

export type TokenKind = 'en' | 'zh' | 'idiom';

export interface Token {
  /** The word, the character, or the fixed expression as written (normalised). */
  text: string;
  kind: TokenKind;
  /** Inside a negation cue's scope. */
  negated: boolean;
  /** The token is itself a negation cue (not, n't, 不, 没…). */
  cue: boolean;
  /** A filler that carries little meaning (uh, um, well, 呃, 那个). */
  filler: boolean;
  /** Fixed-expression class, for idiom tokens. */
  idiom?: IdiomClass;
  /** Index of the clause (0-based); punctuation and conjunctions start a new one. */
  clause: number;
}

export interface Analysis {
  tokens: Token[];
  /** A negation cue outside any fixed expression was found. */
  negated: boolean;
  /** A hedge was found (maybe, probably, 可能, 再说吧…). */
  hedged: boolean;
  /** A hedge that doubts (not sure, don't know, 不确定, 不一定): never a yes. */
  doubt: boolean;
  /** A positive cue (yes, sure, 对, 好, no problem…) stands outside every negation scope. */
  positive: boolean;
  /**
   * The answer speaks of what is done (already, yesterday, last week, 已经, 昨天, 还了) and of
   * what is still to come (tomorrow, later, I'll, 明天, 下周, 过两天): see `timeOf`.
   */
  time: { past: boolean; future: boolean };
}

/** pos: positive idiom; hedge: uncertainty built from a cue; plain: a word that only looks negative. */
type IdiomClass = 'pos' | 'hedge' | 'plain';

/**
 * Lower-cases, folds full-width forms (NFKC), unifies apostrophes, and writes one standard form
 * for traditional characters, regional words and spelling variants (variants.ts).
 */
export function normalizeText(text: string): string {
  return standardForms(text.normalize('NFKC').toLowerCase().replace(/[’‘`]/g, "'"));
}

const EN_IDIOMS: ReadonlyArray<readonly [string, IdiomClass]> = [
  ['no problem', 'pos'],
  ['not a problem', 'pos'],
  ['no problemo', 'pos'],
  ['no prob', 'pos'],
  ['no worries', 'pos'],
  ['not bad', 'pos'],
  ['no doubt', 'pos'],
  ['no question', 'pos'],
  ['why not', 'pos'],
  ["don't mind", 'pos'],
  ['dont mind', 'pos'],
  ['do not mind', 'pos'],
  ["wouldn't mind", 'pos'],
  ["can't complain", 'pos'],
  ["couldn't be better", 'pos'],
  ["couldn't agree more", 'pos'],
  ["can't wait", 'pos'],
  ["couldn't be happier", 'pos'],
  ['never been better', 'pos'],
  ['never better', 'pos'],
  ['no complaints', 'pos'],
  ['no objection', 'pos'],
  ['no objections', 'pos'],
  ["don't see why not", 'pos'],
  ['do not see why not', 'pos'],
  ["wouldn't say no", 'pos'],
  ["won't say no", 'pos'],
  ["can't say no", 'pos'],
  ["don't worry", 'pos'],
  ['no need to worry', 'pos'],
  ['nothing wrong with that', 'pos'],
  ["can't argue with that", 'pos'],
  ['not a bad idea', 'pos'],
  ['not wrong', 'pos'],
  ['not too bad', 'pos'],
  ['no changes', 'pos'],
  ['no change', 'pos'],
  ["nothing's changed", 'pos'],
  ['nothing has changed', 'pos'],
  // "No reason I can't", "I don't see any problem with that": a denied obstacle is a yes.
  ["no reason i can't", 'pos'],
  ['no reason i cant', 'pos'],
  ["no reason why i can't", 'pos'],
  ['no reason why not', 'pos'],
  ['no reason not to', 'pos'],
  ["don't see any problem", 'pos'],
  ["don't see a problem", 'pos'],
  ['do not see any problem', 'pos'],
  ["can't see any problem", 'pos'],
  ["can't see a problem", 'pos'],
  ['cannot see any problem', 'pos'],
  ['see no problem', 'pos'],
  ["don't see any issue", 'pos'],
  ["can't see any issue", 'pos'],
  ['no issue', 'pos'],
  ['no issues', 'pos'],
  ['not sure', 'hedge'],
  ['not certain', 'hedge'],
  ["don't know", 'hedge'],
  ['dont know', 'hedge'],
  ['do not know', 'hedge'],
  ['not really sure', 'hedge'],
  ['i doubt', 'hedge'],
  ['doubt it', 'hedge'],
  ['never mind', 'plain'],
  ['not only', 'plain'],
  ['no matter', 'plain'],
];

const ZH_IDIOMS: ReadonlyArray<readonly [string, IdiomClass]> = [
  ['没问题', 'pos'],
  ['没得问题', 'pos'],
  ['冇问题', 'pos'],
  ['木问题', 'pos'],
  ['没毛病', 'pos'],
  ['没错', 'pos'],
  ['忘不了', 'pos'],
  ['忘不掉', 'pos'],
  ['不会忘', 'pos'],
  ['没忘', 'pos'],
  ['不会错过', 'pos'],
  ['不会迟到', 'pos'],
  ['不会耽误', 'pos'],
  ['不会拖', 'pos'],
  ['跑不了', 'pos'],
  ['少不了', 'pos'],
  ['不错', 'pos'],
  ['不赖', 'pos'],
  ['不客气', 'pos'],
  ['不用谢', 'pos'],
  ['没关系', 'pos'],
  ['不要紧', 'pos'],
  ['不介意', 'pos'],
  ['没事', 'pos'],
  ['可不是', 'pos'],
  ['谁说不是', 'pos'],
  ['差不多', 'hedge'],
  ['不一定', 'hedge'],
  ['说不定', 'hedge'],
  ['不确定', 'hedge'],
  ['不知道', 'hedge'],
  ['不好说', 'hedge'],
  ['未必', 'hedge'],
  ['没准', 'hedge'],
  ['无所谓', 'hedge'],
  ['不好意思', 'plain'],
  ['对不起', 'plain'],
  ['了不起', 'plain'],
  ['不得了', 'plain'],
  ['不管', 'plain'],
  ['不如', 'plain'],
  ['要不', 'plain'],
  ['不少', 'plain'],
  ['不久', 'plain'],
  ['不停', 'plain'],
  ['不断', 'plain'],
  ['不仅', 'plain'],
  ['不但', 'plain'],
  ['忍不住', 'plain'],
  ['别人', 'plain'],
  ['别的', 'plain'],
  ['特别', 'plain'],
  ['区别', 'plain'],
  ['分别', 'plain'],
  ['告别', 'plain'],
  ['级别', 'plain'],
  ['性别', 'plain'],
  ['未来', 'plain'],
  ['不过', 'plain'],
  ['不然', 'plain'],
];

/** Hedges built from a cue that doubt what follows: "not sure I can make it" is no yes. */
const DOUBTS = new Set([
  'not sure',
  'not certain',
  "don't know",
  'dont know',
  'do not know',
  'not really sure',
  'i doubt',
  'doubt it',
  '不一定',
  '不确定',
  '不知道',
  '不好说',
  '未必',
]);

/** Words and characters that end a negation's scope and start a new clause. */
const EN_BOUNDARY = new Set([
  'but',
  'and',
  'so',
  'because',
  'cause',
  'though',
  'although',
  'however',
  'then',
  'yes',
  'yeah',
  'ok',
  'okay',
  'please',
  // Thanks and apologies close what came before: "not for me, thanks" denies nothing about thanks.
  'thanks',
  'thank',
  'sorry',
  'cheers',
]);
const ZH_BOUNDARY_WORDS = [
  '但是',
  '可是',
  '不过',
  '而且',
  '所以',
  '因为',
  '然后',
  '不然',
  '但',
  '谢谢',
  '你',
  '您',
  '他',
  '她',
];
const ZH_PARTICLES = new Set([...'了吧啊呢吗呀嘛哦哈啦的噢喔']);

const EN_CUES = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'nobody',
  'none',
  'neither',
  'nor',
  'cannot',
  'nope',
  'nah',
  'dont',
  'cant',
  'wont',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'didnt',
  'doesnt',
  'havent',
  'hasnt',
  'hadnt',
  'shouldnt',
  'wouldnt',
  'couldnt',
  'aint',
]);
/** Single-character Mandarin cues (multi-character ones such as 没有, 不要 start with one of these). */
const ZH_CUES = new Set([...'不没别未甭莫勿冇']);
/** English words a negation skips over without ending, and that the predicate check ignores. */
const EN_FUNCTION = new Set([
  'i',
  "i'm",
  'im',
  "i'll",
  'you',
  'we',
  'they',
  'he',
  'she',
  'it',
  "it's",
  'me',
  'my',
  'your',
  'to',
  'be',
  'been',
  'being',
  'going',
  'gonna',
  'able',
  'a',
  'an',
  'the',
  'really',
  'actually',
  'even',
  'ever',
  'yet',
  'quite',
  'very',
  'too',
  'at',
  'all',
  'any',
  'of',
  'for',
  'in',
  'on',
  'is',
  'am',
  'are',
  'was',
  'were',
  'do',
  'does',
  'did',
  'will',
  'would',
  'can',
  'could',
  'should',
  'have',
  'has',
  'had',
  'that',
  'this',
  'just',
  'longer',
  'anymore',
  'one',
  "that's",
  'thats',
  "it's",
  'its',
  "there's",
  "i've",
  "i'd",
  "we're",
  "you're",
  "they're",
  "he's",
  "she's",
  'us',
  'him',
  'her',
  'them',
  'so',
  'no',
  'not',
]);
/** After "no", these start a new clause: "no I can't", "no that's wrong", "no thanks". */
const INTERJECTION_NEXT = new Set([
  'i',
  "i'm",
  'im',
  "i'll",
  "i've",
  "i'd",
  'you',
  "you're",
  'we',
  "we're",
  'they',
  'he',
  'she',
  'it',
  "it's",
  'its',
  'that',
  "that's",
  'thats',
  'this',
  'thanks',
  'thank',
  'sorry',
  'no',
  'not',
  'nope',
  'yes',
  'yeah',
  'sir',
  'ma',
  "ma'am",
  'mate',
  'way',
  'never',
  'please',
  'just',
  'actually',
  'well',
  'really',
  'definitely',
  'absolutely',
  'of',
]);
const EN_FILLERS = new Set([
  'uh',
  'um',
  'er',
  'erm',
  'hmm',
  'mm',
  'well',
  'oh',
  'ah',
  'eh',
  'like',
]);
const ZH_FILLERS = new Set([...'呃哎喂诶']);
/** "like" is the verb after a subject, an auxiliary or a negation ("I'd like", "don't like"). */
const LIKE_AS_VERB_AFTER =
  /^(i|you|we|they|i'd|you'd|we'd|they'd|would|wouldn't|do|don't|dont|did|didn't|does|doesn't|not|really|also|'d)$/;
const EN_POSITIVE = new Set([
  'yes',
  'yeah',
  'yep',
  'yup',
  'sure',
  'ok',
  'okay',
  'right',
  'correct',
  'absolutely',
  'definitely',
  'certainly',
  'alright',
  'fine',
  'exactly',
  'go ahead',
  'go on',
]);
const ZH_POSITIVE = [
  '是的',
  '是啊',
  '对',
  '好',
  '行',
  '可以',
  '当然',
  '嗯嗯',
  '确认',
  '你说',
  '您说',
  '请讲',
];

const EN_HEDGES = [
  'maybe',
  'probably',
  'perhaps',
  'possibly',
  'might',
  'may be',
  'i guess',
  'i think',
  'i suppose',
  'i reckon',
  'i believe',
  'kind of',
  'kinda',
  'sort of',
  'sorta',
  "we'll see",
  'depends',
  'hopefully',
  'likely',
  'dunno',
  'who knows',
  'could be',
  'should be',
  'more or less',
  "i'd say",
  'let me think',
];
const ZH_HEDGES = [
  '可能',
  '应该',
  '大概',
  '也许',
  '或许',
  '再说吧',
  '以后再说',
  '到时候再说',
  '再说啦',
  '看情况',
  '估计',
  '好像',
  '再看',
  '看看吧',
  '大约',
  '兴许',
  '想想',
  '考虑一下',
  '考虑考虑',
  '似乎',
  '我觉得',
  '尽量',
  '争取',
];

/**
 * Mandarin characters inside a negation's scope that do not use up its reach (adverbs, the
 * coverbs 给/跟/对/把/帮/让 and their pronoun object): 不要再给我打电话 and 别再跟我们联系 deny the verb
 * after them. They are still negated.
 */
export const ZH_SCOPE_FREE = new Set([...'再给跟对把帮让向和我们']);

/** Max tokens a negation's scope reaches (English words; Mandarin characters). */
const EN_SCOPE = 6;
const ZH_SCOPE = 4;

const TOKEN_RE =
  /[\u3400-\u9fff\uf900-\ufaff]|[a-z0-9]+(?:'[a-z]+)?|\uE000\d+\uE001|[,.;:!?，。；：！？、…~—-]/g;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const EN_IDIOM_RE = new RegExp(
  `(?<![a-z'])(${[...EN_IDIOMS]
    .sort((a, b) => b[0].length - a[0].length)
    .map(([p]) => escapeRegExp(p))
    .join('|')})(?![a-z'])`,
  'g',
);
/** After "don't know", what keeps it a hedge: the clause's end, or yet / if / whether / maybe… */
const KNOW_HEDGE_AFTER =
  /^\s*($|[,.;!?]|(yet|if|whether|when|what|maybe|really|for sure|about that)\b)/;
const ZH_IDIOM_RE = new RegExp(
  [...ZH_IDIOMS]
    .sort((a, b) => b[0].length - a[0].length)
    .map(([p]) => escapeRegExp(p))
    .join('|'),
  'g',
);
/** A-not-A questions: 是不是, 好不好, 有没有, 可不可以, 方不方便. */
const A_NOT_A_RE = /([\u4e00-\u9fff])[不没]\1[\u4e00-\u9fff]?/g;
/** Two-character words asked as A-not-AB (可不可以, 方不方便); other A不A keep three characters. */
const A_NOT_AB = new Set([
  '可以',
  '方便',
  '喜欢',
  '知道',
  '需要',
  '同意',
  '认识',
  '清楚',
  '满意',
  '愿意',
  '确定',
  '明白',
  '舒服',
  '应该',
  '记得',
  '可能',
  '在家',
]);
/**
 * Double negatives that answer yes: a negation of a predicate that itself means "not doing it"
 * ("I won't miss it", "not cancelling", "haven't forgotten"; 不是不行, 没说不要, 不会不在家). Each is
 * read as one positive fixed expression with a canonical text ("not miss", 双重否定), so every
 * wording of it is one feature, and the negation no longer counts.
 */
const EN_DOUBLE_NEG_RE =
  /(?<![a-z'])(?:won't|wont|wouldn't|wouldnt|can't|cant|cannot|couldn't|couldnt|don't|dont|didn't|didnt|haven't|havent|hasn't|hasnt|shan't|never|not|no need to|needn't)\s+(?:(?:ever|really|possibly|even|going to|gonna|want to|wanna|need to|have to|be)\s+)*(miss|missing|missed|skip|skipping|forget|forgetting|forgot|forgotten|cancel|cancelling|canceling|cancelled|canceled|fail|late|back out|backing out|bail|flake|change|changing|move|moving|reschedule|rescheduling|rebook)(?![a-z'])/g;
/** Keeping the booking: "don't change it", "no need to move it" (never "can't move it"). */
const EN_KEEP = new Set([
  'change',
  'changing',
  'move',
  'moving',
  'reschedule',
  'rescheduling',
  'rebook',
]);
/** What "can't miss …" or "don't want to miss …" is about when it is no double negative. */
const EN_DOUBLE_NEG_NOT_BEFORE =
  /^\s*(work|school|class|my (job|shift|flight|train|bus)|the (game|match|bus|train|flight))\b/;
const EN_DOUBLE_NEG_STEM: Readonly<Record<string, string>> = {
  missing: 'miss',
  missed: 'miss',
  skipping: 'miss',
  skip: 'miss',
  forgetting: 'forget',
  forgot: 'forget',
  forgotten: 'forget',
  cancelling: 'cancel',
  canceling: 'cancel',
  cancelled: 'cancel',
  canceled: 'cancel',
  'backing out': 'cancel',
  'back out': 'cancel',
  bail: 'cancel',
  flake: 'cancel',
};
/**
 * Refusing the machine asks for a person ("I don't want to talk to a robot", "not a machine"):
 * one fixed expression (canonical "no machine", no negation), so it never reads as a refusal
 * and never shares the negated verb with "I don't want to talk to a person".
 */
const EN_NO_MACHINE_RE =
  /(?<![a-z'])(?:(?:i\s+)?(?:don't|dont|do not|won't|wont|will not|not|no)\s+(?:(?:want|wanna|need|going)\s+(?:to\s+)?)?(?:(?:talk|speak|deal|chat|do\s+(?:this|it))\s+(?:to|with)\s+)?|enough\s+of\s+)(?:a|an|the|this|some|your)?\s*(?:stupid\s+|automated\s+)?(?:machines?|robots?|bots?|recordings?|computers?)(?![a-z'])/g;
const EN_NO_MACHINE = 'no machine';
const ZH_DOUBLE_NEG_RE =
  /不是不|没说不|没有说不|不会不|没有不|不能不|并非不|不可能不|不得不|哪能不|怎么会不/g;
const ZH_DOUBLE_NEG = '双重否定';
/** 不是…吗 / 不是…嘛 at the end of a sentence: a rhetorical question (我不是还过了吗). */
const ZH_RHETORICAL_RE = /(^|[^是])不是([^不没别，。！？,.!?]{1,12}[吗嘛])(?=[？?。!！]*$)/g;
const DOUBLE_NEG_CANON = [
  ...new Set(['miss', 'forget', 'cancel', 'fail', 'late', 'change'].map((stem) => `not ${stem}`)),
  ZH_DOUBLE_NEG,
];
const IDIOM_CLASS = new Map<string, IdiomClass>([
  [EN_NO_MACHINE, 'plain'],
  ...EN_IDIOMS,
  ...ZH_IDIOMS,
  ...DOUBLE_NEG_CANON.map((c) => [c, 'pos'] as const),
]);
const EN_HEDGE_RE = new RegExp(`(?<![a-z'])(${EN_HEDGES.map(escapeRegExp).join('|')})(?![a-z'])`);

function isEnCue(word: string): boolean {
  return EN_CUES.has(word) || word.endsWith("n't");
}

/**
 * "I'm not Alex", "this isn't Sarah": a capitalised name after "I'm not" (as written) says the
 * caller has the wrong person; read as "I'm not that person", which the library holds, since no
 * name is in any training phrasing. Words that follow "I'm not" capitalised for other reasons are
 * left alone.
 */
const NOT_THIS_NAME_RE =
  /\b((?:i'm|i’m|im|i am|this is|this isn't|this isn’t|it's|it’s|it is|that's|that’s)\s+not\s+|this isn't\s+|this isn’t\s+)([A-Z][a-z]+)\b(?!')/gi;
const NOT_A_NAME = new Set([
  'sure',
  'interested',
  'available',
  'home',
  'here',
  'there',
  'busy',
  'free',
  'coming',
  'going',
  'able',
  'ready',
  'happy',
  'really',
  'me',
  'him',
  'her',
  'that',
  'the',
  'a',
  'an',
  'my',
  'your',
  'his',
  'in',
  'at',
  'on',
  'now',
  'today',
  'tomorrow',
  'right',
  'true',
  'correct',
  'good',
  'fine',
  'ok',
  'okay',
  'yet',
  'anymore',
]);

function notThisName(text: string): string {
  return text.replace(NOT_THIS_NAME_RE, (m: string, head: string, name: string) =>
    /^[A-Z]/.test(name) && !NOT_A_NAME.has(name.toLowerCase()) ? `${head}that person` : m,
  );
}

/** Splits, finds fixed expressions, negation scopes, hedges and positive cues. */
export function analyze(text: string): Analysis {
  let s = normalizeText(notThisName(text));
  const idioms: string[] = [];
  const mark = (m: string): string => {
    idioms.push(m);
    return ` \uE000${idioms.length - 1}\uE001 `;
  };
  s = s
    .replace(EN_IDIOM_RE, (m: string, _p: string, at: number, all: string) =>
      // "I don't know" is a hedge; "I don't know any John" is a negation.
      m.endsWith('know') && !KNOW_HEDGE_AFTER.test(all.slice(at + m.length)) ? m : mark(m),
    )
    .replace(ZH_IDIOM_RE, mark)
    .replace(EN_NO_MACHINE_RE, () => mark(EN_NO_MACHINE))
    .replace(EN_DOUBLE_NEG_RE, (m: string, pred: string, at: number, all: string) => {
      const cannot = /^(can|could)/.test(m);
      // "I can't move it" may be a plea for help, not a yes; "don't change it" keeps the booking.
      if (EN_KEEP.has(pred) && (cannot || /^(never|not)\b/.test(m))) return m;
      const stem = EN_KEEP.has(pred) ? 'change' : (EN_DOUBLE_NEG_STEM[pred] ?? pred);
      // "I can't miss work" and "I don't want to miss school" say the appointment is the problem.
      if (EN_DOUBLE_NEG_NOT_BEFORE.test(all.slice(at + m.length))) return m;
      if (
        cannot &&
        stem === 'miss' &&
        !/^\s*(it|this|that|the appointment)\b/.test(all.slice(at + m.length))
      )
        return m;
      return mark(`not ${stem}`);
    })
    // 不是不是 and 不会不会 are a repeated no, not a double negative.
    .replace(ZH_DOUBLE_NEG_RE, (m: string, at: number, all: string) =>
      all[at + m.length] === m[1] ? m : mark(ZH_DOUBLE_NEG),
    )
    // 不是已经还了吗 ("haven't I paid already?") asks to agree: a rhetorical question, no negation.
    .replace(
      ZH_RHETORICAL_RE,
      (m: string, head: string, rest: string) => `${head}${mark('不是')}${rest}`,
    );
  // An A-not-A question is a question, not a negation; only the two-character 可不可以 shape
  // keeps its fourth character (方不方便 → 方不方便).
  s = s.replace(A_NOT_A_RE, (m) => {
    // 还没还 (still have not paid): an adverb before the cue, not a question.
    if ('还也都就才又再'.includes(m[0] ?? '')) return m;
    const keepTail = m.length === 4 && A_NOT_AB.has(`${m[0]}${m[3]}`);
    return keepTail ? mark(m) : `${mark(m.slice(0, 3))}${m.slice(3)}`;
  });
  const zhHedgeText = s.replace(/不可能/g, ''); // 不可能 (impossible) is a refusal, not 可能
  let doubt = false;
  let hedged = EN_HEDGE_RE.test(s) || ZH_HEDGES.some((h) => zhHedgeText.includes(h));
  const tokens: Token[] = [];
  let clause = 0;
  let scope = 0; // tokens left in the current negation scope
  let scopeKind: 'en' | 'zh' | null = null;
  let negated = false;
  const raw = [...s.matchAll(TOKEN_RE)].map((m) => m[0]);
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i] ?? '';
    if (t.startsWith('\uE000')) {
      const phrase = idioms[Number(t.slice(1, -1))] ?? '';
      const cls: IdiomClass = IDIOM_CLASS.get(phrase) ?? 'plain';
      if (cls === 'hedge') hedged = true;
      if (cls === 'hedge' && DOUBTS.has(phrase)) doubt = true;
      if (cls === 'pos' || ZH_BOUNDARY_WORDS.includes(phrase)) scope = 0;
      if (ZH_BOUNDARY_WORDS.includes(phrase)) clause++;
      tokens.push({
        text: phrase,
        kind: 'idiom',
        negated: false,
        cue: false,
        filler: false,
        idiom: cls,
        clause,
      });
      continue;
    }
    const kind = tokenKind(t);
    if (kind === 'punct') {
      clause++;
      scope = 0;
      continue;
    }
    if (kind === 'zh') {
      if (
        ZH_BOUNDARY_FIRST.has(t) &&
        ZH_BOUNDARY_WORDS.some((w) => w === t || w === t + (raw[i + 1] ?? ''))
      ) {
        clause++;
        scope = 0;
      } else if (ZH_PARTICLES.has(t) && scopeKind === 'zh') {
        scope = 0;
      }
      if (ZH_CUES.has(t)) {
        negated = true;
        tokens.push({ text: t, kind: 'zh', negated: false, cue: true, filler: false, clause });
        scope = ZH_SCOPE;
        scopeKind = 'zh';
        // 还不了, 来不及, 听不清: a potential complement negates the verb before the cue.
        const prev = tokens[tokens.length - 2];
        const next = raw[i + 1] ?? '';
        const after = raw[i + 2] ?? '';
        if (
          t === '不' &&
          ZH_COMPLEMENTS.has(next) &&
          prev?.kind === 'zh' &&
          prev.clause === clause &&
          !prev.cue &&
          !ZH_NOT_VERB.has(prev.text) &&
          (after === '' || tokenKind(after) !== 'zh' || ZH_PARTICLES.has(after))
        ) {
          prev.negated = true;
          tokens.push({ text: next, kind: 'zh', negated: true, cue: false, filler: false, clause });
          i++;
          scope = 0;
        }
        continue;
      }
      const inScope = scope > 0 && !ZH_PARTICLES.has(t);
      tokens.push({
        text: t,
        kind: 'zh',
        negated: inScope,
        cue: false,
        filler: ZH_FILLERS.has(t),
        clause,
      });
      // 再, 给我, 跟你们 carry the scope on to the verb: 不要再给我打电话 denies 打电话.
      if (scope > 0 && !ZH_SCOPE_FREE.has(t)) scope--;
      continue;
    }
    const word = t;
    if (EN_BOUNDARY.has(word)) {
      clause++;
      scope = 0;
    }
    if (isEnCue(word)) {
      negated = true;
      tokens.push({ text: word, kind: 'en', negated: false, cue: true, filler: false, clause });
      // "no I won't", "nope that's wrong": an interjection answering the question, whose own
      // negation (if any) comes with its own cue; "no one", "no time", "no more calls" negate.
      const interjection =
        word === 'nope' ||
        word === 'nah' ||
        (word === 'no' && INTERJECTION_NEXT.has(raw[i + 1] ?? ''));
      scope = interjection ? 0 : EN_SCOPE;
      scopeKind = 'en';
      continue;
    }
    tokens.push({
      text: word,
      kind: 'en',
      negated: scope > 0,
      cue: false,
      filler:
        EN_FILLERS.has(word) && !(word === 'like' && LIKE_AS_VERB_AFTER.test(raw[i - 1] ?? '')),
      clause,
    });
    if (scope > 0) scope--;
  }
  markHedges(tokens);
  // A lone "well" or 嗯-less "呃" is what was said: fillers only when more follows them.
  if (tokens.every((t) => t.filler)) for (const t of tokens) t.filler = false;
  const positive = tokens.some((t) => t.idiom === 'pos') || startsPositive(tokens);
  return { tokens, negated, hedged, doubt, positive, time: timeOf(normalizeText(text)) };
}

/**
 * Done or still to come: the words that place an answer before or after now. Weekdays, "today"
 * and 周一 say neither (paid on Monday, will pay on Monday). An answer with both ("I already told
 * you, call me later", 等我工资到账了就还) places nothing.
 */
const EN_PAST_RE =
  /(?<![a-z'])(already|yesterday|last (night|week|month|year|time|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)|ago|earlier today|paid|did|done|sent|settled|sorted|handled|took care|i've|i have (paid|done|sent|settled|sorted|handled))(?![a-z'])/;
const EN_FUTURE_RE =
  /(?<![a-z'])(tomorrow|next (week|month|time|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)|later|tonight|soon|will|i'll|we'll|gonna|going to (pay|do|send|settle|sort)|in (a|an|one|two|three|a few|\d+) (minutes?|hours?|days?|weeks?))(?![a-z'])/;
const ZH_PAST_RE =
  /已经|(?<!一)早就|早已|早都|刚刚|刚才|昨天|昨晚|昨儿|前天|前几天|前两天|上周|上星期|上礼拜|上个|上次|(?<![一二三四五六日天末号底])(?:之前|以前)|了|(?<!不)过(?![两几一阵些来年])/;
const ZH_FUTURE_RE =
  /明天|明儿|明早|后天|下周|下个|下星期|下礼拜|过两天|过几天|过阵子|过一阵|改天|回头|(?<!上个|上)月底|周末|等我|等到|(?:^|[，,。\s])等|[一二三四五六日天末号底](?:之前|以前)|之后|以后|待会|一会|晚点|晚两天|稍后|马上/;
/**
 * 了 of a condition still to be met: 等发工资了就还, 发了工资就还 ("once I am paid, I pay"): a 了
 * followed by 就 in the same clause says nothing is done yet.
 */
const ZH_CONDITIONAL_LE_RE = /了(?=[^，,。.!?！？；;]{0,8}?就)/g;

export function timeOf(text: string): { past: boolean; future: boolean } {
  const zh = text.replace(ZH_CONDITIONAL_LE_RE, '');
  const past = EN_PAST_RE.test(text) || ZH_PAST_RE.test(zh);
  const future = EN_FUTURE_RE.test(text) || ZH_FUTURE_RE.test(text);
  return { past, future };
}

/**
 * The words of a hedge (maybe, I guess, 应该, 可能) carry no answer of their own: they are marked
 * fillers, so "应该是" reads as 是 and "probably not" as "not" (Analysis.hedged keeps the doubt,
 * which the classifier turns into a confirmation). Words inside a negation's scope stay words.
 */
function markHedges(tokens: Token[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'en') {
      for (const hedge of EN_HEDGE_WORDS) {
        const n = hedge.length;
        if (hedge.every((w, k) => tokens[i + k]?.kind === 'en' && tokens[i + k]?.text === w)) {
          for (let k = 0; k < n; k++) if (!tokens[i + k]!.negated) tokens[i + k]!.filler = true;
          i += n - 1;
          break;
        }
      }
    } else if (t.kind === 'zh') {
      for (const hedge of ZH_HEDGE_WORDS) {
        if ([...hedge].every((c, k) => tokens[i + k]?.kind === 'zh' && tokens[i + k]?.text === c)) {
          for (let k = 0; k < hedge.length; k++)
            if (!tokens[i + k]!.negated) tokens[i + k]!.filler = true;
          i += hedge.length - 1;
          break;
        }
      }
    }
  }
}

/** Hedges as word lists, longest first; "I think" and 我觉得 keep their first word (a subject). */
const EN_HEDGE_WORDS = EN_HEDGES.map((h) => h.split(' '))
  .map((words) => (words[0] === 'i' && words.length > 1 ? words.slice(1) : words))
  .filter((words) => words.length > 0 && !(words.length === 1 && words[0] === 'be'))
  .sort((a, b) => b.length - a.length);
const ZH_HEDGE_WORDS = ZH_HEDGES.filter((h) => !h.includes('再说'))
  .map((h) => (h.startsWith('我') ? h.slice(1) : h))
  .sort((a, b) => b.length - a.length);

/**
 * A clause opens with a yes-word (yes, sure, okay, go ahead; 对, 好的, 可以, 你说) that no cue
 * follows at once: "definitely not" and 我对这个不感兴趣 do not count.
 */
function startsPositive(tokens: readonly Token[]): boolean {
  const clauses = new Map<number, Token[]>();
  for (const t of tokens) {
    if (t.filler || (t.kind === 'zh' && ZH_LEADING.has(t.text))) {
      if (!clauses.has(t.clause)) continue; // skip leading fillers and 嗯 / 哦
    }
    const list = clauses.get(t.clause) ?? [];
    list.push(t);
    clauses.set(t.clause, list);
  }
  for (const list of clauses.values()) {
    const words = list.filter((t) => t.kind === 'en').map((t) => t.text);
    const en = ` ${words.join(' ')} `;
    const first = list[0];
    if (first?.kind === 'en') {
      const hit = [...EN_POSITIVE].find((p) => en.startsWith(` ${p} `));
      const after = hit ? words[hit.split(' ').length] : undefined;
      if (hit && !(after !== undefined && isEnCue(after))) return true;
    } else if (first?.kind === 'zh') {
      const zh = list
        .filter((t) => t.kind === 'zh')
        .map((t) => t.text)
        .join('');
      const hit = ZH_POSITIVE.find((p) => zh.startsWith(p));
      if (hit && !ZH_CUES.has(zh[hit.length] ?? '')) return true;
    }
  }
  return false;
}

const ZH_BOUNDARY_FIRST = new Set(ZH_BOUNDARY_WORDS.map((w) => w[0]));

/** A raw token's kind, from its first character (the token regex keeps kinds apart). */
function tokenKind(t: string): 'zh' | 'en' | 'punct' {
  const c = t.charCodeAt(0);
  if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) return 'zh';
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) return 'en';
  return 'punct';
}

/** Complements of a V不C potential form (还不了, 来不及, 做不到, 听不清, 走不开). */
const ZH_COMPLEMENTS = new Set([...'了起到动完及清见懂住下开出过上']);
/** Characters before 不 that are no verb (pronouns, adverbs, time words' last character). */
const ZH_NOT_VERB = new Set([...'我你他她它们也都就再又很太真天儿在是']);

/** Said before a Mandarin answer without changing it. */
const ZH_LEADING = new Set([...'嗯哦噢呃哎喂啊']);

/** True for English words a negation check ignores (pronouns, auxiliaries, articles). */
export function isFunctionWord(word: string): boolean {
  return EN_FUNCTION.has(word);
}
