/**
 * The contract every TTS engine fulfils: text in, 16 kHz mono 16-bit samples out (the engine's
 * frame format), with errors that say what went wrong.
 */

/** Languages the bot speaks. */
export type TtsLanguage = 'zh-CN' | 'en';

export interface TtsOptions {
  language: TtsLanguage;
  /** An engine-specific voice id from `voices()`; each engine has a default per language. */
  voice?: string;
  /**
   * Speaking speed as a factor of the voice's natural speed: 1 = normal, 0.5 = half as fast,
   * 2 = twice as fast. Allowed range 0.5–2; default 1. (espeak-ng: 1 = 175 words per minute.)
   */
  rate?: number;
  /**
   * Base pitch on a 0–100 scale where 50 is the voice's normal pitch (espeak-ng's own scale).
   * Default 50. Engines that cannot change pitch ignore it (and say so in their docs).
   */
  pitch?: number;
}

export interface TtsResult {
  /** 16 kHz mono 16-bit samples. */
  samples: Int16Array;
  sampleRate: 16000;
  /** Length of `samples` in milliseconds. */
  durationMs: number;
}

export interface TtsVoice {
  /** What to pass as `options.voice`. */
  id: string;
  /** Human-readable name. */
  name: string;
  language: TtsLanguage;
}

export interface TtsEngine {
  /** Stable engine id, e.g. 'espeak-wasm' or 'recorded'. Part of prompt-cache keys. */
  readonly id: string;
  /** Changes whenever the same input could render differently (engine build, data). Part of cache keys. */
  readonly version: string;
  readonly languages: readonly TtsLanguage[];
  /** The voices the engine offers (may load the engine). */
  voices(): Promise<readonly TtsVoice[]>;
  synthesize(text: string, options: TtsOptions): Promise<TtsResult>;
}

export type TtsErrorCode =
  | 'EMPTY_TEXT'
  | 'UNSUPPORTED_LANGUAGE'
  | 'UNKNOWN_VOICE'
  | 'BAD_OPTION'
  | 'INIT_FAILED'
  | 'SYNTHESIS_FAILED'
  | 'UNKNOWN_PROMPT'
  | 'PROMPT_UNREADABLE'
  | 'CACHE_FAILED';

export class TtsError extends Error {
  override readonly name = 'TtsError';
  constructor(
    readonly code: TtsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Milliseconds of `sampleCount` samples at `sampleRate`. */
export function durationMs(sampleCount: number, sampleRate: number): number {
  return (sampleCount * 1000) / sampleRate;
}

/** Throws a TtsError unless `language` is one the engine speaks. */
export function checkLanguage(
  engineId: string,
  language: unknown,
  supported: readonly TtsLanguage[],
): TtsLanguage {
  if (typeof language === 'string' && (supported as readonly string[]).includes(language))
    return language as TtsLanguage;
  throw new TtsError(
    'UNSUPPORTED_LANGUAGE',
    `${engineId}: unsupported language ${JSON.stringify(language)} (supported: ${supported.join(', ')})`,
  );
}

/** Validates and defaults rate (0.5–2, default 1) and pitch (0–100, default 50). */
export function checkProsody(
  engineId: string,
  options: Pick<TtsOptions, 'rate' | 'pitch'>,
): { rate: number; pitch: number } {
  const rate = options.rate ?? 1;
  const pitch = options.pitch ?? 50;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0.5 || rate > 2) {
    throw new TtsError(
      'BAD_OPTION',
      `${engineId}: rate must be a factor from 0.5 to 2 (1 = normal speed), not ${String(rate)}`,
    );
  }
  if (typeof pitch !== 'number' || !Number.isFinite(pitch) || pitch < 0 || pitch > 100) {
    throw new TtsError(
      'BAD_OPTION',
      `${engineId}: pitch must be from 0 to 100 (50 = normal), not ${String(pitch)}`,
    );
  }
  return { rate, pitch };
}
