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
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { chunkFrames } from '../../electron/engine/audio/index.js';
import { hesitationQuestion } from '../../electron/engine/bot/hesitations.js';
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
import {
  type PhraseModel,
  type QuestionSpec,
  type SpeechEmbedder,
  trainPhraseModel,
} from '../../electron/engine/speech/recognizers/index.js';
import { AskRecognizer } from '../../electron/engine/speech/recognizers/phrase/library.js';
import { Endpointer } from '../../electron/engine/speech/vad/endpointer.js';
import { EspeakWasmTts, FliteWasiTts } from '../../electron/engine/tts/index.js';
import { speechCacheDir } from '../../test/support/speech-cache-dir.js';

/** The audio around the last stretch that CallBot sends the hesitation spotter (its pre- and post-roll). */
const STRETCH_PRE_ROLL_MS = 200;
const STRETCH_POST_ROLL_MS = 100;

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
  spot?: (samples: Int16Array) => Promise<RecognitionResult>,
): Promise<TurnTrace> {
  const stream = vad.createStream(16_000);
  const endpointer = new Endpointer({ pauseMs: BOT_PAUSE_MS, hangoverMs: END_INCOMPLETE_MS });
  const slice = (startMs: number, endMs: number): Int16Array =>
    audio.subarray(Math.round(startMs * 16), Math.round(endMs * 16));
  const pauses: PauseTrace[] = [];
  let open: PauseTrace | null = null;
  let speechMs = 0;
  let utteranceStart: number | null = null;
  /** Where the words since the last pause began (the hesitation spotter hears them, as CallBot does). */
  let stretchStart: number | null = null;
  const pending: Array<Promise<void>> = [];
  try {
    for (const frame of chunkFrames(audio)) {
      for (const window of await stream.push(frame)) {
        const speaking = window.probability >= endpointer.options.activation;
        if (speaking && open) {
          open.silenceMs = window.startMs - open.atMs;
          open = null;
          stretchStart = window.startMs;
        }
        let started = false;
        for (const e of endpointer.push(window)) {
          if (e.type === 'speech_start') {
            utteranceStart = e.atMs;
            stretchStart = e.atMs;
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
            if (spot) {
              const from = Math.max(0, (stretchStart ?? e.startMs) - STRETCH_PRE_ROLL_MS);
              pending.push(
                spot(slice(from, e.endMs + STRETCH_POST_ROLL_MS)).then((r) => {
                  pause.evidence = { ...pause.evidence, hesitation: r };
                }),
              );
            }
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
  // As CallBot has it: a pause judged confident that the customer talked through.
  let answeredBefore = false;
  for (const pause of trace.pauses) {
    const { judgement, silenceMs } = rule({ ...pause.evidence, answeredBefore });
    const wait = Math.min(silenceMs, END_INCOMPLETE_MS);
    if (pause.silenceMs < wait) {
      if (judgement === 'confident' || judgement === 'spotted') answeredBefore = true;
      continue;
    }
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
  fillerMs: 0,
  fillerUncertain: false,
  fillerMaxMs: 0,
  fillerOverUnsure: false,
  fillerOverHesitant: false,
  fillerAfterAnswer: false,
  longSpeechMs: 0,
  longMs: 0,
  spottedMs: 0,
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
  ['product without the hesitation spotter', { ...TURN_RULES, fillerMs: 0 }],
  [
    'product without spotted answers (window matches wait as unsure)',
    { ...TURN_RULES, spottedMs: 0 },
  ],
  [
    `product with unsure at ${BEFORE_RULES.unsureMs} ms`,
    { ...TURN_RULES, unsureMs: BEFORE_RULES.unsureMs },
  ],
  [
    'product as of 43bbb93 (unsure 800 ms, a hesitation held after an answer too)',
    { ...TURN_RULES, unsureMs: 800, fillerAfterAnswer: true },
  ],
];

/**
 * Trains the hesitation spotter of each language (bot/hesitations.ts) the way the engine does: the
 * phrase trainer with the project's own voices (espeak-ng WASM, and flite for English).
 * UNDERSTANDING_MODELS_DIR (optional) keeps the models between runs, as spoken.ts does.
 */
export async function trainHesitationModels(
  embedder: SpeechEmbedder,
  progress: (line: string) => void,
  options: { engineCache?: boolean } = {},
): Promise<{
  models: Map<'en' | 'zh-CN', PhraseModel>;
  seconds: Map<'en' | 'zh-CN', number | null>;
}> {
  const wasm = new EspeakWasmTts();
  await wasm.init();
  const flite = new FliteWasiTts();
  const keep = process.env.UNDERSTANDING_MODELS_DIR;
  if (keep) await mkdir(keep, { recursive: true });
  const models = new Map<'en' | 'zh-CN', PhraseModel>();
  const seconds = new Map<'en' | 'zh-CN', number | null>();
  for (const language of ['en', 'zh-CN'] as const) {
    const question = hesitationQuestion(language);
    const key = JSON.stringify([
      question.language,
      question.phrases.map((p) => [p.text, p.intent]),
    ]);
    const file = keep
      ? join(keep, `hesitation-${Buffer.from(key).toString('base64url').slice(-40)}.json`)
      : null;
    const cached = file
      ? await readFile(file, 'utf8').then(
          (t) => JSON.parse(t) as PhraseModel,
          () => null,
        )
      : null;
    const found = (options.engineCache ? await fromEngineCache(question) : null) ?? cached;
    if (found) {
      models.set(language, found);
      seconds.set(language, null);
      continue;
    }
    progress(`training the ${language} hesitation spotter (${question.phrases.length} phrases)`);
    const started = performance.now();
    const model = await trainPhraseModel(question, {
      tts: wasm,
      extraEngines: [flite],
      embedder,
    });
    seconds.set(language, (performance.now() - started) / 1000);
    progress(`${language} hesitation spotter: ${seconds.get(language)!.toFixed(1)} s`);
    if (file) await writeFile(file, JSON.stringify(model));
    models.set(language, model);
  }
  return { models, seconds };
}

/**
 * The spotter the engine already trained (OUTBOUND_SPEECH_CACHE, the test suite's cache), found by
 * its phrases: for the tuning script on a machine too busy to train it twice.
 */
async function fromEngineCache(question: QuestionSpec): Promise<PhraseModel | null> {
  const dir = join(speechCacheDir(), 'phrase-models');
  const want = JSON.stringify(question.phrases.map((p) => [p.text, p.intent]));
  for (const name of await readdir(dir).catch(() => [])) {
    if (!name.endsWith('.json')) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    if (!text.includes(question.phrases[0]!.text)) continue;
    const model = JSON.parse(text) as PhraseModel & {
      language?: string;
      classes?: Array<{ phrase: string | null; intent: string | null }>;
    };
    const have = (model.classes ?? []).filter((c) => c.intent !== null && c.phrase !== null);
    if (
      model.language === question.language &&
      JSON.stringify(have.map((c) => [c.phrase, c.intent])) === want
    )
      return model;
  }
  return null;
}

/** Hears samples with a hesitation spotter alone (as the speech worker does for CallBot). */
export async function spotHesitation(
  model: PhraseModel,
  embedder: SpeechEmbedder,
  samples: Int16Array,
): Promise<RecognitionResult> {
  const recognizer = new AskRecognizer({ question: model, embedder });
  recognizer.start({ startMs: 0 });
  for (const frame of chunkFrames(samples)) recognizer.push(frame);
  return recognizer.finish();
}
