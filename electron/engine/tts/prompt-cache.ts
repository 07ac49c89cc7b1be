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
 *
 * Only static text belongs here: a prompt filled in from a contact's fields is personal data and
 * never reaches this cache (the bot keeps those in memory for the call, see bot/prompts.ts).
 *
 * The folder is kept under a size limit (`maxBytes`, default 512 MiB): after each write the least
 * recently used prompts are deleted until it fits. "Used" is the file's mtime, which this cache
 * sets itself on every hit (atime is unreliable: noatime/relatime mounts, Windows), so the order
 * survives a restart. A failed write (disk full, read-only folder) is logged and the prompt is
 * still returned: the caller plays it, and it is rendered again next time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { encodeWav, parseWav, SAMPLE_RATE, WAV_HEADER_BYTES } from '../audio/index.js';
import { type Logger, silentLogger } from '../log.js';
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
  /** False when a fresh synthesis could not be written to disk (it is still returned). */
  stored: boolean;
}

/** The cache folder's default size limit. */
export const DEFAULT_PROMPT_CACHE_MAX_BYTES = 512 * 1024 * 1024;

export interface PromptCacheOptions {
  /** Size limit of the folder's prompts; the least recently used go first. */
  maxBytes?: number;
  /** Where a failed write or eviction is reported. */
  log?: Logger;
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
  readonly maxBytes: number;
  private readonly log: Logger;
  private readonly inFlight = new Map<string, Promise<CachedPrompt>>();
  /** hash → size and last use (ms), read from the folder once, then kept up to date. */
  private index: Promise<Map<string, { bytes: number; usedAt: number }>> | null = null;
  /** Serializes evictions (each one walks the whole index). */
  private evicting: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    options: PromptCacheOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_PROMPT_CACHE_MAX_BYTES;
    this.log = options.log ?? silentLogger;
  }

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
      // Unreadable is missing: the prompt is rendered again rather than not played.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log.warn('Prompt cache: cannot read a rendered prompt; rendering it again', {
          path,
          error: error instanceof Error ? error.message : String(error),
        });
      return null;
    }
    const samples = decode16kMono(bytes);
    if (!samples) return null;
    await this.touch(hash, bytes.length);
    return {
      samples,
      sampleRate: 16000,
      durationMs: durationMs(samples.length, SAMPLE_RATE),
      hash,
      path,
      hit: true,
      stored: true,
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

  /** The bytes of the prompts on disk as this cache counts them. */
  async sizeBytes(): Promise<number> {
    let total = 0;
    for (const entry of (await this.entries()).values()) total += entry.bytes;
    return total;
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
    const stored = await this.store(hash, path, result.samples);
    return {
      samples: result.samples,
      sampleRate: 16000,
      durationMs: durationMs(result.samples.length, SAMPLE_RATE),
      hash,
      path,
      hit: false,
      stored,
    };
  }

  /** Writes the prompt atomically and evicts down to the limit; false (logged) when it failed. */
  private async store(hash: string, path: string, samples: Int16Array): Promise<boolean> {
    const temp = join(this.dir, `.${hash}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const wav = encodeWav({ sampleRate: SAMPLE_RATE, channels: [samples] });
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFile(temp, wav);
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      this.log.warn('Prompt cache: cannot write a rendered prompt; it plays from memory', {
        path,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
    const entries = await this.entries();
    entries.set(hash, { bytes: wav.length, usedAt: Date.now() });
    await this.evict(hash);
    return true;
  }

  /** Marks a prompt used now, in the index and as the file's mtime (best effort). */
  private async touch(hash: string, bytes: number): Promise<void> {
    const now = Date.now();
    (await this.entries()).set(hash, { bytes, usedAt: now });
    const seconds = now / 1000;
    await utimes(join(this.dir, `${hash}.wav`), seconds, seconds).catch(() => undefined);
  }

  /** The index, read from the folder on first use (prompts written by an earlier run count). */
  private entries(): Promise<Map<string, { bytes: number; usedAt: number }>> {
    this.index ??= (async () => {
      const entries = new Map<string, { bytes: number; usedAt: number }>();
      let names: string[];
      try {
        names = await readdir(this.dir);
      } catch {
        return entries; // no folder yet
      }
      for (const name of names) {
        const match = /^([0-9a-f]{64})\.wav$/.exec(name);
        if (!match) continue;
        const info = await stat(join(this.dir, name)).catch(() => null);
        if (info?.isFile()) entries.set(match[1]!, { bytes: info.size, usedAt: info.mtimeMs });
      }
      return entries;
    })();
    return this.index;
  }

  /** Deletes the least recently used prompts (never `keep`, the one just written) until the folder fits. */
  private evict(keep: string): Promise<void> {
    const run = this.evicting.then(async () => {
      const entries = await this.entries();
      let total = 0;
      for (const entry of entries.values()) total += entry.bytes;
      if (total <= this.maxBytes) return;
      const oldest = [...entries].sort((a, b) => a[1].usedAt - b[1].usedAt);
      for (const [hash, entry] of oldest) {
        if (total <= this.maxBytes) break;
        if (hash === keep || this.inFlight.has(hash)) continue;
        try {
          await rm(join(this.dir, `${hash}.wav`), { force: true });
        } catch (error) {
          this.log.warn('Prompt cache: cannot delete an old prompt', {
            hash,
            error: error instanceof Error ? error.message : String(error),
          });
          continue;
        }
        entries.delete(hash);
        total -= entry.bytes;
      }
    });
    this.evicting = run.catch(() => undefined);
    return run;
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
