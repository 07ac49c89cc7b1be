import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { chunkFrames } from '../../audio/index.js';
import { readLibraryModel } from '../recognizers/phrase/library.js';
import { energyBounds, synthClip } from '../testing/espeak.js';
import { VAD_MODEL_PATH } from '../testing/model.js';
import type { EndpointEvent } from '../vad/endpointer.js';
import type { VadWindow } from '../vad/silero.js';
import {
  type SpeechCall,
  SpeechWorkerPool,
  speechWorkersSetting,
  type VadShed,
  workerLimit,
} from './pool.js';

let pool: SpeechWorkerPool | undefined;

/*
 * Boundary tolerance. Starts come out within ~10 ms of the energy onset. Ends come out late: Silero's
 * probability decays over ~3 windows after espeak's abrupt stop (e.g. 0.99, 0.79, 0.51, 0.17 in
 * the windows after the last sample), so the first window below 0.35 starts 50-115 ms after the
 * last sample (measured 112, 102, 72 and 54 ms on four clips). The reference Python
 * get_speech_timestamps has the same lag (and pads ends by another 30 ms). Never early.
 */
function expectBoundaries(
  got: { startMs: number; endMs: number },
  truth: { startMs: number; endMs: number },
): void {
  expect(Math.abs(got.startMs - truth.startMs)).toBeLessThanOrEqual(50);
  expect(got.endMs - truth.endMs).toBeGreaterThanOrEqual(-30);
  expect(got.endMs - truth.endMs).toBeLessThanOrEqual(130);
}
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

function record(call: SpeechCall): {
  events: EndpointEvent[];
  windows: VadWindow[];
  errors: Error[];
} {
  const events: EndpointEvent[] = [];
  const windows: VadWindow[] = [];
  const errors: Error[] = [];
  call.onEvent((e) => events.push(e));
  call.onWindow((w) => windows.push(w));
  call.onError((e) => errors.push(e));
  return { events, windows, errors };
}

describe('SpeechWorkerPool', () => {
  it("recognizes with the common-answer library's model alone, as the node's intents, sending the model once", async () => {
    const models = join(dirname(VAD_MODEL_PATH), '..');
    const file = await readLibraryModel(join(models, 'library'), 'en');
    expect(file).not.toBeNull();
    pool = new SpeechWorkerPool({
      vadModelPath: VAD_MODEL_PATH,
      melModelPath: join(models, 'embedding', 'melspectrogram.onnx'),
      embeddingModelPath: join(models, 'embedding', 'embedding_model.onnx'),
      maxWorkers: 1,
    });
    const library = {
      key: 'library-en-test',
      model: file!.model,
      uses: { affirm: 'ok', deny: 'not_ok' },
    };
    const yes = await pool.recognize(undefined, 'q', null, await synthClip('yes'), 0, library);
    expect(yes).toMatchObject({ intent: 'ok', noMatch: false });
    const no = await pool.recognize(undefined, 'q', null, await synthClip('no'), 0, library);
    expect(no).toMatchObject({ intent: 'not_ok', noMatch: false });
    expect(no.alternatives.map((a) => a.intent).sort()).toEqual(['not_ok', 'ok']);
  }, 30_000);

  it('limits workers to min(availableParallelism - 1, maxWorkers), at least one', () => {
    expect(workerLimit(1)).toBe(1);
    expect(workerLimit(100)).toBe(Math.max(1, availableParallelism() - 1));
    expect(workerLimit(0)).toBe(1);
  });

  it('takes an exact worker count (OUTBOUND_SPEECH_WORKERS) over the cores rule, and refuses a bad one by name', async () => {
    pool = new SpeechWorkerPool({ vadModelPath: VAD_MODEL_PATH, workers: 3 });
    expect(pool.limit).toBe(3);
    pool.open('a');
    pool.open('b');
    pool.open('c');
    pool.open('d');
    expect(pool.load).toEqual([2, 1, 1]);
    await pool.ready();
    const warnings: string[] = [];
    expect(speechWorkersSetting(undefined, (m) => warnings.push(m))).toBeUndefined();
    expect(speechWorkersSetting('2', (m) => warnings.push(m))).toBe(2);
    expect(speechWorkersSetting('two', (m) => warnings.push(m))).toBeUndefined();
    expect(speechWorkersSetting('0', (m) => warnings.push(m))).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /OUTBOUND_SPEECH_WORKERS must be a whole number from 1 to 16 \(got "two"\)/,
    );
  });

  it('finds the speech of a clip with 1 s of silence on both sides (start within 50 ms, end within the VAD decay lag)', async () => {
    const samples = await synthClip('Yes, please call me back tomorrow afternoon.', {
      voice: 'en-us',
      padMs: 1000,
    });
    const truth = energyBounds(samples, 16000);
    expect(truth).toBeDefined();
    pool = new SpeechWorkerPool({ vadModelPath: VAD_MODEL_PATH, maxWorkers: 1 });
    const call = pool.open('call-1');
    const { events, errors } = record(call);
    for (const frame of chunkFrames(samples)) call.push(frame);
    await call.drain();
    expect(errors).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['speech_start', 'speech_end']);
    const end = events[1];
    if (end?.type !== 'speech_end') throw new Error('no speech_end');
    expect(end.reason).toBe('silence');
    expectBoundaries(end, truth!);
    expect(events[0]).toEqual({ type: 'speech_start', atMs: end.startMs });
    await call.close();
  });

  it('synthesizes and recognizes on workers of their own once they are loaded, and the calls keep their VAD', async () => {
    const samples = await synthClip('Yes, please call me back tomorrow afternoon.', {
      voice: 'en-us',
      padMs: 1000,
    });
    const models = join(dirname(VAD_MODEL_PATH), '..');
    pool = new SpeechWorkerPool({
      vadModelPath: VAD_MODEL_PATH,
      melModelPath: join(models, 'embedding', 'melspectrogram.onnx'),
      embeddingModelPath: join(models, 'embedding', 'embedding_model.onnx'),
      workers: 1,
    });
    expect(pool.splitSynthesis).toBe(true);
    expect(
      new SpeechWorkerPool({ vadModelPath: VAD_MODEL_PATH, synthesisWorker: false }).splitSynthesis,
    ).toBe(false);
    // Recognition too has a worker of its own when the calls share one (as on 2 cores).
    expect(pool.splitRecognition).toBe(true);
    expect(
      new SpeechWorkerPool({ vadModelPath: VAD_MODEL_PATH, workers: 2 }).splitRecognition,
    ).toBe(false);
    expect(
      new SpeechWorkerPool({ vadModelPath: VAD_MODEL_PATH, workers: 1, recognitionWorker: false })
        .splitRecognition,
    ).toBe(false);
    const call = pool.open('call-1');
    const { events, errors } = record(call);
    // Until warm() has started the synthesis worker and it has loaded its TTS engine, the call's
    // worker synthesizes.
    expect(
      (await pool.synthesize('Hello.', { language: 'en', voice: 'en-us' })).durationMs,
    ).toBeGreaterThan(200);
    await pool.warm('call-1');
    await pool.whenSplit();
    const prompt = pool.synthesize('This call is from an automated assistant. '.repeat(4), {
      language: 'en',
      voice: 'en-us',
    });
    for (const frame of chunkFrames(samples)) call.push(frame);
    await call.drain();
    expect((await prompt).durationMs).toBeGreaterThan(5000);
    expect(errors).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['speech_start', 'speech_end']);
    // Neither is a call slot.
    expect(pool.size).toBe(1);
    expect(pool.load).toEqual([1]);
    await call.close();
  });

  it('a live call (maxLagMs) skips what its VAD is too far behind on and says which stretch', async () => {
    const samples = await synthClip('Yes, please call me back tomorrow afternoon.', {
      voice: 'en-us',
      padMs: 1000,
    });
    pool = new SpeechWorkerPool({ vadModelPath: VAD_MODEL_PATH, maxWorkers: 1 });
    // Every frame at once, before the model has loaded: the worker is seconds behind this call.
    const call = pool.open('live-1', { maxLagMs: 200 });
    const sheds: VadShed[] = [];
    call.onShed((shed) => sheds.push(shed));
    for (const frame of chunkFrames(samples)) call.push(frame);
    await call.drain();
    const windows = Math.floor(samples.length / 512);
    // All but the last ceil(200 / 32) = 7 windows were coasted, as one stretch from the start.
    expect(call.coastedWindows).toBe(windows - 7);
    expect(sheds).toEqual([{ fromMs: 0, toMs: (windows - 7) * 32 }]);
    await call.close();
  });

  it('works at 8 kHz', async () => {
    const samples = await synthClip('我现在不方便，请明天下午三点再打给我。', {
      voice: 'cmn',
      sampleRate: 8000,
      padMs: 1000,
    });
    const truth = energyBounds(samples, 8000)!;
    pool = new SpeechWorkerPool({ vadModelPath: VAD_MODEL_PATH, maxWorkers: 1 });
    const call = pool.open('call-8k', { sampleRate: 8000 });
    const { events } = record(call);
    for (const frame of chunkFrames(samples, 160)) call.push(frame);
    await call.drain();
    expect(events.map((e) => e.type)).toEqual(['speech_start', 'speech_end']);
    const end = events[1];
    if (end?.type !== 'speech_end') throw new Error('no speech_end');
    expectBoundaries(end, truth);
  });

  it('keeps separate state for two calls interleaved through one worker', async () => {
    const speech = await synthClip('No thanks, I am not interested.', { padMs: 1000 });
    const frames = chunkFrames(speech);
    const silence = new Int16Array(320);
    pool = new SpeechWorkerPool({ vadModelPath: VAD_MODEL_PATH, maxWorkers: 1 });
    const a = pool.open('a');
    const b = pool.open('b');
    expect(pool.size).toBe(1);
    expect(pool.load).toEqual([2]);
    const ra = record(a);
    const rb = record(b);
    // Reference: the same clip alone.
    const solo = pool.open('solo');
    const rs = record(solo);
    for (const frame of frames) {
      a.push(frame);
      b.push(silence);
      solo.push(frame);
    }
    await Promise.all([a.drain(), b.drain(), solo.drain()]);
    expect(ra.events.map((e) => e.type)).toEqual(['speech_start', 'speech_end']);
    expect(rb.events).toEqual([]);
    expect(Math.max(...rb.windows.map((w) => w.probability))).toBeLessThan(0.1);
    expect(ra.windows.map((w) => w.probability)).toEqual(rs.windows.map((w) => w.probability));
    expect(ra.events).toEqual(rs.events);
  });

  it('reports no_input after expectInput() when the line stays silent', async () => {
    pool = new SpeechWorkerPool({ vadModelPath: VAD_MODEL_PATH, maxWorkers: 1 });
    const call = pool.open('quiet', { endpointer: { noInputTimeoutMs: 500 } });
    const { events } = record(call);
    call.push(...Array.from({ length: 10 }, () => new Int16Array(320)));
    call.expectInput(); // at 200 ms
    call.push(...Array.from({ length: 40 }, () => new Int16Array(320)));
    await call.drain();
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe('no_input');
    if (events[0]?.type === 'no_input') expect(events[0].afterMs).toBeGreaterThanOrEqual(500);
  });

  it('spreads calls over workers up to the limit and reports a missing model on the call', async () => {
    pool = new SpeechWorkerPool({ vadModelPath: VAD_MODEL_PATH, maxWorkers: 2 });
    pool.open('x');
    pool.open('y');
    pool.open('z');
    expect(pool.size).toBe(pool.limit);
    expect(pool.load.reduce((a, b) => a + b, 0)).toBe(3);
    await pool.ready();
    await pool.close();

    pool = new SpeechWorkerPool({ vadModelPath: '/nonexistent/silero_vad.onnx', maxWorkers: 1 });
    const call = pool.open('lost');
    const { errors } = record(call);
    await expect(pool.ready()).rejects.toThrow(/could not load the VAD model/);
    expect(errors[0]?.message).toMatch(/could not load the VAD model/);
  });
});
