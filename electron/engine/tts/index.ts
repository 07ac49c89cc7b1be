/**
 * tts/ — text to speech for the bot, pluggable: the espeak-ng WebAssembly engine (English and
 * Mandarin via pinyin, on every OS), flite compiled to WASI (English; a second family of voices
 * for training the phrase recognizer), recorded prompts (a WAV per prompt key), and a disk cache
 * that renders static prompts once per flow version. Every engine returns 16 kHz mono Int16,
 * ready for `chunkFrames` (20 ms frames).
 */
export { EspeakWasmTts } from './espeak-wasm.js';
export { FliteWasiTts } from './flite-wasi.js';
export { PromptCache, promptKeyFor } from './prompt-cache.js';
export {
  type TtsEngine,
  type TtsLanguage,
  type TtsOptions,
  type TtsResult,
  type TtsVoice,
} from './types.js';
