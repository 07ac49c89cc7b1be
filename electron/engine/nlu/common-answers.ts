/**
 * The common-answer library put to work: the training set of a flow question whose intents `use`
 * library answers (their own examples plus the library's phrasings, the off-topic sentences of
 * both languages as the "none of these" class), a cached classifier over chosen library answers,
 * and the reading of a reply to a confirmation ("Just to check: …, is that right?") as affirm,
 * deny or unclear.
 */
import { type IntentClassifier, trainIntentClassifier } from './intents.js';
import {
  COMMON_ANSWERS,
  type CommonAnswer,
  commonAnswerPhrases,
  isCommonAnswer,
  type LibraryLanguage,
  offTopicSentences,
} from './library/index.js';

export interface IntentSource {
  name: string;
  /** The intent's own examples: one list (any language mix) or one list per language. */
  examples?: readonly string[] | Readonly<Partial<Record<LibraryLanguage, readonly string[]>>>;
  /** A common answer whose library phrasings the intent also answers with. */
  use?: string;
}

const LANGUAGES: readonly LibraryLanguage[] = ['zh-CN', 'en'];
const HAN = /\p{Script=Han}/u;
const LATIN = /[A-Za-z]/;

/** The off-topic ("none of these") sentences of both languages: answers come in either. */
export function offTopicTraining(): readonly string[] {
  return OFF_TOPIC_BOTH;
}
const OFF_TOPIC_BOTH: readonly string[] = LANGUAGES.flatMap((l) => offTopicSentences(l));

/**
 * Training data for one question: each intent's own examples, plus for an intent that `use`s a
 * common answer the library's phrasings in the flow's language (and in the other language too
 * when the question's own examples are written in it: a bilingual flow).
 */
export function questionTraining(
  intents: readonly IntentSource[],
  language: LibraryLanguage,
): Record<string, string[]> {
  const own = new Map<string, string[]>();
  for (const intent of intents) {
    const ex = intent.examples;
    const list: string[] =
      ex === undefined
        ? []
        : isList(ex)
          ? [...ex]
          : LANGUAGES.flatMap((l) => [...((ex as Partial<Record<string, string[]>>)[l] ?? [])]);
    own.set(intent.name, list);
  }
  const all = [...own.values()].flat();
  const languages = new Set<LibraryLanguage>([language]);
  if (all.some((t) => HAN.test(t))) languages.add('zh-CN');
  if (all.some((t) => LATIN.test(t) && !HAN.test(t))) languages.add('en');
  const training: Record<string, string[]> = {};
  for (const intent of intents) {
    const examples = [...(own.get(intent.name) ?? [])];
    if (intent.use !== undefined && isCommonAnswer(intent.use))
      for (const l of languages) examples.push(...commonAnswerPhrases(intent.use, l));
    if (examples.length > 0)
      training[intent.name] = [...(training[intent.name] ?? []), ...examples];
  }
  return training;
}

/**
 * Common answers that say much the same thing: when a question uses one, the others are no
 * "none of these" for it (a refusal at 请问您今天方便还款吗 is said as "not interested" or as
 * "stop calling").
 */
const KINDRED: readonly (readonly CommonAnswer[])[] = [
  ['not_interested', 'opt_out', 'deny'],
  ['who_are_you', 'why_calling'],
  ['busy', 'repeat'],
];
/** Answers never made "none": yes and no, which a question's own intents often say in their own words. */
// Busy ("call me tomorrow") shares its words with a promise to pay or come later (measured on
// the dev sets: as "none" it cost a promise and gained nothing).
const NEVER_NONE = new Set<CommonAnswer>(['affirm', 'deny', 'busy']);

/**
 * The "none of these" sentences of one question: the off-topic sentences of both languages, and
 * the library's phrasings of the common answers none of its intents uses (in the question's
 * languages), as the speech recognizer counts them: "you've got the wrong number" answers no
 * intent of "Will you be able to make it?" and must not pass for a "no". Left out: yes and no
 * (a question's own intents often say them in their own words) and busy, answers kindred to one it uses,
 * and an answer one of whose phrasings is one of the question's own examples.
 */
export function questionOffTopic(
  intents: readonly IntentSource[],
  language: LibraryLanguage,
): readonly string[] {
  const used = new Set(intents.map((i) => i.use).filter((u) => u !== undefined));
  if (used.size === 0) return OFF_TOPIC_BOTH;
  const own = new Set(
    Object.values(
      questionTraining(
        intents.map((i) => ({ name: i.name, ...(i.examples ? { examples: i.examples } : {}) })),
        language,
      ),
    )
      .flat()
      .map((t) => t.trim().toLowerCase()),
  );
  const none: string[] = [];
  for (const answer of COMMON_ANSWERS) {
    if (used.has(answer) || NEVER_NONE.has(answer)) continue;
    if (KINDRED.some((k) => k.includes(answer) && k.some((a) => used.has(a)))) continue;
    const phrases = commonAnswerPhrases(answer, language);
    if (phrases.some((p) => own.has(p.trim().toLowerCase()))) continue;
    none.push(...phrases);
  }
  return none.length === 0 ? OFF_TOPIC_BOTH : [...OFF_TOPIC_BOTH, ...none];
}

function isList(ex: NonNullable<IntentSource['examples']>): ex is readonly string[] {
  return Array.isArray(ex);
}

const LIBRARY_CLASSIFIERS = new Map<string, IntentClassifier>();

/**
 * A classifier over some of the library's common answers in one language (with the off-topic
 * class), built once per process and shared: e.g. affirm/deny for confirmations.
 */
export function libraryClassifier(
  language: LibraryLanguage,
  names: readonly string[],
): IntentClassifier {
  const key = `${language}:${[...names].sort().join(',')}`;
  let classifier = LIBRARY_CLASSIFIERS.get(key);
  if (!classifier) {
    const training = questionTraining(
      names.map((name) => ({ name, use: name })),
      language,
    );
    classifier = trainIntentClassifier(training, { offTopic: offTopicTraining() });
    LIBRARY_CLASSIFIERS.set(key, classifier);
  }
  return classifier;
}

export type ConfirmationAnswer = 'affirm' | 'deny' | 'unclear';

/**
 * A typed or transcribed reply to "Just to check: …, is that right?": affirm, deny, or unclear
 * (off-topic, hedged, or under the accept threshold), so the dialog asks again instead of
 * guessing. Negation counts: "not really", 不是 → deny; "no problem", 没问题 → affirm.
 */
export function classifyConfirmation(text: string, language: LibraryLanguage): ConfirmationAnswer {
  const result = libraryClassifier(language, ['affirm', 'deny']).classify(text);
  if (result.uncertain || result.hedged) return 'unclear';
  return result.intent === 'affirm' || result.intent === 'deny' ? result.intent : 'unclear';
}
