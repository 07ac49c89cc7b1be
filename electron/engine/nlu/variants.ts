/**
 * One written form for what customers type or a recognizer transcribes in many: traditional
 * characters (Taiwan, Hong Kong) as simplified ones (OpenCC's tables, opencc-js), regional Chinese
 * words as their Mandarin ones (Cantonese 唔系 → 不是, 冇 → 没, 边个 → 谁; Shanghainese 侬 → 你,
 * 覅 → 不要; Sichuan 啥子 → 什么, 莫得 → 没有; northern 啥 → 什么, 咋 → 怎么), and English spelling
 * variants as the standard word (Scots cannae → can't, naw → no; texting dont → don't, u → you,
 * pls → please, tmrw → tomorrow; letters held for effect, nooo → no). The text classifier reads
 * every training sentence and every answer through this, so a phrasing written one way is known
 * when it is typed another. Input is already lower-cased with one apostrophe (negation.ts).
 */
import { Converter } from 'opencc-js/t2cn';

const toSimplified = Converter({ from: 'hk', to: 'cn' });
const HAN = /[\u3400-\u9fff\uf900-\ufaff]/u;

/** Regional Chinese words and their Mandarin forms, longest first where they overlap. */
const ZH_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/唔该/g, '谢谢'],
  [/唔系|唔是/g, '不是'],
  [/唔(?:使|洗|驶)/g, '不用'],
  [/唔好/g, '不要'],
  // 唔 before a word is "not"; alone it is a murmur (唔…).
  [/唔(?=[\u4e00-\u9fff])/g, '不'],
  [/冇/g, '没'],
  [/咗/g, '了'],
  [/嘅/g, '的'],
  [/乜嘢|乜野/g, '什么'],
  [/边个/g, '谁'],
  [/佢哋/g, '他们'],
  [/佢/g, '他'],
  [/哋/g, '们'],
  [/喺度/g, '在这里'],
  [/喺/g, '在'],
  [/呢个/g, '这个'],
  [/呢度/g, '这里'],
  [/嚟/g, '来'],
  [/睇/g, '看'],
  [/点解/g, '为什么'],
  [/而家/g, '现在'],
  [/得闲/g, '有空'],
  [/揾/g, '找'],
  // 系 is 是 in Cantonese (系啊, 系咪), except inside Mandarin words (系统, 关系, 联系, 体系).
  [/(?<![关联体派直干])系(?![统列])/g, '是'],
  [/是咪/g, '是不是'],
  [/侬/g, '你'],
  [/阿拉/g, '我们'],
  [/覅/g, '不要'],
  // 伐 ends a Shanghainese question (好伐, 要伐) as 吗 does.
  [/伐(?=$|[，。？！,.?!\s])/g, '吗'],
  [/辰光/g, '时候'],
  [/啥子/g, '什么'],
  [/莫得/g, '没有'],
  [/嘎哈|干啥/g, '干什么'],
  [/啥/g, '什么'],
  [/咋/g, '怎么'],
  // Cantonese 咩 (what), and 蛤 said for 啊? (huh?).
  [/咩/g, '什么'],
  [/蛤(?=$|[？?!！。，,])/g, '啊'],
];

/** English spelling variants: regional (Scots), texting and common misspellings, by word. */
const EN_WORDS: Readonly<Record<string, string>> = {
  cannae: "can't",
  canna: "can't",
  dinnae: "don't",
  dinna: "don't",
  didnae: "didn't",
  wouldnae: "wouldn't",
  couldnae: "couldn't",
  isnae: "isn't",
  willnae: "won't",
  winnae: "won't",
  naw: 'no',
  nae: 'no',
  "ain't": "isn't",
  u: 'you',
  ur: 'your',
  r: 'are',
  pls: 'please',
  plz: 'please',
  plse: 'please',
  thx: 'thanks',
  thnx: 'thanks',
  thanx: 'thanks',
  ty: 'thanks',
  im: "i'm",
  dont: "don't",
  cant: "can't",
  wont: "won't",
  didnt: "didn't",
  doesnt: "doesn't",
  isnt: "isn't",
  wasnt: "wasn't",
  werent: "weren't",
  arent: "aren't",
  havent: "haven't",
  hasnt: "hasn't",
  couldnt: "couldn't",
  wouldnt: "wouldn't",
  shouldnt: "shouldn't",
  thats: "that's",
  whats: "what's",
  ive: "i've",
  youre: "you're",
  theyre: "they're",
  cuz: 'because',
  coz: 'because',
  tmrw: 'tomorrow',
  tmr: 'tomorrow',
  tmw: 'tomorrow',
  tomoz: 'tomorrow',
  tomorow: 'tomorrow',
  tommorow: 'tomorrow',
  tommorrow: 'tomorrow',
  yea: 'yeah',
  yeh: 'yeah',
  yah: 'yeah',
  k: 'ok',
  kk: 'ok',
  mins: 'minutes',
  hrs: 'hours',
  appt: 'appointment',
  arvo: 'afternoon',
  gonna: 'going to',
  wanna: 'want to',
  gotta: 'got to',
  wrk: 'work',
  nxt: 'next',
  ther: 'there',
  thier: 'their',
  recieve: 'receive',
  payed: 'paid',
  yse: 'yes',
  yess: 'yes',
  yas: 'yes',
  yass: 'yes',
  ya: 'yeah',
  wat: 'what',
  wut: 'what',
  latr: 'later',
  persn: 'person',
  hes: "he's",
  shes: "she's",
};

/** The standard written form of a lower-cased text (see the file header). */
export function standardForms(text: string): string {
  let s = text;
  if (HAN.test(s)) {
    s = toSimplified(s);
    for (const [re, to] of ZH_WORDS) s = s.replace(re, to);
  }
  if (/[a-z]/.test(s))
    s = s
      // Letters held for effect ("nooo", "yesss", "pleeease"): no English word has three in a row.
      .replace(/([a-z])\1{2,}/g, '$1')
      // "uh-huh", "mm-hmm", "mhm" say yes (a lone "huh?" asks to repeat).
      .replace(/(?<![a-z'])(?:uh[- ]?huh|mm[- ]?hmm?|mhm|mm[- ]?hm)(?![a-z'])/g, 'yes')
      .replace(/(?<![a-z'])[a-z]+(?:'[a-z]+)?(?![a-z'])/g, (w) => EN_WORDS[w] ?? w)
      // "ill be there": "ill" as "I'll" only before a verb it goes with.
      .replace(/(?<![a-z'])ill(?= (?:be|call|come|do|pay|make|try|have|see|get)\b)/g, "i'll");
  return s;
}
