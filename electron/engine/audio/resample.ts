/**
 * Sample-rate conversion and sample-format helpers, all pure.
 *
 * `resample` is a polyphase windowed-sinc (Kaiser) resampler: exact for rational ratios up to
 * MAX_PHASES phases (8000/11025/22050/44100/48000 ↔ 16000 all are), and with the phase rounded to
 * 1/MAX_PHASES of a sample otherwise. The low-pass sits below the lower of the two Nyquist
 * frequencies, so downsampling is anti-aliased and upsampling suppresses images. With the defaults
 * (24 zero crossings each side, cut-off at 90% of that Nyquist, Kaiser β = 8) the stop band starts
 * at the output's Nyquist frequency with ~80 dB attenuation; at 16 kHz out the pass band is flat to
 * ~6.4 kHz. Samples outside the input count as zero.
 */

export interface ResampleOptions {
  /** Zero crossings of the sinc on each side: longer filters give a sharper transition. Default 24. */
  zeroCrossings?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency. Default 0.9. */
  rolloff?: number;
  /** Kaiser window β: higher gives more stop-band attenuation and a wider transition. Default 8. */
  kaiserBeta?: number;
}

/** Phases kept in the polyphase table; rarer ratios round the phase to this resolution. */
export const MAX_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (for the Kaiser window). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/** Output length for `inputLength` samples: ceil(inputLength × to / from), so the duration is kept. */
export function resampledLength(inputLength: number, fromRate: number, toRate: number): number {
  const g = gcd(fromRate, toRate);
  return Math.ceil((inputLength * (toRate / g)) / (fromRate / g));
}

/** Resamples one channel from `fromRate` to `toRate` (positive integer Hz). Returns a new array. */
export function resample(
  input: Float32Array,
  fromRate: number,
  toRate: number,
  options: ResampleOptions = {},
): Float32Array {
  for (const [name, rate] of [
    ['source', fromRate],
    ['target', toRate],
  ] as const) {
    if (!Number.isInteger(rate) || rate <= 0)
      throw new RangeError(`invalid ${name} sample rate ${rate}: must be a positive integer`);
  }
  if (fromRate === toRate) return input.slice();
  const zeroCrossings = options.zeroCrossings ?? 24;
  const rolloff = options.rolloff ?? 0.9;
  const beta = options.kaiserBeta ?? 8;

  const g = gcd(fromRate, toRate);
  const up = toRate / g; // L
  const down = fromRate / g; // M
  const n = input.length;
  const outLength = resampledLength(n, fromRate, toRate);
  const output = new Float32Array(outLength);
  if (n === 0) return output;

  // Cut-off in cycles per input sample, and the filter's half-width in input samples.
  const cutoff = 0.5 * Math.min(1, toRate / fromRate) * rolloff;
  const halfWidth = zeroCrossings / (2 * cutoff);
  const half = Math.ceil(halfWidth);
  const taps = 2 * half;
  const exact = up <= MAX_PHASES;
  const phases = exact ? up : MAX_PHASES;

  // Row p holds the taps for an output sample at input position i + p/phases, applied to inputs
  // i-half+1 … i+half. Each row is normalized to unit DC gain.
  const table = new Float32Array(phases * taps);
  const i0Beta = besselI0(beta);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let sum = 0;
    const row = p * taps;
    for (let j = 0; j < taps; j++) {
      const d = frac + half - 1 - j;
      const r = d / halfWidth;
      if (r <= -1 || r >= 1) continue;
      const x = 2 * cutoff * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
      const h = sinc * w;
      table[row + j] = h;
      sum += h;
    }
    for (let j = 0; j < taps; j++) table[row + j]! /= sum;
  }

  // Input with `half` zeros on each side, so the inner loop needs no bounds checks.
  const padded = new Float32Array(n + 2 * half + 1);
  padded.set(input, half);

  const step = Math.floor(down / up);
  const stepRem = down % up;
  let i = 0; // integer input position
  let rem = 0; // fractional position, in 1/up of a sample
  for (let o = 0; o < outLength; o++) {
    let phase: number;
    let base = i + 1; // padded index of input i-half+1
    if (exact) {
      phase = rem;
    } else {
      phase = Math.round((rem * phases) / up);
      if (phase === phases) {
        phase = 0;
        base++;
      }
    }
    const row = phase * taps;
    let acc = 0;
    for (let j = 0; j < taps; j++) acc += padded[base + j]! * table[row + j]!;
    output[o] = acc;
    i += step;
    rem += stepRem;
    if (rem >= up) {
      rem -= up;
      i++;
    }
  }
  return output;
}

/** Averages the channels into one. A single channel is returned as is (not copied). */
export function toMono(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) throw new RangeError('toMono needs at least one channel');
  if (channels.length === 1) return channels[0]!;
  const length = channels[0]!.length;
  const out = new Float32Array(length);
  for (const channel of channels) {
    if (channel.length !== length)
      throw new RangeError(`channels differ in length (${channel.length} vs ${length} samples)`);
    for (let i = 0; i < length; i++) out[i]! += channel[i]!;
  }
  const scale = 1 / channels.length;
  for (let i = 0; i < length; i++) out[i]! *= scale;
  return out;
}

/** -1..1 floats → Int16 (×32768, rounded), clipping to -32768..32767; NaN becomes 0. */
export function floatToInt16(
  input: Float32Array,
  out: Int16Array = new Int16Array(input.length),
): Int16Array {
  if (out.length < input.length)
    throw new RangeError(`output holds ${out.length} samples, input has ${input.length}`);
  for (let i = 0; i < input.length; i++) {
    const v = Math.round(input[i]! * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v || 0;
  }
  return out;
}

/** Int16 → floats in -1..1 (÷32768): the exact inverse of floatToInt16 for in-range values. */
export function int16ToFloat(
  input: Int16Array,
  out: Float32Array = new Float32Array(input.length),
): Float32Array {
  if (out.length < input.length)
    throw new RangeError(`output holds ${out.length} samples, input has ${input.length}`);
  for (let i = 0; i < input.length; i++) out[i] = input[i]! / 32768;
  return out;
}
