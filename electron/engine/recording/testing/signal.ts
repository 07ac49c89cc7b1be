/** Test helpers: frames whose every sample is known from (seq, index), different on each channel. */
import type { RecorderFrame } from '../call-recorder.js';

export const SAMPLES = 320;

/** The customer's sample `index` of frame `seq`: a full-range pattern. */
export function leftSample(seq: number, index: number): number {
  return (((seq * SAMPLES + index) * 7919) % 65536) - 32768;
}

/** The outbound sample: another pattern, never equal to the left one at the same place. */
export function rightSample(seq: number, index: number): number {
  return -(leftSample(seq, index) + 1); // stays in -32768..32767, never equals the left sample
}

export function makeFrame(seq: number, timestampMs = 1_700_000_000_000 + seq * 20): RecorderFrame {
  const left = new Int16Array(SAMPLES);
  const right = new Int16Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    left[i] = leftSample(seq, i);
    right[i] = rightSample(seq, i);
  }
  return { seq, timestampMs, left, right };
}
