/**
 * Deterministic data augmentation for training the phrase classifier on synthetic speech: a
 * seeded PRNG, white/pink noise at a chosen SNR, gain, a time offset (silence before and after),
 * and a telephone channel (16 kHz → 8 kHz, 300–3400 Hz band-pass, G.711 μ-law encode/decode,
 * → 16 kHz). Audio is Float32 on the -1..1 scale throughout (`int16ToFloat` / `floatToInt16`
 * convert); the same seed always gives the same output.
 */
import { createRng, resample } from '../../../audio/index.js';

export { createRng };

/** A uniform float in [lo, hi). */
export function uniform(rng: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** A standard normal sample (Box–Muller). */
export function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

export function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return x.length ? Math.sqrt(s / x.length) : 0;
}

/** RMS over the louder part of the clip (frames above -40 dB of the loudest): the speech level, ignoring padding. */
export function activeRms(x: Float32Array, frame = 320): number {
  const levels: number[] = [];
  for (let i = 0; i + frame <= x.length; i += frame) levels.push(rms(x.subarray(i, i + frame)));
  const peak = Math.max(0, ...levels);
  const active = levels.filter((l) => l > peak * 0.01);
  if (active.length === 0) return rms(x);
  return Math.sqrt(active.reduce((s, l) => s + l * l, 0) / active.length);
}

export type NoiseColor = 'white' | 'pink' | 'brown';

/** Noise of unit RMS. */
export function makeNoise(length: number, color: NoiseColor, rng: () => number): Float32Array {
  const out = new Float32Array(length);
  if (color === 'white') {
    for (let i = 0; i < length; i++) out[i] = gaussian(rng);
  } else if (color === 'pink') {
    // Paul Kellet's economy pink filter.
    let b0 = 0,
      b1 = 0,
      b2 = 0;
    for (let i = 0; i < length; i++) {
      const w = gaussian(rng);
      b0 = 0.99765 * b0 + w * 0.099046;
      b1 = 0.963 * b1 + w * 0.2965164;
      b2 = 0.57 * b2 + w * 1.0526913;
      out[i] = b0 + b1 + b2 + w * 0.1848;
    }
  } else {
    let b = 0;
    for (let i = 0; i < length; i++) {
      b = 0.98 * b + gaussian(rng) * 0.2;
      out[i] = b;
    }
  }
  const r = rms(out) || 1;
  for (let i = 0; i < length; i++) out[i]! /= r;
  return out;
}

/** Adds noise so that speech level / noise RMS = `snrDb`. Returns a new array. */
export function addNoise(
  x: Float32Array,
  snrDb: number,
  rng: () => number,
  color: NoiseColor = 'white',
): Float32Array {
  const level = activeRms(x);
  const noise = makeNoise(x.length, color, rng);
  const scale = level / 10 ** (snrDb / 20);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! + noise[i]! * scale;
  return out;
}

/** Multiplies by 10^(dB/20), clipping at ±1. */
export function applyGain(x: Float32Array, db: number): Float32Array {
  const g = 10 ** (db / 20);
  return Float32Array.from(x, (v) => Math.max(-1, Math.min(1, v * g)));
}

/** Scales the clip so its speech level is `dbfs` (dB below full scale), clipping at ±1. */
export function normalizeLevel(x: Float32Array, dbfs: number): Float32Array {
  const level = activeRms(x);
  if (level === 0) return x.slice();
  return applyGain(x, dbfs - 20 * Math.log10(level));
}

/** Adds `beforeSamples` and `afterSamples` of silence. */
export function offset(x: Float32Array, beforeSamples: number, afterSamples: number): Float32Array {
  const out = new Float32Array(x.length + beforeSamples + afterSamples);
  out.set(x, beforeSamples);
  return out;
}

/** A second-order section (RBJ cookbook biquad), applied in place. */
function biquad(x: Float32Array, b0: number, b1: number, b2: number, a1: number, a2: number): void {
  let x1 = 0,
    x2 = 0,
    y1 = 0,
    y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i]!;
    const y0 = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x0;
    y2 = y1;
    y1 = y0;
    x[i] = y0;
  }
}

function butterworthSection(
  x: Float32Array,
  kind: 'low' | 'high',
  cutoff: number,
  rate: number,
  q: number,
): void {
  const w = (2 * Math.PI * cutoff) / rate;
  const cos = Math.cos(w);
  const alpha = Math.sin(w) / (2 * q);
  const a0 = 1 + alpha;
  if (kind === 'low')
    biquad(
      x,
      (1 - cos) / 2 / a0,
      (1 - cos) / a0,
      (1 - cos) / 2 / a0,
      (-2 * cos) / a0,
      (1 - alpha) / a0,
    );
  else
    biquad(
      x,
      (1 + cos) / 2 / a0,
      -(1 + cos) / a0,
      (1 + cos) / 2 / a0,
      (-2 * cos) / a0,
      (1 - alpha) / a0,
    );
}

/** 4th-order Butterworth band-pass (two high-pass and two low-pass sections). Returns a new array. */
export function bandPass(
  x: Float32Array,
  lowHz: number,
  highHz: number,
  rate: number,
): Float32Array {
  const out = x.slice();
  for (const q of [0.5411961, 1.306563]) {
    butterworthSection(out, 'high', lowHz, rate, q);
    butterworthSection(out, 'low', highHz, rate, q);
  }
  return out;
}

/** G.711 μ-law encoding of one sample in -1..1 → byte. */
export function muLawEncode(v: number): number {
  const BIAS = 0x84;
  let s = Math.round(Math.max(-1, Math.min(1, v)) * 32767);
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s = Math.min(s, 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** G.711 μ-law byte → sample in -1..1. */
export function muLawDecode(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const s = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return (sign ? -s : s) / 32768;
}

const PHONE_RESAMPLE = { zeroCrossings: 8 } as const;

/** The telephone channel: 16 kHz → 8 kHz, 300–3400 Hz band-pass, μ-law round trip, → 16 kHz. */
export function telephone(x: Float32Array, rate = 16000): Float32Array {
  // A short resampling filter is enough: the band-pass below cuts at 3.4 kHz anyway.
  const narrow = bandPass(resample(x, rate, 8000, PHONE_RESAMPLE), 300, 3400, 8000);
  for (let i = 0; i < narrow.length; i++) narrow[i] = muLawDecode(muLawEncode(narrow[i]!));
  const out = resample(narrow, 8000, rate, PHONE_RESAMPLE);
  return out.length === x.length ? out : out.slice(0, x.length);
}

export interface AugmentSpec {
  /** Silence before / after, in samples. */
  beforeSamples: number;
  afterSamples: number;
  /** Speech level in dBFS after gain. */
  levelDbfs: number;
  /** Noise SNR in dB, or null for none. */
  snrDb: number | null;
  noiseColor: NoiseColor;
  /** Pass through the telephone channel (after the noise: line noise is band-limited too). */
  telephone: boolean;
  /** Seed for the noise. */
  noiseSeed: number;
}

/**
 * Draws `count` augmentation settings: offsets 0–300 ms before, 50–300 ms after; levels −32 to
 * −14 dBFS; SNR 10–30 dB (one in four clean); telephone on every other variant (the first one
 * always, so each clip is heard once through the phone band).
 */
export function drawAugmentations(count: number, rng: () => number): AugmentSpec[] {
  const colors: NoiseColor[] = ['white', 'pink', 'brown'];
  const specs: AugmentSpec[] = [];
  for (let i = 0; i < count; i++) {
    specs.push({
      beforeSamples: Math.round(uniform(rng, 0, 0.3) * 16000),
      afterSamples: Math.round(uniform(rng, 0.05, 0.3) * 16000),
      levelDbfs: uniform(rng, -32, -14),
      snrDb: rng() < 0.25 ? null : uniform(rng, 10, 30),
      noiseColor: colors[Math.floor(rng() * colors.length)]!,
      telephone: i % 2 === 0,
      noiseSeed: Math.floor(rng() * 2 ** 31),
    });
  }
  return specs;
}

/** Applies one augmentation to a 16 kHz clip in -1..1. Deterministic for a given spec. */
export function augment(x: Float32Array, spec: AugmentSpec): Float32Array {
  let y = offset(x, spec.beforeSamples, spec.afterSamples);
  y = normalizeLevel(y, spec.levelDbfs);
  if (spec.snrDb !== null) y = addNoise(y, spec.snrDb, createRng(spec.noiseSeed), spec.noiseColor);
  if (spec.telephone) y = telephone(y);
  return Float32Array.from(y, (v) => Math.max(-1, Math.min(1, v)));
}
