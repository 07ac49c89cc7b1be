/**
 * espeak-ng compiled to WebAssembly (npm `@echogarden/espeak-ng-emscripten`, GPL-3): English and
 * Mandarin, the same on Linux, Windows and macOS (no native binary).
 *
 * The package is an emscripten module factory (`default export async (moduleArg) => Module`) that
 * loads `espeak-ng.data` (the voices and dictionaries, 24 MB) from beside itself into its virtual
 * FS, and exposes a WebIDL-bound class `eSpeakNGWorker` with `set_voice(name)` (0 = ok), `rate`
 * (words per minute, default 175), `pitch` (0–99, default 50), `list_voices()` and
 * `synthesize(text, callback)` that hands 16-bit chunks at `samplerate` (22,050 Hz) to the callback
 * (returning true aborts). The module is single-threaded and stateful, so one instance is created
 * lazily (~250 ms to load, plus a
 * warm-up synthesis per language) and every synthesis runs after the previous one finished.
 *
 * Mandarin: by default the text goes through pinyin-pro (Hanzi → tone-numbered pinyin, polyphones
 * by context) and is read by the `cmn-latn-pinyin` voice. The `cmn` voice reads Hanzi with
 * espeak's own dictionary instead (in this build it knows common Hanzi; Debian's 1.51 CLI spells
 * many out as English letters); pick it with `voice: 'cmn'`.
 *
 * Bundling note: the package must stay external (not bundled), because it finds espeak-ng.data
 * through its own `import.meta.url`.
 */
import { floatToInt16, int16ToFloat, resample, SAMPLE_RATE } from '../audio/index.js';
import { toEspeakPinyin } from './mandarin.js';
import {
  checkLanguage,
  checkProsody,
  durationMs,
  type TtsEngine,
  TtsError,
  type TtsLanguage,
  type TtsOptions,
  type TtsResult,
  type TtsVoice,
} from './types.js';

/** The installed package version; part of the engine version (and so of prompt-cache keys). */
export const ESPEAK_WASM_PACKAGE = '@echogarden/espeak-ng-emscripten';
export const ESPEAK_WASM_PACKAGE_VERSION = '0.3.5';
/** Bump when this wrapper changes how text is rendered (pinyin conversion, resampling…). */
const WRAPPER_REVISION = 1;

/** The clock espeak-ng sees when it seeds its random generator (any fixed value: reproducible audio). */
const ESPEAK_SEED_CLOCK_MS = 1_700_000_000_000;

/** espeak-ng's normal speed in words per minute (rate factor 1). */
export const ESPEAK_BASE_WPM = 175;

// ---- The narrow typed face of the emscripten module (only what is used here). ----

/** One event espeak reports alongside the audio (unused here beyond typing). */
interface EspeakEvent {
  type: string;
  text_position: number;
  word_length: number;
  audio_position: number;
  id: number | string | undefined;
}

interface EspeakVoiceEntry {
  name: string;
  identifier: string;
  languages: { priority: number; name: string }[];
}

interface EspeakWorker {
  /** Selects a voice by its file name ("en-us", "cmn-latn-pinyin", "en+f3"); 0 = success. */
  set_voice(name: string): number;
  rate: number;
  pitch: number;
  readonly samplerate: number;
  list_voices(): EspeakVoiceEntry[];
  /** Calls back with 16-bit chunks at `samplerate`; return true from the callback to abort. */
  synthesize(text: string, callback: (samples: Int16Array, events: EspeakEvent[]) => boolean): void;
  /** IPA of the text in the current voice; code 0 = success. */
  synthesize_ipa(text: string): { code: number; ipa: string };
}

interface EspeakModule {
  eSpeakNGWorker: new () => EspeakWorker;
}

/** The package's default export: an emscripten module factory. */
export type EspeakModuleFactory = (moduleArg?: object) => Promise<unknown>;

async function loadPackageFactory(): Promise<EspeakModuleFactory> {
  // The package ships no type declarations; its default export is the factory described above.
  // @ts-expect-error -- untyped JavaScript module (checked at run time below)
  const imported: unknown = await import('@echogarden/espeak-ng-emscripten');
  const factory = (imported as { default?: unknown }).default;
  if (typeof factory !== 'function')
    throw new Error(`${ESPEAK_WASM_PACKAGE} has no default export factory`);
  return factory as EspeakModuleFactory;
}

function asEspeakModule(value: unknown): EspeakModule {
  const ctor = (value as { eSpeakNGWorker?: unknown } | null)?.eSpeakNGWorker;
  if (typeof ctor !== 'function') throw new Error('the module has no eSpeakNGWorker class');
  return value as EspeakModule;
}

// ---- Voices ----

const DEFAULT_VOICE: Record<TtsLanguage, string> = { en: 'en-us', 'zh-CN': 'cmn-latn-pinyin' };
/** Voices whose text goes through pinyin-pro first. */
const PINYIN_VOICES = new Set(['cmn-latn-pinyin']);

function voiceLanguage(id: string): TtsLanguage | null {
  if (id === 'en' || id.startsWith('en-')) return 'en';
  if (id === 'cmn' || id === 'cmn-latn-pinyin') return 'zh-CN';
  return null;
}

export interface EspeakWasmOptions {
  /** Replaces the package loader (tests; or a different location of the package). */
  loadFactory?: () => Promise<EspeakModuleFactory>;
}

export interface EspeakTimings {
  /** How long loading and initialising the module took (null before it was loaded). */
  initMs: number | null;
}

export class EspeakWasmTts implements TtsEngine {
  readonly id = 'espeak-wasm';
  readonly version = `${ESPEAK_WASM_PACKAGE_VERSION}+${WRAPPER_REVISION}`;
  readonly languages: readonly TtsLanguage[] = ['en', 'zh-CN'];

  private readonly loadFactory: () => Promise<EspeakModuleFactory>;
  private worker: Promise<EspeakWorker> | null = null;
  private voiceList: TtsVoice[] | null = null;
  /** The end of the queue of syntheses; each waits for the one before. */
  private tail: Promise<unknown> = Promise.resolve();
  private readonly timings: EspeakTimings = { initMs: null };

  constructor(options: EspeakWasmOptions = {}) {
    this.loadFactory = options.loadFactory ?? loadPackageFactory;
  }

  /** Loads the module now rather than on the first synthesis. Safe to call repeatedly. */
  async init(): Promise<void> {
    await this.getWorker();
  }

  get stats(): Readonly<EspeakTimings> {
    return this.timings;
  }

  async voices(): Promise<readonly TtsVoice[]> {
    if (this.voiceList) return this.voiceList;
    const worker = await this.getWorker();
    const list: TtsVoice[] = [];
    for (const entry of worker.list_voices()) {
      // set_voice takes the voice file's name ("gmw/en-US" → "en-us"; "gmw/en" is British English).
      const id = entry.identifier.split('/').pop()?.toLowerCase();
      if (!id) continue;
      const language = voiceLanguage(id);
      if (language) list.push({ id, name: entry.name, language });
    }
    this.voiceList = list;
    return list;
  }

  async synthesize(text: string, options: TtsOptions): Promise<TtsResult> {
    const language = checkLanguage(this.id, options?.language, this.languages);
    const { rate, pitch } = checkProsody(this.id, options);
    if (typeof text !== 'string' || !/[\p{L}\p{N}]/u.test(text)) {
      throw new TtsError(
        'EMPTY_TEXT',
        `${this.id}: nothing to say: the text ${JSON.stringify(text)} holds no letters or digits`,
      );
    }
    const voice = options.voice ?? DEFAULT_VOICE[language];
    await this.checkVoice(voice, language);
    const base = voice.split('+')[0]!;
    const spoken = PINYIN_VOICES.has(base) ? toEspeakPinyin(text) : text;
    return this.serialized(async () => {
      const worker = await this.getWorker();
      this.select(worker, voice);
      worker.rate = Math.round(ESPEAK_BASE_WPM * rate);
      worker.pitch = Math.round(Math.min(99, pitch));
      const raw = this.render(worker, spoken, voice);
      const float = resample(int16ToFloat(raw), worker.samplerate, SAMPLE_RATE);
      const samples = floatToInt16(float);
      return {
        samples,
        sampleRate: SAMPLE_RATE as 16000,
        durationMs: durationMs(samples.length, SAMPLE_RATE),
      };
    });
  }

  /**
   * The phonemes (IPA) espeak would speak for the text, after the same pinyin conversion as
   * `synthesize`. Language switches show as "(en)…(cmn)": Mandarin text that comes out with
   * "(en)" is being read as English letters.
   */
  async phonemes(text: string, options: Pick<TtsOptions, 'language' | 'voice'>): Promise<string> {
    const language = checkLanguage(this.id, options?.language, this.languages);
    const voice = options.voice ?? DEFAULT_VOICE[language];
    await this.checkVoice(voice, language);
    const spoken = PINYIN_VOICES.has(voice.split('+')[0]!) ? toEspeakPinyin(text) : text;
    return this.serialized(async () => {
      const worker = await this.getWorker();
      this.select(worker, voice);
      const result = worker.synthesize_ipa(spoken);
      if (result.code !== 0)
        throw new TtsError(
          'SYNTHESIS_FAILED',
          `${this.id}: phoneme conversion failed (code ${result.code})`,
        );
      return result.ipa.trim();
    });
  }

  /** The text as it is handed to espeak (pinyin for the pinyin voice). */
  spokenText(text: string, options: Pick<TtsOptions, 'language' | 'voice'>): string {
    const voice = options.voice ?? DEFAULT_VOICE[options.language];
    return PINYIN_VOICES.has(voice.split('+')[0]!) ? toEspeakPinyin(text) : text;
  }

  private async checkVoice(voice: unknown, language: TtsLanguage): Promise<void> {
    if (typeof voice !== 'string' || !/^[a-z0-9-]+(\+[a-z0-9_]+)?$/i.test(voice)) {
      throw new TtsError('UNKNOWN_VOICE', `${this.id}: invalid voice ${JSON.stringify(voice)}`);
    }
    const base = voice.split('+')[0]!.toLowerCase();
    const voices = await this.voices();
    const found = voices.find((v) => v.id === base);
    if (!found) {
      const ids = voices.filter((v) => v.language === language).map((v) => v.id);
      throw new TtsError(
        'UNKNOWN_VOICE',
        `${this.id}: unknown voice "${voice}" for ${language} (available: ${ids.join(', ')})`,
      );
    }
    if (found.language !== language) {
      throw new TtsError(
        'UNKNOWN_VOICE',
        `${this.id}: voice "${voice}" speaks ${found.language}, not ${language}`,
      );
    }
  }

  private select(worker: EspeakWorker, voice: string): void {
    const code = worker.set_voice(voice);
    if (code !== 0)
      throw new TtsError(
        'UNKNOWN_VOICE',
        `${this.id}: espeak-ng could not load voice "${voice}" (code ${code})`,
      );
  }

  private render(worker: EspeakWorker, text: string, voice: string): Int16Array {
    const chunks: Int16Array[] = [];
    let total = 0;
    try {
      worker.synthesize(text, (samples) => {
        if (samples.length > 0) {
          chunks.push(samples);
          total += samples.length;
        }
        return false; // keep going
      });
    } catch (error) {
      throw new TtsError(
        'SYNTHESIS_FAILED',
        `${this.id}: espeak-ng failed on voice "${voice}": ${describe(error)}`,
        { cause: error },
      );
    }
    if (total === 0)
      throw new TtsError(
        'SYNTHESIS_FAILED',
        `${this.id}: espeak-ng produced no audio for ${JSON.stringify(text)}`,
      );
    const out = new Int16Array(total);
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  private serialized<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(job, job);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private getWorker(): Promise<EspeakWorker> {
    if (!this.worker) {
      const started = performance.now();
      this.worker = this.createWorker().then(
        (worker) => {
          this.timings.initMs = performance.now() - started;
          return worker;
        },
        (error: unknown) => {
          this.worker = null; // a later call may try again
          throw error;
        },
      );
    }
    return this.worker;
  }

  private async createWorker(): Promise<EspeakWorker> {
    let factory: EspeakModuleFactory;
    try {
      factory = await this.loadFactory();
    } catch (error) {
      throw new TtsError(
        'INIT_FAILED',
        `${this.id}: cannot load the package ${ESPEAK_WASM_PACKAGE}: ${describe(error)}`,
        { cause: error },
      );
    }
    let module: EspeakModule;
    try {
      module = asEspeakModule(await factory());
    } catch (error) {
      throw new TtsError(
        'INIT_FAILED',
        `${this.id}: the espeak-ng WebAssembly module failed to start (its espeak-ng.data voice file must sit beside espeak-ng.js): ${describe(error)}`,
        { cause: error },
      );
    }
    let worker: EspeakWorker;
    // espeak-ng seeds its random generator (the breath noise of some variants) from the clock
    // (time(), which the module reads through Date.now) when the synthesizer initialises: two
    // processes rendered the same request differently, so training was not reproducible. A fixed
    // clock for that one synchronous call makes the same sequence of requests give the same audio.
    const clock = Date.now;
    Date.now = () => ESPEAK_SEED_CLOCK_MS;
    try {
      worker = new module.eSpeakNGWorker();
    } catch (error) {
      throw new TtsError(
        'INIT_FAILED',
        `${this.id}: espeak-ng failed to initialise its synthesizer: ${describe(error)}`,
        { cause: error },
      );
    } finally {
      Date.now = clock;
    }
    // Warm-up: the first syntheses run cold (WebAssembly tiers up, pinyin-pro loads its
    // dictionary: ~200–450 ms each); doing them here keeps that out of the first real prompt.
    for (const [voice, text] of [
      ['en-us', 'Hello.'],
      ['cmn-latn-pinyin', toEspeakPinyin('你好。')],
    ] as const) {
      try {
        this.select(worker, voice);
        this.render(worker, text, voice);
      } catch (error) {
        throw new TtsError(
          'INIT_FAILED',
          `${this.id}: espeak-ng failed its first synthesis with voice "${voice}": ${describe(error)}`,
          {
            cause: error,
          },
        );
      }
    }
    return worker;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
