/**
 * Intent classifier trained from a flow's example utterances (Chinese and/or English), with
 * negation, hedges and an off-topic ("none of these") class.
 *
 * Features (from negation.ts's analysis): Chinese character 1–3-grams (no segmenter), English
 * lowercase word 1–2-grams, character 3-grams inside English words (robust to typos and
 * inflections), fixed expressions as single features ("no problem", 没问题), and a negation flag.
 * Words inside a negation's scope become different features ("home" vs "!home"), so "I won't be
 * home" does not look like "I'll be home". Weights: sublinear TF × smoothed IDF over the training
 * examples, L2-normalised. An intent's score is a mix of the cosine to its centroid and to its
 * nearest example; confidence is a softmax over the scores of the intents and of the off-topic
 * class, scaled down when even the best score is weak.
 *
 * Guarantees on top of the scores: a negated utterance is never accepted as an intent whose
 * examples say the same predicate un-negated ("I'm not going to be home" never matches "I'll be
 * home"; 我不在家 never 在家), nor as an affirmation-type intent (yes, sure, 对) unless it also
 * affirms outside the negation ("yes, I'm not busy"). A hedge (maybe, 可能, 再说吧) keeps the
 * confidence under the accept threshold. Between the reject and accept thresholds a result is
 * `uncertain` (the dialog confirms it). Training is a single pass (milliseconds), deterministic.
 */
import { COMMON_ANSWERS, commonAnswerPhrases } from './library/index.js';
import synonyms from './library/synonyms.json' with { type: 'json' };
import { type Analysis, analyze, isFunctionWord, type Token, ZH_SCOPE_FREE } from './negation.js';

export const NO_MATCH = 'no_match';

export interface IntentScore {
  intent: string;
  /** 0..1, calibrated-ish: the share of belief, reduced when the best match is weak (0 when blocked). */
  confidence: number;
  /** Raw similarity score 0..1 (for debugging and thresholds). */
  score: number;
}

export interface IntentResult {
  /**
   * The best intent, or `no_match` when its confidence is under the reject threshold, when the
   * off-topic class wins, or when negation forbids every intent.
   */
  intent: string;
  /** Confidence in `intent`; for `no_match` it is 1 − the best intent's confidence. */
  confidence: number;
  /** Every trained intent, best first (the off-topic class is not listed). */
  ranked: IntentScore[];
  /** The utterance holds a negation (not, n't, 不, 没…) outside fixed expressions like "no problem". */
  negated: boolean;
  /** The utterance hedges (maybe, probably, 可能, 再说吧…); its confidence stays under `accept`. */
  hedged: boolean;
  /** `intent` is a match between the reject and accept thresholds: confirm before acting on it. */
  uncertain: boolean;
  /** Intents the negation rule ruled out for this utterance (never returned as `intent`). */
  blocked: string[];
  /** The off-topic class's share of belief (0 when the classifier has none). */
  offTopic: number;
}

export interface IntentClassifierOptions {
  /** Confidence at or above which a match is taken without confirmation (default 0.5). */
  accept?: number;
  /** Confidence under which the result is `no_match` (default 0.25). */
  reject?: number;
  /** Old name of `reject`. */
  threshold?: number;
  /** Softmax temperature over scores (default 0.08; lower = more peaked). */
  temperature?: number;
  /** Score at which confidence is no longer scaled down (default 0.25). */
  fullScore?: number;
  /** General sentences that answer nothing: the off-topic ("none of these") class. */
  offTopic?: readonly string[];
}

export type TrainingData = Readonly<Record<string, readonly string[]>>;

type Vector = Map<string, number>;

/** Weight per feature type (prefix of the feature key). */
const FEATURE_WEIGHT = {
  z1: 0.5,
  z2: 1,
  z3: 1,
  w1: 1,
  w2: 1,
  c3: 0.35,
  f1: 0.25,
  id: 1.5,
  ng: 0.8,
  s1: 1.2,
  p1: 1.5,
} as const;
type FeatureType = keyof typeof FEATURE_WEIGHT;

/** Key of the off-topic class inside the model (never an intent name: those match [A-Za-z_]…). */
const OFF_TOPIC = '#off-topic';
/**
 * The library's phrasings (both languages): an intent that `use`s a common answer trains on a
 * hundred of them beside its own few examples, so its own examples also get a centroid of their
 * own, and a question's own wording ("move it to another day") is not drowned by the library's.
 */
const LIBRARY_PHRASES = new Set(
  COMMON_ANSWERS.flatMap((a) => [
    ...commonAnswerPhrases(a, 'en'),
    ...commonAnswerPhrases(a, 'zh-CN'),
  ]),
);
/** Mix of centroid and nearest-example cosine in an intent's score. */
const CENTROID_WEIGHT = 0.5;
/** Cosine at which an utterance is one of the examples, said again. */
const EXACT = 0.98;
/**
 * An English word or Mandarin character no training sentence holds weighs this many times an
 * unseen n-gram: what the question's answers and the off-topic class cannot explain ("I don't like
 * doctors") pulls every score down instead of leaving "I don't" to decide.
 */
const UNSEEN_WORD = 3;
/** A hedged answer's confidence is scaled by this and kept under `accept`. */
const HEDGE_FACTOR = 0.8;

/**
 * Words that say the same thing in a call's answers (library/synonyms.json, a plain data file a
 * contributor extends): each also counts as its group, so "rearrange" meets "move" and 后天 meets
 * 明天 although no example holds it. English by word (and its -s/-ed/-ing stem), Mandarin by the
 * longest group word starting at each character.
 */
const EN_SYNONYM = new Map<string, string>();
for (const [group, words] of Object.entries(synonyms.en))
  for (const w of words) EN_SYNONYM.set(w, group);
const ZH_SYNONYM = new Map<string, string>();
for (const [group, words] of Object.entries(synonyms['zh-CN']))
  for (const w of words) ZH_SYNONYM.set(w, group);
const ZH_SYNONYM_MAX = Math.max(...[...ZH_SYNONYM.keys()].map((w) => w.length));

function enSynonym(word: string): string | undefined {
  return (
    EN_SYNONYM.get(word) ??
    EN_SYNONYM.get(word.replace(/(ing|ed|s)$/, '')) ??
    EN_SYNONYM.get(word.replace(/(ing|ed)$/, 'e'))
  );
}

function featuresOf(a: Analysis): Vector {
  const counts: Vector = new Map();
  const add = (key: string): void => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  const tokens = a.tokens;
  let zhSynonymEnd = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const neg = t.negated ? '!' : '';
    if (t.kind === 'idiom') {
      add(`id:${t.text}`);
      // Every positive fixed expression ("no problem", "won't miss it", 没问题) also shares one
      // feature, so a new one reads like the yes-phrasings that hold another.
      if (t.idiom === 'pos') add('p1:+');
      continue;
    }
    if (t.kind === 'en') {
      if (t.filler) {
        add(`f1:${t.text}`);
        continue;
      }
      add(`w1:${neg}${t.text}`);
      const group = enSynonym(t.text);
      if (group) add(`s1:${neg}${group}`);
      const next = tokens[i + 1];
      if (next && next.kind === 'en' && !next.filler && next.clause === t.clause)
        add(`w2:${neg || (next.negated ? '!' : '')}${t.text} ${next.text}`);
      const padded = `#${t.text.replace(/'/g, '')}#`;
      for (let k = 0; k + 3 <= padded.length; k++) add(`c3:${neg}${padded.slice(k, k + 3)}`);
      continue;
    }
    // Chinese: n-grams over the run of characters starting here (same clause, no gap).
    if (t.filler) add(`f1:${t.text}`);
    else add(`z1:${neg}${t.text}`);
    // The longest synonym-group word starting here, inside the clause (none inside the last).
    let run = '';
    for (let n = 0; n < ZH_SYNONYM_MAX && i >= zhSynonymEnd; n++) {
      const u = tokens[i + n];
      if (!u || u.kind !== 'zh' || u.clause !== t.clause) break;
      run += u.text;
    }
    for (let n = run.length; n > 0; n--) {
      const group = ZH_SYNONYM.get(run.slice(0, n));
      if (group) {
        add(`s1:${neg}${group}`);
        zhSynonymEnd = i + n;
        break;
      }
    }
    // Fillers and hedges (呃, 应该) start and join no n-gram: 应该是 reads as 是.
    if (t.filler) continue;
    let gram = t.text;
    let negGram = t.negated;
    for (let n = 2; n <= 3; n++) {
      const u = tokens[i + n - 1];
      if (!u || u.kind !== 'zh' || u.clause !== t.clause || u.filler) break;
      gram += u.text;
      negGram ||= u.negated;
      add(`${n === 2 ? 'z2' : 'z3'}:${negGram ? '!' : ''}${gram}`);
    }
  }
  if (a.negated) add('ng:');
  return counts;
}

/** Feature occurrence counts for one utterance (keys are prefixed by type: z1/z2/z3/w1/w2/c3/…). */
export function extractFeatures(text: string): Vector {
  return featuresOf(analyze(text));
}

interface Analyzed {
  analysis: Analysis;
  counts: Vector;
  /** The features and their weight before IDF (type weight × sublinear TF), for training. */
  keys: readonly string[];
  base: readonly number[];
}
/**
 * Training sentences analysed once per process: every ask node that uses the library trains on
 * the same ~1,000 phrasings and off-topic sentences. Entries are read-only; bounded so a long
 * run with many edited flows cannot grow it for ever.
 */
const TRAINING_CACHE = new Map<string, Analyzed>();
const TRAINING_CACHE_MAX = 50_000;

function analyzeForTraining(text: string): Analyzed {
  let hit = TRAINING_CACHE.get(text);
  if (!hit) {
    if (TRAINING_CACHE.size >= TRAINING_CACHE_MAX) TRAINING_CACHE.clear();
    const analysis = analyze(text);
    const counts = featuresOf(analysis);
    const keys = [...counts.keys()];
    const base = keys.map(
      (k) => FEATURE_WEIGHT[k.slice(0, 2) as FeatureType] * (1 + Math.log(counts.get(k) ?? 1)),
    );
    hit = { analysis, counts, keys, base };
    TRAINING_CACHE.set(text, hit);
  }
  return hit;
}

/**
 * The predicates a negation denies, as un-negated feature keys: the first two content words in
 * each English scope (and the bigrams they start), the first two characters and bigrams in each
 * Mandarin one, and the verb of a V不C form.
 */
function negatedPredicates(
  a: Analysis,
  only?: (tokens: readonly Token[], i: number) => boolean,
): string[] {
  const keys: string[] = [];
  const tokens = a.tokens;
  for (let i = 0; i < tokens.length; i++) {
    if (!tokens[i]!.cue || (only && !only(tokens, i))) continue;
    // V不C (还不了): the verb before the cue is what is denied.
    const before = tokens[i - 1];
    if (before?.negated && before.kind === 'zh') keys.push(`z1:${before.text}`);
    // The scope's first content word, and the next one after a light verb: "don't want to move
    // it" denies want and move, 没法还 denies 法 and 还.
    for (let j = i + 1; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (!t.negated) break;
      if (
        (t.kind === 'en' && (t.filler || isFunctionWord(t.text))) ||
        (t.kind === 'zh' && (ZH_TRAILING.has(t.text) || ZH_SCOPE_FREE.has(t.text)))
      )
        continue;
      const next = tokens[j + 1];
      if (t.kind === 'en') {
        keys.push(`w1:${t.text}`);
        if (next?.negated && next.kind === 'en') keys.push(`w2:${t.text} ${next.text}`);
      } else if (t.kind === 'zh') {
        keys.push(`z1:${t.text}`);
        if (next?.negated && next.kind === 'zh') keys.push(`z2:${t.text}${next.text}`);
      }
      if (!LIGHT_VERBS.has(t.text)) break;
    }
  }
  return keys;
}

/**
 * Words and characters said without a negation in a clause after the first negated one (as
 * un-negated w1/z1 keys): what a correction after a negation affirms ("not today, tomorrow").
 */
function reaffirmedWords(a: Analysis): Set<string> {
  const out = new Set<string>();
  const first = a.tokens.find((t) => t.cue)?.clause;
  if (first === undefined) return out;
  for (const t of a.tokens)
    if (t.clause > first && !t.negated && !t.cue && !t.filler && t.kind !== 'idiom')
      out.add(`${t.kind === 'en' ? 'w1' : 'z1'}:${t.text}`);
  return out;
}

/**
 * Cues that say "not (yet) done" (没, 未, haven't, didn't) rather than "will not" (不, 别, won't,
 * don't): 没还 says the bill is still to be paid, 不还 refuses to pay it.
 */
const NOT_YET_CUES = new Set([
  '没',
  '未',
  "haven't",
  'havent',
  "hasn't",
  'hasnt',
  "didn't",
  'didnt',
]);
/** 没法, 没办法, 没能: "cannot", a will-not, although 没 mostly says "not yet". */
const ZH_CANNOT_AFTER_MEI = new Set([...'法办能']);
const notYet = (tokens: readonly Token[], i: number): boolean =>
  NOT_YET_CUES.has(tokens[i]!.text) &&
  !(tokens[i]!.text === '没' && ZH_CANNOT_AFTER_MEI.has(tokens[i + 1]?.text ?? ''));
const willNot = (tokens: readonly Token[], i: number): boolean => !notYet(tokens, i);

/**
 * The head of each negation: the scope's content word after any light verbs ("don't want to
 * watch" → watch, 不会做饭 → 做饭), as an un-negated feature key.
 */
function negatedHeads(a: Analysis): string[] {
  const heads: string[] = [];
  const tokens = a.tokens;
  for (let i = 0; i < tokens.length; i++) {
    if (!tokens[i]!.cue) continue;
    let head: string | undefined;
    for (let j = i + 1; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (!t.negated || t.cue) break;
      if (
        (t.kind === 'en' && (t.filler || isFunctionWord(t.text))) ||
        (t.kind === 'zh' && ZH_TRAILING.has(t.text)) ||
        t.kind === 'idiom'
      )
        continue;
      // A Mandarin character stands for its word with the next one (做饭, not 做).
      const next = tokens[j + 1];
      head =
        t.kind === 'en'
          ? `w1:${t.text}`
          : next?.kind === 'zh' && next.negated && !ZH_TRAILING.has(next.text)
            ? `z2:${t.text}${next.text}`
            : `z1:${t.text}`;
      if (!LIGHT_VERBS.has(t.text)) break;
    }
    if (head) heads.push(head);
  }
  return heads;
}

/** What the negation rule needs to know about one intent's examples. */
interface IntentProfile {
  /** Content features of its examples without any negation (the predicates it only affirms). */
  affirms: Set<string>;
  /**
   * The English head predicates of its examples without any negation (the first content word,
   * and the next after a light verb: "move my appointment" → move), as `negatedPredicates` picks
   * them under a negation. Mandarin has none here: a negative intent's Mandarin examples were
   * measured better without (set v1 95.4 % against 94.8 % with the answer's last character).
   */
  heads: Set<string>;
  /** Most of its examples affirm (yes, sure, 对…) without any negation. */
  affirmative: boolean;
  /** Most of its examples are negated (no, I can't, 不是…). */
  negative: boolean;
  /** Every word, character and character pair its examples hold, negated or not (no "!"). */
  vocabulary: Set<string>;
  /** The synonym groups its examples hold (s1 keys, no "!"): "postpone" is known beside "move". */
  groups: Set<string>;
  /** Most of its examples say something is done (already paid, 已经还了) and none is to come. */
  completed: boolean;
  /** Most of its examples promise something to come (tomorrow, 明天还) and none is done. */
  prospective: boolean;
  /** Predicates its examples refuse (不还, won't pay) and never say are not yet done (没还). */
  refuses: Set<string>;
}

/**
 * Content an answer holds beyond what an intent's examples say: English content words (not
 * function words, fillers or cues) whose word and synonym group no example holds, and Mandarin
 * character pairs (inside a clause, particles and fillers left out) no example holds, each
 * counted once (`novel`); and the content units some example holds (`known`).
 */
function contentUnits(a: Analysis, p: IntentProfile | undefined): { novel: number; known: number } {
  if (!p) return { novel: 0, known: 0 };
  const novel = new Set<string>();
  const known = new Set<string>();
  const tokens = a.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.filler || t.cue || t.kind === 'idiom') continue;
    if (t.kind === 'en') {
      if (isFunctionWord(t.text) || /^\d+$/.test(t.text)) continue;
      const group = enSynonym(t.text);
      if (p.vocabulary.has(`w1:${t.text}`) || (group && p.groups.has(`s1:${group}`)))
        known.add(t.text);
      else novel.add(t.text);
      continue;
    }
    if (ZH_TRAILING.has(t.text)) continue;
    const u = tokens[i + 1];
    if (!u || u.kind !== 'zh' || u.clause !== t.clause || u.filler || u.cue) continue;
    if (ZH_TRAILING.has(u.text)) continue;
    const pair = `z2:${t.text}${u.text}`;
    if (p.vocabulary.has(pair)) known.add(pair);
    else novel.add(pair);
  }
  return { novel: novel.size, known: known.size };
}
/** Novel content units (see contentUnits) from which a match is only ever confirmed. */
// Measured on the dev sets: 1 also confirms a third of the right answers in Mandarin; 3 lets
// half the off-topic false accepts through.
const NOVEL_CONTENT = 2;

/** Verbs whose negation denies the verb after them (want to, need to; 想, 要, 会, 能, 没法). */
const LIGHT_VERBS = new Set([
  'want',
  'wanna',
  'need',
  'think',
  'like',
  'try',
  'plan',
  'mean',
  'intend',
  'expect',
  'hope',
  'feel',
  'bother',
  ...'想要会能用法太愿敢肯可必需再有',
]);

/** Particles and fillers that may end a Mandarin answer after its predicate. */
const ZH_TRAILING = new Set([...'的了吧啊呢吗呀嘛哦啦哈嗯']);

/** The head predicates of an utterance without negation (see IntentProfile.heads). */
function affirmedHeads(a: Analysis): string[] {
  const heads: string[] = [];
  for (const t of a.tokens) {
    if (t.kind !== 'en' || t.filler || isFunctionWord(t.text)) continue;
    heads.push(`w1:${t.text}`);
    if (!LIGHT_VERBS.has(t.text)) break;
  }
  return heads;
}

function profile(examples: readonly Analyzed[]): IntentProfile {
  const affirms = new Set<string>();
  const heads = new Set<string>();
  const denies = new Set<string>();
  const vocabulary = new Set<string>();
  const groups = new Set<string>();
  let affirmative = 0;
  let negative = 0;
  let past = 0;
  let future = 0;
  const refuses = new Set<string>();
  const notDone = new Set<string>();
  for (const { analysis: a, counts } of examples) {
    if (a.negated) {
      for (const k of negatedPredicates(a, willNot)) refuses.add(k);
      for (const k of negatedPredicates(a, notYet)) notDone.add(k);
    }
    if (a.time.past && !a.time.future) past++;
    if (a.time.future && !a.time.past) future++;
    for (const k of counts.keys())
      if (k.startsWith('w1:') || k.startsWith('z1:') || k.startsWith('z2:'))
        vocabulary.add(k.replace('!', ''));
      else if (k.startsWith('s1:')) groups.add(k.replace('!', ''));
    if (a.positive && !a.negated) affirmative++;
    if (a.negated) negative++;
    if (a.negated) {
      // Everything it says under a negation counts as denied, not only the scope's head.
      for (const k of counts.keys()) if (k.includes('!')) denies.add(k.replace('!', ''));
      continue;
    }
    const zh = a.tokens.filter((t) => t.kind === 'zh' && !t.filler);
    // A single Mandarin character stands for a predicate only in short answers (在, 是的, 对啊):
    // inside longer ones it is mostly part of a word (现在, 还是).
    const shortZh = zh.filter((t) => !'的了吧啊呢吗呀嘛哦我你'.includes(t.text)).length <= 2;
    // The last character of a Mandarin answer is mostly its verb or adjective (明天还, 很忙).
    const last = zh.filter((t) => !ZH_TRAILING.has(t.text)).at(-1);
    if (last) affirms.add(`z1:${last.text}`);
    for (const k of affirmedHeads(a)) heads.add(k);
    for (const k of counts.keys()) {
      if (k.startsWith('w1:') && !isFunctionWord(k.slice(3))) affirms.add(k);
      else if (k.startsWith('w2:') || k.startsWith('z2:')) affirms.add(k);
      else if (k.startsWith('z1:') && shortZh) affirms.add(k);
    }
  }
  // A predicate the intent's own examples also deny is not one it only affirms.
  for (const k of denies) {
    affirms.delete(k);
    heads.delete(k);
  }
  return {
    affirms,
    heads,
    affirmative: affirmative * 2 >= examples.length,
    negative: negative * 2 > examples.length,
    vocabulary,
    groups,
    refuses: new Set([...refuses].filter((k) => !notDone.has(k))),
    completed: past * 2 > examples.length && future === 0,
    prospective: future * 2 > examples.length && past === 0,
  };
}

function normalize(v: Vector): Vector {
  let sum = 0;
  for (const x of v.values()) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm === 0) return v;
  const out: Vector = new Map();
  for (const [k, x] of v) out.set(k, x / norm);
  return out;
}

function dot(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [k, x] of small) {
    const y = large.get(k);
    if (y !== undefined) sum += x * y;
  }
  return sum;
}

export class IntentClassifier {
  readonly intents: readonly string[];
  /** Confidence at or above which a match is accepted; under `reject` it is no_match. */
  readonly thresholds: { readonly accept: number; readonly reject: number };
  private readonly idf: Map<string, number>;
  private readonly unseenIdf: number;
  /** The intent of each training example, by index (the off-topic class included). */
  private readonly exampleIntents: readonly string[];
  private readonly postings: ReadonlyMap<
    string,
    { readonly index: readonly number[]; readonly weight: readonly number[] }
  >;
  private readonly centroids: ReadonlyMap<string, Vector>;
  /** The centroid of an intent's own examples, for intents that also hold library phrasings. */
  private readonly ownCentroids: ReadonlyMap<string, Vector>;
  private readonly profiles: ReadonlyMap<string, IntentProfile>;
  private readonly temperature: number;
  private readonly fullScore: number;

  constructor(training: TrainingData, options: IntentClassifierOptions = {}) {
    const reject = options.reject ?? options.threshold ?? 0.25;
    this.thresholds = { accept: Math.max(reject, options.accept ?? 0.5), reject };
    this.temperature = options.temperature ?? 0.08;
    this.fullScore = options.fullScore ?? 0.35;
    // Sorted so the model does not depend on object key order.
    this.intents = Object.keys(training)
      .filter((k) => (training[k]?.length ?? 0) > 0)
      .sort();
    const raw: Array<{ intent: string; example: Analyzed; own?: boolean }> = [];
    const profiles = new Map<string, IntentProfile>();
    for (const intent of this.intents) {
      const texts = training[intent] ?? [];
      const examples = texts.map(analyzeForTraining);
      profiles.set(intent, profile(examples));
      const mixed = texts.some((t) => LIBRARY_PHRASES.has(t));
      examples.forEach((example, i) =>
        raw.push({ intent, example, own: mixed && !LIBRARY_PHRASES.has(texts[i]!) }),
      );
    }
    this.profiles = profiles;
    for (const sentence of options.offTopic ?? [])
      raw.push({ intent: OFF_TOPIC, example: analyzeForTraining(sentence) });
    const df = new Map<string, number>();
    for (const { example } of raw) for (const k of example.keys) df.set(k, (df.get(k) ?? 0) + 1);
    const n = raw.length;
    const idf = new Map<string, number>();
    for (const [k, d] of df) idf.set(k, Math.log(1 + n / d));
    this.idf = idf;
    this.unseenIdf = 0.5 * Math.log(1 + n);
    this.exampleIntents = raw.map((r) => r.intent);
    // Each example as normalised TF-IDF weights, straight into an inverted index (a query meets
    // only the examples that share a feature with it) and its intent's centroid.
    const postings = new Map<string, { index: number[]; weight: number[] }>();
    const centroids = new Map<string, Vector>();
    const ownCentroids = new Map<string, Vector>();
    raw.forEach(({ intent, example, own }, index) => {
      const { keys, base } = example;
      const values = base.map((b, i) => b * (idf.get(keys[i]!) ?? 0));
      let sum = 0;
      for (const x of values) sum += x * x;
      const norm = Math.sqrt(sum) || 1;
      let centroid = centroids.get(intent);
      if (!centroid) centroids.set(intent, (centroid = new Map()));
      let ownCentroid = own ? ownCentroids.get(intent) : undefined;
      if (own && !ownCentroid) ownCentroids.set(intent, (ownCentroid = new Map()));
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const x = values[i]! / norm;
        let list = postings.get(k);
        if (!list) postings.set(k, (list = { index: [], weight: [] }));
        list.index.push(index);
        list.weight.push(x);
        centroid.set(k, (centroid.get(k) ?? 0) + x);
        ownCentroid?.set(k, (ownCentroid.get(k) ?? 0) + x);
      }
    });
    for (const [intent, sum] of ownCentroids) ownCentroids.set(intent, normalize(sum));
    this.ownCentroids = ownCentroids;
    this.postings = postings;
    for (const [intent, sum] of centroids) centroids.set(intent, normalize(sum));
    this.centroids = centroids;
  }

  private vectorize(counts: Vector): Vector {
    const v: Vector = new Map();
    let sum = 0;
    for (const [k, c] of counts) {
      const type = k.slice(0, 2) as FeatureType;
      // A fixed expression no example holds says nothing new beyond its class (id:+).
      if (type === 'id' && !this.idf.has(k)) continue;
      // An unseen word of a known synonym group ("postpone" beside "move") is no unknown content.
      const unseenWord =
        (type === 'w1' && !enSynonym(k.slice(3).replace('!', ''))) || type === 'z1';
      const x =
        FEATURE_WEIGHT[type] *
        (1 + Math.log(c)) *
        (this.idf.get(k) ?? (unseenWord ? UNSEEN_WORD : 1) * this.unseenIdf);
      v.set(k, x);
      sum += x * x;
    }
    // Normalised in place (one Map per example: training builds ~1,500 of them).
    const norm = Math.sqrt(sum);
    if (norm > 0) for (const [k, x] of v) v.set(k, x / norm);
    return v;
  }

  /** Ranks every intent for the utterance; see IntentResult for `no_match` and `uncertain`. */
  classify(text: string): IntentResult {
    const analysis = analyze(text);
    const q = this.vectorize(featuresOf(analysis));
    const dots = new Float64Array(this.exampleIntents.length);
    for (const [k, x] of q) {
      const list = this.postings.get(k);
      if (!list) continue;
      for (let i = 0; i < list.index.length; i++) dots[list.index[i]!]! += x * list.weight[i]!;
    }
    const nearest = new Map<string, number>();
    this.exampleIntents.forEach((intent, index) =>
      nearest.set(intent, Math.max(nearest.get(intent) ?? 0, dots[index] ?? 0)),
    );
    const scoreOf = (intent: string): number =>
      CENTROID_WEIGHT *
        Math.max(
          dot(q, this.centroids.get(intent) ?? new Map<string, number>()),
          dot(q, this.ownCentroids.get(intent) ?? new Map<string, number>()),
        ) +
      (1 - CENTROID_WEIGHT) * (nearest.get(intent) ?? 0);
    const blocked = this.blockedIntents(analysis);
    const candidates = this.intents.filter((i) => !blocked.has(i));
    if (this.centroids.has(OFF_TOPIC)) candidates.push(OFF_TOPIC);
    const scores = new Map(candidates.map((i) => [i, scoreOf(i)]));
    const top = Math.max(0, ...scores.values());
    const exps = new Map([...scores].map(([i, s]) => [i, Math.exp((s - top) / this.temperature)]));
    let total = 0;
    for (const x of exps.values()) total += x;
    const strength = Math.min(1, top / this.fullScore);
    const share = (i: string): number =>
      total > 0 && exps.has(i) ? ((exps.get(i) ?? 0) / total) * strength : 0;
    const ranked: IntentScore[] = this.intents
      .map((intent) => ({ intent, score: scoreOf(intent), confidence: share(intent) }))
      .sort(
        (a, b) =>
          b.confidence - a.confidence || b.score - a.score || a.intent.localeCompare(b.intent),
      );
    const offTopic = share(OFF_TOPIC);
    const base = {
      ranked,
      negated: analysis.negated,
      hedged: analysis.hedged,
      blocked: [...blocked].sort(),
      offTopic,
    };
    const best = ranked[0];
    let confidence = best?.confidence ?? 0;
    const { accept, reject } = this.thresholds;
    if (analysis.hedged) confidence = Math.min(confidence * HEDGE_FACTOR, accept - 1e-6);
    // "Yes, I'm not going to miss it" taken for a refusal: a yes-word with a negation read as a
    // negative answer is confirmed, never acted on outright.
    // ("yeah, no" said as one of the intent's own phrasings is what it says.)
    if (
      best &&
      analysis.positive &&
      analysis.negated &&
      this.profiles.get(best.intent)?.negative &&
      (nearest.get(best.intent) ?? 0) < EXACT
    )
      confidence = Math.min(confidence, accept - 1e-6);
    // "I never watch TV", 我不会做饭: a negation of something none of a negative intent's
    // examples speak of is a "no" to another question; confirm it, never act on it outright.
    if (best && analysis.negated && this.profiles.get(best.intent)?.negative) {
      const heads = negatedHeads(analysis);
      const vocabulary = this.profiles.get(best.intent)?.vocabulary;
      if (heads.length > 0 && heads.every((h) => !vocabulary?.has(h)))
        confidence = Math.min(confidence, accept - 1e-6);
    }
    // "I already watched that film", 经理在开会: an answer that says things none of the intent's
    // examples speak of is confirmed, never acted on outright (off-topic lines that share a word
    // or two with an intent are what the off-topic class cannot all hold).
    const units = best ? contentUnits(analysis, this.profiles.get(best.intent)) : null;
    // An answer none of whose content the intent's examples hold (能不能分期 met only through
    // 能不能) is confirmed too.
    if (units && (units.novel >= NOVEL_CONTENT || (units.novel > 0 && units.known === 0)))
      confidence = Math.min(confidence, accept - 1e-6);
    // "都还清了，别再打了", "I already paid, stop calling": a deed said done before a refusal is
    // what the answer reports; the refusal follows from it.
    const done = this.doneBeforeNegation(analysis, best?.intent);
    if (done) return { ...done, ...base, ranked, blocked: base.blocked };
    if (!best || confidence < reject || offTopic >= confidence) {
      return { intent: NO_MATCH, confidence: 1 - confidence, uncertain: false, ...base };
    }
    return { intent: best.intent, confidence, uncertain: confidence < accept, ...base };
  }

  /**
   * The words before an answer's first negation, when they alone are confidently an intent whose
   * examples say something is done (already paid, 已经还了) and the whole answer's best is not:
   * that intent, at the confidence the words before the negation earn.
   */
  private doneBeforeNegation(
    analysis: Analysis,
    best: string | undefined,
  ): Pick<IntentResult, 'intent' | 'confidence' | 'uncertain'> | null {
    if (!analysis.negated || (best && this.profiles.get(best)?.completed)) return null;
    const first = analysis.tokens.findIndex((t) => t.cue);
    const before = analysis.tokens.slice(0, first).filter((t) => !t.filler);
    if (first <= 0 || before.length < 2 || !analysis.time.past || analysis.time.future) return null;
    // The deed is a clause of its own (ended by punctuation, or by 了 as in 已经还了不用管了), not
    // an adverb of the negated verb (他早就不用这个号了, 我已经不需要了, "I did not catch that").
    const last = analysis.tokens[first - 1]!;
    if (last.clause === analysis.tokens[first]!.clause && last.text !== '了') return null;
    const text = before.map((t) => t.text).join(before.every((t) => t.kind === 'zh') ? '' : ' ');
    const prefix = this.classify(text);
    const profile = this.profiles.get(prefix.intent);
    if (prefix.intent === NO_MATCH || prefix.uncertain || !profile?.completed) return null;
    return { intent: prefix.intent, confidence: prefix.confidence, uncertain: false };
  }

  /**
   * The intents an utterance may never be taken for: what a negation denies (see the file
   * header), and the wrong side of now: a promise (明天就还, "I'll pay tomorrow") is never an
   * intent whose examples say it is done, and a done deed (我前天还的) never one that promises.
   */
  private blockedIntents(analysis: Analysis): Set<string> {
    const blocked = new Set<string>();
    const { past, future } = analysis.time;
    if (past !== future)
      for (const [intent, p] of this.profiles)
        if ((future && p.completed) || (past && p.prospective)) blocked.add(intent);
    if (!analysis.negated && !analysis.doubt) return blocked;
    // "no no, I'm coming, don't worry": a bare "no" (it negates no word) beside a positive fixed
    // expression contradicts a doubt, it refuses nothing.
    if (
      analysis.tokens.some((t) => t.idiom === 'pos') &&
      !analysis.tokens.some((t) => t.negated) &&
      !analysis.doubt
    )
      for (const [intent, p] of this.profiles) if (p.negative) blocked.add(intent);
    // Not yet done is no refusal: 没还 ("haven't paid yet") is never 不还 ("won't pay").
    const notYetDenied = analysis.tokens.some((t, i) => t.cue && willNot(analysis.tokens, i))
      ? []
      : negatedPredicates(analysis, notYet);
    for (const [intent, p] of this.profiles)
      if (notYetDenied.some((k) => p.refuses.has(k))) blocked.add(intent);
    // A predicate said again without a negation in a later clause is what the answer comes to:
    // 我还没还，明天还 denies 还 and then promises it.
    const reaffirmed = reaffirmedWords(analysis);
    const denied = negatedPredicates(analysis).filter((k) => !reaffirmed.has(k));
    // Not done yet is no refusal of doing it later: 还没还呢，明天弄 can still be a promise.
    const willNotDenied = negatedPredicates(analysis, willNot).filter((k) => !reaffirmed.has(k));
    for (const [intent, p] of this.profiles) {
      // An intent answered by negations itself (reschedule: "I can't make it") is ruled out only
      // by a denied head of its other examples ("I don't want to move it" vs "move my
      // appointment"), not by any word they hold ("I can't do that day" vs "another day please").
      const against = p.prospective ? willNotDenied : denied;
      if (
        (p.affirmative && !analysis.positive) ||
        against.some((k) => (p.negative ? p.heads : p.affirms).has(k))
      )
        blocked.add(intent);
    }
    return blocked;
  }
}

/** Trains a classifier from example utterances per intent. */
export function trainIntentClassifier(
  training: TrainingData,
  options: IntentClassifierOptions = {},
): IntentClassifier {
  return new IntentClassifier(training, options);
}
