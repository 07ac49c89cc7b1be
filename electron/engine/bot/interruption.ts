/**
 * Interruption: decides whether customer speech that paused a prompt was a real barge-in or a
 * false interruption (a cough, a click, a backchannel such as "嗯", "对", "uh-huh", "ok"), in the
 * spirit of LiveKit agents-js' false-interruption resume. Pure: fed VAD windows (stream time),
 * recognition results and the utterance's end; the bot acts on its verdict.
 *
 * The prompt is paused at the first confirmed speech (so a real barge-in stops the bot as fast as
 * before); a paused prompt is silent either way, so the verdict may wait for the customer's first
 * pause and its speculative recognition:
 *   - still talking after SURE_BARGE_IN_SPEECH_MS of VAD speech: a barge-in at once (longer than
 *     any backchannel measured);
 *   - the question's recognizer found an answer that is not a backchannel: a barge-in;
 *   - a backchannel (its text, or an intent that answers "yes", said in under
 *     SURE_BARGE_IN_SPEECH_MS): a false interruption, unless the question is all but said (the
 *     last ANSWER_NEAR_END_MS: then "对" / "yeah" answers it);
 *   - otherwise, once the customer has been silent RESUME_AFTER_SILENCE_MS (or the utterance
 *     ended) with no recognition pending: MIN_BARGE_IN_SPEECH_MS of speech or more is a
 *     barge-in, less is a false interruption (a cough, a click, a word the question does not
 *     expect).
 */
import type { RecognitionResult } from '../speech/index.js';

/*
 * Measured (bot/testing/measure-backchannels.ts: Silero windows >= 0.5 in espeak-ng clips at 140,
 * 175 and 210 wpm, 16 and 8 kHz): backchannels hold 224-384 ms of VAD speech ("嗯"), 352-512
 * ("yeah", "right"), 320-608 ("对", "uh-huh"), 416-672 ("ok", "okay"), 480-768 ("mm-hmm"),
 * 416-800 ("是的") and 736-1,120 ms ("对对", "好的"); answers of more than one word 800-2,656 ms
 * ("talk to a person" 800-1,152, "no, not tomorrow" 960-1,568, "转人工" 1,216-1,728); one-word
 * answers 288-896 ms ("no", "yes", "不是"), which the recognizer names. A noise burst like a cough
 * (150-400 ms) never reached 0.5. So: 700 ms of unrecognized speech is a barge-in (9 of the 11
 * backchannel words stay under it at every speed), 1,200 ms is one whatever the recognizer says.
 * RESUME_AFTER_SILENCE_MS: longer than a pause inside a sentence at normal speed (<= 288 ms,
 * speech/vad/endpointer.ts), so a customer who pauses after "well," is not talked over.
 */
export const MIN_BARGE_IN_SPEECH_MS = 700;
/**
 * The same for a prompt with no question model (a say node): nothing is being asked, so only
 * speech longer than every measured backchannel (up to 1,120 ms: "对对", "好的" at 140 wpm) stops it
 * for good; over the bed, 3 of 16 Mandarin backchannels from voices training never used went past
 * 700 ms and stopped say prompts (bench/bot.bench.ts).
 */
export const SAY_MIN_BARGE_IN_SPEECH_MS = 1150;
export const SURE_BARGE_IN_SPEECH_MS = 1200;
export const RESUME_AFTER_SILENCE_MS = 400;
/** A backchannel said over the last this-many ms of a question answers it. */
export const ANSWER_NEAR_END_MS = 600;
/** A VAD window at or above this probability counts as speech (the endpointer's activation). */
const SPEECH_PROBABILITY = 0.5;

/** Recognized text normalized for the word lists: lower case, no punctuation or spaces. */
function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\s\p{P}]+/gu, '')
    .trim();
}

const BACKCHANNELS = new Set(
  [
    // English
    'uh-huh',
    'uh huh',
    'mm-hmm',
    'mhm',
    'mm',
    'hmm',
    'ok',
    'okay',
    'yeah',
    'yep',
    'right',
    'i see',
    'got it',
    'alright',
    'all right',
    // Mandarin
    '嗯',
    '嗯嗯',
    '对',
    '对对',
    '对对对',
    '是',
    '是的',
    '好',
    '好的',
    '哦',
    '噢',
    '啊',
    '行',
    '明白',
  ].map(normalize),
);

/** True for a bare backchannel ("嗯", "对", "uh-huh", "ok"): the customer listening, not answering. */
export function isBackchannel(text: string | undefined): boolean {
  return text !== undefined && BACKCHANNELS.has(normalize(text));
}

export type InterruptionVerdict =
  | {
      kind: 'barge_in';
      /** 'speech': enough of it; 'recognized': the recognizer found an answer. */
      reason: 'speech' | 'recognized';
      speechMs: number;
      intent?: string;
    }
  | {
      kind: 'false_interruption';
      /** 'backchannel': recognized as one; 'short_speech': too short and not an answer (a cough, a click, a word the question does not expect). */
      cause: 'backchannel' | 'short_speech';
      speechMs: number;
      text?: string;
    };

/** A recognition result with the accept/reject band the recognizers are gaining (issue 12). */
type Recognition = RecognitionResult & { uncertain?: boolean };

/** What the bot knows about the prompt a recognition result is weighed against. */
export interface RecognitionContext {
  /** The prompt is a question with at most ANSWER_NEAR_END_MS left to say. */
  nearEnd: boolean;
  /** The question's intents that mean "yes" (they use the library's affirm): said briefly, a backchannel. */
  affirmIntents: ReadonlySet<string>;
  /**
   * The result comes from the backchannel spotter (a prompt with no question model, e.g. a say
   * node: the library's affirm alone): an affirm, even one it is unsure of, said in under
   * SURE_BARGE_IN_SPEECH_MS is a backchannel; anything else leaves the verdict to the speech's length.
   */
  spotter?: boolean;
}

/** One customer utterance, from its speech_start: how much of it was speech, and the verdict once there is one. */
export class InterruptionDetector {
  private speech: number;
  private pendingRecognitions = 0;
  private backchannel: string | undefined;
  private ended = false;
  private decided: InterruptionVerdict | null = null;
  private minBargeInMs = MIN_BARGE_IN_SPEECH_MS;

  constructor(
    /** Stream time the utterance started (speech_start atMs). */
    readonly startMs: number,
    /** Stream time reached when speech_start was reported (the speech so far is minSpeechMs). */
    nowMs: number,
  ) {
    this.speech = Math.max(0, nowMs - startMs);
  }

  /** The speech paused a prompt that asks nothing (a say node): it needs SAY_MIN_BARGE_IN_SPEECH_MS. */
  pausedPromptWithoutQuestion(): void {
    this.minBargeInMs = SAY_MIN_BARGE_IN_SPEECH_MS;
  }

  get speechMs(): number {
    return this.speech;
  }

  get verdict(): InterruptionVerdict | null {
    return this.decided;
  }

  /**
   * One VAD window of the utterance. `silenceStartMs`: where the customer's current silence began
   * (the endpointer's), undefined while speaking.
   */
  window(
    window: { probability: number; startMs: number; endMs: number },
    silenceStartMs: number | undefined,
  ): InterruptionVerdict | null {
    if (this.ended) return null;
    // Counted after a verdict too: the end of turn weighs the speech so far (bot/turn-detector.ts).
    if (window.probability >= SPEECH_PROBABILITY && window.endMs > this.startMs)
      this.speech += window.endMs - Math.max(window.startMs, this.startMs);
    if (this.decided) return null;
    if (this.speech >= SURE_BARGE_IN_SPEECH_MS)
      return this.decide({ kind: 'barge_in', reason: 'speech', speechMs: this.speech });
    if (
      silenceStartMs !== undefined &&
      window.endMs - silenceStartMs >= RESUME_AFTER_SILENCE_MS &&
      this.pendingRecognitions === 0
    )
      return this.settle();
    return null;
  }

  /** A recognition of (part of) this utterance was started; its result is awaited before a resume. */
  recognitionStarted(): void {
    this.pendingRecognitions++;
  }

  /** A recognition result for this utterance (null: no model for the current node, or it failed). */
  recognized(result: Recognition | null, context: RecognitionContext): InterruptionVerdict | null {
    this.pendingRecognitions = Math.max(0, this.pendingRecognitions - 1);
    if (this.decided) return null;
    if (context.spotter === true) {
      if (
        result &&
        !result.noMatch &&
        result.intent !== undefined &&
        context.affirmIntents.has(result.intent) &&
        this.speech < SURE_BARGE_IN_SPEECH_MS
      )
        this.backchannel = result.text ?? result.phrase ?? result.intent;
    } else if (
      result &&
      !result.noMatch &&
      result.intent !== undefined &&
      result.uncertain !== true
    ) {
      const said = result.text ?? result.phrase;
      const backchannel =
        isBackchannel(said) ||
        (context.affirmIntents.has(result.intent) && this.speech < SURE_BARGE_IN_SPEECH_MS);
      if (!backchannel || context.nearEnd)
        return this.decide({
          kind: 'barge_in',
          reason: 'recognized',
          speechMs: this.speech,
          intent: result.intent,
        });
      this.backchannel = said ?? result.intent;
    }
    if (this.ended && this.pendingRecognitions === 0) return this.settle();
    return null;
  }

  /** The endpointer closed the utterance. */
  speechEnded(): InterruptionVerdict | null {
    this.ended = true;
    if (this.decided || this.pendingRecognitions > 0) return null;
    return this.settle();
  }

  /** The customer stopped with no answer recognized: a backchannel, or decided by how long they spoke. */
  private settle(): InterruptionVerdict {
    if (this.backchannel !== undefined)
      return this.decide({
        kind: 'false_interruption',
        cause: 'backchannel',
        speechMs: this.speech,
        text: this.backchannel,
      });
    if (this.speech >= this.minBargeInMs)
      return this.decide({ kind: 'barge_in', reason: 'speech', speechMs: this.speech });
    return this.decide({
      kind: 'false_interruption',
      cause: 'short_speech',
      speechMs: this.speech,
    });
  }

  private decide(verdict: InterruptionVerdict): InterruptionVerdict {
    this.decided = verdict;
    return verdict;
  }
}
