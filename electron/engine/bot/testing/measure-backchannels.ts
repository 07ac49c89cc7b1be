/**
 * Measures what bot/interruption.ts's MIN_BARGE_IN_SPEECH_MS rests on: how much VAD speech (Silero
 * windows >= 0.5, the endpointer's activation) backchannels and short answers hold, spoken by
 * espeak-ng (English and Mandarin, at 140/175/210 wpm, 8 and 16 kHz), and a synthetic cough (a
 * burst of filtered noise). Run: node --import tsx electron/engine/bot/testing/measure-backchannels.ts
 */
import { resolve } from 'node:path';

import { synthClip } from '../../speech/testing/espeak.js';
import { SileroModel } from '../../speech/vad/silero.js';

const model = await SileroModel.load(resolve('native-models/vad/silero_vad.onnx'));
const clips: Array<[string, string, string]> = [
  ['backchannel', 'en-us', 'uh-huh'],
  ['backchannel', 'en-us', 'mm-hmm'],
  ['backchannel', 'en-us', 'okay'],
  ['backchannel', 'en-us', 'ok'],
  ['backchannel', 'en-us', 'yeah'],
  ['backchannel', 'en-us', 'right'],
  ['backchannel', 'cmn', '嗯'],
  ['backchannel', 'cmn', '对'],
  ['backchannel', 'cmn', '对对'],
  ['backchannel', 'cmn', '好的'],
  ['backchannel', 'cmn', '是的'],
  ['answer', 'en-us', 'no'],
  ['answer', 'en-us', 'yes'],
  ['answer', 'en-us', 'talk to a person'],
  ['answer', 'en-us', 'no, not tomorrow'],
  ['answer', 'en-us', 'call me back later'],
  ['answer', 'en-us', 'I will not be home'],
  ['answer', 'cmn', '不是'],
  ['answer', 'cmn', '转人工'],
  ['answer', 'cmn', '明天再打吧'],
  ['answer', 'cmn', '我已经还了'],
];

/** VAD speech (ms) in a clip: windows at or above 0.5. */
async function speechMs(samples: Int16Array, rate: 8000 | 16000): Promise<number> {
  const windows = await model.createStream(rate).push(samples);
  return windows.filter((w) => w.probability >= 0.5).reduce((ms, w) => ms + w.endMs - w.startMs, 0);
}

const rows: Record<string, number[]> = {};
for (const rate of [16000, 8000] as const)
  for (const wpm of [140, 175, 210])
    for (const [kind, voice, text] of clips) {
      const samples = await synthClip(text, { voice, wpm, sampleRate: rate, padMs: 300 });
      (rows[`${kind} ${voice} ${text}`] ??= []).push(await speechMs(samples, rate));
    }
for (const [name, values] of Object.entries(rows))
  console.log(`${name.padEnd(36)} ${values.join(' ')}  (max ${Math.max(...values)})`);

// A cough: 250 ms of noise under a fast attack / slow decay envelope, at 16 kHz.
let seed = 1;
const noise = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
for (const lengthMs of [150, 250, 400]) {
  const n = (16000 * (lengthMs + 600)) / 1000;
  const cough = new Int16Array(n);
  for (let i = 0; i < (16000 * lengthMs) / 1000; i++) {
    const t = i / 16000;
    cough[i + 4800] = Math.round(
      12000 * noise() * Math.min(1, t / 0.01) * Math.exp(-t / (lengthMs / 3000)),
    );
  }
  console.log(`cough (noise burst) ${lengthMs} ms: VAD speech ${await speechMs(cough, 16000)} ms`);
}
