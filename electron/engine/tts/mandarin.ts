/**
 * Mandarin text → the tone-numbered pinyin espeak-ng's `cmn-latn-pinyin` voice reads.
 *
 * pinyin-pro picks readings per word (so polyphones like 行/长/的 come out right in context).
 * espeak wants: ü written as v, the neutral tone as 5 (pinyin-pro writes 0, which espeak would
 * spell out in English as "zero"), ASCII punctuation (full-width marks become pauses). Digits and
 * Latin words pass through: the voice reads digits as Mandarin numbers and switches to English for
 * Latin words.
 */
import { pinyin } from 'pinyin-pro';

const PUNCTUATION: ReadonlyArray<readonly [RegExp, string]> = [
  [/[，、]/g, ', '],
  [/[。．]/g, '. '],
  [/？/g, '? '],
  [/！/g, '! '],
  [/；/g, '; '],
  [/：/g, ': '],
  [/(……|…)/g, '... '],
  [/[—～~]+/g, ', '],
  [/[“”‘’「」『』《》〈〉【】（）()"]/g, ' '],
  [/\u3000/g, ' '],
];

/** Converts Hanzi (mixed with digits, Latin words and punctuation) to espeak-ready pinyin. */
export function toEspeakPinyin(text: string): string {
  // Full-width marks first (each becomes an ASCII mark and a space, so "，3点" keeps the pause and
  // the number apart), then NFKC for full-width letters and digits.
  let normalized = text;
  for (const [pattern, replacement] of PUNCTUATION)
    normalized = normalized.replace(pattern, replacement);
  normalized = normalized.normalize('NFKC');
  const spoken = pinyin(normalized, {
    toneType: 'num',
    type: 'string',
    nonZh: 'consecutive',
    v: true,
  });
  return spoken
    .replace(/([a-z])0(?![0-9])/g, '$15') // neutral tone: 0 → 5
    .replace(/\.{3,}/g, '...')
    .replace(/\s+([,.?!;:])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when the text holds at least one Han character. */
export function hasHanzi(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}
