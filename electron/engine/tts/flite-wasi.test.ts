import { describe, expect, it } from 'vitest';

import { FliteWasiTts } from './flite-wasi.js';
import { TtsError } from './types.js';

describe('FliteWasiTts (flite compiled to WASI)', () => {
  const tts = new FliteWasiTts();

  it('speaks English in each of its voices as 16 kHz Int16, slower at a lower rate', async () => {
    const voices = await tts.voices();
    expect(voices.map((v) => v.id)).toEqual(['slt', 'rms', 'awb', 'kal16']);
    for (const voice of voices) {
      const result = await tts.synthesize('call me back later', {
        language: 'en',
        voice: voice.id,
      });
      expect(result.sampleRate).toBe(16000);
      expect(result.durationMs).toBeGreaterThan(600);
      expect(result.durationMs).toBeLessThan(3000);
      let peak = 0;
      for (const s of result.samples) peak = Math.max(peak, Math.abs(s));
      expect(peak).toBeGreaterThan(3000);
    }
    const normal = await tts.synthesize('call me back later', {
      language: 'en',
      voice: 'slt',
      rate: 1,
    });
    const slow = await tts.synthesize('call me back later', {
      language: 'en',
      voice: 'slt',
      rate: 0.8,
    });
    expect(slow.durationMs / normal.durationMs).toBeGreaterThan(1.15);
  }, 30_000);

  it('refuses Mandarin, unknown voices and empty text with a clear error', async () => {
    await expect(tts.synthesize('你好', { language: 'zh-CN' })).rejects.toThrow(
      /unsupported language "zh-CN"/,
    );
    await expect(tts.synthesize('hello', { language: 'en', voice: 'nope' })).rejects.toThrow(
      TtsError,
    );
    await expect(tts.synthesize('  ', { language: 'en' })).rejects.toThrow(/nothing to say/);
  });
});
