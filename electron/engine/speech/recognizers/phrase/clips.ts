/**
 * Stores of synthesized training clips. espeak-ng's WASM build does not render bit-identical
 * audio twice (state carries over between syntheses, and some voices add random breath noise), so
 * training is deterministic only given the same clips: a store keeps the first rendering of each
 * (engine, version, language, text, voice, rate, pitch) and every later training reuses it.
 * `trainPhraseModel` uses a `DiskClipStore` under its cache dir when it has one.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ClipStore {
  get(key: string): Promise<Int16Array | undefined>;
  set(key: string, samples: Int16Array): Promise<void>;
}

/** The store key of one rendering. */
export function clipKey(parts: {
  engine: string;
  version: string;
  language: string;
  text: string;
  voice: string;
  rate: number;
  pitch: number;
}): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        parts.engine,
        parts.version,
        parts.language,
        parts.text,
        parts.voice,
        parts.rate,
        parts.pitch,
      ]),
    )
    .digest('hex')
    .slice(0, 32);
}

export class MemoryClipStore implements ClipStore {
  private readonly clips = new Map<string, Int16Array>();
  async get(key: string): Promise<Int16Array | undefined> {
    return this.clips.get(key);
  }
  async set(key: string, samples: Int16Array): Promise<void> {
    this.clips.set(key, samples.slice());
  }
  get size(): number {
    return this.clips.size;
  }
}

/** Raw little-endian 16-bit mono files `<key>.s16` in a folder. */
export class DiskClipStore implements ClipStore {
  constructor(readonly dir: string) {}
  async get(key: string): Promise<Int16Array | undefined> {
    try {
      const bytes = await readFile(join(this.dir, `${key}.s16`));
      const out = new Int16Array(bytes.length >> 1);
      for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
      return out;
    } catch {
      return undefined; // not stored yet (or unreadable): synthesize again
    }
  }
  async set(key: string, samples: Int16Array): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const bytes = Buffer.alloc(samples.length * 2);
    for (let i = 0; i < samples.length; i++) bytes.writeInt16LE(samples[i]!, i * 2);
    const file = join(this.dir, `${key}.s16`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  }
}
