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
  PLAYBACK_RING_FRAMES,
  SAMPLES_PER_FRAME,
} from '../../../electron/engine/api/audio-frames.js';

/**
 * Capture: the worklet writes stereo frames (left then right), the page reads them. 5 s deep: a
 * page starved of CPU (20 calls on a 2-core VM) was seen to stall for over a second.
 */
export const CAPTURE_SLOTS = 250;
export const CAPTURE_SLOT_SAMPLES = SAMPLES_PER_FRAME * 2;
/** Control words (Int32) of the capture ring. */
export const CAPTURE_WRITTEN = 0;
export const CAPTURE_CONTROL_WORDS = 4;

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
  samples: Int16Array;
}

export interface PlaybackRing {
  control: Int32Array;
  samples: Int16Array;
}

export function createCaptureRing(): { buffer: SharedArrayBuffer; ring: CaptureRing } {
  const buffer = new SharedArrayBuffer(
    CAPTURE_CONTROL_WORDS * 4 + CAPTURE_SLOTS * CAPTURE_SLOT_SAMPLES * 2,
  );
  return { buffer, ring: captureRing(buffer) };
}

export function captureRing(buffer: SharedArrayBuffer): CaptureRing {
  return {
    control: new Int32Array(buffer, 0, CAPTURE_CONTROL_WORDS),
    samples: new Int16Array(
      buffer,
      CAPTURE_CONTROL_WORDS * 4,
      CAPTURE_SLOTS * CAPTURE_SLOT_SAMPLES,
    ),
  };
}

export function createPlaybackRing(): { buffer: SharedArrayBuffer; ring: PlaybackRing } {
  const buffer = new SharedArrayBuffer(
    PLAYBACK_CONTROL_WORDS * 4 + PLAYBACK_SLOTS * SAMPLES_PER_FRAME * 2,
  );
  return { buffer, ring: playbackRing(buffer) };
}

export function playbackRing(buffer: SharedArrayBuffer): PlaybackRing {
  return {
    control: new Int32Array(buffer, 0, PLAYBACK_CONTROL_WORDS),
    samples: new Int16Array(buffer, PLAYBACK_CONTROL_WORDS * 4, PLAYBACK_SLOTS * SAMPLES_PER_FRAME),
  };
}
