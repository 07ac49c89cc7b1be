/**
 * Answering-machine detection from the first seconds after the answer, in the manner of Asterisk's
 * app_amd (energy-based: initial silence, greeting length, word count, silence after the
 * greeting) with Twilio's asynchronous use (the bot or agent starts at once; the decision comes
 * when it is ready and may redirect the call) and a beep detector for the end of a voicemail
 * greeting.
 *
 * A person answers with a short greeting ("hello?", "喂？", "hello, who is this") and waits: the
 * silence after it decides `human`. A machine talks on: a greeting longer than `maxGreetingMs`,
 * or more than `maxWords` words, or a beep decides `machine`. Nothing said for
 * `initialSilenceMs`, or no decision by `maxAnalysisMs`, is `unknown` (the campaign treats it as a
 * person). After a machine decision the detector keeps listening for the beep and for the end of
 * the greeting (silence), which is when a message can be left.
 *
 * Pure and synchronous: 20 ms frames of 16 kHz Int16 in, events out, times in ms from the first
 * frame (the answer). Its voice activity is energy against an adaptive noise floor, as app_amd's
 * is: cheap enough to run on every call beside the bot's own Silero VAD, and blind to the
 * language.
 */
import { type Beep, BeepDetector, type BeepOptions } from './beep.js';

export type AmdResult = 'human' | 'machine' | 'unknown';

/** Why the detector decided as it did. */
export type AmdReason =
  /** A short greeting, then silence: a person waiting for an answer. */
  | 'short_greeting'
  /** A greeting that went on past maxGreetingMs. */
  | 'long_greeting'
  /** More words than a person says before waiting for an answer. */
  | 'many_words'
  /** A voicemail beep. */
  | 'beep'
  /** Nothing said for initialSilenceMs. */
  | 'initial_silence'
  /** No decision within maxAnalysisMs. */
  | 'max_time';

export interface AmdDecision {
  result: AmdResult;
  /**
   * A machine decision that follows a human one: the "person" paused after a first sentence and
   * went on talking as a recorded greeting does. The human decision came first so that a person
   * is never kept waiting; this one redirects the call.
   */
  revised: boolean;
  reason: AmdReason;
  /** When it was decided, ms from the answer. */
  atMs: number;
  /** Silence before the first speech (ms; the whole wait when nothing was said). */
  initialSilenceMs: number;
  /** From the first speech to the last speech heard so far, ms (0 when nothing was said). */
  greetingMs: number;
  words: number;
}

export type AmdEvent =
  | { type: 'decision'; decision: AmdDecision }
  /** A beep long enough to count (`phase: 'start'`), and its end (`phase: 'end'`), when a message may begin. */
  | { type: 'beep'; phase: 'start' | 'end'; beep: Beep }
  /** After a machine decision: silence long enough to say the greeting is over (no beep heard). */
  | { type: 'greeting_end'; atMs: number; silenceMs: number };

export interface AmdTuning {
  /** Nothing said for this long: unknown. */
  initialSilenceMs: number;
  /** A greeting (first speech to now, pauses included) this long: machine. */
  maxGreetingMs: number;
  /** This many words: machine. */
  maxWords: number;
  /** Silence after a greeting shorter than shortGreetingMs that decides human. */
  shortSilenceMs: number;
  shortGreetingMs: number;
  /** Silence after a longer greeting that decides human. */
  longSilenceMs: number;
  /** No decision by then: unknown. A human decision may still turn into a machine one until then. */
  maxAnalysisMs: number;
  /** After a human decision, speech that goes on this long (pauses shorter than longSilenceMs) revises it to machine. */
  resumedGreetingMs: number;
  /** A beep until this long after the answer revises a human decision (a person does not beep). */
  beepRevisesWithinMs: number;
  /** A voiced stretch this long counts as a word… */
  minWordMs: number;
  /** …and words are apart when this much silence lies between them. */
  betweenWordsMs: number;
  /** Speech is louder than this (dBFS)… */
  speechDb: number;
  /** …and this far above the noise floor (dB). */
  floorMarginDb: number;
  /** After a machine decision, silence this long is the greeting's end. */
  greetingEndSilenceMs: number;
}

/**
 * Tuned on bench/amd/tuning.tsv and bench/amd/dev.tsv only (never on the evaluation set); see
 * docs/BENCHMARKS.md. The dev set's Mandarin answers ("喂，您好，请问哪位？", "嗯，对，是我。")
 * set the last three changes: a person who says "喂，" and, after the comma's pause, goes on for a
 * second ("…对，是我") or says it again ("喂？哪位？") had been revised to a machine
 * (resumedGreetingMs 1000 → 2000); Mandarin's syllables apart by 80–150 ms counted as words
 * (betweenWordsMs 80 → 150); and slow Mandarin answers run past 1.8 s (maxGreetingMs 1800 → 2200,
 * which delays machine decisions: tuning set median 2.18 → 2.94 s).
 */
export const AMD_TUNING: AmdTuning = {
  initialSilenceMs: 3500,
  maxGreetingMs: 2200,
  maxWords: 5,
  shortSilenceMs: 250,
  shortGreetingMs: 1000,
  longSilenceMs: 450,
  maxAnalysisMs: 5000,
  resumedGreetingMs: 2000,
  beepRevisesWithinMs: 15_000,
  minWordMs: 100,
  betweenWordsMs: 150,
  speechDb: -42,
  floorMarginDb: 12,
  greetingEndSilenceMs: 1200,
};

const FRAME_MS = 20;

export interface AmdDetectorOptions {
  tuning?: Partial<AmdTuning>;
  beep?: BeepOptions;
  sampleRate?: number;
}

export class AmdDetector {
  readonly tuning: AmdTuning;
  private readonly beeps: BeepDetector;
  private readonly frameSamples: number;
  private readonly pending: Int16Array;
  private pendingLength = 0;
  private frames = 0;
  /** The noise floor, dBFS: from the first frame (capped, in case the answer starts with speech). */
  private floorDb: number | null = null;
  /** Consecutive loud frames (an onset needs two, so a click is not speech). */
  private loudRun = 0;
  private inSpeech = false;
  private firstSpeechMs: number | null = null;
  private lastSpeechMs: number | null = null;
  private words = 0;
  private wordStartMs: number | null = null;
  private wordCounted = false;
  private decisionMade: AmdDecision | null = null;
  /** Start of the speech run after a human decision (pauses shorter than longSilenceMs join it). */
  private resumedAtMs: number | null = null;
  private greetingEnded = false;

  constructor(options: AmdDetectorOptions = {}) {
    this.tuning = { ...AMD_TUNING, ...options.tuning };
    const rate = options.sampleRate ?? 16_000;
    this.frameSamples = Math.round((rate * FRAME_MS) / 1000);
    this.pending = new Int16Array(this.frameSamples);
    this.beeps = new BeepDetector({ ...options.beep, sampleRate: rate });
  }

  get decision(): AmdDecision | null {
    return this.decisionMade;
  }

  /** Time heard so far, ms. */
  get elapsedMs(): number {
    return this.frames * FRAME_MS;
  }

  /** Any number of samples; the detector works in 20 ms frames and returns what they gave. */
  push(samples: Int16Array): AmdEvent[] {
    const events: AmdEvent[] = [];
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(this.frameSamples - this.pendingLength, samples.length - offset);
      this.pending.set(samples.subarray(offset, offset + take), this.pendingLength);
      this.pendingLength += take;
      offset += take;
      if (this.pendingLength === this.frameSamples) {
        this.pendingLength = 0;
        this.frame(this.pending, events);
      }
    }
    return events;
  }

  private frame(frame: Int16Array, events: AmdEvent[]): void {
    const t = this.tuning;
    const startMs = this.frames * FRAME_MS;
    this.frames++;
    const nowMs = this.frames * FRAME_MS;

    const beep = this.beeps.push(frame);
    if (beep.started) events.push({ type: 'beep', phase: 'start', beep: beep.started });
    if (beep.ended) events.push({ type: 'beep', phase: 'end', beep: beep.ended });

    // Voice activity: energy over an adaptive floor (falls at once, rises 3 dB a second).
    let sum = 0;
    for (let i = 0; i < frame.length; i++) sum += (frame[i] ?? 0) * (frame[i] ?? 0);
    const db = 10 * Math.log10(sum / frame.length / (32768 * 32768) + 1e-12);
    const floor = this.floorDb ?? Math.min(db, t.speechDb + 7);
    this.floorDb = db < floor ? db : Math.min(db, floor + (3 * FRAME_MS) / 1000);
    const loud = db > t.speechDb && db > this.floorDb + t.floorMarginDb && beep.toneHz === null;
    this.loudRun = loud ? this.loudRun + 1 : 0;

    if (this.loudRun >= 2) {
      const onsetMs = startMs - FRAME_MS;
      if (!this.inSpeech) {
        this.inSpeech = true;
        this.firstSpeechMs ??= onsetMs;
        const gap = this.lastSpeechMs === null ? Infinity : onsetMs - this.lastSpeechMs;
        if (gap >= t.betweenWordsMs || this.wordStartMs === null) {
          this.wordStartMs = onsetMs;
          this.wordCounted = false;
        }
        this.greetingEnded = false;
      }
      this.lastSpeechMs = nowMs;
      if (
        !this.wordCounted &&
        this.wordStartMs !== null &&
        nowMs - this.wordStartMs >= t.minWordMs
      ) {
        this.wordCounted = true;
        this.words++;
      }
    } else if (!loud) {
      this.inSpeech = false;
    }

    if (this.decisionMade === null) {
      const verdict = this.judge(nowMs, beep.started !== null);
      if (verdict) this.decide(verdict[0], verdict[1], nowMs, false, events);
    } else if (
      this.decisionMade.result === 'human' &&
      beep.started &&
      nowMs <= t.beepRevisesWithinMs
    ) {
      this.decide('machine', 'beep', nowMs, true, events);
    } else if (this.decisionMade.result === 'human' && nowMs <= t.maxAnalysisMs) {
      // A recorded greeting may pause after its first sentence ("Hi, this is Dana. … I'm away"):
      // speech that goes on after the human decision, as a person waiting for an answer would not.
      if (this.inSpeech) {
        this.resumedAtMs ??= nowMs - 2 * FRAME_MS; // the onset: two loud frames
        if (nowMs - this.resumedAtMs >= t.resumedGreetingMs)
          this.decide('machine', 'long_greeting', nowMs, true, events);
      } else if (this.resumedAtMs !== null && this.lastSpeechMs !== null) {
        if (nowMs - this.lastSpeechMs >= t.longSilenceMs) this.resumedAtMs = null;
      }
    } else if (
      this.decisionMade.result === 'machine' &&
      !this.greetingEnded &&
      !this.inSpeech &&
      this.lastSpeechMs !== null &&
      nowMs - this.lastSpeechMs >= t.greetingEndSilenceMs
    ) {
      this.greetingEnded = true;
      events.push({ type: 'greeting_end', atMs: nowMs, silenceMs: nowMs - this.lastSpeechMs });
    }
  }

  private decide(
    result: AmdResult,
    reason: AmdReason,
    nowMs: number,
    revised: boolean,
    events: AmdEvent[],
  ): void {
    this.decisionMade = {
      result,
      revised,
      reason,
      atMs: nowMs,
      initialSilenceMs: this.firstSpeechMs ?? nowMs,
      greetingMs:
        this.firstSpeechMs === null || this.lastSpeechMs === null
          ? 0
          : this.lastSpeechMs - this.firstSpeechMs,
      words: this.words,
    };
    events.push({ type: 'decision', decision: this.decisionMade });
  }

  private judge(nowMs: number, beep: boolean): [AmdResult, AmdReason] | null {
    const t = this.tuning;
    if (beep) return ['machine', 'beep'];
    if (this.firstSpeechMs === null)
      return nowMs >= t.initialSilenceMs ? ['unknown', 'initial_silence'] : null;
    const greetingMs = (this.lastSpeechMs ?? nowMs) - this.firstSpeechMs;
    if (this.inSpeech && nowMs - this.firstSpeechMs >= t.maxGreetingMs)
      return ['machine', 'long_greeting'];
    if (this.words >= t.maxWords) return ['machine', 'many_words'];
    if (!this.inSpeech && this.lastSpeechMs !== null) {
      const silence = nowMs - this.lastSpeechMs;
      const needed = greetingMs < t.shortGreetingMs ? t.shortSilenceMs : t.longSilenceMs;
      if (silence >= needed) return ['human', 'short_greeting'];
    }
    if (nowMs >= t.maxAnalysisMs) return ['unknown', 'max_time'];
    return null;
  }
}
