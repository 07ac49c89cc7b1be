/**
 * audio/ — pure audio helpers for the engine: reading and writing WAV files, resampling and sample
 * conversion, cutting prompts into the 16 kHz / 20 ms frames the media host plays, and comparing
 * loudness envelopes (does a phone's recording contain a given clip?). No I/O beyond the WAV file
 * helpers.
 */
export {
  WavError,
  type WavErrorCode,
  type WavAudio,
  type WavFormat,
  type WavLayout,
  type WavInput,
  type WavHeaderOptions,
  parseWav,
  parseWavHeader,
  decodeSamples,
  readWav,
  writeWav,
  encodeWav,
  encodeWavHeader,
  formatName,
  WAV_HEADER_BYTES,
  UNKNOWN_DATA_SIZE,
} from './wav.js';
export { resample, resampledLength, toMono, floatToInt16, int16ToFloat, MAX_PHASES, type ResampleOptions } from './resample.js';
export { SAMPLE_RATE, FRAME_MS, SAMPLES_PER_FRAME, chunkFrames, loadPrompt, type Prompt } from './frames.js';
export { envelopeCorrelation, rmsEnvelope, type EnvelopeMatch, type EnvelopeOptions } from './envelope.js';
export { createRng } from './random.js';
