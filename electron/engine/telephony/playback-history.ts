/**
 * The bot's recent playback frames of one call, as they were sent (μ-law), by seq: while the bot
 * alone talks, the media host does not send the customer's right channel (what they heard) back,
 * only which of these frames played when (runs, sample-exact), and the call rebuilds the channel
 * here for its recording. 1,024 frames (20 s) reach back further than the player's lead (at most
 * PLAYBACK_MAX_IN_FLIGHT_FRAMES ahead) plus any capture delay the link has shown.
 */
import { type BotRun, MULAW_DECODE, SAMPLES_PER_FRAME } from '../api/audio-frames.js';

const SLOTS = 1024;

export class PlaybackHistory {
  private readonly codes = new Uint8Array(SLOTS * SAMPLES_PER_FRAME);
  private readonly seqs = new Float64Array(SLOTS).fill(-1);
  /** Samples a run named that were no longer (or never) here: rebuilt as silence. */
  missing = 0;

  /** Keeps the frame sent as `seq`. */
  record(seq: number, mulaw: Uint8Array): void {
    const slot = seq % SLOTS;
    this.codes.set(mulaw.subarray(0, SAMPLES_PER_FRAME), slot * SAMPLES_PER_FRAME);
    this.seqs[slot] = seq;
  }

  /** The right channel of a capture frame from its runs (16-bit, silence outside them). */
  rebuild(runs: readonly BotRun[]): Int16Array {
    const out = new Int16Array(SAMPLES_PER_FRAME);
    for (const run of runs) {
      let seq = run.seq;
      let from = run.from;
      let at = run.at;
      let left = Math.min(run.length, SAMPLES_PER_FRAME - at);
      while (left > 0 && from < SAMPLES_PER_FRAME) {
        const take = Math.min(left, SAMPLES_PER_FRAME - from);
        const slot = seq % SLOTS;
        if (this.seqs[slot] === seq) {
          const base = slot * SAMPLES_PER_FRAME + from;
          for (let i = 0; i < take; i++) out[at + i] = MULAW_DECODE[this.codes[base + i]!]!;
        } else this.missing += take;
        left -= take;
        at += take;
        seq++;
        from = 0;
      }
    }
    return out;
  }
}
