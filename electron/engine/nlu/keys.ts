/**
 * A keypad key said aloud instead of pressed: the prompt says "press 1 to confirm" and the
 * customer answers "one", "press one", "option 2", 按一, 二, 零号键. Such an answer means that
 * key and nothing else, so the ask node takes it as the intent with that `dtmf`, as if pressed.
 * Only an answer that is the key alone counts (with "press", "option", "number", 按, 选, 号, 键 and
 * a polite word or particle around it): "one more time" or 一会儿 are no key.
 */
import { normalizeText } from './negation.js';

const EN_DIGITS: Readonly<Record<string, string>> = {
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  star: '*',
  pound: '#',
  hash: '#',
};
const ZH_DIGITS: Readonly<Record<string, string>> = {
  零: '0',
  〇: '0',
  一: '1',
  幺: '1',
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  八: '8',
  九: '9',
};
/** Words around an English key that say nothing else ("I'll press one please"). */
const EN_AROUND = new Set([
  'i',
  "i'll",
  'ill',
  'will',
  'press',
  'pressing',
  'pressed',
  'push',
  'hit',
  'option',
  'number',
  'button',
  'key',
  'the',
  'please',
  'thanks',
  'thank',
  'you',
  'ok',
  'okay',
  'um',
  'uh',
  'er',
  'erm',
  'then',
]);
const ZH_BEFORE = /^(?:嗯|呃|那|那个|我|那我)*(?:按|选|选择|摁|点)?(?:数字)?/;
const ZH_AFTER = /(?:号键|号|键)?(?:吧|啊|呀|了|的|嘛|呢)*$/;

/**
 * The key an answer names when it is only a key said aloud ("one", "press 2", 按一, 零), or null.
 * Digits are read one key per answer: "twenty" or 十 are numbers, not keys.
 */
export function spokenKey(text: string): string | null {
  const s = normalizeText(text)
    .replace(/[,.;:!?，。；：！？、…~—-]+/g, ' ')
    .trim();
  if (s === '') return null;
  // Mandarin: the whole answer is one digit with 按 / 号 / 键 and particles around it.
  if (/[\u4e00-\u9fff]/u.test(s)) {
    const core = s.replace(/\s+/g, '').replace(ZH_BEFORE, '').replace(ZH_AFTER, '');
    if ([...core].length !== 1) return null;
    return ZH_DIGITS[core] ?? (/^[0-9]$/.test(core) ? core : null);
  }
  let key: string | null = null;
  for (const word of s.split(/\s+/)) {
    const digit = EN_DIGITS[word] ?? (/^[0-9*#]$/.test(word) ? word : undefined);
    if (digit !== undefined) {
      if (key !== null) return null;
      key = digit;
    } else if (!EN_AROUND.has(word)) return null;
  }
  return key;
}
