import { describe, expect, it } from 'vitest';

import { trimSilence } from './recognizer.js';

const RATE = 16000;

function burst(
  silenceBeforeMs: number,
  toneMs: number,
  silenceAfterMs: number,
  floor = 0,
): Float32Array {
  const x = new Float32Array(((silenceBeforeMs + toneMs + silenceAfterMs) * RATE) / 1000);
  for (let i = 0; i < x.length; i++) x[i] = floor * (i % 2 === 0 ? 1 : -1);
  const from = (silenceBeforeMs * RATE) / 1000;
  for (let i = 0; i < (toneMs * RATE) / 1000; i++)
    x[from + i] = 8000 * Math.sin((2 * Math.PI * 440 * i) / RATE);
  return x;
}

describe('trimSilence (before the phrase embedding)', () => {
  it('cuts quiet lead-in and tail down to an 80 ms margin around the sound', () => {
    const trimmed = trimSilence(burst(500, 400, 600));
    expect(trimmed.length).toBe(((80 + 400 + 80) * RATE) / 1000);
  });

  it('treats line noise 40 dB under the speech as silence too', () => {
    const trimmed = trimSilence(burst(300, 400, 300, 60));
    expect(trimmed.length).toBe(((80 + 400 + 80) * RATE) / 1000);
  });

  it('leaves all-silence and very short input alone', () => {
    const silence = new Float32Array(RATE);
    expect(trimSilence(silence)).toBe(silence);
    const short = new Float32Array(300);
    expect(trimSilence(short)).toBe(short);
  });
});
