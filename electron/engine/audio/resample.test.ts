import { describe, expect, it } from 'vitest';

import {
  floatToInt16,
  int16ToFloat,
  MAX_PHASES,
  resample,
  resampledLength,
  toMono,
} from './resample.js';

function sine(freq: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++)
    out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

/** RMS of (signal − expected) over the middle, away from the filter's edge effects. */
function errorRms(signal: Float32Array, expected: Float32Array, margin: number): number {
  let sum = 0;
  let n = 0;
  for (let i = margin; i < signal.length - margin; i++, n++)
    sum += (signal[i]! - expected[i]!) ** 2;
  return Math.sqrt(sum / n);
}

function rms(signal: Float32Array, margin = 0): number {
  let sum = 0;
  for (let i = margin; i < signal.length - margin; i++) sum += signal[i]! ** 2;
  return Math.sqrt(sum / (signal.length - 2 * margin));
}

describe('resample', () => {
  it('keeps the duration', () => {
    expect(resample(new Float32Array(44100), 44100, 16000).length).toBe(16000);
    expect(resample(new Float32Array(48000), 48000, 16000).length).toBe(16000);
    expect(resample(new Float32Array(22050), 22050, 16000).length).toBe(16000);
    expect(resample(new Float32Array(8000), 8000, 16000).length).toBe(16000);
    expect(resample(new Float32Array(16001), 16000, 8000).length).toBe(8001);
    expect(resampledLength(441, 44100, 16000)).toBe(160);
    expect(resample(new Float32Array(0), 44100, 16000).length).toBe(0);
  });

  it('copies when the rates are equal', () => {
    const input = new Float32Array([0.1, 0.2]);
    const output = resample(input, 16000, 16000);
    expect(output).not.toBe(input);
    expect(Array.from(output)).toEqual(Array.from(input));
  });

  it.each([
    [8000, 16000],
    [11025, 16000],
    [22050, 16000],
    [44100, 16000],
    [48000, 16000],
    [16000, 8000],
    [44057, 16000], // 16000/gcd > MAX_PHASES: the phase is rounded
  ])('turns a 1 kHz tone at %i Hz into the same tone at %i Hz', (from, to) => {
    const out = resample(sine(1000, from, 0.5), from, to);
    expect(errorRms(out, sine(1000, to, 0.5), to / 20)).toBeLessThan(1e-3); // −54 dB below the 0.35 RMS tone
  });

  it('passes speech frequencies at full level (3.4 kHz, 44.1 kHz → 16 kHz)', () => {
    const out = resample(sine(3400, 44100, 0.5), 44100, 16000);
    expect(rms(out, 800) / rms(sine(3400, 16000, 0.5))).toBeCloseTo(1, 3);
  });

  it.each([9000, 12000, 20000])(
    'removes a %i Hz tone when downsampling to 16 kHz instead of aliasing it',
    (freq) => {
      const out = resample(sine(freq, 44100, 0.5), 44100, 16000);
      expect(rms(out, 800) / rms(sine(freq, 44100, 0.5))).toBeLessThan(1e-3); // < −60 dB
    },
  );

  it('does not create images when upsampling 8 kHz → 16 kHz', () => {
    // A 3 kHz tone's image would be at 5 kHz; comparing with the clean tone catches it.
    const out = resample(sine(3000, 8000, 0.5), 8000, 16000);
    expect(errorRms(out, sine(3000, 16000, 0.5), 800)).toBeLessThan(1e-3);
  });

  it('keeps DC at unit gain on every phase', () => {
    const out = resample(new Float32Array(4410).fill(0.5), 44100, 16000);
    for (let i = 200; i < out.length - 200; i++) expect(Math.abs(out[i]! - 0.5)).toBeLessThan(1e-5);
  });

  it('rejects rates that are not positive integers', () => {
    expect(() => resample(new Float32Array(1), 0, 16000)).toThrow(/invalid source sample rate 0/);
    expect(() => resample(new Float32Array(1), 16000, 22050.5)).toThrow(
      /invalid target sample rate/,
    );
    expect(MAX_PHASES).toBeGreaterThanOrEqual(1024);
  });
});

describe('sample conversion', () => {
  it('round-trips every Int16 value exactly', () => {
    const all = new Int16Array(65536);
    for (let i = 0; i < all.length; i++) all[i] = i - 32768;
    const back = floatToInt16(int16ToFloat(all));
    expect(back.findIndex((v, i) => v !== all[i])).toBe(-1);
  });

  it('clips out-of-range floats and turns NaN into 0', () => {
    expect(
      Array.from(floatToInt16(new Float32Array([1, -1, 1.5, -7, Number.NaN, 0.5, -0]))),
    ).toEqual([32767, -32768, 32767, -32768, 0, 16384, 0]);
  });

  it('writes into a given output array', () => {
    const out = new Int16Array(4);
    expect(floatToInt16(new Float32Array([0.25]), out)).toBe(out);
    expect(out[0]).toBe(8192);
    expect(() => int16ToFloat(new Int16Array(3), new Float32Array(2))).toThrow(RangeError);
  });

  it('mixes channels to mono by averaging', () => {
    expect(Array.from(toMono([new Float32Array([1, 0.5]), new Float32Array([0, -0.5])]))).toEqual([
      0.5, 0,
    ]);
    const single = new Float32Array([0.3]);
    expect(toMono([single])).toBe(single);
    expect(() => toMono([])).toThrow(RangeError);
    expect(() => toMono([new Float32Array(1), new Float32Array(2)])).toThrow(/differ in length/);
  });
});
