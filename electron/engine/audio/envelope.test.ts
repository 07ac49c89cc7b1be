import { describe, expect, it } from 'vitest';

import { envelopeCorrelation, rmsEnvelope } from './envelope.js';
import { createRng } from './random.js';
import { resample } from './resample.js';

interface Burst {
  startMs: number;
  durationMs: number;
  amplitude: number;
}

/** A speech-like rhythm: noise bursts of 80–400 ms at random levels, 50–300 ms apart. */
function burstPattern(seed: number, totalMs: number): Burst[] {
  const next = createRng(seed);
  const bursts: Burst[] = [];
  for (let at = 100 + next() * 200; at < totalMs - 100;) {
    const durationMs = Math.min(80 + next() * 320, totalMs - at);
    bursts.push({ startMs: at, durationMs, amplitude: 0.1 + next() * 0.7 });
    at += durationMs + 50 + next() * 250;
  }
  return bursts;
}

/** Renders bursts of white noise (own seed, so two renderings share only the envelope) with soft 5 ms edges. */
function render(
  bursts: Burst[],
  rate: number,
  totalMs: number,
  noiseSeed: number,
  gain = 1,
): Float32Array {
  const out = new Float32Array(Math.round((rate * totalMs) / 1000));
  const noise = createRng(noiseSeed);
  const ramp = (rate * 5) / 1000;
  for (const burst of bursts) {
    const from = Math.round((rate * burst.startMs) / 1000);
    const length = Math.round((rate * burst.durationMs) / 1000);
    for (let i = 0; i < length && from + i < out.length; i++) {
      const edge = Math.min(1, i / ramp, (length - i) / ramp);
      out[from + i] = gain * burst.amplitude * edge * (noise() * 2 - 1);
    }
  }
  return out;
}

/** `signal` placed `beforeMs` into a longer recording with a faint noise floor. */
function embed(
  signal: Float32Array,
  rate: number,
  beforeMs: number,
  afterMs: number,
  floor = 0.002,
  seed = 99,
): Float32Array {
  const before = Math.round((rate * beforeMs) / 1000);
  const out = new Float32Array(before + signal.length + Math.round((rate * afterMs) / 1000));
  const noise = createRng(seed);
  for (let i = 0; i < out.length; i++) out[i] = floor * (noise() * 2 - 1);
  for (let i = 0; i < signal.length; i++) out[before + i]! += signal[i]!;
  return out;
}

const CLIP_MS = 4000;
const pattern = burstPattern(1, CLIP_MS);
const reference = render(pattern, 16000, CLIP_MS, 11);

describe('envelopeCorrelation', () => {
  it('finds the same pattern, delayed and attenuated, with its lag', () => {
    const candidate = embed(render(pattern, 16000, CLIP_MS, 12, 0.3), 16000, 1300, 2000);
    const match = envelopeCorrelation(reference, 16000, candidate, 16000);
    expect(match.correlation).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(match.lagMs - 1300)).toBeLessThanOrEqual(10);
  });

  it('finds it across sample rates (16 kHz clip in an 8 kHz recording)', () => {
    const candidate = embed(render(pattern, 8000, CLIP_MS, 13, 0.25), 8000, 2750, 1500);
    const match = envelopeCorrelation(reference, 16000, candidate, 8000);
    expect(match.correlation).toBeGreaterThanOrEqual(0.85);
    expect(Math.abs(match.lagMs - 2750)).toBeLessThanOrEqual(10);
  });

  it('finds the clip itself after resampling to 8 kHz and back-to-back level changes', () => {
    const phone = resample(reference, 16000, 8000).map((v) => 0.5 * v);
    const match = envelopeCorrelation(reference, 16000, embed(phone, 8000, 640, 3000), 8000);
    expect(match.correlation).toBeGreaterThanOrEqual(0.97);
    expect(match.lagMs).toBe(640);
  });

  it('scores a different pattern clearly lower', () => {
    const matched = envelopeCorrelation(
      reference,
      16000,
      embed(render(pattern, 8000, CLIP_MS, 14, 0.3), 8000, 1000, 1000),
      8000,
    );
    for (const seed of [2, 3, 4, 5]) {
      const other = embed(
        render(burstPattern(seed, CLIP_MS), 8000, CLIP_MS, 15, 0.3),
        8000,
        1000,
        1000,
      );
      const wrong = envelopeCorrelation(reference, 16000, other, 8000);
      expect(wrong.correlation, `pattern ${seed}`).toBeLessThan(0.6);
      expect(matched.correlation - wrong.correlation, `pattern ${seed}`).toBeGreaterThan(0.3);
    }
  });

  it('is not lowered by long silence around the match', () => {
    const short = envelopeCorrelation(
      reference,
      16000,
      embed(render(pattern, 8000, CLIP_MS, 16, 0.3), 8000, 200, 200),
      8000,
    );
    const long = envelopeCorrelation(
      reference,
      16000,
      embed(render(pattern, 8000, CLIP_MS, 16, 0.3), 8000, 20_000, 30_000),
      8000,
    );
    expect(long.correlation).toBeCloseTo(short.correlation, 2);
    expect(long.lagMs - short.lagMs).toBe(19_800);
  });

  it('matches a recording that cut off the last 5% of the clip (minOverlap 0.9)', () => {
    const cut = render(pattern, 16000, CLIP_MS, 17, 0.3).subarray(
      0,
      Math.round(16000 * CLIP_MS * 0.95) / 1000,
    );
    const match = envelopeCorrelation(reference, 16000, embed(cut, 16000, 500, 0, 0.002), 16000);
    expect(match.correlation).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(match.lagMs - 500)).toBeLessThanOrEqual(10);
    // Demanding full containment finds no such lag at the right place.
    expect(
      envelopeCorrelation(reference, 16000, embed(cut, 16000, 500, 0), 16000, { minOverlap: 1 })
        .lagMs,
    ).not.toBe(500);
  });

  it('returns 0 for silence, a flat reference or a candidate too short to hold the reference', () => {
    expect(envelopeCorrelation(reference, 16000, new Float32Array(16000 * 10), 16000)).toEqual({
      correlation: 0,
      lagMs: 0,
    });
    expect(
      envelopeCorrelation(new Float32Array(16000), 16000, embed(reference, 16000, 100, 100), 16000)
        .correlation,
    ).toBe(0);
    expect(envelopeCorrelation(reference, 16000, reference.subarray(0, 16000), 16000)).toEqual({
      correlation: 0,
      lagMs: 0,
    });
    expect(envelopeCorrelation(new Float32Array(10), 16000, reference, 16000)).toEqual({
      correlation: 0,
      lagMs: 0,
    });
  });
});

describe('rmsEnvelope', () => {
  it('gives one value per 10 ms hop at any rate, tracking the level', () => {
    const tone = (rate: number): Float32Array => {
      const out = new Float32Array(rate); // 1 s: 0.5 s at amplitude 0.5, then 0.5 s at 0.1
      for (let i = 0; i < out.length; i++)
        out[i] = (i < rate / 2 ? 0.5 : 0.1) * Math.sin((2 * Math.PI * 440 * i) / rate);
      return out;
    };
    for (const rate of [8000, 16000, 22050, 44100]) {
      const env = rmsEnvelope(tone(rate), rate);
      expect(env.length).toBe(100);
      expect(env[20]!).toBeCloseTo(0.5 / Math.SQRT2, 2);
      expect(env[80]!).toBeCloseTo(0.1 / Math.SQRT2, 2);
    }
  });

  it('ignores a DC offset', () => {
    const withDc = new Float32Array(1600).fill(0.3);
    expect(Math.max(...rmsEnvelope(withDc, 16000))).toBeLessThan(1e-6);
  });
});
