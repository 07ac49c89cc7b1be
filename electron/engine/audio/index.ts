/**
 * audio/ — pure audio helpers for the engine: reading and writing WAV files, resampling and sample
 * conversion, cutting prompts into the 16 kHz / 20 ms frames the media host plays, and comparing
 * loudness envelopes (does a phone's recording contain a given clip?). No I/O beyond the WAV file
 * helpers.
 */
export { envelopeCorrelation } from './envelope.js';
export { chunkFrames, loadPrompt, type Prompt, SAMPLE_RATE, SAMPLES_PER_FRAME } from './frames.js';
export { createRng } from './random.js';
export { floatToInt16, int16ToFloat, resample, toMono } from './resample.js';
export {
  decodeSamples,
  encodeWav,
  parseWav,
  parseWavHeader,
  readWav,
  WAV_HEADER_BYTES,
  type WavAudio,
  WavError,
  type WavLayout,
  writeWav,
} from './wav.js';
