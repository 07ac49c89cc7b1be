/**
 * Player: plays the engine's 20 ms Int16 frames from the call's playback ring into the call's
 * outgoing mix. The engine paces what it sends by the counts in the ring (read by the page and
 * reported), so the ring stays a few frames deep. `flush` skips everything written (barge-in).
 * There is no re-priming after an underrun: a gap plays as silence and the next frame plays as
 * soon as it arrives, so latency never creeps up.
 *
 * Each quantum it also leaves what it played (the samples, and which frames by the engine's seq)
 * in a tap the call's capture worklet reads in the same quantum (rings.ts PlayerTap), so the
 * capture can say "the bot's frames" instead of sending the bot's audio back to the engine.
 */
import { SAMPLES_PER_FRAME } from '../../../../electron/engine/api/audio-frames.js';
import {
  PLAYBACK_DROPPED,
  PLAYBACK_PLAYED,
  PLAYBACK_READ,
  PLAYBACK_SLOTS,
  PLAYBACK_UNDERRUNS,
  PLAYBACK_WRITTEN,
  type PlaybackRing,
  playbackRing,
  PLAYER_TAPS,
  type PlayerTap,
} from '../rings.js';

export type PlayerCommand = { type: 'flush' } | { type: 'stop' };
/** What a processor posts back once it has stopped (its last process() call returns false). */
export interface WorkletStopped {
  type: 'stopped';
}

/** Runs a tap holds per quantum (a 128-sample quantum spans at most two frames). */
const TAP_RUNS = 4;

function taps(): Map<number, PlayerTap> {
  const scope = globalThis as unknown as Record<string, Map<number, PlayerTap> | undefined>;
  return (scope[PLAYER_TAPS] ??= new Map());
}

class PlayerProcessor extends AudioWorkletProcessor {
  private readonly ring: PlaybackRing;
  private read = 0;
  private position = 0;
  private played = 0;
  private underruns = 0;
  private starving = false;
  private running = true;
  private readonly tap: PlayerTap = {
    frame: -1,
    out: new Float32Array(128),
    runs: new Int32Array(TAP_RUNS * 4),
    runCount: 0,
  };
  private readonly pair: number;

  constructor(options?: AudioWorkletNodeOptions) {
    super(options);
    const { ring, pair } = options?.processorOptions as { ring: SharedArrayBuffer; pair: number };
    this.ring = playbackRing(ring);
    this.pair = pair;
    taps().set(pair, this.tap);
    this.port.onmessage = (event: MessageEvent<PlayerCommand>) => {
      if (event.data.type === 'stop') {
        this.running = false;
        taps().delete(this.pair);
        return;
      }
      // Flush: skip to what is written; count the skipped frames (and a half-played one) as dropped.
      const written = Atomics.load(this.ring.control, PLAYBACK_WRITTEN);
      const skipped = written - this.read;
      if (skipped > 0) Atomics.add(this.ring.control, PLAYBACK_DROPPED, skipped);
      this.read = written;
      this.position = 0;
      Atomics.store(this.ring.control, PLAYBACK_READ, this.read);
    };
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    if (!this.running) {
      // Chromium keeps a node alive while its processor is: the page closes the context only
      // after this (audio.ts), or the node and its context would never be collected.
      const stopped: WorkletStopped = { type: 'stopped' };
      this.port.postMessage(stopped);
      return false;
    }
    const out = outputs[0]?.[0];
    const tap = this.tap;
    tap.runCount = 0;
    tap.frame = currentFrame;
    if (!out) {
      tap.frame = -1;
      return this.running;
    }
    const control = this.ring.control;
    let written = Atomics.load(control, PLAYBACK_WRITTEN);
    let index = 0;
    while (index < out.length) {
      if (this.read >= written) {
        written = Atomics.load(control, PLAYBACK_WRITTEN);
        if (this.read >= written) {
          // Dry: the rest of this quantum is silence; one underrun per dry spell, mid-stream only.
          if (!this.starving && this.played > 0) {
            this.underruns++;
            Atomics.store(control, PLAYBACK_UNDERRUNS, this.underruns);
          }
          this.starving = true;
          out.fill(0, index);
          break;
        }
      }
      this.starving = false;
      const slot = this.read % PLAYBACK_SLOTS;
      const base = slot * SAMPLES_PER_FRAME;
      const take = Math.min(out.length - index, SAMPLES_PER_FRAME - this.position);
      for (let i = 0; i < take; i++)
        out[index + i] = (this.ring.samples[base + this.position + i] ?? 0) / 0x8000;
      if (tap.runCount < TAP_RUNS) {
        const r = tap.runCount++ * 4;
        tap.runs[r] = index;
        tap.runs[r + 1] = take;
        tap.runs[r + 2] = this.ring.seqs[slot] ?? 0;
        tap.runs[r + 3] = this.position;
      } else tap.frame = -1; // cannot describe it: the capture sends the audio instead
      index += take;
      this.position += take;
      if (this.position >= SAMPLES_PER_FRAME) {
        this.position = 0;
        this.read++;
        this.played++;
        Atomics.store(control, PLAYBACK_PLAYED, this.played);
        Atomics.store(control, PLAYBACK_READ, this.read);
      }
    }
    if (tap.out.length !== out.length) tap.out = new Float32Array(out.length);
    tap.out.set(out);
    return this.running;
  }
}

registerProcessor('outbound-player', PlayerProcessor);
