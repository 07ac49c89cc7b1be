/**
 * The engine's side of a call's playback: holds the frames still to send and keeps a lead of them
 * in the media host's player. The page's audio clock sets the pace, not an engine timer
 * (a timer drifts against it and the buffer then grows without bound, docs/DESIGN.md §8): the player
 * reports what it has played and when it read that, and the engine extrapolates from that moment
 * at the audio rate. A report that spent a while in transit (a busy page, a backed-up link) is
 * therefore not mistaken for a fresh one, which would hold back frames the player already needs.
 * `stop()` drops what is queued here and flushes the player (barge-in).
 */
import { FRAME_MS, PLAYBACK_RING_FRAMES, SAMPLES_PER_FRAME } from '../api/audio-frames.js';

/**
 * Frames kept ahead of the player's estimated position: 3 s. What sits in the player costs nothing
 * when the bot is interrupted (barge-in and takeover flush it in the page, and the flush follows
 * every frame already sent on the same ordered link), so the lead is sized for the stalls it has
 * to ride out, not for latency. 20 calls on a 2-core VM stalled the media host's page for up to a
 * second and backed its link up by as much again; a lead of a few hundred ms ran players dry there.
 */
export const PLAYBACK_LEAD_FRAMES = 150;
/**
 * Never more than this in flight by the last report, whatever the estimate says: bounds what piles
 * up if the player's clock stops. Below the player's ring (PLAYBACK_RING_FRAMES), so nothing sent
 * is dropped there for lack of room.
 */
export const PLAYBACK_MAX_IN_FLIGHT_FRAMES = Math.min(400, PLAYBACK_RING_FRAMES - 16);
/**
 * At most this many frames per send round (a tick, a report, a new prompt): the whole lead, 3 s.
 * The first round is what carries a prompt through a stall that hits just after it starts (the
 * engine or the page not scheduled on a loaded machine): with 500 ms, the 20-call test ran players
 * dry at prompt starts at load average 28–44 (issue 17); with 1.5 s it still did at load 30–37,
 * where the engine's event loop lagged up to 2 s (capture delay p95 1.3–2.0 s) right after the
 * prompts' first rounds, one dry spell in 12–16 of the 20 calls. In μ-law that is 27 KB per call:
 * twenty prompts starting together hand the page about half a megabyte, one message per call.
 */
const PLAYBACK_FRAMES_PER_PUMP = PLAYBACK_LEAD_FRAMES;
/** A report older than this is taken as this old (a clock step between page and engine). */
const MAX_REPORT_AGE_MS = 2000;

/**
 * One 20 ms tick for every playing call of a media host: the frames a tick sends for all calls
 * leave in one message (a timer per call sent twenty small ones, each costing the page a wake-up).
 */
export class PlaybackClock {
  private readonly playing = new Set<CallPlayback>();
  private timer: ReturnType<typeof setInterval> | null = null;

  add(playback: CallPlayback): void {
    this.playing.add(playback);
    this.timer ??= setInterval(() => this.tick(), FRAME_MS);
  }

  remove(playback: CallPlayback): void {
    this.playing.delete(playback);
    if (this.playing.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private tick(): void {
    for (const playback of this.playing) {
      playback.tick();
      if (!playback.isPlaying) this.remove(playback);
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
  /** Frames the player held at its last report. */
  private playerBuffered = 0;

  constructor(
    private readonly sink: PlaybackSink,
    private readonly now: () => number = () => performance.now(),
    /** Shared with the other calls of the same media host (see PlaybackClock). */
    private readonly clock: PlaybackClock = new PlaybackClock(),
  ) {}

  /** Queues frames (20 ms, 320 samples each); resolves when they have played or were stopped. */
  play(frames: Int16Array[]): Promise<PlaybackResult> {
    if (this.closed) return Promise.resolve({ completed: false, playedFrames: 0 });
    // From idle, the player starts on the first frame: extrapolate from now, not from the last
    // report (which may be seconds old), or the first report's round trip starves the player.
    if (this.queue.length === 0 && this.inFlight === 0) this.reportAt = this.now();
    const promise = new Promise<PlaybackResult>((resolve) => {
      this.queue.push({
        frames,
        next: 0,
        endsAtSent: Number.NaN,
        resolve,
        startedAtSent: Number.NaN,
      });
    });
    this.clock.add(this);
    this.pump();
    return promise;
  }

  /** What the player reported (cumulative counts), read `ageMs` ago. */
  onReport(
    report: {
      playedFrames: number;
      droppedFrames: number;
      underruns: number;
      bufferedFrames?: number;
    },
    ageMs = 0,
  ): void {
    if (report.bufferedFrames !== undefined) this.playerBuffered = report.bufferedFrames;
    this.played = Math.max(this.played, report.playedFrames);
    this.dropped = Math.max(this.dropped, report.droppedFrames);
    this.reportAt = this.now() - Math.min(MAX_REPORT_AGE_MS, Math.max(0, ageMs));
    // Dry while frames were still on their way or not yet sent: the engine or the page was late.
    // Running dry after the last frame of a prompt is just its end.
    const late = this.inFlight > 0 || this.queue.some((p) => p.next < p.frames.length);
    if (report.underruns > this.underruns && late)
      this.lateUnderruns += report.underruns - this.underruns;
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

  /**
   * The queues of this call's playback, in frames: held here (bounded by the prompts the bot asked
   * to play, never by time), in flight (bounded by PLAYBACK_MAX_IN_FLIGHT_FRAMES) and in the player.
   */
  depth(): { queuedFrames: number; inFlightFrames: number; playerBufferedFrames: number } {
    let queued = 0;
    for (const item of this.queue) queued += item.frames.length - item.next;
    return {
      queuedFrames: queued,
      inFlightFrames: this.inFlight,
      playerBufferedFrames: this.playerBuffered,
    };
  }

  /** Stops now: drops the queue here, flushes the player, resolves everything as not completed. */
  stop(): void {
    const stopped = this.queue;
    this.queue = [];
    if (stopped.length > 0 || this.inFlight > 0) this.sink.flush();
    // What was in flight is dropped by the flush; count it so the lead stays right.
    this.dropped = this.sent - this.played;
    for (const item of stopped)
      item.resolve({ completed: false, playedFrames: this.playedOf(item) });
  }

  close(): void {
    this.stop();
    this.closed = true;
    this.clock.remove(this);
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
    let budget = PLAYBACK_FRAMES_PER_PUMP;
    while (
      budget-- > 0 &&
      this.inFlight < PLAYBACK_MAX_IN_FLIGHT_FRAMES &&
      this.estimatedInFlight() < PLAYBACK_LEAD_FRAMES
    ) {
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
      const done =
        head.frames.length === 0 ||
        (!Number.isNaN(head.endsAtSent) && this.played + this.dropped >= head.endsAtSent);
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
