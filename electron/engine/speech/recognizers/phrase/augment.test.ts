import { describe, expect, it } from 'vitest';

import {
  activeRms,
  addNoise,
  augment,
  bandPass,
  createRng,
  drawAugmentations,
  muLawDecode,
  muLawEncode,
  rms,
  telephone,
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
});
