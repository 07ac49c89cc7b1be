/**
 * Interruption: decides whether customer speech that paused a prompt was a real barge-in or a
 * false interruption (a cough, a click, a backchannel such as "嗯", "对", "uh-huh", "ok"), in the
 * spirit of LiveKit agents-js' false-interruption resume. Pure: fed VAD windows (stream time),
 * recognition results and the utterance's end; the bot acts on its verdict.
 *
 * The prompt is paused at the first confirmed speech (so a real barge-in stops the bot as fast as
 * before); the pause becomes a barge-in when
 *   - the customer has spoken MIN_BARGE_IN_SPEECH_MS of VAD speech (windows ≥ activation), or
 *   - the question's recognizer found an answer (not a bare backchannel, unless the question is
 *     all but said: then "对" / "yeah" answers it);
 * and a false interruption (the prompt resumes) when the customer is silent again for
 * RESUME_AFTER_SILENCE_MS with neither, or the utterance ended with neither.
 */
import type { RecognitionResult } from '../speech/index.js';

/*
 * Why these numbers: backchannels and coughs are short: "嗯", "对", "ok", "uh-huh" spoken by
 * espeak-ng and in the Asterisk prompts last 200–450 ms of VAD speech, "mm-hmm" up to ~500 ms, a
 * cough 150–400 ms; an answer that is not a single word ("no, not tomorrow", "talk to a person")
 * passes 500 ms of speech while it is still being said. A one-word answer ("no", "是") is shorter,
 * but the question's recognizer names it. RESUME_AFTER_SILENCE_MS: longer than the pause inside a
 * sentence at normal speed (≤ 288 ms, speech/vad/endpointer.ts), so a customer who pauses after
 * "well," is not talked over; short enough that the prompt's gap stays under half a second.
 */
export const MIN_BARGE_IN_SPEECH_MS = 500;
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

/** One customer utterance, from its speech_start: how much of it was speech, and the verdict once there is one. */
export class InterruptionDetector {
  private speech: number;
  private pendingRecognitions = 0;
  private backchannel: string | undefined;
  private ended = false;
  private decided: InterruptionVerdict | null = null;

  constructor(
    /** Stream time the utterance started (speech_start atMs). */
    readonly startMs: number,
    /** Stream time reached when speech_start was reported (the speech so far is minSpeechMs). */
    nowMs: number,
  ) {
    this.speech = Math.max(0, nowMs - startMs);
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
    if (this.decided || this.ended) return null;
    if (window.probability >= SPEECH_PROBABILITY && window.endMs > this.startMs)
      this.speech += window.endMs - Math.max(window.startMs, this.startMs);
    if (this.speech >= MIN_BARGE_IN_SPEECH_MS)
      return this.decide({ kind: 'barge_in', reason: 'speech', speechMs: this.speech });
    if (
      silenceStartMs !== undefined &&
      window.endMs - silenceStartMs >= RESUME_AFTER_SILENCE_MS &&
      this.pendingRecognitions === 0
    )
      return this.falseInterruption();
    return null;
  }

  /** A recognition of (part of) this utterance was started; its result is awaited before a resume. */
  recognitionStarted(): void {
    this.pendingRecognitions++;
  }

  /**
   * A recognition result for this utterance (null: no model for the current node, or it failed).
   * `nearEnd`: the prompt it paused is a question with at most ANSWER_NEAR_END_MS left to say.
   */
  recognized(result: Recognition | null, nearEnd: boolean): InterruptionVerdict | null {
    this.pendingRecognitions = Math.max(0, this.pendingRecognitions - 1);
    if (this.decided) return null;
    if (result && !result.noMatch && result.intent !== undefined && result.uncertain !== true) {
      const said = result.text ?? result.phrase;
      if (!isBackchannel(said) || nearEnd)
        return this.decide({
          kind: 'barge_in',
          reason: 'recognized',
          speechMs: this.speech,
          intent: result.intent,
        });
      this.backchannel = said;
    }
    if (this.ended && this.pendingRecognitions === 0) return this.falseInterruption();
    return null;
  }

  /** The endpointer closed the utterance. */
  speechEnded(): InterruptionVerdict | null {
    this.ended = true;
    if (this.decided || this.pendingRecognitions > 0) return null;
    return this.falseInterruption();
  }

  private falseInterruption(): InterruptionVerdict {
    return this.decide(
      this.backchannel !== undefined
        ? {
            kind: 'false_interruption',
            cause: 'backchannel',
            speechMs: this.speech,
            text: this.backchannel,
          }
        : { kind: 'false_interruption', cause: 'short_speech', speechMs: this.speech },
    );
  }

  private decide(verdict: InterruptionVerdict): InterruptionVerdict {
    this.decided = verdict;
    return verdict;
  }
}
