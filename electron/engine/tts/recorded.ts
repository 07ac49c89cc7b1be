/**
 * Recorded prompts: a human recording (WAV) per prompt key, the industry norm for scripted calls.
 * `synthesize(key, { language })` returns the recording for that key as 16 kHz mono 16-bit,
 * whatever the file's own rate, channel count or sample format (PCM 8–32-bit, float, G.711).
 *
 * Where a key's file is found: an explicit entry in `prompts` (key → path, per language or for
 * all languages) first, else `<dir>/<language>/<key>.wav`, else `<dir>/<key>.wav`. Keys are plain
 * names (letters, digits, `_ - .`), so a key can never reach outside `dir`.
 *
 * `rate` and `pitch` are accepted for interface compatibility but only validated: a recording
 * plays as recorded. Decoded prompts are kept in memory and reloaded when the file changes
 * (size or modification time).
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { loadPrompt, WavError } from '../audio/index.js';
import {
  checkLanguage,
  checkProsody,
  type TtsEngine,
  TtsError,
  type TtsLanguage,
  type TtsOptions,
  type TtsResult,
  type TtsVoice,
} from './types.js';

export interface RecordedPromptsOptions {
  /** Folder with `<language>/<key>.wav` and/or `<key>.wav` files. */
  dir?: string;
  /** Explicit files: key → path for every language, or key → { language → path }. */
  prompts?: Record<string, string | Partial<Record<TtsLanguage, string>>>;
  languages?: readonly TtsLanguage[];
}

const KEY = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

interface Loaded {
  size: number;
  mtimeMs: number;
  result: TtsResult;
}

export class RecordedPromptsTts implements TtsEngine {
  readonly id = 'recorded';
  readonly version = '1';
  readonly languages: readonly TtsLanguage[];

  private readonly dir: string | null;
  private readonly prompts: NonNullable<RecordedPromptsOptions['prompts']>;
  private readonly loaded = new Map<string, Loaded>();

  constructor(options: RecordedPromptsOptions) {
    this.dir = options.dir === undefined ? null : resolve(options.dir);
    this.prompts = options.prompts ?? {};
    this.languages = options.languages ?? ['zh-CN', 'en'];
  }

  /** One pseudo-voice per language: the recordings themselves. */
  async voices(): Promise<readonly TtsVoice[]> {
    return this.languages.map((language) => ({
      id: 'recorded',
      name: 'Recorded prompts',
      language,
    }));
  }

  /** `key` is the prompt key, not text to read. */
  async synthesize(key: string, options: TtsOptions): Promise<TtsResult> {
    const language = checkLanguage(this.id, options?.language, this.languages);
    checkProsody(this.id, options);
    if (options.voice !== undefined && options.voice !== 'recorded') {
      throw new TtsError(
        'UNKNOWN_VOICE',
        `${this.id}: unknown voice "${options.voice}" (the only voice is "recorded")`,
      );
    }
    if (typeof key !== 'string' || key.trim() === '')
      throw new TtsError('EMPTY_TEXT', `${this.id}: no prompt key given`);
    const candidates = this.candidates(key, language);
    if (candidates.length === 0) {
      throw new TtsError(
        'UNKNOWN_PROMPT',
        `${this.id}: no recording is configured for prompt "${key}" (${language})`,
      );
    }
    for (const path of candidates) {
      let info;
      try {
        info = await stat(path);
      } catch {
        continue; // try the next place
      }
      const cached = this.loaded.get(path);
      if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs)
        return copy(cached.result);
      let result: TtsResult;
      try {
        const prompt = await loadPrompt(path);
        result = { samples: prompt.samples, sampleRate: 16000, durationMs: prompt.durationMs };
      } catch (error) {
        const detail = error instanceof WavError ? error.message : `${path}: ${String(error)}`;
        throw new TtsError(
          'PROMPT_UNREADABLE',
          `${this.id}: the recording for prompt "${key}" (${language}) cannot be used: ${detail}`,
          {
            cause: error,
          },
        );
      }
      this.loaded.set(path, { size: info.size, mtimeMs: info.mtimeMs, result });
      return copy(result);
    }
    throw new TtsError(
      'UNKNOWN_PROMPT',
      `${this.id}: no recording for prompt "${key}" (${language}); looked for ${candidates.join(', ')}`,
    );
  }

  private candidates(key: string, language: TtsLanguage): string[] {
    const out: string[] = [];
    const explicit = Object.hasOwn(this.prompts, key) ? this.prompts[key] : undefined;
    if (typeof explicit === 'string') out.push(explicit);
    else if (explicit && explicit[language]) out.push(explicit[language]);
    if (this.dir !== null) {
      if (!KEY.test(key) || key.includes('..')) {
        throw new TtsError(
          'UNKNOWN_PROMPT',
          `${this.id}: invalid prompt key ${JSON.stringify(key)} (use letters, digits, "_", "-", ".")`,
        );
      }
      out.push(join(this.dir, language, `${key}.wav`), join(this.dir, `${key}.wav`));
    }
    return out;
  }
}

/** Callers may modify what they get; the cached copy stays intact. */
function copy(result: TtsResult): TtsResult {
  return { ...result, samples: result.samples.slice() };
}
