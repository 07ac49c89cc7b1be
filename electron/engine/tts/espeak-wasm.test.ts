import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { beforeAll, describe, expect, it } from 'vitest';

import {
  envelopeCorrelation,
  int16ToFloat,
  parseWav,
  SAMPLE_RATE,
  toMono,
} from '../audio/index.js';
import { ESPEAK_WASM_PACKAGE, ESPEAK_WASM_PACKAGE_VERSION, EspeakWasmTts } from './espeak-wasm.js';
import { TtsError, type TtsErrorCode } from './types.js';

/** Debian's espeak-ng CLI, used only as an independent reference in these tests (Linux only). */
function debianEspeak(voice: string, text: string): Float32Array | null {
  try {
    const wav = parseWav(
      execFileSync('espeak-ng', ['-v', voice, '--stdout', text], { maxBuffer: 64 << 20 }),
    );
    return toMono(wav.samples);
  } catch {
    return null;
  }
}
const hasDebianEspeak = debianEspeak('en', 'a') !== null;

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(1, samples.length)) / 32768;
}

async function expectTtsError(
  promise: Promise<unknown>,
  code: TtsErrorCode,
  message: RegExp,
): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TtsError);
  expect((error as TtsError).code).toBe(code);
  expect((error as TtsError).message).toMatch(message);
}

const EN = 'Please hold while I connect you.'; // 6 words
const ZH = '你好，我是小王';

describe('EspeakWasmTts', () => {
  const engine = new EspeakWasmTts();

  beforeAll(async () => {
    await engine.init();
    console.info(`[tts] espeak-wasm init (load + warm-up): ${engine.stats.initMs?.toFixed(0)} ms`);
  }, 30_000);

  it('names the installed package version', () => {
    const require = createRequire(import.meta.url);
    const manifest = JSON.parse(
      readFileSync(require.resolve(`${ESPEAK_WASM_PACKAGE}/package.json`), 'utf8'),
    ) as { version: string };
    expect(manifest.version).toBe(ESPEAK_WASM_PACKAGE_VERSION);
    expect(engine.version.startsWith(ESPEAK_WASM_PACKAGE_VERSION)).toBe(true);
  });

  it('lists English and Mandarin voices', async () => {
    const ids = (await engine.voices()).map((v) => `${v.language}:${v.id}`);
    for (const id of [
      'en:en',
      'en:en-us',
      'en:en-gb-x-rp',
      'en:en-gb-scotland',
      'zh-CN:cmn',
      'zh-CN:cmn-latn-pinyin',
    ])
      expect(ids).toContain(id);
    expect(ids.some((id) => id.includes('yue'))).toBe(false);
  });

  it('speaks a 6-word English sentence as non-silent 16 kHz audio of plausible length', async () => {
    const result = await engine.synthesize(EN, { language: 'en' });
    expect(result.sampleRate).toBe(16000);
    expect(result.samples).toBeInstanceOf(Int16Array);
    expect(result.durationMs).toBeCloseTo((result.samples.length * 1000) / 16000, 6);
    expect(result.durationMs).toBeGreaterThan(1000);
    expect(result.durationMs).toBeLessThan(4000);
    expect(rms(result.samples)).toBeGreaterThan(0.02);
  });

  it('speaks other English voices, and rate changes the length', async () => {
    const gb = await engine.synthesize(EN, { language: 'en', voice: 'en-gb-x-rp' });
    const scot = await engine.synthesize(EN, { language: 'en', voice: 'en-gb-scotland+f3' });
    expect(rms(scot.samples)).toBeGreaterThan(0.02);
    const normal = await engine.synthesize(EN, { language: 'en', voice: 'en-us' });
    const fast = await engine.synthesize(EN, { language: 'en', voice: 'en-us', rate: 2 });
    const slow = await engine.synthesize(EN, {
      language: 'en',
      voice: 'en-us',
      rate: 0.5,
      pitch: 80,
    });
    expect(rms(gb.samples)).toBeGreaterThan(0.02);
    expect(fast.durationMs).toBeLessThan(normal.durationMs * 0.75);
    expect(slow.durationMs).toBeGreaterThan(normal.durationMs * 1.4);
  });

  it('speaks Mandarin as Mandarin syllables, not spelled-out English letters', async () => {
    expect(engine.spokenText(ZH, { language: 'zh-CN' })).toBe('ni3 hao3, wo3 shi4 xiao3 wang2');
    const result = await engine.synthesize(ZH, { language: 'zh-CN' });
    expect(result.sampleRate).toBe(16000);
    expect(rms(result.samples)).toBeGreaterThan(0.02);
    // Six syllables: ~1.8 s. Spelled as English ("ni three hao three …") it takes well over 3 s.
    expect(result.durationMs).toBeGreaterThan(1000);
    expect(result.durationMs).toBeLessThan(3000);
    // No switch to English anywhere ("(en)" marks one), with either Mandarin voice.
    for (const text of [
      ZH,
      '是的，您好，请问您对我们的产品感兴趣吗？',
      '明天下午三点可以吗？我们的',
      '女儿喜欢绿色',
    ]) {
      expect(await engine.phonemes(text, { language: 'zh-CN' })).not.toContain('(en)');
    }
    expect(await engine.phonemes(ZH, { language: 'zh-CN', voice: 'cmn' })).not.toContain('(en)');
    const hanzi = await engine.synthesize(ZH, { language: 'zh-CN', voice: 'cmn' });
    expect(hanzi.durationMs).toBeLessThan(3000);
  });

  it.skipIf(!hasDebianEspeak)(
    "matches the Debian CLI's reading of the same pinyin (envelope correlation)",
    async () => {
      const pinyin = engine.spokenText(ZH, { language: 'zh-CN' });
      const reference = debianEspeak('cmn-latn-pinyin', pinyin)!;
      const result = await engine.synthesize(ZH, { language: 'zh-CN' });
      const match = envelopeCorrelation(
        int16ToFloat(result.samples),
        SAMPLE_RATE,
        reference,
        22050,
      );
      // And what Debian's `cmn` voice does with the Hanzi themselves (the known spelling problem).
      const spelled = debianEspeak('cmn', ZH)!;
      console.info(
        `[tts] zh envelope correlation vs Debian cmn-latn-pinyin: ${match.correlation.toFixed(3)}; ` +
          `WASM ${result.durationMs.toFixed(0)} ms, Debian pinyin ${((reference.length / 22050) * 1000).toFixed(0)} ms, ` +
          `Debian cmn on Hanzi ${((spelled.length / 22050) * 1000).toFixed(0)} ms ` +
          `(correlation with it ${envelopeCorrelation(int16ToFloat(result.samples), SAMPLE_RATE, spelled, 22050).correlation.toFixed(3)})`,
      );
      expect(match.correlation).toBeGreaterThanOrEqual(0.7);
      // Same for English, as a sanity check of the comparison itself.
      const en = await engine.synthesize(EN, { language: 'en', voice: 'en-us' });
      const enRef = debianEspeak('en-us', EN)!;
      expect(
        envelopeCorrelation(int16ToFloat(en.samples), SAMPLE_RATE, enRef, 22050).correlation,
      ).toBeGreaterThanOrEqual(0.7);
    },
  );

  it('serializes concurrent requests and gives the same audio as one at a time', async () => {
    const one = await engine.synthesize(EN, { language: 'en' });
    const two = await engine.synthesize(ZH, { language: 'zh-CN' });
    const [a, b, c] = await Promise.all([
      engine.synthesize(EN, { language: 'en' }),
      engine.synthesize(ZH, { language: 'zh-CN' }),
      engine.synthesize(EN, { language: 'en', rate: 1.5 }),
    ]);
    // espeak keeps a little state between calls, so repeated renders differ by a few samples:
    // compare lengths and envelopes, not bytes.
    for (const [got, want] of [
      [a, one],
      [b, two],
    ] as const) {
      expect(Math.abs(got.durationMs - want.durationMs)).toBeLessThan(want.durationMs * 0.02);
      const match = envelopeCorrelation(
        int16ToFloat(got.samples),
        SAMPLE_RATE,
        int16ToFloat(want.samples),
        SAMPLE_RATE,
      );
      expect(match.correlation).toBeGreaterThan(0.95);
    }
    expect(c.durationMs).toBeLessThan(one.durationMs);
  });

  it('measures synthesis time per sentence (init excluded)', async () => {
    const sentences = [
      ['en', 'Hello, this is Anna calling from the city library about your reservation.'],
      ['en', 'Please hold while I connect you.'],
      ['zh-CN', '您好，这里是市图书馆，请问您现在方便接听电话吗？'],
      ['zh-CN', ZH],
    ] as const;
    for (const [language, text] of sentences) {
      const times: number[] = [];
      let audioMs = 0;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        audioMs = (await engine.synthesize(text, { language })).durationMs;
        times.push(performance.now() - started);
      }
      times.sort((x, y) => x - y);
      console.info(
        `[tts] ${language} ${JSON.stringify(text)}: median ${times[1]!.toFixed(0)} ms for ${audioMs.toFixed(0)} ms of audio`,
      );
      expect(times[1]!).toBeLessThan(2000);
    }
  });

  it('rejects empty text, unknown languages, voices and bad options with specific errors', async () => {
    await expectTtsError(engine.synthesize('', { language: 'en' }), 'EMPTY_TEXT', /nothing to say/);
    await expectTtsError(
      engine.synthesize('   ', { language: 'en' }),
      'EMPTY_TEXT',
      /nothing to say/,
    );
    await expectTtsError(
      engine.synthesize('，。！', { language: 'zh-CN' }),
      'EMPTY_TEXT',
      /nothing to say/,
    );
    await expectTtsError(
      // @ts-expect-error -- a language the type does not allow, as from untyped input
      engine.synthesize('Bonjour', { language: 'fr' }),
      'UNSUPPORTED_LANGUAGE',
      /"fr".*supported: en, zh-CN/,
    );
    await expectTtsError(
      engine.synthesize('Hallo', { language: 'en', voice: 'de' }),
      'UNKNOWN_VOICE',
      /unknown voice "de" for en.*en-us/,
    );
    await expectTtsError(
      engine.synthesize(ZH, { language: 'zh-CN', voice: 'en-us' }),
      'UNKNOWN_VOICE',
      /speaks en, not zh-CN/,
    );
    await expectTtsError(
      engine.synthesize('Hi', { language: 'en', voice: '../x' }),
      'UNKNOWN_VOICE',
      /invalid voice/,
    );
    await expectTtsError(
      engine.synthesize('Hi', { language: 'en', rate: 3 }),
      'BAD_OPTION',
      /rate must be a factor from 0.5 to 2/,
    );
    await expectTtsError(
      engine.synthesize('Hi', { language: 'en', pitch: -1 }),
      'BAD_OPTION',
      /pitch must be from 0 to 100/,
    );
    // The engine still works after errors.
    expect((await engine.synthesize('Still here.', { language: 'en' })).durationMs).toBeGreaterThan(
      300,
    );
  });

  it('reports a failed init, naming what failed, and can retry', async () => {
    let attempts = 0;
    const missing = new EspeakWasmTts({
      loadFactory: async () => {
        attempts++;
        throw new Error("Cannot find package '@echogarden/espeak-ng-emscripten'");
      },
    });
    await expectTtsError(
      missing.synthesize('Hi', { language: 'en' }),
      'INIT_FAILED',
      /cannot load the package @echogarden\/espeak-ng-emscripten: Cannot find/,
    );
    await expectTtsError(missing.init(), 'INIT_FAILED', /cannot load the package/);
    expect(attempts).toBe(2);

    const noData = new EspeakWasmTts({
      loadFactory: async () => async () => {
        throw new Error("ENOENT: no such file or directory, open '/x/espeak-ng.data'");
      },
    });
    await expectTtsError(
      noData.init(),
      'INIT_FAILED',
      /WebAssembly module failed to start.*espeak-ng\.data.*ENOENT/,
    );

    const wrong = new EspeakWasmTts({ loadFactory: async () => async () => ({}) });
    await expectTtsError(wrong.init(), 'INIT_FAILED', /no eSpeakNGWorker class/);
  });
});
