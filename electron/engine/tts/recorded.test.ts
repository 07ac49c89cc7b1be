import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chunkFrames, encodeWav, SAMPLES_PER_FRAME } from '../audio/index.js';
import { RecordedPromptsTts } from './recorded.js';
import type { TtsError } from './types.js';

function tone(sampleRate: number, seconds: number, hz = 440): Float32Array {
  const out = new Float32Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return out;
}

describe('RecordedPromptsTts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tts-recorded-'));
    await mkdir(join(dir, 'zh-CN'));
    await writeFile(
      join(dir, 'greeting.wav'),
      encodeWav({ sampleRate: 8000, channels: [tone(8000, 1.5)] }),
    );
    await writeFile(
      join(dir, 'zh-CN', 'greeting.wav'),
      encodeWav({ sampleRate: 22050, channels: [tone(22050, 2)] }),
    );
    const left = tone(44100, 0.75);
    await writeFile(
      join(dir, 'stereo44.wav'),
      encodeWav({ sampleRate: 44100, channels: [left, left] }),
    );
    await writeFile(join(dir, 'broken.wav'), Buffer.from('not a wav file at all'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns 8, 22.05 and 44.1 kHz recordings as 16 kHz mono with their durations', async () => {
    const engine = new RecordedPromptsTts({ dir });
    const en = await engine.synthesize('greeting', { language: 'en' }); // <dir>/greeting.wav, 8 kHz
    const zh = await engine.synthesize('greeting', { language: 'zh-CN' }); // <dir>/zh-CN/greeting.wav, 22.05 kHz
    const st = await engine.synthesize('stereo44', { language: 'zh-CN' }); // falls back to <dir>/, 44.1 kHz stereo
    for (const [result, ms] of [
      [en, 1500],
      [zh, 2000],
      [st, 750],
    ] as const) {
      expect(result.sampleRate).toBe(16000);
      expect(result.samples.length).toBe(Math.round((ms * 16000) / 1000));
      expect(result.durationMs).toBeCloseTo(ms, 0);
      const peak = result.samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
      expect(peak / 32768).toBeGreaterThan(0.45);
      expect(peak / 32768).toBeLessThan(0.55);
      expect(chunkFrames(result.samples)[0]!.length).toBe(SAMPLES_PER_FRAME);
    }
  });

  it('uses explicit paths first, per language', async () => {
    const engine = new RecordedPromptsTts({
      prompts: { hello: { en: join(dir, 'stereo44.wav') }, any: join(dir, 'greeting.wav') },
    });
    expect((await engine.synthesize('hello', { language: 'en' })).durationMs).toBeCloseTo(750, 0);
    expect((await engine.synthesize('any', { language: 'zh-CN' })).durationMs).toBeCloseTo(1500, 0);
    await expect(engine.synthesize('hello', { language: 'zh-CN' })).rejects.toMatchObject({
      code: 'UNKNOWN_PROMPT',
    });
  });

  it('reloads a recording that changed on disk, and hands out copies', async () => {
    const engine = new RecordedPromptsTts({ dir });
    const path = join(dir, 'changing.wav');
    await writeFile(path, encodeWav({ sampleRate: 16000, channels: [tone(16000, 0.5)] }));
    const first = await engine.synthesize('changing', { language: 'en' });
    first.samples.fill(0);
    expect(
      (await engine.synthesize('changing', { language: 'en' })).samples.some((s) => s !== 0),
    ).toBe(true);
    await writeFile(path, encodeWav({ sampleRate: 16000, channels: [tone(16000, 1)] }));
    const later = new Date(Date.now() + 5000);
    await utimes(path, later, later);
    expect((await engine.synthesize('changing', { language: 'en' })).durationMs).toBeCloseTo(
      1000,
      0,
    );
  });

  it('gives specific errors', async () => {
    const engine = new RecordedPromptsTts({ dir });
    const code = async (p: Promise<unknown>) =>
      ((await p.catch((e: unknown) => e)) as TtsError).code;
    await expect(engine.synthesize('missing', { language: 'en' })).rejects.toThrow(
      /no recording for prompt "missing" \(en\); looked for/,
    );
    expect(await code(engine.synthesize('missing', { language: 'en' }))).toBe('UNKNOWN_PROMPT');
    expect(await code(engine.synthesize('../etc/passwd', { language: 'en' }))).toBe(
      'UNKNOWN_PROMPT',
    );
    await expect(engine.synthesize('../etc/passwd', { language: 'en' })).rejects.toThrow(
      /invalid prompt key/,
    );
    expect(await code(engine.synthesize('', { language: 'en' }))).toBe('EMPTY_TEXT');
    await expect(engine.synthesize('broken', { language: 'en' })).rejects.toThrow(
      /recording for prompt "broken" \(en\) cannot be used: .*broken\.wav/,
    );
    expect(await code(engine.synthesize('broken', { language: 'en' }))).toBe('PROMPT_UNREADABLE');
    // @ts-expect-error -- a language the type does not allow, as from untyped input
    expect(await code(engine.synthesize('greeting', { language: 'de' }))).toBe(
      'UNSUPPORTED_LANGUAGE',
    );
    expect(await code(engine.synthesize('greeting', { language: 'en', voice: 'en-us' }))).toBe(
      'UNKNOWN_VOICE',
    );
    expect(await code(engine.synthesize('greeting', { language: 'en', rate: 9 }))).toBe(
      'BAD_OPTION',
    );
    expect(await code(new RecordedPromptsTts({}).synthesize('greeting', { language: 'en' }))).toBe(
      'UNKNOWN_PROMPT',
    );
  });
});
