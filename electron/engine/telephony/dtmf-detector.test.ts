/**
 * In-band DTMF: every key found once per press in clean and noisy tones, with the gaps and twist
 * telephone lines allow; nothing in real speech (a voice talent's recorded digits and words), in
 * single tones, or in a too-short blip.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { floatToInt16, readWav, resample, toMono } from '../audio/index.js';
import { DtmfDetector } from './dtmf-detector.js';

const RATE = 16_000;
const FRAME = 320;
const TONES: Record<string, [number, number]> = {
  '1': [697, 1209],
  '2': [697, 1336],
  '3': [697, 1477],
  '4': [770, 1209],
  '5': [770, 1336],
  '6': [770, 1477],
  '7': [852, 1209],
  '8': [852, 1336],
  '9': [852, 1477],
  '*': [941, 1209],
  '0': [941, 1336],
  '#': [941, 1477],
};

/** A seeded pseudo-random generator (the same noise every run). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** Keys as audio: each `toneMs` long, `gapMs` of silence between, with optional noise and twist. */
function keyed(
  keys: string,
  { toneMs = 100, gapMs = 70, noise = 0, twistDb = 0, offsetSamples = 0 } = {},
): Int16Array {
  const rnd = random(7);
  const per = Math.round(((toneMs + gapMs) * RATE) / 1000);
  const out = new Int16Array(offsetSamples + keys.length * per + RATE / 5);
  [...keys].forEach((key, k) => {
    const [low, high] = TONES[key]!;
    const highGain = 10 ** (twistDb / 20);
    const start = offsetSamples + k * per;
    for (let i = 0; i < (toneMs * RATE) / 1000; i++) {
      const t = i / RATE;
      out[start + i] = Math.round(
        5000 * Math.sin(2 * Math.PI * low * t) + 5000 * highGain * Math.sin(2 * Math.PI * high * t),
      );
    }
  });
  if (noise > 0)
    for (let i = 0; i < out.length; i++)
      out[i] = Math.max(-32768, Math.min(32767, out[i]! + Math.round((rnd() - 0.5) * 2 * noise)));
  return out;
}

function detect(samples: Int16Array): string {
  const detector = new DtmfDetector();
  let keys = '';
  for (let i = 0; i + FRAME <= samples.length; i += FRAME)
    keys += detector.push(samples.subarray(i, i + FRAME)) ?? '';
  return keys;
}

describe('DtmfDetector', () => {
  it('finds every key once per press', () => {
    expect(detect(keyed('123456789*0#'))).toBe('123456789*0#');
  });

  it('finds a card number keyed fast (50 ms tones, 50 ms gaps) and repeated keys', () => {
    expect(detect(keyed('6222021234567894#', { toneMs: 50, gapMs: 50 }))).toBe('6222021234567894#');
    expect(detect(keyed('1111', { toneMs: 80, gapMs: 45 }))).toBe('1111');
  });

  it('holds in noise (about 14 dB SNR), with 6 dB twist, and off the frame grid', () => {
    expect(detect(keyed('0246813579', { noise: 4000, offsetSamples: 137 }))).toBe('0246813579');
    expect(detect(keyed('58#', { twistDb: 6 }))).toBe('58#');
    expect(detect(keyed('58#', { twistDb: -6 }))).toBe('58#');
  });

  it('ignores a blip shorter than two frames, a single tone and silence', () => {
    expect(detect(keyed('5', { toneMs: 25 }))).toBe('');
    const single = new Int16Array(RATE);
    for (let i = 0; i < single.length; i++)
      single[i] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / RATE));
    expect(detect(single)).toBe('');
    expect(detect(new Int16Array(RATE))).toBe('');
  });

  it('hears no key in real speech (a recorded voice saying digits and words)', async () => {
    const dir = '/usr/share/asterisk/sounds/en_US_f_Allison/digits';
    if (!existsSync(dir))
      throw new Error(`${dir} is missing (Debian's asterisk-core-sounds-en-wav)`);
    const files = readdirSync(dir).filter((f) => f.endsWith('.wav'));
    expect(files.length).toBeGreaterThan(20);
    let found = '';
    for (const file of files) {
      const wav = await readWav(join(dir, file));
      const mono = toMono(wav.samples);
      const samples = floatToInt16(
        wav.sampleRate === RATE ? mono : resample(mono, wav.sampleRate, RATE),
      );
      found += detect(samples);
    }
    expect(found).toBe('');
  });
});
