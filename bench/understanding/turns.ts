/**
 * The bot's end of turn on answers with pauses, measured offline: a paused answer goes once through
 * Silero VAD and the endpointer exactly as CallBot feeds them (bot/call-bot.ts: speech_pause after
 * BOT_PAUSE_MS starts a speculative recognition of the words so far; the endpointer's hangover,
 * END_INCOMPLETE_MS, is the hard maximum), and every pause is kept as a trace: what the bot knew
 * when the silence began (the speculative result, the speech so far) and how long the silence
 * really lasted. Any end-of-turn rule is then replayed on the traces in microseconds: the turn
 * ends at the first pause whose silence lasts what the rule asks for; inside the answer that is a
 * false cut-off, at its end the wait is the latency. Used by the held-out bench (spoken.ts) and
 * by the tuning script (turn-tuning.ts, on its own tuning set).
 */
import { chunkFrames } from '../../electron/engine/audio/index.js';
import {
  END_INCOMPLETE_MS,
  endOfTurnSilenceMs,
  judgeTurn,
  TURN_RULES,
  type TurnEvidence,
  type TurnJudgement,
  type TurnRules,
} from '../../electron/engine/bot/turn-detector.js';
import {
  BOT_PAUSE_MS,
  type RecognitionResult,
  type SileroModel,
} from '../../electron/engine/speech/index.js';
import { Endpointer } from '../../electron/engine/speech/vad/endpointer.js';

/** One silence inside an utterance long enough for a speech_pause. */
export interface PauseTrace {
  /** Stream ms where the silence began (the endpointer's silence start). */
  atMs: number;
  /** How long it lasted until speech resumed (Infinity: the utterance ended there). */
  silenceMs: number;
  /** The silence lies inside the answer (speech of the same answer follows). */
  internal: boolean;
  evidence: TurnEvidence;
}

export interface TurnTrace {
  pauses: PauseTrace[];
  /** Stream ms of the answer's last sound. */
  speechEndMs: number;
}

/** A rule under test: the silence (ms) it asks for after this evidence, and its name for the judgement. */
export type TurnRule = (evidence: TurnEvidence) => { judgement: TurnJudgement; silenceMs: number };

/**
 * Traces one answer. `recognize` hears [startMs, endMs] of `audio` with the question's recognizer.
 * `lastGapEndMs`: where the answer's last inserted pause ends (stream ms; 0 for an answer without
 * pauses); a silence that begins before it is internal.
 */
export async function traceTurn(
  vad: SileroModel,
  audio: Int16Array,
  recognize: (samples: Int16Array) => Promise<RecognitionResult>,
  language: 'en' | 'zh-CN',
  lastGapEndMs: number,
  speechEndMs: number,
): Promise<TurnTrace> {
  const stream = vad.createStream(16_000);
  const endpointer = new Endpointer({ pauseMs: BOT_PAUSE_MS, hangoverMs: END_INCOMPLETE_MS });
  const slice = (startMs: number, endMs: number): Int16Array =>
    audio.subarray(Math.round(startMs * 16), Math.round(endMs * 16));
  const pauses: PauseTrace[] = [];
  let open: PauseTrace | null = null;
  let speechMs = 0;
  let utteranceStart: number | null = null;
  const pending: Array<Promise<void>> = [];
  try {
    for (const frame of chunkFrames(audio)) {
      for (const window of await stream.push(frame)) {
        const speaking = window.probability >= endpointer.options.activation;
        if (speaking && open) {
          open.silenceMs = window.startMs - open.atMs;
          open = null;
        }
        let started = false;
        for (const e of endpointer.push(window)) {
          if (e.type === 'speech_start') {
            utteranceStart = e.atMs;
            speechMs = Math.max(0, window.endMs - e.atMs);
            started = true;
            continue;
          }
          if (e.type === 'speech_pause') {
            const pause: PauseTrace = {
              atMs: e.endMs,
              silenceMs: Infinity,
              internal: e.endMs < lastGapEndMs - 50,
              evidence: { result: undefined, speechMs, language },
            };
            pauses.push(pause);
            open = pause;
            pending.push(
              recognize(slice(e.startMs, e.endMs)).then((r) => {
                pause.evidence = { ...pause.evidence, result: r };
              }),
            );
          }
          if (e.type === 'speech_end') {
            open = null;
            utteranceStart = null;
          }
        }
        if (speaking && !started && utteranceStart !== null && window.endMs > utteranceStart)
          speechMs += window.endMs - Math.max(window.startMs, utteranceStart);
      }
    }
  } finally {
    await stream.close();
  }
  await Promise.all(pending);
  return { pauses, speechEndMs };
}

export interface TurnOutcome {
  /** The turn ended inside the answer. */
  cutOff: boolean;
  /** The turn never ended (no pause long enough, even the hard maximum). */
  never: boolean;
  /** From the answer's last sound to the bot's decision (stream ms), when not cut off. */
  latencyMs: number | null;
  /** How the ending pause was judged. */
  judgement: TurnJudgement | null;
  /** The recognition the turn ended with (the whole answer when not cut off). */
  result: RecognitionResult | null;
}

/** Replays a rule on a trace: the first pause whose silence lasts what the rule asks for ends the turn. */
export function replayTurn(trace: TurnTrace, rule: TurnRule): TurnOutcome {
  for (const pause of trace.pauses) {
    const { judgement, silenceMs } = rule(pause.evidence);
    const wait = Math.min(silenceMs, END_INCOMPLETE_MS);
    if (pause.silenceMs < wait) continue;
    const result = pause.evidence.result ?? null;
    if (pause.internal) return { cutOff: true, never: false, latencyMs: null, judgement, result };
    return {
      cutOff: false,
      never: false,
      latencyMs: pause.atMs + wait - trace.speechEndMs,
      judgement,
      result,
    };
  }
  return { cutOff: false, never: true, latencyMs: null, judgement: null, result: null };
}

/** A rule set as a replayable rule. */
export const ruleOf =
  (rules: Readonly<TurnRules>): TurnRule =>
  (evidence) => {
    const judgement = judgeTurn(evidence, rules);
    return { judgement, silenceMs: endOfTurnSilenceMs(judgement, rules) };
  };

/** The bot's end of turn before issue 12's tuning: 250 ms confident, 350 ms unsure, 1,000 ms incomplete. */
export const BEFORE_RULES: Readonly<TurnRules> = Object.freeze({
  confidentMs: 250,
  hesitantMs: 250,
  unsureMs: 350,
  defaultMs: 350,
  incompleteMs: 1000,
  hesitantStarts: false,
  shortOfPhraseShare: 0,
  oneWordMs: 0,
});

/**
 * The rule sets every report compares: before, the fixed hangover of old, the product's rules,
 * and the product with one rule taken away at a time (what each rule buys, and what it costs).
 */
export const RULE_VARIANTS: ReadonlyArray<readonly [string, Readonly<TurnRules>]> = [
  [
    'fixed 350 ms hangover (the bot before issue 12)',
    { ...BEFORE_RULES, confidentMs: 350, unsureMs: 350, incompleteMs: 350 },
  ],
  ['adaptive 250 / 350 / 1,000 ms (before this tuning)', BEFORE_RULES],
  ['product (bot/turn-detector.ts TURN_RULES)', TURN_RULES],
  ['product without hesitant starts', { ...TURN_RULES, hesitantStarts: false }],
  ['product without short-of-phrase', { ...TURN_RULES, shortOfPhraseShare: 0 }],
  [
    `product with unsure at ${BEFORE_RULES.unsureMs} ms`,
    { ...TURN_RULES, unsureMs: BEFORE_RULES.unsureMs },
  ],
];
