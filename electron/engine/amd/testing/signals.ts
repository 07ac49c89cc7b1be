/**
 * Fixed synthetic signals for the AMD unit tests, 16 kHz Int16: silence, line hiss, a steady tone,
 * DTMF, and speech-like bursts (a harmonic voice whose pitch glides and whose loudness rises and
 * falls syllable by syllable). Seeded, so every run hears the same samples.
 */
import { createRng } from '../../audio/index.js';

export const RATE = 16_000;
const n = (ms: number): number => Math.round((ms * RATE) / 1000);

export function silence(ms: number): Int16Array {
  return new Int16Array(n(ms));
}

/** White-ish hiss at `db` dBFS RMS. */
export function hiss(ms: number, db: number, seed = 1): Int16Array {
  const rng = createRng(seed);
  const amp = 10 ** (db / 20) * 32768 * Math.sqrt(3);
  return Int16Array.from({ length: n(ms) }, () => Math.round((rng() * 2 - 1) * amp));
}

/** A steady sine with 10 ms ramps, `db` dBFS RMS. */
export function tone(hz: number, ms: number, db = -18, secondHz?: number): Int16Array {
  const amp = 10 ** (db / 20) * 32768 * Math.SQRT2;
  const ramp = n(10);
  const len = n(ms);
  return Int16Array.from({ length: len }, (_, i) => {
    const env = Math.min(1, i / ramp, (len - i) / ramp);
    const a = Math.sin((2 * Math.PI * hz * i) / RATE);
    const b = secondHz === undefined ? 0 : Math.sin((2 * Math.PI * secondHz * i) / RATE);
    return Math.round(amp * env * (secondHz === undefined ? a : (a + b) / 2));
  });
}

/**
 * Speech-like: syllables of 120–260 ms (a harmonic voice, f0 gliding between 100 and 220 Hz,
 * harmonics to 3.4 kHz with a falling spectrum), 30–90 ms apart, for `ms` in all; `db` dBFS at
 * the syllables' peaks.
 */
export function speechLike(ms: number, db = -20, seed = 7): Int16Array {
  const rng = createRng(seed);
  const out = new Int16Array(n(ms));
  const amp = 10 ** (db / 20) * 32768;
  let at = 0;
  let phase = 0;
  while (at < out.length) {
    const syllable = n(120 + rng() * 140);
    const f0a = 100 + rng() * 120;
    const f0b = 100 + rng() * 120;
    for (let i = 0; i < syllable && at + i < out.length; i++) {
      const f0 = f0a + ((f0b - f0a) * i) / syllable;
      phase += (2 * Math.PI * f0) / RATE;
      let v = 0;
      for (let h = 1; h * f0 < 3400; h++) v += Math.sin(h * phase) / h;
      const env = Math.sin((Math.PI * i) / syllable);
      out[at + i] = Math.max(-32768, Math.min(32767, Math.round(amp * env * v * 0.5)));
    }
    at += syllable + n(30 + rng() * 60);
  }
  return out;
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Adds `b` onto `a` (same length or shorter), clipped. */
export function mix(a: Int16Array, b: Int16Array): Int16Array {
  return Int16Array.from(a, (v, i) => Math.max(-32768, Math.min(32767, v + (b[i] ?? 0))));
}
