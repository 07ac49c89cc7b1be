import { describe, expect, it } from 'vitest';

import {
  activeRms,
  addNoise,
  aLawDecode,
  aLawEncode,
  augment,
  bandPass,
  convolve,
  createRng,
  drawAugmentations,
  fft,
  makeTones,
  muLawDecode,
  muLawEncode,
  reverb,
  rms,
  speed,
  telephone,
  tempo,
  tilt,
  TONE_KINDS,
  vtlpMel,
} from './augment.js';

function sine(hz: number, samples = 16000, amp = 0.3): Float32Array {
  return Float32Array.from(
    { length: samples },
    (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / 16000),
  );
}

describe('augmentation', () => {
  it('is deterministic for a seed', () => {
    const a = drawAugmentations(5, createRng(7));
    const b = drawAugmentations(5, createRng(7));
    expect(a).toEqual(b);
    const x = sine(500);
    expect(Array.from(augment(x, a[0]!))).toEqual(Array.from(augment(x, b[0]!)));
    expect(drawAugmentations(5, createRng(8))).not.toEqual(a);
  });

  it('makes line tones of unit peak, deterministic for a seed, with their energy where each kind puts it', () => {
    for (const kind of TONE_KINDS) {
      const x = makeTones(16000, kind, createRng(5));
      expect(Array.from(x)).toEqual(Array.from(makeTones(16000, kind, createRng(5))));
      expect(Math.max(...x.map(Math.abs))).toBeCloseTo(1, 5);
      // Beeps and keys leave gaps; a steady tone and music do not.
      const quiet = activeRms(x) > 0 ? x.filter((v) => Math.abs(v) < 1e-6).length / x.length : 1;
      if (kind === 'tone' || kind === 'music') expect(quiet).toBeLessThan(0.01);
      if (kind === 'dtmf' || kind === 'beeps') expect(quiet).toBeGreaterThan(0.1);
    }
    // DTMF: two tones, one from each group (697–941 and 1209–1633 Hz): nothing under 600 Hz.
    const keys = makeTones(16000, 'dtmf', createRng(9));
    expect(rms(bandPass(keys, 650, 1700, 16000))).toBeGreaterThan(rms(keys) * 0.8);
  });

  it('adds noise at the requested SNR', () => {
    const x = sine(500);
    const y = addNoise(x, 20, createRng(1));
    const noise = y.map((v, i) => v - x[i]!);
    const snr = 20 * Math.log10(activeRms(x) / rms(noise));
    expect(snr).toBeCloseTo(20, 0);
  });

  it('draws settings in the documented ranges', () => {
    for (const s of drawAugmentations(200, createRng(3))) {
      if (s.snrDb !== null) {
        expect(s.snrDb).toBeGreaterThanOrEqual(10);
        expect(s.snrDb).toBeLessThan(30);
      }
      expect(s.levelDbfs).toBeGreaterThanOrEqual(-32);
      expect(s.beforeSamples).toBeLessThanOrEqual(4800);
    }
  });

  it('μ-law round trip is close (G.711 step sizes)', () => {
    for (const v of [0, 0.001, -0.01, 0.1, -0.5, 0.99]) {
      expect(Math.abs(muLawDecode(muLawEncode(v)) - v)).toBeLessThanOrEqual(
        Math.max(0.0005, Math.abs(v) * 0.07),
      );
    }
    expect(muLawEncode(0)).toBe(0xff);
  });

  it('the telephone channel passes 1 kHz and removes 100 Hz and 5 kHz', () => {
    const mid = telephone(sine(1000));
    const low = telephone(sine(100));
    const high = telephone(sine(5000));
    const inner = (x: Float32Array): Float32Array => x.subarray(2000, 14000);
    expect(mid.length).toBe(16000);
    expect(rms(inner(mid)) / rms(inner(sine(1000)))).toBeGreaterThan(0.85);
    expect(rms(inner(low)) / rms(inner(sine(100)))).toBeLessThan(0.1);
    expect(rms(inner(high)) / rms(inner(sine(5000)))).toBeLessThan(0.01);
    expect(rms(bandPass(sine(1000), 300, 3400, 16000).subarray(2000))).toBeGreaterThan(0.19);
  });

  it('A-law round trip is close (G.711 step sizes) and 0 encodes as 0xD5', () => {
    for (const v of [0.001, -0.01, 0.1, -0.5, 0.99]) {
      expect(Math.abs(aLawDecode(aLawEncode(v)) - v)).toBeLessThanOrEqual(
        Math.max(0.001, Math.abs(v) * 0.07),
      );
    }
    expect(aLawEncode(0)).toBe(0xd5);
  });

  it('speed perturbation resamples: 1.1 is 10 % shorter and 10 % higher', () => {
    const y = speed(sine(1000), 1.1);
    expect(y.length).toBeGreaterThanOrEqual(14540);
    expect(y.length).toBeLessThanOrEqual(14550);
    expect(peakHz(y)).toBeGreaterThan(1080);
    expect(peakHz(y)).toBeLessThan(1120);
    expect(speed(sine(1000), 1).length).toBe(16000);
  });

  it('vocal-tract-length perturbation moves spectral peaks along the mel axis', () => {
    // One frame of 32 mel bins with a peak at bin 12.
    const frame = Float32Array.from({ length: 32 }, (_, k) => (k === 12 ? 1 : 0));
    const peakBin = (m: Float32Array): number => m.indexOf(Math.max(...m));
    expect(peakBin(vtlpMel(frame, 32, 1.12))).toBeGreaterThan(12);
    expect(peakBin(vtlpMel(frame, 32, 0.88))).toBeLessThan(12);
    expect(Array.from(vtlpMel(frame, 32, 1))).toEqual(Array.from(frame));
    // Works row by row.
    const two = new Float32Array(64);
    two.set(frame);
    two.set(frame, 32);
    const warped = vtlpMel(two, 32, 1.1);
    expect(Array.from(warped.subarray(0, 32))).toEqual(Array.from(warped.subarray(32)));
  });

  it('reverberation smears a click over the room time and keeps the level; convolution is exact', () => {
    const click = new Float32Array(16000);
    click[100] = 0.5;
    const wet = reverb(click, 400, 3);
    expect(wet.length).toBe(16000);
    // Energy after 100 ms of the click (the tail), none before it.
    expect(rms(wet.subarray(100 + 1600, 100 + 4800))).toBeGreaterThan(0);
    expect(rms(wet.subarray(0, 99))).toBeLessThan(1e-6);
    expect(Array.from(reverb(click, 400, 3))).toEqual(Array.from(wet));
    const y = convolve(Float32Array.from([1, 2, 3]), Float32Array.from([0, 1, 0.5]));
    expect(Array.from(y).map((v) => Math.round(v * 1000) / 1000 + 0)).toEqual([0, 1, 2.5]);
  });

  it('telephone codecs pass speech-band tones; lost packets are concealed, deterministically', () => {
    for (const codec of ['mulaw', 'alaw', 'gsm'] as const) {
      const y = telephone(sine(1000), 16000, codec);
      expect(rms(y.subarray(2000, 14000)) / rms(sine(1000))).toBeGreaterThan(0.7);
    }
    const lossy = telephone(sine(1000), 16000, 'mulaw', { rate: 0.2, seed: 5 });
    const clean = telephone(sine(1000), 16000, 'mulaw');
    expect(Array.from(lossy)).not.toEqual(Array.from(clean));
    expect(Array.from(telephone(sine(1000), 16000, 'mulaw', { rate: 0.2, seed: 5 }))).toEqual(
      Array.from(lossy),
    );
  });

  it('draws the wider augmentations within their ranges, deterministically', () => {
    const specs = drawAugmentations(300, createRng(11));
    for (const s of specs) {
      expect(s.speed).toBeGreaterThanOrEqual(0.9);
      expect(s.speed).toBeLessThanOrEqual(1.1);
      expect(s.vtlp).toBeGreaterThanOrEqual(0.9);
      expect(s.vtlp).toBeLessThanOrEqual(1.1);
      if (s.reverbMs) expect(s.reverbMs).toBeLessThanOrEqual(450);
      expect(s.packetLoss).toBeLessThanOrEqual(0.03);
    }
    expect(new Set(specs.map((s) => s.codec))).toEqual(new Set(['mulaw', 'alaw', 'gsm']));
    expect(specs.filter((s) => s.speed !== 1).length).toBeGreaterThan(100);
    expect(specs.filter((s) => s.reverbMs).length).toBeGreaterThan(40);
    const x = sine(500);
    const spec = specs.find((s) => s.speed !== 1 && s.reverbMs && s.telephone)!;
    expect(Array.from(augment(x, spec))).toEqual(Array.from(augment(x, spec)));
  });

  it('changes the tempo without the pitch (WSOLA): 1.25 is 20 % shorter at the same pitch', () => {
    for (const factor of [0.8, 1.25]) {
      const y = tempo(sine(1000), factor);
      expect(y.length).toBe(Math.floor(16000 / factor));
      expect(peakHz(y)).toBeGreaterThan(990);
      expect(peakHz(y)).toBeLessThan(1010);
      expect(rms(y.subarray(400, y.length - 400)) / rms(sine(1000))).toBeGreaterThan(0.9);
    }
    expect(Array.from(tempo(sine(1000), 1))).toEqual(Array.from(sine(1000)));
  });

  it('tilts the spectrum (brighter or darker) and keeps the level', () => {
    const low = sine(300);
    const high = sine(3000);
    const mix = low.map((v, i) => v + high[i]!);
    const bright = tilt(mix, 0.6);
    const dark = tilt(mix, -0.6);
    const share = (x: Float32Array): number =>
      rms(bandPass(x, 2000, 4000, 16000).subarray(2000)) /
      rms(bandPass(x, 100, 600, 16000).subarray(2000));
    expect(share(bright)).toBeGreaterThan(share(mix) * 1.5);
    expect(share(dark)).toBeLessThan(share(mix) / 1.5);
    expect(activeRms(bright)).toBeCloseTo(activeRms(mix), 3);
    expect(activeRms(dark)).toBeCloseTo(activeRms(mix), 3);
  });

  it("draws 'wide' augmentations in their ranges; a 'standard' draw is unchanged by them", () => {
    const wide = drawAugmentations(300, createRng(11), 'wide');
    for (const s of wide) {
      expect(s.speed).toBeGreaterThanOrEqual(0.85);
      expect(s.speed).toBeLessThanOrEqual(1.15);
      expect(s.vtlp).toBeGreaterThanOrEqual(0.85);
      expect(s.vtlp).toBeLessThanOrEqual(1.15);
      expect(s.tempo).toBeGreaterThanOrEqual(0.8);
      expect(s.tempo).toBeLessThanOrEqual(1.25);
      expect(Math.abs(s.tilt!)).toBeLessThanOrEqual(0.6);
      expect(s.band![0]).toBeGreaterThanOrEqual(200);
      expect(s.band![1]).toBeLessThanOrEqual(3600);
    }
    expect(wide.filter((s) => s.tempo !== 1).length).toBeGreaterThan(100);
    expect(wide.filter((s) => s.tilt !== 0).length).toBeGreaterThan(100);
    // The standard fields are drawn first, the same way: the first spec's offsets agree.
    const standard = drawAugmentations(1, createRng(11));
    expect(wide[0]!.beforeSamples).toBe(standard[0]!.beforeSamples);
    expect(standard[0]!.tempo).toBeUndefined();
    const x = sine(500);
    const spec = wide.find((s) => s.tempo !== 1 && s.tilt !== 0 && s.telephone)!;
    const y = augment(x, spec);
    expect(Array.from(augment(x, spec))).toEqual(Array.from(y));
    // Shorter or longer by speed × tempo (the resampler rounds its length by a sample or two).
    const expected = 16000 / spec.speed! / spec.tempo! + spec.beforeSamples + spec.afterSamples;
    expect(Math.abs(y.length - expected)).toBeLessThan(4);
  });
});

function peakHz(x: Float32Array): number {
  const n = 8192;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = x[2000 + i] ?? 0;
  fft(re, im);
  let best = 0;
  let bestMag = 0;
  for (let k = 1; k < n / 2; k++) {
    const m = re[k]! ** 2 + im[k]! ** 2;
    if (m > bestMag) {
      bestMag = m;
      best = k;
    }
  }
  return (best * 16000) / n;
}
