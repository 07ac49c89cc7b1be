import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { chunkFrames, parseWav, SAMPLES_PER_FRAME, WAV_HEADER_BYTES } from '../audio/index.js';
import type { Logger } from '../log.js';
import { EspeakWasmTts } from './espeak-wasm.js';
import {
  DEFAULT_PROMPT_CACHE_MAX_BYTES,
  PromptCache,
  promptCacheDir,
  promptHash,
  type PromptKey,
  promptKeyFor,
} from './prompt-cache.js';
import type { TtsEngine, TtsOptions, TtsResult } from './types.js';

/** A fake engine: a ramp whose length depends on the text; counts its calls. */
class CountingEngine implements TtsEngine {
  readonly id = 'fake';
  readonly version = '1';
  readonly languages = ['en', 'zh-CN'] as const;
  calls = 0;
  async voices() {
    return [];
  }
  async synthesize(text: string, _options: TtsOptions): Promise<TtsResult> {
    this.calls++;
    await new Promise((r) => setTimeout(r, 20));
    const samples = new Int16Array(1600 * text.length).map((_, i) => ((i * 37) % 2000) - 1000);
    return { samples, sampleRate: 16000, durationMs: samples.length / 16 };
  }
}

const key = (text: string, extra: Partial<PromptKey> = {}): PromptKey => ({
  engineId: 'fake',
  engineVersion: '1',
  voice: '',
  rate: 1,
  pitch: 50,
  language: 'en',
  text,
  ...extra,
});

describe('PromptCache', () => {
  let dataDir: string;
  let dir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tts-cache-'));
    dir = promptCacheDir(dataDir, 'flow-1', 3);
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('builds <dataDir>/cache/prompts/<flowId>/<version> and refuses unsafe names', () => {
    expect(dir).toBe(join(dataDir, 'cache', 'prompts', 'flow-1', '3'));
    expect(() => promptCacheDir(dataDir, '../x', 1)).toThrow(/invalid flow id/);
    expect(() => promptCacheDir(dataDir, 'f', '..')).toThrow(/invalid flow version/);
  });

  it('hashes every field that changes the sound', () => {
    const base = promptHash(key('hi'));
    for (const changed of [
      key('hi', { engineId: 'x' }),
      key('hi', { engineVersion: '2' }),
      key('hi', { voice: 'en-gb' }),
      key('hi', { rate: 1.2 }),
      key('hi', { pitch: 60 }),
      key('hi', { language: 'zh-CN' }),
      key('hi!'),
    ]) {
      expect(promptHash(changed)).not.toBe(base);
    }
    expect(promptHash(key('hi'))).toBe(base);
    expect(promptKeyFor({ id: 'fake', version: '1' }, 'hi', { language: 'en' })).toEqual(key('hi'));
  });

  it('renders once, then hits, also from a new cache instance; writes a 16 kHz mono WAV atomically', async () => {
    const engine = new CountingEngine();
    const cache = new PromptCache(dir);
    expect(await cache.get(key('hello'))).toBeNull();
    const first = await cache.renderWith(engine, 'hello', { language: 'en' });
    expect(first.hit).toBe(false);
    expect(engine.calls).toBe(1);
    expect(first.path).toBe(join(dir, `${first.hash}.wav`));
    expect(await readdir(dir)).toEqual([`${first.hash}.wav`]); // no temp files left

    const wav = parseWav(await readFile(first.path));
    expect(wav.sampleRate).toBe(16000);
    expect(wav.channels).toBe(1);

    const started = performance.now();
    const second = await cache.renderWith(engine, 'hello', { language: 'en' });
    const hitMs = performance.now() - started;
    expect(second.hit).toBe(true);
    expect(engine.calls).toBe(1);
    expect(second.samples).toEqual(first.samples);
    expect(hitMs).toBeLessThan(50);

    const fresh = new PromptCache(dir);
    const third = await fresh.render(promptKeyFor(engine, 'hello', { language: 'en' }), () =>
      engine.synthesize('hello', { language: 'en' }),
    );
    expect(third.hit).toBe(true);
    expect(engine.calls).toBe(1);
    expect(third.durationMs).toBe(first.durationMs);
    const frames = chunkFrames(third.samples);
    expect(frames[0]!.length).toBe(SAMPLES_PER_FRAME);
    expect(frames.length).toBe(Math.ceil(third.samples.length / SAMPLES_PER_FRAME));
  });

  it('shares one synthesis between concurrent renders of the same key', async () => {
    const engine = new CountingEngine();
    const cache = new PromptCache(dir);
    const results = await Promise.all(
      [1, 2, 3].map(() => cache.renderWith(engine, 'same', { language: 'en' })),
    );
    expect(engine.calls).toBe(1);
    expect(new Set(results.map((r) => r.hash)).size).toBe(1);
  });

  it('renders again over a corrupt or truncated file', async () => {
    const engine = new CountingEngine();
    const cache = new PromptCache(dir);
    const first = await cache.renderWith(engine, 'fix me', { language: 'en' });
    const bytes = await readFile(first.path);
    await writeFile(first.path, bytes.subarray(0, bytes.length - 100));
    expect(await cache.get(key('fix me'))).toBeNull();
    const again = await cache.renderWith(engine, 'fix me', { language: 'en' });
    expect(again.hit).toBe(false);
    expect(engine.calls).toBe(2);
    expect((await cache.get(key('fix me')))?.samples).toEqual(first.samples);
  });

  it('passes synthesis errors through and stores nothing', async () => {
    const cache = new PromptCache(dir);
    await expect(
      cache.render(key('x'), () => Promise.reject(new Error('engine down'))),
    ).rejects.toThrow('engine down');
    expect(await cache.get(key('x'))).toBeNull();
  });

  it('still returns the prompt when the disk write fails, with a warning', async () => {
    const engine = new CountingEngine();
    const blocker = join(dataDir, 'not-a-folder');
    await writeFile(blocker, 'x'); // a file where the cache folder should be: mkdir fails
    const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
    const log: Logger = { info() {}, error() {}, warn: (m, f) => warnings.push([m, f]) };
    const cache = new PromptCache(join(blocker, 'prompts'), { log });
    const result = await cache.renderWith(engine, 'hello', { language: 'en' });
    expect(result).toMatchObject({ hit: false, stored: false });
    expect(result.samples.length).toBe(1600 * 'hello'.length);
    const writes = warnings.filter(([message]) => /cannot write/.test(message));
    expect(writes).toHaveLength(1);
    expect(String(writes[0]![1]?.['error'])).toMatch(/ENOTDIR|EEXIST/);
    // Nothing was stored: the next call synthesizes again (and still plays).
    expect((await cache.renderWith(engine, 'hello', { language: 'en' })).stored).toBe(false);
    expect(engine.calls).toBe(2);
  });

  it('keeps the folder under its size limit, evicting the least recently used prompts', async () => {
    expect(DEFAULT_PROMPT_CACHE_MAX_BYTES).toBe(512 * 1024 * 1024);
    const engine = new CountingEngine();
    // Each text of 2 characters is 3,200 samples: 6,400 bytes + the header; room for three.
    const fileBytes = WAV_HEADER_BYTES + 2 * 1600 * 2;
    const cache = new PromptCache(dir, { maxBytes: 3 * fileBytes });
    const render = (text: string) => cache.renderWith(engine, text, { language: 'en' });
    const a = await render('aa');
    await render('bb');
    await render('cc');
    expect(await cache.sizeBytes()).toBe(3 * fileBytes);
    expect((await render('aa')).hit).toBe(true); // aa is now the most recently used
    await render('dd'); // over the limit: bb (least recently used) goes
    const names = async () => (await readdir(dir)).sort();
    const hashOf = (text: string) => promptHash(key(text));
    expect(await names()).toEqual(['aa', 'cc', 'dd'].map((t) => `${hashOf(t)}.wav`).sort());
    expect(await cache.sizeBytes()).toBe(3 * fileBytes);
    // The use was stamped on the file (mtime), so a new instance (a restart) keeps the order.
    expect((await stat(a.path)).mtimeMs).toBeGreaterThan(
      (await stat(cache.pathFor(key('cc')))).mtimeMs,
    );
    const old = new Date(Date.now() - 60_000);
    await utimes(cache.pathFor(key('dd')), old, old); // dd: unused for a minute
    const restarted = new PromptCache(dir, { maxBytes: 3 * fileBytes });
    await restarted.renderWith(engine, 'ee', { language: 'en' });
    expect(await names()).toEqual(['aa', 'cc', 'ee'].map((t) => `${hashOf(t)}.wav`).sort());
    expect(engine.calls).toBe(5);
  });

  it('keeps a prompt larger than the whole limit (it is the one just used)', async () => {
    const engine = new CountingEngine();
    const cache = new PromptCache(dir, { maxBytes: 1000 });
    await cache.renderWith(engine, 'a', { language: 'en' });
    await cache.renderWith(engine, 'b', { language: 'en' });
    expect(await readdir(dir)).toEqual([`${promptHash(key('b'))}.wav`]);
  });

  it('caches real espeak prompts: the second render is a fast hit', async () => {
    const engine = new EspeakWasmTts();
    const cache = new PromptCache(dir);
    const options = { language: 'zh-CN', rate: 1 } as const;
    const first = await cache.renderWith(engine, '您好，请问您现在方便吗？', options);
    const started = performance.now();
    const second = await new PromptCache(dir).renderWith(
      engine,
      '您好，请问您现在方便吗？',
      options,
    );
    const hitMs = performance.now() - started;
    console.info(
      `[tts] prompt cache hit: ${hitMs.toFixed(1)} ms for ${second.durationMs.toFixed(0)} ms of audio`,
    );
    expect(first.hit).toBe(false);
    expect(second.hit).toBe(true);
    expect(second.samples).toEqual(first.samples);
    expect(hitMs).toBeLessThan(50);
  }, 30_000);
});
