/**
 * Adaptive end of turn: how long the customer's silence must last before the bot takes the turn,
 * judged from what the speculative recognition (started at the endpointer's speech_pause) heard.
 *
 * - a complete, confident answer: END_CONFIDENT_MS, so "yes" is answered quickly;
 * - an answer the recognizer is unsure of (between its accept and reject thresholds), or a node
 *   with nothing to judge by (no phrase model): END_DEFAULT_MS, the fixed hangover the bot had;
 * - what was heard is incomplete (no phrase matched yet, a trailing filler like "uh" / "嗯" /
 *   "那个", digits being dictated) or the result is not back yet: END_INCOMPLETE_MS, so "I think…
 *   maybe next Tuesday" is not cut at the pause. END_INCOMPLETE_MS is also the endpointer's own
 *   hangover for the bot's calls: the hard maximum, whatever the recognizer says.
 *
 * Why the bot and not the endpointer decides: the endpointer sees only VAD probabilities; the
 * recognition result lives in the bot (it knows the question and its model). So the endpointer
 * keeps a long hangover and reports every pause (speech_pause), and the bot ends the utterance
 * early through SpeechCall.endUtterance() when the silence has lasted what the result allows.
 */
import type { RecognitionResult } from '../speech/index.js';

/*
 * Why these numbers: at normal speed, pauses inside a sentence last up to 288 ms and a full stop
 * 320 ms (speech/vad/endpointer.ts, measured with Silero on espeak-ng); 250 ms after a complete
 * answer keeps the phone's turn latency (this silence + recognition + the first prompt frame over
 * the network) well under the 500 ms median the issue asks for. A thinking pause ("I think…
 * maybe") runs 300–900 ms: 1,000 ms covers it; more would make a silent customer wait too long
 * for the bot (the hard maximum).
 */
export const END_CONFIDENT_MS = 250;
export const END_DEFAULT_MS = 350;
export const END_INCOMPLETE_MS = 1000;

/** A recognition result with the accept/reject band the recognizers are gaining (issue 12). */
type Recognition = RecognitionResult & { uncertain?: boolean };

const FILLERS_EN = ['uh', 'um', 'umm', 'er', 'erm', 'hmm', 'well', 'so', 'and', 'but', 'like'];
const FILLERS_ZH = ['嗯', '呃', '额', '那个', '这个', '就是', '然后', '啊', '嗯嗯'];
const DIGIT = /[0-9零一二三四五六七八九十两幺]$/u;

/** True when the text ends in a filler or a digit: the customer is likely to go on. */
export function soundsUnfinished(text: string): boolean {
  const trimmed = text
    .trim()
    .replace(/[\s\p{P}]+$/u, '')
    .toLowerCase();
  if (trimmed === '') return false;
  if (DIGIT.test(trimmed)) return true;
  if (FILLERS_ZH.some((f) => trimmed.endsWith(f))) return true;
  const last = trimmed.split(/\s+/).pop() ?? '';
  return FILLERS_EN.includes(last);
}

export type TurnJudgement = 'confident' | 'default' | 'incomplete';

/**
 * How the words heard so far end a turn. `result`: the speculative recognition (null: no model
 * for this node; undefined: not back yet).
 */
export function judgeTurn(result: Recognition | null | undefined): TurnJudgement {
  if (result === undefined) return 'incomplete';
  if (result === null) return 'default';
  if (result.text !== undefined && soundsUnfinished(result.text)) return 'incomplete';
  if (result.noMatch || result.intent === undefined) return 'incomplete';
  return result.uncertain === true ? 'default' : 'confident';
}

/** The silence (ms) that ends the turn after a judgement. */
export function endOfTurnSilenceMs(judgement: TurnJudgement): number {
  switch (judgement) {
    case 'confident':
      return END_CONFIDENT_MS;
    case 'default':
      return END_DEFAULT_MS;
    case 'incomplete':
      return END_INCOMPLETE_MS;
  }
}
