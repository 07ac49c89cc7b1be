/**
 * Mandarin phrase recognition (是的 / 不需要 / 转人工). espeak-ng has only two Mandarin voices
 * (cmn, cmn-latn-pinyin; same phonemes in the WASM build), so "held out" here means variants
 * (+m7, +f4, +f2) and prosody the trainer never uses, not a new voice. Synthetic audio only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EspeakWasmTts } from '../../../tts/index.js';
import { createRecognizer } from '../index.js';
import { SpeechEmbedder } from './embedder.js';
import type { PhraseModel } from './model.js';
import { EMBEDDING_MODEL_DIR, type EvalCase, evaluate, summarize } from './testing.js';
import { trainPhraseModel } from './train.js';

const PHRASES = [
  { text: '是的', intent: 'yes' },
  { text: '不需要', intent: 'no' },
  { text: '转人工', intent: 'agent' },
];
const HELD_OUT = ['cmn+m7', 'cmn-latn-pinyin+f4', 'cmn+f2'];
const UNRELATED = [
  '我想订一个披萨',
  '春天的天气很好',
  '我哥哥住在上海',
  '你们公司叫什么名字',
  '我没收到那封信',
  '你能听见我吗',
];

describe('PhraseRecognizer, Mandarin, held-out variants', () => {
  let embedder: SpeechEmbedder;
  let tts: EspeakWasmTts;
  let model: PhraseModel;
  beforeAll(async () => {
    embedder = await SpeechEmbedder.load(EMBEDDING_MODEL_DIR);
    tts = new EspeakWasmTts();
    await tts.init();
    model = await trainPhraseModel(
      { language: 'zh-CN', phrases: PHRASES },
      {
        tts,
        embedder,
        voices: ['cmn', 'cmn-latn-pinyin'],
        variants: ['', '+f3', '+m3', '+f5', '+m2', '+f1'],
        rates: [0.8, 1, 1.2],
        augmentations: 2,
        seed: 1,
      },
    );
    console.log(
      `[zh] trained in ${model.stats.trainMs} ms: ${JSON.stringify(model.stats)}; threshold ${model.threshold}; ${JSON.stringify(model).length} bytes`,
    );
  }, 60_000);
  afterAll(async () => {
    await embedder.release();
  });

  it('picks the right intent for unseen variants and rejects unrelated sentences', async () => {
    const recognizer = await createRecognizer('phrase', { model, embedder });
    const cases: EvalCase[] = [];
    for (const voice of HELD_OUT) {
      for (const [rate, pitch] of [
        [1, 50],
        [0.9, 45],
        [1.1, 58],
      ] as const) {
        for (const p of PHRASES) cases.push({ text: p.text, intent: p.intent, voice, rate, pitch });
      }
      for (const text of UNRELATED) cases.push({ text, voice, rate: 1, pitch: 50 });
    }
    const outcomes = await evaluate(recognizer, tts, 'zh-CN', cases);
    const s = summarize(outcomes);
    console.log(`[zh] held-out ${HELD_OUT.join(', ')}: ${JSON.stringify(s)}`);
    for (const o of outcomes)
      if (o.intent ? o.top !== o.intent || o.noMatch : !o.noMatch)
        console.log(
          `[zh] miss ${o.voice} ${o.rate} "${o.text}" → ${o.top} ${o.confidence.toFixed(2)} noMatch=${o.noMatch}`,
        );
    expect(s.top1 / s.phrases).toBeGreaterThanOrEqual(0.9);
    expect(s.acceptedCorrect / s.phrases).toBeGreaterThanOrEqual(0.8);
    expect(s.rejected / s.unrelated).toBeGreaterThanOrEqual(0.75);
  }, 60_000);
});
