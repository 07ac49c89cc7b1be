/**
 * Player: plays the engine's 20 ms Int16 frames into the call's outgoing mix. The buffer is small
 * and bounded: the engine paces its sending by the reports this posts (played and buffered
 * frames), so the buffer stays a few frames deep; if it ever overfills, the oldest audio is
 * dropped (latency stays bounded) and counted. `flush` empties it at once (barge-in).
 * There is no re-priming after an underrun: a gap plays as silence and the next frame plays
 * as soon as it arrives, so latency never creeps up.
 */
import { SAMPLES_PER_FRAME } from '../../../../electron/engine/api/audio-frames.js';

export type PlayerCommand = { type: 'frame'; samples: Int16Array } | { type: 'flush' } | { type: 'stop' };

export interface PlayerReport {
  playedFrames: number;
  bufferedFrames: number;
  underruns: number;
  droppedFrames: number;
  /** Frames dropped by the flush this report answers; absent for periodic reports. */
  flushed?: number;
}

/** One report per 60 ms of playback (the engine extrapolates between them), and at once when it runs dry. */
const REPORT_EVERY_SAMPLES = SAMPLES_PER_FRAME * 3;

class PlayerProcessor extends AudioWorkletProcessor {
  private readonly queue: Float32Array[] = [];
  private current: Float32Array | null = null;
  private position = 0;
  private readonly maxFrames: number;
  private playedFrames = 0;
  private underruns = 0;
  private droppedFrames = 0;
  private starving = false;
  private sinceReport = 0;
  private dirty = false;
  private running = true;

  constructor(options?: AudioWorkletNodeOptions) {
    super(options);
    const requested = (options?.processorOptions as { maxFrames?: number } | undefined)?.maxFrames;
    this.maxFrames = requested ?? 25;
    this.port.onmessage = (event: MessageEvent<PlayerCommand>) => this.receive(event.data);
  }

  private receive(command: PlayerCommand): void {
    if (command.type === 'frame') {
      const frame = new Float32Array(command.samples.length);
      for (let i = 0; i < frame.length; i++) frame[i] = (command.samples[i] ?? 0) / 0x8000;
      this.queue.push(frame);
      while (this.queue.length > this.maxFrames) {
        this.queue.shift();
        this.droppedFrames++;
      }
      this.starving = false;
      return;
    }
    if (command.type === 'flush') {
      const flushed = this.queue.length + (this.current ? 1 : 0);
      this.queue.length = 0;
      this.current = null;
      this.position = 0;
      this.droppedFrames += flushed;
      this.report(flushed);
      return;
    }
    this.running = false;
  }

  private report(flushed?: number): void {
    const report: PlayerReport = {
      playedFrames: this.playedFrames,
      bufferedFrames: this.queue.length + (this.current ? 1 : 0),
      underruns: this.underruns,
      droppedFrames: this.droppedFrames,
      ...(flushed === undefined ? {} : { flushed }),
    };
    this.port.postMessage(report);
    this.sinceReport = 0;
    this.dirty = false;
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0]?.[0];
    if (!out) return this.running;
    let written = 0;
    while (written < out.length) {
      if (!this.current) {
        const next = this.queue.shift();
        if (!next) {
          // Starved: the rest of this quantum is silence. Count one underrun per dry spell, and
          // only while the engine is mid-stream (frames played and none waiting).
          if (!this.starving && this.playedFrames > 0) this.underruns++;
          this.starving = true;
          out.fill(0, written);
          break;
        }
        this.current = next;
        this.position = 0;
      }
      const take = Math.min(out.length - written, this.current.length - this.position);
      out.set(this.current.subarray(this.position, this.position + take), written);
      written += take;
      this.position += take;
      if (this.position >= this.current.length) {
        this.current = null;
        this.playedFrames++;
        this.dirty = true;
      }
    }
    this.sinceReport += out.length;
    const dry = this.queue.length === 0 && !this.current;
    if (this.dirty && (this.sinceReport >= REPORT_EVERY_SAMPLES || dry)) this.report();
    return this.running;
  }
}

registerProcessor('outbound-player', PlayerProcessor);
