/**
 * The engine's frame format (16 kHz mono Int16, 20 ms = 320 samples; the constants come from the
 * media-host protocol) and turning prompt WAV files into frames ready to send.
 */
import { FRAME_MS, SAMPLE_RATE, SAMPLES_PER_FRAME } from '../api/audio-frames.js';
import { floatToInt16, resample, toMono } from './resample.js';
import { readWav, WavError } from './wav.js';

export { FRAME_MS, SAMPLE_RATE, SAMPLES_PER_FRAME };

/**
 * Splits samples into frames of `samplesPerFrame`, the last one padded with zeros. The frames are
 * views into one new buffer (the input is copied once, never aliased).
 */
export function chunkFrames(
  int16: Int16Array,
  samplesPerFrame: number = SAMPLES_PER_FRAME,
): Int16Array[] {
  if (!Number.isInteger(samplesPerFrame) || samplesPerFrame <= 0)
    throw new RangeError(`invalid frame size ${samplesPerFrame}`);
  const count = Math.ceil(int16.length / samplesPerFrame);
  const all = new Int16Array(count * samplesPerFrame);
  all.set(int16);
  const frames: Int16Array[] = [];
  for (let f = 0; f < count; f++)
    frames.push(all.subarray(f * samplesPerFrame, (f + 1) * samplesPerFrame));
  return frames;
}

/** A prompt ready to play: 16 kHz mono Int16 in 20 ms frames. */
export interface Prompt {
  path: string;
  /** 320-sample frames; the last one is padded with silence. */
  frames: Int16Array[];
  /** The samples before padding (frames are views into a padded copy of these). */
  samples: Int16Array;
  /** Length of the audio before padding. */
  durationMs: number;
  /** The file's own format, for diagnostics. */
  source: { sampleRate: number; channels: number };
}

/**
 * Reads a WAV file of any supported format, mixes it to mono, resamples it to 16 kHz and cuts it
 * into 20 ms frames. Throws WavError (message starting with the path); a file without any audio
 * is an error too (code NO_AUDIO).
 */
export async function loadPrompt(path: string): Promise<Prompt> {
  const wav = await readWav(path);
  const mono = toMono(wav.samples);
  if (mono.length === 0)
    throw new WavError('NO_AUDIO', `${path}: the file holds no audio (its data chunk is empty)`);
  const samples = floatToInt16(resample(mono, wav.sampleRate, SAMPLE_RATE));
  return {
    path,
    frames: chunkFrames(samples),
    samples,
    durationMs: (samples.length * 1000) / SAMPLE_RATE,
    source: { sampleRate: wav.sampleRate, channels: wav.channels },
  };
}
