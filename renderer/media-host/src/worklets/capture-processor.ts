/**
 * Capture: re-chunks the render quanta (128 samples at the context's 16 kHz) of two inputs into
 * 20 ms frames in the call's capture ring, as G.711 μ-law: input 0 is the customer (the call's
 * remote track), input 1 is what the call sends them (the bot/agent mix). Each quantum's input 1
 * is compared with what the call's player played in that quantum (its tap, rings.ts): equal, the
 * customer heard the bot alone and the frame records which of the bot's frames played (runs);
 * otherwise (an agent, a barging supervisor, a fade) the frame is marked mixed and the page sends
 * the right channel's audio. The page drains the ring.
 */
import {
  CAPTURE_MAX_RUNS,
  encodeMulaw,
  SAMPLES_PER_FRAME,
} from '../../../../electron/engine/api/audio-frames.js';
import {
  CAPTURE_SLOT_BYTES,
  CAPTURE_SLOTS,
  CAPTURE_WRITTEN,
  type CaptureRing,
  captureRing,
  PLAYER_TAPS,
  type PlayerTap,
  SLOT_META_WORDS,
} from '../rings.js';
import type { WorkletStopped } from './player-processor.js';

/** μ-law codes of every 16-bit value, built once for this scope (64 KiB). */
const ENCODE = (() => {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encodeMulaw(i - 32768);
  return table;
})();

function toMulaw(sample: number): number {
  const clipped = sample < -1 ? -1 : sample > 1 ? 1 : sample;
  const int16 = clipped < 0 ? Math.round(clipped * 0x8000) : Math.round(clipped * 0x7fff);
  return ENCODE[int16 + 32768]!;
}

function tapOf(pair: number): PlayerTap | undefined {
  const scope = globalThis as unknown as Record<string, Map<number, PlayerTap> | undefined>;
  return scope[PLAYER_TAPS]?.get(pair);
}

class CaptureProcessor extends AudioWorkletProcessor {
  private readonly ring: CaptureRing;
  private readonly pair: number;
  private written = 0;
  private fill = 0;
  private running = true;
  /** The frame being filled: mixed so far, and its runs (at, length, seq, from). */
  private mixed = false;
  private runCount = 0;

  constructor(options?: AudioWorkletNodeOptions) {
    super(options);
    const { ring, pair } = options?.processorOptions as { ring: SharedArrayBuffer; pair: number };
    this.ring = captureRing(ring);
    this.pair = pair;
    this.port.onmessage = (event: MessageEvent<{ type: 'stop' }>) => {
      if (event.data.type === 'stop') this.running = false;
    };
  }

  process(inputs: Float32Array[][]): boolean {
    if (!this.running) {
      // The page waits for this before it closes the context (audio.ts; see the player).
      const stopped: WorkletStopped = { type: 'stopped' };
      this.port.postMessage(stopped);
      return false;
    }
    const customer = inputs[0]?.[0];
    const outgoing = inputs[1]?.[0];
    const length = customer?.length || outgoing?.length || 128;
    const hasOutgoing = outgoing !== undefined && outgoing.length > 0;
    // Is the right channel this quantum exactly what the player played?
    const tap = tapOf(this.pair);
    let botAlone: boolean;
    if (tap && tap.frame === currentFrame && tap.out.length === length) {
      botAlone = true;
      for (let i = 0; i < length; i++) {
        if ((hasOutgoing ? outgoing[i]! : 0) !== tap.out[i]) {
          botAlone = false;
          break;
        }
      }
    } else {
      // No tap for this quantum: silence on the right is still "nothing but the bot".
      botAlone = true;
      if (hasOutgoing)
        for (let i = 0; i < length; i++)
          if (outgoing[i] !== 0) {
            botAlone = false;
            break;
          }
    }
    const usable = botAlone && tap !== undefined && tap.frame === currentFrame;
    const audio = this.ring.audio;
    const meta = this.ring.meta;
    let slot = this.written % CAPTURE_SLOTS;
    let base = slot * CAPTURE_SLOT_BYTES;
    let runIndex = 0;
    for (let i = 0; i < length;) {
      // The samples of this quantum that go into the current frame.
      const take = Math.min(length - i, SAMPLES_PER_FRAME - this.fill);
      for (let k = 0; k < take; k++) {
        audio[base + this.fill + k] =
          customer && customer.length > 0 ? toMulaw(customer[i + k]!) : 0xff;
        audio[base + SAMPLES_PER_FRAME + this.fill + k] = hasOutgoing
          ? toMulaw(outgoing[i + k]!)
          : 0xff;
      }
      if (!botAlone) this.mixed = true;
      else if (usable) {
        // The tap's runs that fall in [i, i + take) of this quantum, moved to the frame's offsets.
        for (; runIndex < tap.runCount; runIndex++) {
          const r = runIndex * 4;
          const at = tap.runs[r]!;
          const runLength = tap.runs[r + 1]!;
          if (at >= i + take) break;
          const start = Math.max(at, i);
          const end = Math.min(at + runLength, i + take);
          if (end > start)
            this.addRun(
              slot,
              this.fill + (start - i),
              end - start,
              tap.runs[r + 2]!,
              tap.runs[r + 3]! + (start - at),
            );
          if (at + runLength > i + take) break; // continues into the next frame
        }
      }
      this.fill += take;
      i += take;
      if (this.fill === SAMPLES_PER_FRAME) {
        const m = slot * SLOT_META_WORDS;
        meta[m] = this.mixed ? 1 : 0;
        meta[m + 1] = this.mixed ? 0 : this.runCount;
        this.written++;
        Atomics.store(this.ring.control, CAPTURE_WRITTEN, this.written);
        this.fill = 0;
        this.mixed = false;
        this.runCount = 0;
        slot = this.written % CAPTURE_SLOTS;
        base = slot * CAPTURE_SLOT_BYTES;
      }
    }
    return this.running;
  }

  /** A stretch of the frame in `slot` that was the bot's frame `seq` from sample `from`. */
  private addRun(slot: number, at: number, length: number, seq: number, from: number): void {
    const meta = this.ring.meta;
    const m = slot * SLOT_META_WORDS;
    if (this.runCount > 0) {
      // Contiguous with the previous run (the same frame going on): extend it.
      const p = m + 2 + (this.runCount - 1) * 4;
      if (
        meta[p]! + meta[p + 1]! === at &&
        meta[p + 2] === seq &&
        meta[p + 3]! + meta[p + 1]! === from
      ) {
        meta[p + 1] = meta[p + 1]! + length;
        return;
      }
    }
    if (this.runCount >= CAPTURE_MAX_RUNS) {
      this.mixed = true; // too fragmented to describe: send the audio
      return;
    }
    const r = m + 2 + this.runCount++ * 4;
    meta[r] = at;
    meta[r + 1] = length;
    meta[r + 2] = seq;
    meta[r + 3] = from;
  }
}

registerProcessor('outbound-capture', CaptureProcessor);
