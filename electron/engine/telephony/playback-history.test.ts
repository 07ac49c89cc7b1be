import { describe, expect, it } from 'vitest';

import { encodeMulawFrame, MULAW_DECODE, SAMPLES_PER_FRAME } from '../api/audio-frames.js';
import { PlaybackHistory } from './playback-history.js';

function sent(history: PlaybackHistory, seq: number, value: (i: number) => number): Int16Array {
  const samples = Int16Array.from({ length: SAMPLES_PER_FRAME }, (_, i) => value(i));
  const codes = new Uint8Array(SAMPLES_PER_FRAME);
  encodeMulawFrame(samples, codes);
  history.record(seq, codes);
  return Int16Array.from(codes, (c) => MULAW_DECODE[c]!);
}

describe('PlaybackHistory', () => {
  it('rebuilds what the customer heard from the runs, sample-exact, silence elsewhere', () => {
    const history = new PlaybackHistory();
    const a = sent(history, 10, (i) => i * 50);
    const b = sent(history, 11, (i) => -i * 40);
    // The end of frame 10 (from sample 200), then frame 11 from its start; a gap of silence at the end.
    const right = history.rebuild([
      { at: 0, length: 120, seq: 10, from: 200 },
      { at: 120, length: 150, seq: 11, from: 0 },
    ]);
    expect([...right.subarray(0, 120)]).toEqual([...a.subarray(200, 320)]);
    expect([...right.subarray(120, 270)]).toEqual([...b.subarray(0, 150)]);
    expect([...right.subarray(270)]).toEqual(new Array(50).fill(0));
    expect(history.missing).toBe(0);
  });

  it('reads a frame it no longer holds as silence and counts it', () => {
    const history = new PlaybackHistory();
    sent(history, 5, () => 1000);
    sent(history, 5 + 1024, () => 2000); // the same slot, 20 s later
    const right = history.rebuild([{ at: 0, length: 320, seq: 5, from: 0 }]);
    expect(right.every((v) => v === 0)).toBe(true);
    expect(history.missing).toBe(320);
  });
});
