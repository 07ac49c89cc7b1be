/**
 * Measures what the endpointer defaults are based on: for espeak-ng sentences (English and
 * Mandarin, normal speed), the longest run of VAD windows below the deactivation threshold
 * *inside* an utterance (between its first and last speech window), and the shortest speech run.
 * Run: node --import tsx electron/engine/speech/testing/measure-pauses.ts [deactivation] [activation]
 * With STRIP_PUNCTUATION=1 the sentences are spoken without punctuation (word gaps only).
 */
import { resolve } from 'node:path';

import { SileroModel } from '../vad/silero.js';
import { synthClip } from './espeak.js';

const deactivation = Number(process.argv[2] ?? 0.35);
const activation = Number(process.argv[3] ?? 0.5);
const strip = process.env.STRIP_PUNCTUATION === '1';
const model = await SileroModel.load(resolve('native-models/vad/silero_vad.onnx'));

const sentences: [string, string][] = [
  ['en-us', 'Hello, this is a call about your account. Do you have a minute to talk?'],
  ['en-us', 'Yes, I would like to hear more about it, but please call me back tomorrow afternoon.'],
  ['en-us', 'My number is five five five, one two three four, and my name is John Smith.'],
  ['en-us', 'No thanks, I am not interested, please remove me from your list.'],
  ['en-us', 'Well, let me think about it; maybe next Tuesday at three, if that works for you.'],
  ['cmn', '你好，我想了解一下你们的产品，请问价格是多少？'],
  ['cmn', '我现在不方便，请明天下午三点再打给我。'],
  ['cmn', '我的电话号码是一三八，一二三四，五六七八。'],
  ['cmn', '不用了，谢谢，我对这个没有兴趣。'],
  ['cmn', '好的，没问题，你说吧，我听着呢。'],
];

for (const rate of [16000, 8000] as const) {
  for (const wpm of [175, 140]) {
    let worst = 0;
    for (const [voice, text] of sentences) {
      const spoken = strip ? text.replace(/[,.;?，。？]/g, ' ') : text;
      const samples = await synthClip(spoken, { voice, wpm, sampleRate: rate, padMs: 500 });
      const vad = model.createStream(rate);
      const windows = await vad.push(samples);
      const speech = windows.filter((w) => w.probability >= activation);
      const first = speech[0];
      const last = speech.at(-1);
      if (!first || !last) {
        console.log(`${rate} ${wpm} ${voice} NO SPEECH: ${text}`);
        continue;
      }
      let longest = 0;
      let runStart: number | undefined;
      for (const w of windows) {
        if (w.startMs < first.startMs || w.endMs > last.endMs) continue;
        if (w.probability < deactivation) {
          runStart ??= w.startMs;
          longest = Math.max(longest, w.endMs - runStart);
        } else if (w.probability >= activation) runStart = undefined;
      }
      worst = Math.max(worst, longest);
      console.log(
        `${rate} Hz ${wpm} wpm ${voice.padEnd(5)} speech ${first.startMs}-${last.endMs} ms, longest inner pause ${longest} ms  ${text.slice(0, 30)}`,
      );
    }
    console.log(`== ${rate} Hz ${wpm} wpm: longest inner pause over all sentences ${worst} ms`);
  }
}
await model.release();
