/**
 * SpeechHandle: one prompt the bot says, as an object with a life of its own (in the spirit of
 * LiveKit agents-js `SpeechHandle`). It plays the prompt's parts through the call as each is
 * rendered (the first sentence starts while the rest synthesize), and can be
 *
 * - paused: the call's player is flushed at once (the customer started talking) and the cut point
 *   is kept; `resume()` plays on from there, backing off RESUME_BACKOFF_MS so the cut word is heard
 *   whole (LiveKit's false-interruption resume);
 * - interrupted: stopped for good (a real barge-in, a hang-up, the dialog cancelled);
 * - waited for: `waitForPlayout()` resolves once it has played to the end or was interrupted.
 *
 * A prompt that does not allow interruptions (a legal disclosure, `bargeIn: false`) is never
 * paused; only `interrupt({ force: true })` (hang-up, takeover) stops it. Positions are in ms of
 * the prompt's own audio; `state` says where it is, for tests and the call's events.
 */
import type { PlaybackResult } from '../telephony/index.js';

const FRAME_MS = 20;
/** How far back a resumed prompt starts from its cut point: about one short word. */
export const RESUME_BACKOFF_MS = 200;

export type SpeechState = 'playing' | 'paused' | 'interrupted' | 'done';

/** The part of a call a prompt plays through (CallSession has it). */
export interface SpeechPlayer {
  play(frames: Int16Array[]): Promise<PlaybackResult>;
  stopPlayback(): void;
  readonly isUp: boolean;
}

export interface PlayoutResult {
  /** Every frame of every part played. */
  completed: boolean;
  /** How far into the prompt's audio it got (ms). */
  positionMs: number;
  /** Wall-clock time it stopped for good when not completed (the pause a barge-in confirmed, or the interrupt). */
  stoppedAt: number | null;
  /** How many times it was paused and resumed. */
  resumes: number;
  /** A part failed to render (what rendered before it played). */
  error?: unknown;
}

export interface SpeechHandleOptions {
  allowInterruptions: boolean;
  /** Called as a paused prompt plays on: where it was cut and where it starts again (ms of its audio). */
  onResume?(cutAtMs: number, resumeAtMs: number): void;
  now?: () => number;
}

let nextId = 1;

export class SpeechHandle {
  readonly id = `speech-${nextId++}`;
  readonly allowInterruptions: boolean;
  private mode: SpeechState = 'playing';
  /** Bumped by every pause: a play loop round that saw a pause replays from the cut. */
  private pauses = 0;
  private resumes = 0;
  private positionFrames = 0;
  private stoppedAt: number | null = null;
  private pausedAt: number | null = null;
  private wakeLoop: (() => void) | null = null;
  private readonly done: Promise<PlayoutResult>;
  private readonly now: () => number;
  /** Frames of each part once rendered (undefined until then). */
  private readonly partFrames: Array<number | undefined>;

  constructor(
    private readonly player: SpeechPlayer,
    /** The prompt's parts in order, each its 20 ms frames once rendered. */
    private readonly parts: ReadonlyArray<Promise<Int16Array[]>>,
    private readonly options: SpeechHandleOptions,
  ) {
    this.allowInterruptions = options.allowInterruptions;
    this.now = options.now ?? Date.now;
    this.partFrames = parts.map(() => undefined);
    // A later part's failure is met when the loop reaches it, never as an unhandled rejection.
    for (const [i, part] of parts.entries())
      void part.then(
        (frames) => (this.partFrames[i] = frames.length),
        () => undefined,
      );
    this.done = this.run();
  }

  get state(): SpeechState {
    return this.mode;
  }

  /** How far into the prompt's audio it has played (ms, as of the last stop or part end). */
  get positionMs(): number {
    return this.positionFrames * FRAME_MS;
  }

  /** What is left to say from the current position (ms); Infinity while a part is still rendering. */
  get remainingMs(): number {
    let total = 0;
    for (const frames of this.partFrames) {
      if (frames === undefined) return Infinity;
      total += frames;
    }
    return Math.max(0, total - this.positionFrames) * FRAME_MS;
  }

  get isPaused(): boolean {
    return this.mode === 'paused';
  }

  /** Resolves when the prompt played to its end, or was interrupted (never rejects). */
  waitForPlayout(): Promise<PlayoutResult> {
    return this.done;
  }

  /**
   * Stops the prompt at once and keeps the cut point. False (and nothing happens) when it cannot
   * be interrupted or is not playing.
   */
  pause(): boolean {
    if (!this.allowInterruptions || this.mode !== 'playing') return false;
    this.mode = 'paused';
    this.pauses++;
    this.pausedAt = this.now();
    this.player.stopPlayback();
    return true;
  }

  /** Plays on from the cut point (less RESUME_BACKOFF_MS). False when it is not paused. */
  resume(): boolean {
    if (this.mode !== 'paused') return false;
    this.mode = 'playing';
    this.pausedAt = null;
    this.wakeLoop?.();
    return true;
  }

  /**
   * Stops for good. A prompt that does not allow interruptions ignores this unless `force` (the
   * call is going away: hang-up, takeover, the dialog cancelled).
   */
  interrupt(options: { force?: boolean } = {}): boolean {
    if (this.mode === 'done' || this.mode === 'interrupted') return false;
    if (!this.allowInterruptions && !options.force) return false;
    const wasPlaying = this.mode === 'playing';
    // A paused prompt stopped for good stopped when it was paused (that is where the customer cut it).
    this.stoppedAt = this.pausedAt ?? this.now();
    this.mode = 'interrupted';
    if (wasPlaying) this.player.stopPlayback();
    this.wakeLoop?.();
    return true;
  }

  private async run(): Promise<PlayoutResult> {
    let error: unknown;
    try {
      await this.playLoop();
    } catch (e) {
      error = e;
      if (this.mode === 'playing' || this.mode === 'paused') {
        this.mode = 'interrupted';
        this.stoppedAt = this.now();
      }
    }
    return {
      completed: this.mode === 'done',
      positionMs: this.positionMs,
      stoppedAt: this.mode === 'done' ? null : this.stoppedAt,
      resumes: this.resumes,
      ...(error !== undefined ? { error } : {}),
    };
  }

  private async playLoop(): Promise<void> {
    let cutFrames: number | null = null;
    for (;;) {
      if (this.mode === 'interrupted') return;
      if (this.mode === 'paused') {
        await new Promise<void>((resolve) => (this.wakeLoop = resolve));
        this.wakeLoop = null;
        continue;
      }
      if (cutFrames !== null) {
        // Resumed: back off so the word that was cut is heard whole.
        const from = Math.max(0, cutFrames - RESUME_BACKOFF_MS / FRAME_MS);
        this.positionFrames = from;
        this.resumes++;
        this.options.onResume?.(cutFrames * FRAME_MS, from * FRAME_MS);
        // (cutFrames is set again by the next pause; every other way out of the round returns.)
      }
      const round = this.pauses;
      const segmentStart = this.positionFrames;
      const plays: Array<Promise<number>> = [];
      let stoppedEarly = false;
      let queuedAll = true;
      let offset = 0;
      let renderError: unknown;
      for (const part of this.parts) {
        let frames: Int16Array[];
        try {
          frames = await part;
        } catch (e) {
          renderError = e;
          queuedAll = false;
          break;
        }
        const from = segmentStart - offset;
        offset += frames.length;
        if (from >= frames.length) continue; // played before the cut
        // Paused, interrupted or cut from outside while this part rendered: the rest waits or goes.
        if (this.mode !== 'playing' || this.pauses !== round || stoppedEarly || !this.player.isUp) {
          queuedAll = false;
          break;
        }
        const slice = from > 0 ? frames.slice(from) : frames;
        plays.push(
          this.player.play(slice).then((played) => {
            if (!played.completed) stoppedEarly = true;
            return played.completed ? slice.length : played.playedFrames;
          }),
        );
      }
      // Even when a later part failed to render: what was queued plays out (or is cut) first.
      const played = (await Promise.all(plays)).reduce((sum, n) => sum + n, 0);
      this.positionFrames = segmentStart + played;
      if (this.pauses !== round) {
        // Paused during this round (and maybe resumed since): play on from the cut.
        cutFrames = this.positionFrames;
        continue;
      }
      if (renderError !== undefined) throw renderError;
      if (this.mode !== 'playing') return; // interrupted
      if (queuedAll && !stoppedEarly) {
        this.mode = 'done';
        return;
      }
      // Stopped from outside (the call ended, the player was flushed for a takeover).
      this.mode = 'interrupted';
      this.stoppedAt = this.now();
      return;
    }
  }
}
