/**
 * Deterministic data augmentation for training the phrase classifier on synthetic speech, so it
 * carries over to real voices and lines: a seeded PRNG; speed perturbation (resampling, which
 * moves tempo and pitch together, as Kaldi's 0.9/1.1 speed perturbation does); vocal-tract-length
 * perturbation (the mel frames' frequency axis warped piecewise-linearly, Jaitly & Hinton 2013);
 * reverberation (convolution with a synthetic room impulse response: direct path, a few
 * early reflections, an exponentially decaying noise tail of a given RT60); white/pink/brown
 * noise at a chosen SNR; gain; a time offset (silence before and after); and telephone channels
 * (16 kHz → 8 kHz, 300–3400 Hz band-pass, then a codec: G.711 μ-law or A-law, or a GSM-like
 * coarse narrow band; optionally lost 20 ms packets concealed by repeating the last one, fading).
 * Audio is Float32 on the -1..1 scale throughout (`int16ToFloat` / `floatToInt16` convert); the
 * same seed always gives the same output.
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

type ToneKind = 'tone' | 'dtmf' | 'beeps' | 'ringback' | 'music';
export const TONE_KINDS: readonly ToneKind[] = ['tone', 'dtmf', 'beeps', 'ringback', 'music'];

const DTMF_LOW = [697, 770, 852, 941];
const DTMF_HIGH = [1209, 1336, 1477, 1633];

/**
 * Non-speech sounds a phone line carries, of unit peak, `length` samples at 16 kHz: a steady tone
 * (300–3,000 Hz), DTMF keys (two tones, 60–200 ms each with gaps), beeps (a tone in 80–500 ms
 * bursts), a ringback-like cadence (two summed tones on and off), or music-like notes (a
 * fundamental of 110–880 Hz with decaying harmonics, a new note every 150–450 ms). The real-speech
 * garbage never held these, and the worst real-speech false accepts were beeps and hold music.
 */
export function makeTones(length: number, kind: ToneKind, rng: () => number): Float32Array {
  const out = new Float32Array(length);
  const rate = 16000;
  const sine = (
    at: number,
    n: number,
    freqs: readonly number[],
    gains: readonly number[],
  ): void => {
    const phases = freqs.map(() => rng() * 2 * Math.PI);
    const ramp = Math.min(80, n >> 2); // 5 ms fades: no clicks
    for (let i = 0; i < n && at + i < length; i++) {
      let v = 0;
      freqs.forEach(
        (f, k) => (v += gains[k]! * Math.sin(phases[k]! + (2 * Math.PI * f * i) / rate)),
      );
      const fade = Math.min(1, i / ramp, (n - 1 - i) / ramp);
      out[at + i]! += v * fade;
    }
  };
  switch (kind) {
    case 'tone':
      sine(0, length, [uniform(rng, 300, 3000)], [1]);
      break;
    case 'dtmf':
      for (let at = Math.round(uniform(rng, 0, 0.1) * rate); at < length;) {
        const n = Math.round(uniform(rng, 0.06, 0.2) * rate);
        const low = DTMF_LOW[Math.floor(rng() * 4)]!;
        const high = DTMF_HIGH[Math.floor(rng() * 4)]!;
        sine(at, n, [low, high], [0.5, 0.5]);
        at += n + Math.round(uniform(rng, 0.05, 0.25) * rate);
      }
      break;
    case 'beeps': {
      const f = uniform(rng, 400, 2000);
      for (let at = Math.round(uniform(rng, 0, 0.2) * rate); at < length;) {
        const n = Math.round(uniform(rng, 0.08, 0.5) * rate);
        sine(at, n, [f], [1]);
        at += n + Math.round(uniform(rng, 0.1, 0.6) * rate);
      }
      break;
    }
    case 'ringback': {
      const pairs = [
        [440, 480],
        [400, 450],
        [425, 425],
        [480, 620],
      ] as const;
      const pair = pairs[Math.floor(rng() * pairs.length)]!;
      const on = Math.round(uniform(rng, 0.25, 1) * rate);
      const off = Math.round(uniform(rng, 0.2, 0.8) * rate);
      for (let at = 0; at < length; at += on + off) sine(at, on, pair, [0.5, 0.5]);
      break;
    }
    case 'music':
      for (let at = 0; at < length;) {
        const n = Math.round(uniform(rng, 0.15, 0.45) * rate);
        const f0 = 110 * 2 ** (Math.floor(rng() * 36) / 12);
        const harmonics = [1, 2, 3, 4, 5].map((h) => f0 * h).filter((f) => f < 3800);
        sine(
          at,
          n,
          harmonics,
          harmonics.map((_, h) => 0.6 ** h),
        );
        at += n;
      }
      break;
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  if (peak > 0) for (let i = 0; i < length; i++) out[i]! /= peak;
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

/** G.711 A-law encoding of one sample in -1..1 → byte. */
export function aLawEncode(v: number): number {
  let s = Math.round(Math.max(-1, Math.min(1, v)) * 32767) >> 3; // 13-bit
  const sign = s >= 0 ? 0x80 : 0;
  if (s < 0) s = -s - 1;
  s = Math.min(s, 0xfff);
  let exponent = 0;
  for (let e = 7; e > 0; e--) {
    if (s >= 0x10 << e) {
      exponent = e;
      break;
    }
  }
  const mantissa = exponent === 0 ? (s >> 1) & 0x0f : (s >> exponent) & 0x0f;
  return (sign | (exponent << 4) | mantissa) ^ 0x55;
}

/** G.711 A-law byte → sample in -1..1. */
export function aLawDecode(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let s = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  if ((a & 0x80) === 0) s = -s;
  return s / 32768;
}

const PHONE_RESAMPLE = { zeroCrossings: 8 } as const;

/** What the line does to the 8 kHz signal: G.711 μ-law or A-law, or a GSM-like coarse narrow band. */
export type Codec = 'mulaw' | 'alaw' | 'gsm';

/**
 * A GSM-full-rate-like channel at 8 kHz (not the real RPE-LTP codec: its audible effects): a
 * narrower band (200–3000 Hz after the line's band-pass) and coarse quantization, 8 levels per
 * octave of magnitude with the level adapted per 20 ms block (much coarser than G.711's 16 steps
 * per segment), so the spectrum is smeared and quiet parts are grainy.
 */
function gsmLike(narrow: Float32Array): Float32Array {
  const out = bandPass(narrow, 200, 3000, 8000);
  const block = 160;
  for (let from = 0; from < out.length; from += block) {
    const part = out.subarray(from, Math.min(out.length, from + block));
    const peak = part.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    if (peak === 0) continue;
    const step = peak / 8;
    for (let i = 0; i < part.length; i++) part[i] = Math.round(part[i]! / step) * step;
  }
  return out;
}

/**
 * Lost 20 ms packets (each with probability `lossRate`, at 8 kHz), concealed as simple decoders
 * do: the last good packet repeated, fading by half per repeat. Works in place.
 */
export function packetLoss(narrow: Float32Array, lossRate: number, rng: () => number): void {
  const packet = 160;
  let last: Float32Array | null = null;
  let fade = 1;
  for (let from = 0; from + packet <= narrow.length; from += packet) {
    const part = narrow.subarray(from, from + packet);
    if (rng() < lossRate && last) {
      fade *= 0.5;
      for (let i = 0; i < packet; i++) part[i] = last[i]! * fade;
    } else {
      last = part.slice();
      fade = 1;
    }
  }
}

/**
 * A telephone channel: 16 kHz → 8 kHz, 300–3400 Hz band-pass, the codec's round trip (default
 * G.711 μ-law), lost packets (none by default), → 16 kHz.
 */
export function telephone(
  x: Float32Array,
  rate = 16000,
  codec: Codec = 'mulaw',
  loss: { rate: number; seed: number } | null = null,
  band: readonly [lowHz: number, highHz: number] = [300, 3400],
): Float32Array {
  // A short resampling filter is enough: the band-pass below cuts at 3.4 kHz anyway.
  let narrow = bandPass(resample(x, rate, 8000, PHONE_RESAMPLE), band[0], band[1], 8000);
  switch (codec) {
    case 'mulaw':
      for (let i = 0; i < narrow.length; i++) narrow[i] = muLawDecode(muLawEncode(narrow[i]!));
      break;
    case 'alaw':
      for (let i = 0; i < narrow.length; i++) narrow[i] = aLawDecode(aLawEncode(narrow[i]!));
      break;
    case 'gsm':
      narrow = gsmLike(narrow);
      break;
  }
  if (loss && loss.rate > 0) packetLoss(narrow, loss.rate, createRng(loss.seed));
  const out = resample(narrow, 8000, rate, PHONE_RESAMPLE);
  return out.length === x.length ? out : out.slice(0, x.length);
}

/**
 * Speed perturbation by resampling: `factor` 1.1 plays 10 % faster and higher (tempo and pitch
 * together). The factor is rounded to 0.01 so the resampler's rate ratio stays small.
 */
export function speed(x: Float32Array, factor: number, rate = 16000): Float32Array {
  const f = Math.round(factor * 100) / 100;
  if (f === 1) return x.slice();
  return resample(x, Math.round(rate * f), rate, PHONE_RESAMPLE);
}

/**
 * A tempo change without a pitch change (WSOLA: 20 ms Hann frames at a 10 ms output hop, each
 * taken from around `factor` × the output position where it best continues the last one, within
 * ±5 ms). `factor` 1.2 is 20 % faster (shorter), at the same pitch.
 */
export function tempo(x: Float32Array, factor: number): Float32Array {
  const frame = 320;
  const hop = frame / 2;
  const tolerance = 80;
  if (factor === 1 || x.length < frame + 2 * tolerance) return x.slice();
  const outLength = Math.floor(x.length / factor);
  const out = new Float32Array(outLength + frame);
  const norm = new Float32Array(outLength + frame);
  const window = Float32Array.from(
    { length: frame },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frame),
  );
  let previous = 0; // where the last frame was taken from
  for (let at = 0; at < outLength; at += hop) {
    const nominal = Math.round(at * factor);
    let from = Math.min(Math.max(0, nominal), x.length - frame);
    if (at > 0) {
      // The natural continuation of the previous frame, matched by cross-correlation.
      const natural = previous + hop;
      let best = -Infinity;
      const lo = Math.max(0, nominal - tolerance);
      const hi = Math.min(x.length - frame, nominal + tolerance);
      for (let c = lo; c <= hi; c++) {
        let s = 0;
        for (let i = 0; i < hop && natural + i < x.length; i++) s += x[c + i]! * x[natural + i]!;
        if (s > best) {
          best = s;
          from = c;
        }
      }
    }
    for (let i = 0; i < frame; i++) {
      out[at + i]! += x[from + i]! * window[i]!;
      norm[at + i]! += window[i]!;
    }
    previous = from;
  }
  for (let i = 0; i < outLength; i++) if (norm[i]! > 1e-3) out[i]! /= norm[i]!;
  return out.subarray(0, outLength);
}

/**
 * A spectral tilt: a first-order pre-emphasis (`amount` > 0, brighter) or de-emphasis (< 0,
 * darker), level kept. Handsets, headsets and rooms colour speech this way; synthetic voices are
 * all evenly bright.
 */
export function tilt(x: Float32Array, amount: number): Float32Array {
  const y = new Float32Array(x.length);
  if (amount >= 0) {
    let last = 0;
    for (let i = 0; i < x.length; i++) {
      y[i] = x[i]! - amount * last;
      last = x[i]!;
    }
  } else {
    let last = 0;
    for (let i = 0; i < x.length; i++) {
      last = x[i]! - amount * last;
      y[i] = last * (1 + amount);
    }
  }
  const before = activeRms(x);
  const after = activeRms(y);
  if (after > 0) for (let i = 0; i < y.length; i++) y[i]! *= before / after;
  return y;
}

/** In-place radix-2 complex FFT (length a power of two); `inverse` without the 1/n scaling. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a]! += tr;
        im[a]! += ti;
        const next = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = next;
      }
    }
  }
}

/** The mel front end's band (openWakeWord / Google speech_embedding: 32 bins, 60–3800 Hz). */
const MEL_LOW_HZ = 60;
const MEL_HIGH_HZ = 3800;
const toMel = (f: number): number => 1127 * Math.log(1 + f / 700);
const fromMel = (m: number): number => 700 * (Math.exp(m / 1127) - 1);

/**
 * Vocal-tract-length perturbation, done where it is defined: on the filterbank (Jaitly & Hinton
 * 2013). Every mel frame ([rows, bins] row-major, bins spread evenly in mel over 60–3800 Hz) is
 * resampled along frequency by the piecewise-linear warp f → alpha·f (a straight line above a
 * boundary up to the band's top), so alpha > 1 sounds like a shorter vocal tract (formants move
 * up), < 1 a longer one. The trainer applies it to the mel frames before the embedding model
 * (a waveform-domain warp through an STFT smears phases and loses level). Returns a new array.
 */
export function vtlpMel(mel: Float32Array, bins: number, alpha: number): Float32Array {
  if (alpha === 1 || mel.length === 0) return mel.slice();
  const lo = toMel(MEL_LOW_HZ);
  const hi = toMel(MEL_HIGH_HZ);
  const centre = (k: number): number => fromMel(lo + ((k + 1) * (hi - lo)) / (bins + 1));
  const boundary = (0.85 * MEL_HIGH_HZ * Math.min(alpha, 1)) / alpha;
  // Source frequency of each output bin: the inverse of the warp.
  const inverse = (f: number): number =>
    f <= alpha * boundary
      ? f / alpha
      : boundary +
        ((f - alpha * boundary) * (MEL_HIGH_HZ - boundary)) / (MEL_HIGH_HZ - alpha * boundary);
  const source = Float64Array.from({ length: bins }, (_, k) => {
    const m = toMel(inverse(centre(k)));
    return Math.max(0, Math.min(bins - 1, ((m - lo) * (bins + 1)) / (hi - lo) - 1));
  });
  const out = new Float32Array(mel.length);
  for (let row = 0; row + bins <= mel.length; row += bins) {
    for (let k = 0; k < bins; k++) {
      const s = source[k]!;
      const k0 = Math.floor(s);
      const k1 = Math.min(bins - 1, k0 + 1);
      const t = s - k0;
      out[row + k] = mel[row + k0]! * (1 - t) + mel[row + k1]! * t;
    }
  }
  return out;
}

/**
 * A synthetic room impulse response at 16 kHz: the direct path, 3–6 early reflections in the first
 * 50 ms, and a noise tail decaying 60 dB over `rt60Ms` (the longest audible length is kept).
 */
export function roomImpulse(rt60Ms: number, rng: () => number, rate = 16000): Float32Array {
  const length = Math.max(1, Math.round((rt60Ms / 1000) * rate));
  const h = new Float32Array(length);
  h[0] = 1;
  const reflections = 3 + Math.floor(rng() * 4);
  for (let r = 0; r < reflections; r++) {
    const at = Math.min(length - 1, Math.round(uniform(rng, 0.002, 0.05) * rate));
    h[at]! += (rng() < 0.5 ? -1 : 1) * uniform(rng, 0.2, 0.6);
  }
  // Amplitude decays 60 dB over rt60: exp(-6.9 t / rt60).
  const decay = 6.9 / ((rt60Ms / 1000) * rate);
  const tailLevel = uniform(rng, 0.1, 0.3);
  for (let i = Math.round(0.005 * rate); i < length; i++)
    h[i]! += gaussian(rng) * tailLevel * Math.exp(-decay * i);
  return h;
}

/** Linear convolution by FFT, cut to the input's length. */
export function convolve(x: Float32Array, h: Float32Array): Float32Array {
  let n = 1;
  while (n < x.length + h.length - 1) n <<= 1;
  const ar = new Float64Array(n);
  const ai = new Float64Array(n);
  const br = new Float64Array(n);
  const bi = new Float64Array(n);
  ar.set(x);
  br.set(h);
  fft(ar, ai);
  fft(br, bi);
  for (let k = 0; k < n; k++) {
    const r = ar[k]! * br[k]! - ai[k]! * bi[k]!;
    ai[k] = ar[k]! * bi[k]! + ai[k]! * br[k]!;
    ar[k] = r;
  }
  fft(ar, ai, true);
  return Float32Array.from({ length: x.length }, (_, i) => ar[i]! / n);
}

/** Reverberation: the clip convolved with a synthetic room of `rt60Ms`, level kept. */
export function reverb(x: Float32Array, rt60Ms: number, seed: number): Float32Array {
  const wet = convolve(x, roomImpulse(rt60Ms, createRng(seed)));
  const before = activeRms(x);
  const after = activeRms(wet);
  if (after === 0) return wet;
  const g = before / after;
  for (let i = 0; i < wet.length; i++) wet[i]! *= g;
  return wet;
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
  /** Pass through a telephone channel (after the noise: line noise is band-limited too). */
  telephone: boolean;
  /** Seed for the noise. */
  noiseSeed: number;
  /** Speed perturbation factor (1: none). Absent: none. */
  speed?: number;
  /** Vocal-tract-length warp factor (1: none; absent: none), applied to mel frames (`vtlpMel`), not by `augment`. */
  vtlp?: number;
  /** Reverberation time in ms, or null/absent for a dry clip (seeded by `noiseSeed`). */
  reverbMs?: number | null;
  /** The telephone channel's codec (default μ-law). */
  codec?: Codec;
  /** Share of 20 ms packets lost on the telephone channel (default 0). */
  packetLoss?: number;
  /** Tempo factor without a pitch change (`tempo`, WSOLA; 1 or absent: none): slow and fast talkers. */
  tempo?: number;
  /** Spectral tilt (`tilt`; 0 or absent: none): a microphone's or handset's colouring, −0.6 dark to 0.6 bright. */
  tilt?: number;
  /** The telephone channel's band edges in Hz (default 300–3400): handsets and lines differ. */
  band?: readonly [lowHz: number, highHz: number];
}

/**
 * How widely `drawAugmentations` draws. 'standard': the ranges above. 'wide' (issue 12's wider
 * augmentation, for voices training never heard): speed 0.85–1.15 and vocal-tract warp 0.85–1.15
 * on two clips in three, a tempo change without pitch (0.8–1.25: slow and fast talkers) on half,
 * a spectral tilt on half, the phone's band edges drawn (200–400 / 3,000–3,600 Hz), rooms on one
 * in three. Drawn after the standard fields, so a 'standard' draw is what it always was.
 */
export type AugmentBreadth = 'standard' | 'wide';

/**
 * Draws `count` augmentation settings: offsets 0–300 ms before, 50–300 ms after; levels −32 to
 * −14 dBFS; SNR 10–30 dB (one in four clean); telephone on every other variant (the first one
 * always, so each clip is heard once through the phone band) with μ-law, A-law or the GSM-like
 * channel in turn and up to 3 % lost packets on one in four; speed 0.9–1.1 on half; vocal-tract
 * warp 0.9–1.1 on half; a room of 100–450 ms RT60 on one in four.
 */
export function drawAugmentations(
  count: number,
  rng: () => number,
  breadth: AugmentBreadth = 'standard',
): AugmentSpec[] {
  const colors: NoiseColor[] = ['white', 'pink', 'brown'];
  const codecs: Codec[] = ['mulaw', 'alaw', 'gsm'];
  const specs: AugmentSpec[] = [];
  for (let i = 0; i < count; i++) {
    const spec: AugmentSpec = {
      beforeSamples: Math.round(uniform(rng, 0, 0.3) * 16000),
      afterSamples: Math.round(uniform(rng, 0.05, 0.3) * 16000),
      levelDbfs: uniform(rng, -32, -14),
      snrDb: rng() < 0.25 ? null : uniform(rng, 10, 30),
      noiseColor: colors[Math.floor(rng() * colors.length)]!,
      telephone: i % 2 === 0,
      noiseSeed: Math.floor(rng() * 2 ** 31),
    };
    spec.speed = rng() < 0.5 ? Math.round(uniform(rng, 0.9, 1.1) * 100) / 100 : 1;
    spec.vtlp = rng() < 0.5 ? uniform(rng, 0.9, 1.1) : 1;
    spec.reverbMs = rng() < 0.25 ? uniform(rng, 100, 450) : null;
    spec.codec = codecs[Math.floor(rng() * codecs.length)]!;
    spec.packetLoss = rng() < 0.25 ? uniform(rng, 0, 0.03) : 0;
    if (breadth === 'wide') {
      spec.speed = rng() < 0.67 ? Math.round(uniform(rng, 0.85, 1.15) * 100) / 100 : 1;
      spec.vtlp = rng() < 0.67 ? uniform(rng, 0.85, 1.15) : 1;
      spec.tempo = rng() < 0.5 ? Math.round(uniform(rng, 0.8, 1.25) * 100) / 100 : 1;
      spec.tilt = rng() < 0.5 ? uniform(rng, -0.6, 0.6) : 0;
      spec.band = [Math.round(uniform(rng, 200, 400)), Math.round(uniform(rng, 3000, 3600))];
      spec.reverbMs = rng() < 0.33 ? uniform(rng, 100, 600) : null;
    }
    specs.push(spec);
  }
  return specs;
}

/**
 * Applies one augmentation to a 16 kHz clip in -1..1 (all but `vtlp`, which works on mel frames).
 * Deterministic for a given spec.
 */
export function augment(x: Float32Array, spec: AugmentSpec): Float32Array {
  let y = x;
  if (spec.speed !== undefined && spec.speed !== 1) y = speed(y, spec.speed);
  if (spec.tempo !== undefined && spec.tempo !== 1) y = tempo(y, spec.tempo);
  if (spec.tilt) y = tilt(y, spec.tilt);
  if (spec.reverbMs) y = reverb(y, spec.reverbMs, spec.noiseSeed ^ 0x5bd1);
  y = offset(y, spec.beforeSamples, spec.afterSamples);
  y = normalizeLevel(y, spec.levelDbfs);
  if (spec.snrDb !== null) y = addNoise(y, spec.snrDb, createRng(spec.noiseSeed), spec.noiseColor);
  if (spec.telephone)
    y = telephone(
      y,
      16000,
      spec.codec ?? 'mulaw',
      spec.packetLoss ? { rate: spec.packetLoss, seed: spec.noiseSeed ^ 0x2c1b } : null,
      spec.band,
    );
  return Float32Array.from(y, (v) => Math.max(-1, Math.min(1, v)));
}
