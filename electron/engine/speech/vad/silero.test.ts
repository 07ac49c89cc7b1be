import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chunkFrames } from '../../audio/index.js';
import { synthClip, whiteNoise } from '../testing/espeak.js';
import { VAD_MODEL_PATH } from '../testing/model.js';
import { SileroModel, windowGeometry } from './silero.js';

let model: SileroModel;
beforeAll(async () => {
  model = await SileroModel.load(VAD_MODEL_PATH);
});
afterAll(async () => {
  await model.release();
});

const max = (values: number[]): number => values.reduce((a, b) => Math.max(a, b), 0);

describe('SileroVad', () => {
  it('the model has the expected inputs and outputs', () => {
    expect(model.session.inputNames).toEqual(['input', 'state', 'sr']);
    expect(model.session.outputNames).toEqual(['output', 'stateN']);
  });

  it('gives high probability on speech, low on silence and white noise', async () => {
    const speech = await synthClip('Yes, I would like to hear more about it.', { voice: 'en-us' });
    const windows = await model.createStream(16000).push(speech);
    const probs = windows.map((w) => w.probability);
    expect(max(probs)).toBeGreaterThan(0.95);
    expect(probs.filter((p) => p > 0.5).length / probs.length).toBeGreaterThan(0.6);

    const silence = await model.createStream(16000).push(new Int16Array(32000));
    expect(max(silence.map((w) => w.probability))).toBeLessThan(0.1);
    for (const db of [-40, -20, -10]) {
      const noise = await model.createStream(16000).push(whiteNoise(32000, db));
      expect(max(noise.map((w) => w.probability))).toBeLessThan(0.2);
    }
  });

  it('re-chunks 20 ms frames into 32 ms windows with stream times, the same as one big push', async () => {
    const speech = await synthClip('我现在不方便，请明天再打给我。', { voice: 'cmn', padMs: 300 });
    const whole = await model.createStream(16000).push(speech);
    const stream = model.createStream(16000);
    const pending = chunkFrames(speech).map((frame) => stream.push(frame)); // not awaited one by one: order is kept
    const framed = (await Promise.all(pending)).flat();
    expect(framed.length).toBe(Math.floor((chunkFrames(speech).length * 320) / 512));
    expect(framed.map((w) => w.startMs)).toEqual(framed.map((_, i) => i * 32));
    for (let i = 0; i < whole.length; i++)
      expect(framed[i]?.probability).toBeCloseTo(whole[i]?.probability ?? -1, 5);
    expect(stream.pushedMs).toBe(chunkFrames(speech).length * 20);
  });

  it('works at 8 kHz (256 + 32 samples)', async () => {
    expect(windowGeometry(8000)).toEqual({ windowSamples: 256, contextSamples: 32, windowMs: 32 });
    const speech = await synthClip('No thanks, I am not interested.', {
      sampleRate: 8000,
      padMs: 500,
    });
    const windows = await model.createStream(8000).push(speech);
    expect(windows[1]?.startMs).toBe(32);
    expect(max(windows.map((w) => w.probability))).toBeGreaterThan(0.95);
    expect(max(windows.slice(0, 10).map((w) => w.probability))).toBeLessThan(0.2); // 320 ms of the leading silence
  });

  it('abandon() skips the windows not inferred yet; close() infers them all', async () => {
    // A backlog, as a speech worker behind real time holds one: 30 s of frames pushed at once.
    const frames = chunkFrames(whiteNoise(16000 * 30, -30));
    const runs = { n: 0 };
    const run = model.session.run.bind(model.session);
    const counting = (...args: Parameters<typeof run>) => {
      runs.n++;
      return run(...args);
    };
    model.session.run = counting as typeof model.session.run;
    try {
      const kept = model.createStream(16000);
      const all = frames.map((frame) => kept.push(frame));
      await kept.close();
      expect((await Promise.all(all)).flat()).toHaveLength(Math.floor((16000 * 30) / 512));
      expect(runs.n).toBe(Math.floor((16000 * 30) / 512));

      runs.n = 0;
      const dropped = model.createStream(16000);
      const pending = frames.map((frame) => dropped.push(frame));
      await dropped.abandon();
      const windows = (await Promise.all(pending)).flat();
      // At most the window in progress when abandon() came, not the 937 behind it.
      expect(runs.n).toBeLessThanOrEqual(1);
      expect(windows.length).toBe(runs.n);
      await expect(dropped.push(frames[0]!)).rejects.toThrow(/after close/);
    } finally {
      model.session.run = run;
    }
  });

  it('a live stream (maxLagMs) coasts the windows further behind than its bound and infers the rest', async () => {
    // The same 30 s backlog, on a stream that may lag 320 ms (10 windows): every window comes
    // back, in order, but only the last 10 went through the model.
    const frames = chunkFrames(whiteNoise(16000 * 30, -30));
    const total = Math.floor((16000 * 30) / 512);
    const runs = { n: 0 };
    const run = model.session.run.bind(model.session);
    model.session.run = ((...args: Parameters<typeof run>) => {
      runs.n++;
      return run(...args);
    }) as typeof model.session.run;
    try {
      const live = model.createStream(16000, { maxLagMs: 320 });
      const pending = frames.map((frame) => live.push(frame));
      await live.close();
      const windows = (await Promise.all(pending)).flat();
      expect(windows).toHaveLength(total);
      expect(windows.map((w) => w.startMs)).toEqual(windows.map((_, i) => i * 32));
      expect(runs.n).toBe(10);
      expect(live.coastedWindows).toBe(total - 10);
      expect(windows.filter((w) => w.coasted)).toHaveLength(total - 10);
      expect(windows.slice(-10).every((w) => w.coasted === undefined)).toBe(true);
      // Nothing inferred before them: the coasted windows carry the stream's first probability, 0.
      expect(windows[0]).toMatchObject({ probability: 0, coasted: true });
    } finally {
      model.session.run = run;
    }
  });

  it('rejects unsupported sample rates', () => {
    expect(() => model.createStream(44100 as 16000)).toThrow(RangeError);
  });
});
