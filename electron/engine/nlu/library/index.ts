/**
 * nlu/library — the built-in common answers that outbound calls hear again and again, in Mandarin
 * and English (affirm, deny, busy, …), as plain data files a contributor can extend:
 * `answers.<language>.json` maps each common answer to its phrasings; `offtopic.<language>.json`
 * lists general sentences that answer nothing (the text classifier's garbage class). A flow's
 * intent uses one with `"use": "affirm"` and may add its own examples. The held-out test sets live
 * apart from these files (test/eval/), and nothing here is ever trained on them.
 */
import answersEn from './answers.en.json' with { type: 'json' };
import answersZh from './answers.zh-CN.json' with { type: 'json' };
import offTopicEn from './offtopic.en.json' with { type: 'json' };
import offTopicZh from './offtopic.zh-CN.json' with { type: 'json' };

export const COMMON_ANSWERS = [
  'affirm',
  'deny',
  'busy',
  'agent',
  'wrong_person',
  'who_are_you',
  'why_calling',
  'not_interested',
  'opt_out',
  'repeat',
  'already_done',
  'complaint',
] as const;
export type CommonAnswer = (typeof COMMON_ANSWERS)[number];

export type LibraryLanguage = 'en' | 'zh-CN';

const ANSWERS: Record<LibraryLanguage, Partial<Record<string, string[]>>> = {
  en: answersEn,
  'zh-CN': answersZh,
};
const OFF_TOPIC: Record<LibraryLanguage, string[]> = { en: offTopicEn, 'zh-CN': offTopicZh };

export function isCommonAnswer(name: string): name is CommonAnswer {
  return (COMMON_ANSWERS as readonly string[]).includes(name);
}

/** The library's phrasings of one common answer in one language. */
export function commonAnswerPhrases(
  name: CommonAnswer,
  language: LibraryLanguage,
): readonly string[] {
  return ANSWERS[language][name] ?? [];
}

/** General sentences in one language that answer no question (the garbage class). */
export function offTopicSentences(language: LibraryLanguage): readonly string[] {
  return OFF_TOPIC[language];
}
