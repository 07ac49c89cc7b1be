/**
 * Lock-free rings in SharedArrayBuffers between the page and each call's AudioWorklets: a
 * message per 20 ms frame per call costs the page's main thread more than the audio itself
 * (at 20 calls: thousands of message events a second), so audio crosses through shared memory
 * and the page moves it in one timer tick for every call.
 *
 * Single producer, single consumer; counters only grow (frame counts, not indices), so
 * `written - read` is the fill and `count % SLOTS` the slot.
 */
import {
  CAPTURE_MAX_RUNS,
  PLAYBACK_RING_FRAMES,
  SAMPLES_PER_FRAME,
} from '../../../electron/engine/api/audio-frames.js';

/**
 * Capture: the worklet writes each frame's two channels as μ-law (left then right) and what it saw
 * of the right channel (SLOT_META words), the page reads them. 5 s deep: a page starved of CPU
 * (20 calls on a 2-core VM) was seen to stall for over a second. A page that falls further behind
 * loses the oldest frames (drop-oldest, counted as overruns): the newest audio is what the bot
 * must hear, and the recorder fills a gap in the sequence with silence.
 */
export const CAPTURE_SLOTS = 250;
/** μ-law bytes of one slot: left then right. */
export const CAPTURE_SLOT_BYTES = SAMPLES_PER_FRAME * 2;
/** Control words (Int32) of the capture ring. */
export const CAPTURE_WRITTEN = 0;
export const CAPTURE_CONTROL_WORDS = 4;
/**
 * Per slot (Int32): [0] 1 when the right channel was more than the bot's playback (send it),
 * [1] the run count, then per run: at, length, seq, from (BotRun).
 */
export const SLOT_META_WORDS = 2 + CAPTURE_MAX_RUNS * 4;

/** Playback: the page writes mono frames, the worklet plays them (see PLAYBACK_RING_FRAMES). */
export const PLAYBACK_SLOTS = PLAYBACK_RING_FRAMES;
/** Control words (Int32) of the playback ring. */
export const PLAYBACK_WRITTEN = 0;
/** Frames the player consumed: played, plus any it skipped on a flush. */
export const PLAYBACK_READ = 1;
export const PLAYBACK_PLAYED = 2;
export const PLAYBACK_UNDERRUNS = 3;
/** Frames dropped: by flushes (barge-in) and by a full ring. */
export const PLAYBACK_DROPPED = 4;
export const PLAYBACK_CONTROL_WORDS = 8;

export interface CaptureRing {
  control: Int32Array;
  /** μ-law, CAPTURE_SLOT_BYTES per slot. */
  audio: Uint8Array;
  meta: Int32Array;
}

export interface PlaybackRing {
  control: Int32Array;
  samples: Int16Array;
  /** The engine's seq of each slot's frame (the capture names what played by it). */
  seqs: Int32Array;
}

export function createCaptureRing(): { buffer: SharedArrayBuffer; ring: CaptureRing } {
  const buffer = new SharedArrayBuffer(
    CAPTURE_CONTROL_WORDS * 4 +
      CAPTURE_SLOTS * SLOT_META_WORDS * 4 +
      CAPTURE_SLOTS * CAPTURE_SLOT_BYTES,
  );
  return { buffer, ring: captureRing(buffer) };
}

export function captureRing(buffer: SharedArrayBuffer): CaptureRing {
  const metaAt = CAPTURE_CONTROL_WORDS * 4;
  const audioAt = metaAt + CAPTURE_SLOTS * SLOT_META_WORDS * 4;
  return {
    control: new Int32Array(buffer, 0, CAPTURE_CONTROL_WORDS),
    meta: new Int32Array(buffer, metaAt, CAPTURE_SLOTS * SLOT_META_WORDS),
    audio: new Uint8Array(buffer, audioAt, CAPTURE_SLOTS * CAPTURE_SLOT_BYTES),
  };
}

export function createPlaybackRing(): { buffer: SharedArrayBuffer; ring: PlaybackRing } {
  const buffer = new SharedArrayBuffer(
    PLAYBACK_CONTROL_WORDS * 4 + PLAYBACK_SLOTS * 4 + PLAYBACK_SLOTS * SAMPLES_PER_FRAME * 2,
  );
  return { buffer, ring: playbackRing(buffer) };
}

export function playbackRing(buffer: SharedArrayBuffer): PlaybackRing {
  const seqsAt = PLAYBACK_CONTROL_WORDS * 4;
  const samplesAt = seqsAt + PLAYBACK_SLOTS * 4;
  return {
    control: new Int32Array(buffer, 0, PLAYBACK_CONTROL_WORDS),
    seqs: new Int32Array(buffer, seqsAt, PLAYBACK_SLOTS),
    samples: new Int16Array(buffer, samplesAt, PLAYBACK_SLOTS * SAMPLES_PER_FRAME),
  };
}

/**
 * What a call's player played in the render quantum it last processed, shared with the same
 * call's capture worklet through the AudioWorkletGlobalScope both run in (the player runs first
 * in a quantum: the capture hears its output). The capture compares its right input with `out`:
 * equal means the customer heard the bot alone, and `runs` say which frames.
 */
export interface PlayerTap {
  /** currentFrame of the quantum these describe. */
  frame: number;
  out: Float32Array;
  /** Up to 4 runs per quantum: at (in the quantum), length, seq, from. */
  runs: Int32Array;
  runCount: number;
}

export const PLAYER_TAPS = '__outboundPlayerTaps';
