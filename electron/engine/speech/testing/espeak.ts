/** Test helpers: synthesize speech clips with the Debian espeak-ng CLI and sox, in a temp dir. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { floatToInt16, readWav, resample, toMono } from '../../audio/index.js';

const run = promisify(execFile);

export interface ClipOptions {
  /** espeak-ng voice, e.g. 'en-us' or 'cmn'. */
  voice?: string;
  /** Words per minute (espeak-ng -s); 175 is espeak's default "normal" speed. */
  wpm?: number;
  sampleRate?: 8000 | 16000;
  /** Silence added before and after, in ms. */
  padMs?: number;
}

/** Speaks `text` and returns mono Int16 samples at `sampleRate` (16 kHz by default). */
export async function synthClip(text: string, options: ClipOptions = {}): Promise<Int16Array> {
  const { voice = 'en-us', wpm = 175, sampleRate = 16000, padMs = 0 } = options;
  const dir = await mkdtemp(join(tmpdir(), 'speech-clip-'));
  try {
    const raw = join(dir, 'raw.wav');
    const out = join(dir, 'out.wav');
    await run('espeak-ng', ['-v', voice, '-s', String(wpm), '-w', raw, text]);
    const pad = (padMs / 1000).toFixed(3);
    // -R: sox dithers the resampled 16-bit output with a fresh random seed on every run, and in
    // the padding (digital silence) that noise is all there is; the phrase models hear it (the
    // 关机 clip of line-status.test was decided in its first play in 65 % of draws). Repeatable
    // mode seeds the dither: the same text gives the same samples, run after run.
    await run('sox', [
      '-R',
      raw,
      '-r',
      String(sampleRate),
      '-c',
      '1',
      '-b',
      '16',
      out,
      'pad',
      pad,
      pad,
    ]);
    const wav = await readWav(out);
    const mono = toMono(wav.samples);
    return floatToInt16(
      wav.sampleRate === sampleRate ? mono : resample(mono, wav.sampleRate, sampleRate),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * First and last sample times (ms) where the 10 ms RMS exceeds `thresholdDb` below full scale:
 * the clip's real speech boundaries, for comparing with the VAD.
 */
export function energyBounds(
  samples: Int16Array,
  sampleRate: number,
  thresholdDb = -45,
): { startMs: number; endMs: number } | undefined {
  const hop = Math.round(sampleRate / 100);
  const limit = 32768 * 10 ** (thresholdDb / 20);
  let first = -1;
  let last = -1;
  for (let i = 0; i + hop <= samples.length; i += hop) {
    let sum = 0;
    for (let j = i; j < i + hop; j++) sum += (samples[j] ?? 0) ** 2;
    if (Math.sqrt(sum / hop) > limit) {
      if (first < 0) first = i;
      last = i + hop;
    }
  }
  if (first < 0) return undefined;
  return { startMs: (first * 1000) / sampleRate, endMs: (last * 1000) / sampleRate };
}

/** Seeded white noise at `rmsDbfs` (dB below full scale). */
export function whiteNoise(length: number, rmsDbfs: number, seed = 1): Int16Array {
  let s = seed >>> 0 || 1;
  const rand = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
  // Uniform in [-a, a] has RMS a / sqrt(3).
  const amplitude = 32768 * 10 ** (rmsDbfs / 20) * Math.sqrt(3);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++)
    out[i] = Math.max(-32768, Math.min(32767, Math.round((rand() * 2 - 1) * amplitude)));
  return out;
}
