/**
 * PromptRenderer and CallPrompts: static prompts through the disk cache, personal ones (filled in
 * from contact fields) only in the call's memory, and a failed cache write that still plays.
 * The speech pool is a stand-in that counts syntheses (the real one is covered in speech/).
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Logger } from '../log.js';
import type { SpeechWorkerPool } from '../speech/index.js';
import { useTempDirs } from '../store/testing/temp.js';
import { defaultVoice, PromptRenderer } from './prompts.js';

const tempDir = useTempDirs();

function countingPool(): { pool: () => SpeechWorkerPool; texts: string[] } {
  const texts: string[] = [];
  const stand = {
    synthesize: (text: string) => {
      texts.push(text);
      const samples = new Int16Array(320 * text.length).fill(100);
      return Promise.resolve({ samples, durationMs: samples.length / 16 });
    },
  };
  // Only synthesize() is used by the renderer.
  return { pool: () => stand as unknown as SpeechWorkerPool, texts };
}

const voice = defaultVoice('en');

describe('PromptRenderer', () => {
  it('never writes a personal prompt to disk; keeps it for the call only', async () => {
    const dir = join(await tempDir(), 'prompts');
    const { pool, texts } = countingPool();
    const renderer = new PromptRenderer(pool, dir);
    const call = renderer.forCall('call-1');

    const greeting = await call.render('Hello Ann, you owe 1280 yuan.', voice, true);
    expect(greeting.source).toBe('synthesized');
    expect(greeting.frames.length).toBeGreaterThan(0);
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' }); // nothing on disk
    expect((await call.render('Hello Ann, you owe 1280 yuan.', voice, true)).source).toBe('memory');
    expect(call.personalCount).toBe(1);

    // Another call with the same text does not see the first call's audio.
    const other = renderer.forCall('call-2');
    expect((await other.render('Hello Ann, you owe 1280 yuan.', voice, true)).source).toBe(
      'synthesized',
    );
    // The shared layers never saw it either.
    expect((await renderer.render('Hello Ann, you owe 1280 yuan.', voice)).source).toBe(
      'synthesized',
    );
    expect(texts).toHaveLength(3);

    // A static prompt of the same call goes to the disk cache.
    expect((await call.render('Goodbye.', voice, false)).source).toBe('synthesized');
    expect(await readdir(dir)).toHaveLength(2); // "Goodbye." and the static render above
    expect((await renderer.forCall('call-3').render('Goodbye.', voice, false)).source).toBe(
      'memory',
    );
    expect((await new PromptRenderer(pool, dir).render('Goodbye.', voice)).source).toBe('disk');

    call.close();
    expect(call.personalCount).toBe(0);
  });

  it('plays a static prompt whose disk write failed, and warns', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'prompts'), 'not a folder');
    const warnings: string[] = [];
    const log: Logger = { info() {}, error() {}, warn: (message) => warnings.push(message) };
    const { pool } = countingPool();
    const renderer = new PromptRenderer(pool, join(root, 'prompts', 'en'), { log });
    const rendered = await renderer.forCall('c').render('Please hold.', voice, false);
    expect(rendered.source).toBe('synthesized');
    expect(rendered.frames.length).toBe(Math.ceil((320 * 'Please hold.'.length) / 320));
    expect(warnings.some((w) => /cannot write/.test(w))).toBe(true);
  });

  it("warms a flow's static prompts into memory from the disk cache, never synthesizing one", async () => {
    const dir = join(await tempDir(), 'prompts');
    const { pool, texts } = countingPool();
    await new PromptRenderer(pool, dir).render('Goodbye.', voice);
    await new PromptRenderer(pool, dir).render('Please hold.', voice);
    expect(texts).toEqual(['Goodbye.', 'Please hold.']);
    // A new engine: the prompts are on disk, and warm() reads them into memory ahead of the calls.
    const renderer = new PromptRenderer(pool, dir);
    await renderer.warm(['Goodbye.', 'Not rendered yet.', 'Please hold.'], voice);
    expect(texts).toEqual(['Goodbye.', 'Please hold.']); // nothing synthesized
    const call = renderer.forCall('call-1');
    expect((await call.render('Goodbye.', voice, false)).source).toBe('memory');
    expect((await call.render('Please hold.', voice, false)).source).toBe('memory');
    expect((await call.render('Not rendered yet.', voice, false)).source).toBe('synthesized');
  });

  it('passes its disk size limit to the cache', () => {
    const { pool } = countingPool();
    expect(new PromptRenderer(pool, '/x', { diskMaxBytes: 1234 }).cache.maxBytes).toBe(1234);
    expect(new PromptRenderer(pool, '/x').cache.maxBytes).toBe(512 * 1024 * 1024);
  });
});
