/**
 * Player: plays the engine's 20 ms Int16 frames from the call's playback ring into the call's
 * outgoing mix. The engine paces what it sends by the counts in the ring (read by the page and
 * reported), so the ring stays a few frames deep. `flush` skips everything written (barge-in).
 * There is no re-priming after an underrun: a gap plays as silence and the next frame plays as
 * soon as it arrives, so latency never creeps up.
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
} from '../rings.js';

export type PlayerCommand = { type: 'flush' } | { type: 'stop' };

class PlayerProcessor extends AudioWorkletProcessor {
  private readonly ring: PlaybackRing;
  private read = 0;
  private position = 0;
  private played = 0;
  private underruns = 0;
  private starving = false;
  private running = true;

  constructor(options?: AudioWorkletNodeOptions) {
    super(options);
    this.ring = playbackRing((options?.processorOptions as { ring: SharedArrayBuffer }).ring);
    this.port.onmessage = (event: MessageEvent<PlayerCommand>) => {
      if (event.data.type === 'stop') {
        this.running = false;
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
    const out = outputs[0]?.[0];
    if (!out) return this.running;
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
      const base = (this.read % PLAYBACK_SLOTS) * SAMPLES_PER_FRAME;
      const take = Math.min(out.length - index, SAMPLES_PER_FRAME - this.position);
      for (let i = 0; i < take; i++)
        out[index + i] = (this.ring.samples[base + this.position + i] ?? 0) / 0x8000;
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
    return this.running;
  }
}

registerProcessor('outbound-player', PlayerProcessor);
