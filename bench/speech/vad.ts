/** Silero VAD in the calling thread: the time of one 32 ms window at 16 and 8 kHz. */
import { floatToInt16, int16ToFloat, resample } from '../../electron/engine/audio/index.js';
import {
  SileroModel,
  type VadSampleRate,
  windowGeometry,
} from '../../electron/engine/speech/index.js';
import { type BenchRow, ms, percentile } from '../harness.js';
import type { SpeechLoop } from './audio.js';

export const VAD_WINDOWS = 1500;
const WARMUP = 100;

export async function vadRows(vadPath: string, loop: SpeechLoop): Promise<BenchRow[]> {
  const model = await SileroModel.load(vadPath);
  const rows: BenchRow[] = [];
  try {
    for (const rate of [16000, 8000] as VadSampleRate[]) {
      const audio =
        rate === 16000
          ? loop.samples
          : floatToInt16(resample(int16ToFloat(loop.samples), 16000, rate));
      const { windowSamples, windowMs } = windowGeometry(rate);
      const stream = model.createStream(rate);
      const durations: number[] = [];
      let at = 0;
      for (let i = 0; i < WARMUP + VAD_WINDOWS; i++) {
        if (at + windowSamples > audio.length) at = 0; // loop the audio; the stream's state carries on
        const window = audio.subarray(at, at + windowSamples);
        at += windowSamples;
        const start = process.hrtime.bigint();
        await stream.push(window);
        if (i >= WARMUP) durations.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      await stream.close();
      durations.sort((a, b) => a - b);
      const median = percentile(durations, 50);
      rows.push({
        name: `VAD in-thread, ${rate / 1000} kHz: one ${windowMs} ms window`,
        values: {
          median: ms(median),
          p95: ms(percentile(durations, 95)),
          p99: ms(percentile(durations, 99)),
          'real-time factor': `${(median / windowMs).toFixed(4)} (${(windowMs / median).toFixed(0)}× real time)`,
          detail: `${VAD_WINDOWS} windows of the speech loop after ${WARMUP} warm-up, one push + await per window`,
        },
      });
    }
  } finally {
    await model.release();
  }
  return rows;
}
