/**
 * Disk cache of rendered static prompts, so a scripted reply starts playing within one frame.
 *
 * Each prompt is stored as a 16 kHz mono 16-bit WAV named by the SHA-256 of everything that
 * decides how it sounds (engine id and version, voice, rate, pitch, language, text) under the
 * cache folder the caller gives — typically `promptCacheDir(dataDir, flowId, flowVersion)` =
 * `<dataDir>/cache/prompts/<flowId>/<version>/`. Files are written atomically (a temp file in the
 * same folder, then rename), so a crash never leaves a half-written prompt under its real name; a
 * file that is unreadable or not 16 kHz mono is treated as missing and rendered again.
 * Concurrent renders of the same key share one synthesis.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { encodeWav, parseWav, SAMPLE_RATE, WAV_HEADER_BYTES } from '../audio/index.js';
import {
  durationMs,
  type TtsEngine,
  TtsError,
  type TtsLanguage,
  type TtsOptions,
  type TtsResult,
} from './types.js';

export interface PromptKey {
  engineId: string;
  engineVersion: string;
  /** The voice asked for; '' = the engine's default (the engine version covers changes to defaults). */
  voice: string;
  rate: number;
  pitch: number;
  language: TtsLanguage;
  text: string;
}

export interface CachedPrompt extends TtsResult {
  /** The key's hash (the file name without `.wav`). */
  hash: string;
  path: string;
  /** True when the prompt came from disk, false when it was just synthesized. */
  hit: boolean;
}

/** The hash a key is stored under (hex SHA-256 of its fields, in a fixed order). */
export function promptHash(key: PromptKey): string {
  const fields = [
    key.engineId,
    key.engineVersion,
    key.voice,
    key.rate,
    key.pitch,
    key.language,
    key.text,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

const SAFE_SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** `<dataDir>/cache/prompts/<flowId>/<version>`; flow id and version must be plain names. */
export function promptCacheDir(dataDir: string, flowId: string, version: string | number): string {
  const v = String(version);
  for (const [name, value] of [
    ['flow id', flowId],
    ['flow version', v],
  ] as const) {
    if (!SAFE_SEGMENT.test(value) || value === '.' || value === '..') {
      throw new TtsError(
        'CACHE_FAILED',
        `prompt cache: invalid ${name} ${JSON.stringify(value)} (use letters, digits, "_", "-", ".")`,
      );
    }
  }
  return join(dataDir, 'cache', 'prompts', flowId, v);
}

/** The cache key for `text` spoken by `engine` with `options` (defaults filled in). */
export function promptKeyFor(
  engine: Pick<TtsEngine, 'id' | 'version'>,
  text: string,
  options: TtsOptions,
): PromptKey {
  return {
    engineId: engine.id,
    engineVersion: engine.version,
    voice: options.voice ?? '',
    rate: options.rate ?? 1,
    pitch: options.pitch ?? 50,
    language: options.language,
    text,
  };
}

export class PromptCache {
  private readonly inFlight = new Map<string, Promise<CachedPrompt>>();

  constructor(readonly dir: string) {}

  pathFor(key: PromptKey): string {
    return join(this.dir, `${promptHash(key)}.wav`);
  }

  /** The cached prompt, or null when it is not on disk (or the file is unusable). */
  async get(key: PromptKey): Promise<CachedPrompt | null> {
    const hash = promptHash(key);
    const path = join(this.dir, `${hash}.wav`);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new TtsError('CACHE_FAILED', `prompt cache: cannot read ${path}: ${String(error)}`, {
        cause: error,
      });
    }
    const samples = decode16kMono(bytes);
    if (!samples) return null;
    return {
      samples,
      sampleRate: 16000,
      durationMs: durationMs(samples.length, SAMPLE_RATE),
      hash,
      path,
      hit: true,
    };
  }

  /** The cached prompt, or `synth()`'s result after storing it. */
  async render(key: PromptKey, synth: () => Promise<TtsResult>): Promise<CachedPrompt> {
    const hash = promptHash(key);
    const pending = this.inFlight.get(hash);
    if (pending) return pending;
    const job = this.renderOnce(key, hash, synth).finally(() => this.inFlight.delete(hash));
    this.inFlight.set(hash, job);
    return job;
  }

  /** Renders `text` with `engine` through the cache. */
  renderWith(engine: TtsEngine, text: string, options: TtsOptions): Promise<CachedPrompt> {
    return this.render(promptKeyFor(engine, text, options), () => engine.synthesize(text, options));
  }

  private async renderOnce(
    key: PromptKey,
    hash: string,
    synth: () => Promise<TtsResult>,
  ): Promise<CachedPrompt> {
    const cached = await this.get(key);
    if (cached) return cached;
    const result = await synth();
    if (result.sampleRate !== SAMPLE_RATE || !(result.samples instanceof Int16Array)) {
      throw new TtsError(
        'CACHE_FAILED',
        `prompt cache: the engine returned ${String(result.sampleRate)} Hz audio; expected 16 kHz Int16`,
      );
    }
    const path = join(this.dir, `${hash}.wav`);
    const temp = join(this.dir, `.${hash}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(temp, encodeWav({ sampleRate: SAMPLE_RATE, channels: [result.samples] }));
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new TtsError('CACHE_FAILED', `prompt cache: cannot write ${path}: ${String(error)}`, {
        cause: error,
      });
    }
    return {
      samples: result.samples,
      sampleRate: 16000,
      durationMs: durationMs(result.samples.length, SAMPLE_RATE),
      hash,
      path,
      hit: false,
    };
  }
}

/** 16-bit samples of a 16 kHz mono PCM WAV as written by this cache; null for anything else. */
function decode16kMono(bytes: Buffer): Int16Array | null {
  try {
    // Fast path: the canonical 44-byte header this cache writes.
    if (
      bytes.length >= WAV_HEADER_BYTES &&
      bytes.toString('ascii', 0, 4) === 'RIFF' &&
      bytes.toString('ascii', 8, 16) === 'WAVEfmt ' &&
      bytes.readUInt16LE(20) === 1 &&
      bytes.readUInt16LE(22) === 1 &&
      bytes.readUInt32LE(24) === SAMPLE_RATE &&
      bytes.readUInt16LE(34) === 16 &&
      bytes.toString('ascii', 36, 40) === 'data'
    ) {
      const dataBytes = bytes.readUInt32LE(40);
      if (dataBytes % 2 !== 0 || WAV_HEADER_BYTES + dataBytes !== bytes.length) return null; // truncated or padded
      const samples = new Int16Array(dataBytes / 2);
      for (let i = 0; i < samples.length; i++)
        samples[i] = bytes.readInt16LE(WAV_HEADER_BYTES + 2 * i);
      return samples;
    }
    const wav = parseWav(bytes);
    if (wav.sampleRate !== SAMPLE_RATE || wav.channels !== 1) return null;
    const mono = wav.samples[0]!;
    const samples = new Int16Array(mono.length);
    for (let i = 0; i < mono.length; i++)
      samples[i] = Math.max(-32768, Math.min(32767, Math.round(mono[i]! * 32768)));
    return samples;
  } catch {
    return null;
  }
}
