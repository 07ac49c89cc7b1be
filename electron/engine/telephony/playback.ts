/**
 * The engine's side of a call's playback: holds the frames still to send and sends them as the
 * media host's player reports progress, keeping only a few frames in flight. The page's audio
 * clock, not an engine timer, sets the pace: a timer drifts against it and the buffer then grows
 * without bound (see TESTBED.md). `stop()` drops what is queued here and flushes the player.
 */
import { SAMPLES_PER_FRAME } from '../api/audio-frames.js';

/** Frames kept in flight (sent, not yet played): 100 ms covers a report's round trip with margin. */
export const PLAYBACK_LEAD_FRAMES = 5;

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

  constructor(private readonly sink: PlaybackSink) {}

  /** Queues frames (20 ms, 320 samples each); resolves when they have played or were stopped. */
  play(frames: Int16Array[]): Promise<PlaybackResult> {
    if (this.closed) return Promise.resolve({ completed: false, playedFrames: 0 });
    const promise = new Promise<PlaybackResult>((resolve) => {
      this.queue.push({ frames, next: 0, endsAtSent: Number.NaN, resolve, startedAtSent: Number.NaN });
    });
    this.pump();
    return promise;
  }

  /** What the player reported (cumulative counts). */
  onReport(playedFrames: number, droppedFrames: number): void {
    this.played = playedFrames;
    this.dropped = droppedFrames;
    this.settle();
    this.pump();
  }

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

  private playedOf(item: Pending): number {
    if (Number.isNaN(item.startedAtSent)) return 0;
    return Math.max(0, Math.min(item.frames.length, this.played - item.startedAtSent));
  }

  private pump(): void {
    while (this.inFlight < PLAYBACK_LEAD_FRAMES) {
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
