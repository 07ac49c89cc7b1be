/**
 * Does one recording contain another? Compares loudness envelopes rather than waveforms, so it
 * holds across sample rates, codecs (G.711), gain changes, phase shifts and line noise: "the phone's
 * 8 kHz recording contains the engine's 16 kHz prompt".
 *
 * Both signals become smoothed RMS envelopes at `hopMs` steps (10 ms = 100 Hz by default: the mean
 * square per hop, averaged over `smoothMs`, square-rooted, after removing the DC offset). The
 * reference's envelope is then slid along the candidate's, and at each lag the Pearson correlation
 * is taken over the overlapping hops only — so silence before or after the reference in the
 * candidate lowers nothing. The best lag wins.
 */

export interface EnvelopeOptions {
  /** Envelope step. Default 10 ms. */
  hopMs?: number;
  /** Moving-average window of the mean square. Default 30 ms. */
  smoothMs?: number;
  /**
   * The share of the reference (0..1) that must lie inside the candidate at a lag for it to count.
   * Default 0.9: the reference may stick out of either end of the candidate by up to 10% (a phone
   * recording that started or stopped a little late still matches). 1 demands full containment.
   */
  minOverlap?: number;
}

export interface EnvelopeMatch {
  /** The best Pearson correlation of the envelopes, clamped to 0..1; 0 when nothing could be compared. */
  correlation: number;
  /** Where the reference starts in the candidate at that best match (negative: before its start). */
  lagMs: number;
}

/** Smoothed RMS envelope, one value per hop (the trailing partial hop is dropped). */
export function rmsEnvelope(
  samples: Float32Array,
  sampleRate: number,
  hopMs = 10,
  smoothMs = 30,
): Float64Array {
  if (!(sampleRate > 0)) throw new RangeError(`invalid sample rate ${sampleRate}`);
  if (!(hopMs > 0)) throw new RangeError(`invalid hop ${hopMs} ms`);
  const hopSamples = (sampleRate * hopMs) / 1000;
  const count = Math.floor(samples.length / hopSamples);
  let mean = 0;
  for (let i = 0; i < samples.length; i++) mean += samples[i]!;
  mean = samples.length > 0 ? mean / samples.length : 0;

  const meanSquare = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const from = Math.round(k * hopSamples);
    const to = Math.round((k + 1) * hopSamples);
    let sum = 0;
    for (let i = from; i < to; i++) {
      const v = samples[i]! - mean;
      sum += v * v;
    }
    meanSquare[k] = to > from ? sum / (to - from) : 0;
  }

  const width = Math.max(1, Math.round(smoothMs / hopMs));
  const before = Math.floor((width - 1) / 2);
  const envelope = new Float64Array(count);
  // Centered moving average over a running sum; the window is cut at the ends.
  let sum = 0;
  let lo = 0;
  let hi = 0; // the window is [lo, hi)
  for (let k = 0; k < count; k++) {
    const wantLo = Math.max(0, k - before);
    const wantHi = Math.min(count, k - before + width);
    while (hi < wantHi) sum += meanSquare[hi++]!;
    while (lo < wantLo) sum -= meanSquare[lo++]!;
    envelope[k] = Math.sqrt(Math.max(0, sum / (hi - lo)));
  }
  return envelope;
}

/** How well `reference` (at `refRate`) appears somewhere in `candidate` (at `candRate`). */
export function envelopeCorrelation(
  reference: Float32Array,
  refRate: number,
  candidate: Float32Array,
  candRate: number,
  options: EnvelopeOptions = {},
): EnvelopeMatch {
  const hopMs = options.hopMs ?? 10;
  const smoothMs = options.smoothMs ?? 30;
  const minOverlap = options.minOverlap ?? 0.9;
  if (!(minOverlap > 0 && minOverlap <= 1))
    throw new RangeError(`minOverlap must be in (0, 1], not ${minOverlap}`);
  const r = rmsEnvelope(reference, refRate, hopMs, smoothMs);
  const c = rmsEnvelope(candidate, candRate, hopMs, smoothMs);
  const nr = r.length;
  const nc = c.length;
  const need = Math.max(2, Math.ceil(minOverlap * nr));
  const none: EnvelopeMatch = { correlation: 0, lagMs: 0 };
  if (nr < 2 || nc < need) return none;

  const prefix = (x: Float64Array, square: boolean): Float64Array => {
    const p = new Float64Array(x.length + 1);
    for (let i = 0; i < x.length; i++) p[i + 1] = p[i]! + (square ? x[i]! * x[i]! : x[i]!);
    return p;
  };
  const rSum = prefix(r, false);
  const rSq = prefix(r, true);
  const cSum = prefix(c, false);
  const cSq = prefix(c, true);
  // Variances below this (relative to the signals' own energy) count as flat: nothing to correlate.
  const floor = 1e-12 * Math.max(rSq[nr]! / nr, cSq[nc]! / nc, 1e-30);

  let best = -Infinity;
  let bestLag = 0;
  for (let lag = need - nr; lag <= nc - need; lag++) {
    const a = Math.max(0, -lag); // first reference hop in the overlap
    const b = Math.min(nr, nc - lag); // one past the last
    const m = b - a;
    if (m < need) continue;
    let dot = 0;
    for (let k = a; k < b; k++) dot += r[k]! * c[k + lag]!;
    const sr = rSum[b]! - rSum[a]!;
    const sc = cSum[b + lag]! - cSum[a + lag]!;
    const varR = rSq[b]! - rSq[a]! - (sr * sr) / m;
    const varC = cSq[b + lag]! - cSq[a + lag]! - (sc * sc) / m;
    if (varR <= floor * m || varC <= floor * m) continue;
    const corr = (dot - (sr * sc) / m) / Math.sqrt(varR * varC);
    if (corr > best) {
      best = corr;
      bestLag = lag;
    }
  }
  if (best === -Infinity) return none;
  return { correlation: Math.min(1, Math.max(0, best)), lagMs: bestLag * hopMs };
}
