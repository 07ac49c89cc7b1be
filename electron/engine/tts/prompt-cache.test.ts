import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { chunkFrames, parseWav, SAMPLES_PER_FRAME } from '../audio/index.js';
import { EspeakWasmTts } from './espeak-wasm.js';
import {
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
