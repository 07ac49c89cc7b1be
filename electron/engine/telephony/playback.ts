/**
 * The engine's side of a call's playback: holds the frames still to send and keeps a small lead
 * of them in the media host's player. The page's audio clock sets the pace, not an engine timer
 * (a timer drifts against it and the buffer then grows without bound, see TESTBED.md): the player
 * reports what it has played, and between reports the engine extrapolates from the last one at
 * the audio rate, so a report that arrives late (a busy page or engine) does not starve the
 * player. `stop()` drops what is queued here and flushes the player (barge-in).
 */
import { FRAME_MS, SAMPLES_PER_FRAME } from '../api/audio-frames.js';

/**
 * Frames kept ahead of the player's estimated position. It starts at 240 ms and adapts like a
 * jitter buffer: a dry spell in the middle of a prompt (the engine or the page was late) adds
 * 40 ms, up to 400 ms; every 5 s without one gives 20 ms back, down to 80 ms. The start is
 * generous because the first prompts of a freshly busy host are where players ran dry (20 calls
 * starting together on 2 cores); calm hosts settle at 80 ms within a minute.
 */
export const PLAYBACK_LEAD_FRAMES = 12;
export const PLAYBACK_MIN_LEAD_FRAMES = 4;
export const PLAYBACK_MAX_LEAD_FRAMES = 20;
const LEAD_RELAX_MS = 5000;
/** Never more than this in flight, whatever the estimate says: bounds latency if reports stop. */
export const PLAYBACK_MAX_IN_FLIGHT_FRAMES = 25;

/**
 * The lead, shared by every call of one media host: what makes a player run dry (a busy engine or
 * page) hits all calls at once, so one call's late delivery raises the lead for all of them.
 */
export class PlaybackLead {
  value = PLAYBACK_LEAD_FRAMES;
  private lastChangeAt = 0;

  /** A player ran dry mid-prompt. */
  late(now: number): void {
    // One step per report round: twenty calls running dry together are one event, not twenty.
    if (now - this.lastChangeAt < 50 && this.value > PLAYBACK_LEAD_FRAMES) return;
    this.value = Math.min(PLAYBACK_MAX_LEAD_FRAMES, this.value + 2);
    this.lastChangeAt = now;
  }

  /** A report without trouble: after LEAD_RELAX_MS of calm, give back one frame. */
  calm(now: number): void {
    if (this.value > PLAYBACK_MIN_LEAD_FRAMES && now - this.lastChangeAt > LEAD_RELAX_MS) {
      this.value--;
      this.lastChangeAt = now;
    }
  }
}

export interface PlaybackSink {
  send(seq: number, samples: Int16Array): void;
  flush(): void;
}

export interface PlaybackResult {
  /** True when every frame played; false when stopped (barge-in, hang-up). */
  completed: boolean;
  playedFrames: number;
}

interface Pending {
  frames: Int16Array[];
  next: number;
  /** Frame count sent by the time this item's last frame goes out. */
  endsAtSent: number;
  resolve(result: PlaybackResult): void;
  startedAtSent: number;
}

export class CallPlayback {
  private queue: Pending[] = [];
  private sent = 0;
  private played = 0;
  private dropped = 0;
  private seq = 0;
  private closed = false;
  /** When the last report came (the player keeps playing after it). */
  private reportAt = 0;
  /** Dry spells the player reported (each end of a prompt counts one too). */
  underruns = 0;
  /** Dry spells while the engine still had audio to send: the engine or the page was late. */
  lateUnderruns = 0;

  constructor(
    private readonly sink: PlaybackSink,
    private readonly now: () => number = () => performance.now(),
    /** Shared with the other calls of the same media host (see PlaybackLead). */
    private readonly sharedLead: PlaybackLead = new PlaybackLead(),
  ) {}

  /** The current lead in frames. */
  get lead(): number {
    return this.sharedLead.value;
  }

  /** Queues frames (20 ms, 320 samples each); resolves when they have played or were stopped. */
  play(frames: Int16Array[]): Promise<PlaybackResult> {
    if (this.closed) return Promise.resolve({ completed: false, playedFrames: 0 });
    // From idle, the player starts on the first frame: extrapolate from now, not from the last
    // report (which may be seconds old), or the first report's round trip starves the player.
    if (this.queue.length === 0 && this.inFlight === 0) this.reportAt = this.now();
    const promise = new Promise<PlaybackResult>((resolve) => {
      this.queue.push({ frames, next: 0, endsAtSent: Number.NaN, resolve, startedAtSent: Number.NaN });
    });
    this.pump();
    return promise;
  }

  /** What the player reported (cumulative counts). */
  onReport(report: { playedFrames: number; droppedFrames: number; underruns: number }): void {
    this.played = Math.max(this.played, report.playedFrames);
    this.dropped = Math.max(this.dropped, report.droppedFrames);
    this.reportAt = this.now();
    if (report.underruns > this.underruns && this.queue.some((p) => p.next > 0)) {
      // The player ran dry mid-prompt: keep more ahead of it.
      this.lateUnderruns += report.underruns - this.underruns;
      this.sharedLead.late(this.reportAt);
    } else {
      this.sharedLead.calm(this.reportAt);
    }
    this.underruns = report.underruns;
    this.settle();
    this.pump();
  }

  /** Called every frame period while playing: sends what the estimated position allows. */
  tick(): void {
    this.pump();
  }

  /** Frames sent and not yet played, by the player's last report. */
  get inFlight(): number {
    return Math.max(0, this.sent - this.played - this.dropped);
  }

  get isPlaying(): boolean {
    return this.queue.length > 0;
  }

  /** Stops now: drops the queue here, flushes the player, resolves everything as not completed. */
  stop(): void {
    const stopped = this.queue;
    this.queue = [];
    if (stopped.length > 0 || this.inFlight > 0) this.sink.flush();
    // What was in flight is dropped by the flush; count it so the lead stays right.
    this.dropped = this.sent - this.played;
    for (const item of stopped) item.resolve({ completed: false, playedFrames: this.playedOf(item) });
  }

  close(): void {
    this.stop();
    this.closed = true;
  }

  /**
   * In flight by estimate: the last report, advanced at the audio rate (the player plays on while
   * the report travels). It can only overestimate what was played when the player ran dry
   * meanwhile; PLAYBACK_MAX_IN_FLIGHT_FRAMES bounds what that costs in latency.
   */
  private estimatedInFlight(): number {
    if (this.reportAt === 0) return this.inFlight;
    const elapsedFrames = Math.floor((this.now() - this.reportAt) / FRAME_MS);
    return Math.max(0, this.inFlight - elapsedFrames);
  }

  private playedOf(item: Pending): number {
    if (Number.isNaN(item.startedAtSent)) return 0;
    return Math.max(0, Math.min(item.frames.length, this.played - item.startedAtSent));
  }

  private pump(): void {
    while (this.inFlight < PLAYBACK_MAX_IN_FLIGHT_FRAMES && this.estimatedInFlight() < this.lead) {
      const item = this.queue.find((p) => p.next < p.frames.length);
      if (!item) return;
      if (Number.isNaN(item.startedAtSent)) item.startedAtSent = this.sent;
      const frame = item.frames[item.next++];
      if (frame) {
        const samples = frame.length === SAMPLES_PER_FRAME ? frame : padFrame(frame);
        this.sink.send(this.seq++, samples);
        this.sent++;
      }
      if (item.next >= item.frames.length) item.endsAtSent = this.sent;
    }
  }

  private settle(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (!head) return;
      const done = head.frames.length === 0 || (!Number.isNaN(head.endsAtSent) && this.played + this.dropped >= head.endsAtSent);
      if (!done) return;
      this.queue.shift();
      head.resolve({ completed: true, playedFrames: head.frames.length });
    }
  }
}

function padFrame(frame: Int16Array): Int16Array {
  const padded = new Int16Array(SAMPLES_PER_FRAME);
  padded.set(frame.subarray(0, SAMPLES_PER_FRAME));
  return padded;
}
