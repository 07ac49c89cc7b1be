/**
 * Line status from early media: the streaming decision (EarlyMediaListener) with a scripted
 * evaluator, and the shipped announcement models (native-models/line-status) on real audio: up to
 * date with their data, an announcement streamed as a ringing call's audio is decided with its
 * status, and a ringback tone is not. The accuracy figures are the bench's
 * (bench/early-media.bench.ts, voices training never used), not this test's.
 */
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { synthClip } from '../../testing/espeak.js';
import { SpeechEmbedder } from './embedder.js';
import {
  type AnnouncementDetection,
  type AnnouncementSpot,
  EarlyMediaListener,
  LINE_STATUS_LANGUAGES,
  lineStatusDataHash,
  lineStatusStale,
  readLineStatusModel,
  spotAnnouncementStep,
} from './line-status.js';
import type { PhraseModel } from './model.js';
import { EMBEDDING_MODEL_DIR } from './testing.js';

const MODELS_DIR = join(import.meta.dirname, '../../../../../native-models/line-status');
const FRAME = 320;

const spot = (status: AnnouncementSpot['status'], accepted = true): AnnouncementSpot => ({
  language: 'zh-CN',
  status,
  phrase: '您拨打的电话已关机',
  p: 0.96,
  garbage: 0.02,
  frames: 30,
  accepted,
});

/** Streams `samples` through `listener` 20 ms at a time, each evaluation finishing before the next frame. */
async function stream(listener: EarlyMediaListener, samples: Int16Array): Promise<void> {
  for (let at = 0; at + FRAME <= samples.length && !listener.decided; at += FRAME) {
    listener.push(samples.subarray(at, at + FRAME));
    await listener.settle();
  }
}

const loud = (ms: number): Int16Array =>
  Int16Array.from({ length: (ms / 1000) * 16_000 }, (_, i) => Math.round(3000 * Math.sin(i / 5)));

describe('EarlyMediaListener (the streaming decision)', () => {
  it('decides when the same status is accepted in 2 of the last 3 evaluations, every 320 ms after the first 1.2 s', async () => {
    const script: AnnouncementSpot[][] = [
      [spot('busy', false)],
      [spot('powered_off')],
      [],
      [spot('powered_off')],
    ];
    const seen: number[] = [];
    const listener = new EarlyMediaListener({
      evaluate: ({ samples, stream }) => {
        seen.push(samples.length);
        return Promise.resolve({ spots: script.shift() ?? [], stream });
      },
    });
    const detections: AnnouncementDetection[] = [];
    listener.onDetected((d) => detections.push(d));
    await stream(listener, loud(10_000));
    expect(detections).toEqual([
      {
        status: 'powered_off',
        language: 'zh-CN',
        phrase: '您拨打的电话已关机',
        p: 0.96,
        atMs: 1200 + 3 * 320,
        evaluations: 4,
      },
    ]);
    // The first step embeds 1.2 s; each later one only the hop heard since.
    expect(seen).toEqual([1200 * 16, 320 * 16, 320 * 16, 320 * 16]);
    expect(listener.decided).toBe(true);
  });

  it('counts only statuses at or above minP (0.9 by default)', async () => {
    const weak = { ...spot('busy'), p: 0.89 };
    const script = [
      [weak],
      [weak],
      [weak],
      [{ ...spot('busy'), p: 0.96 }],
      [{ ...spot('busy'), p: 0.97 }],
    ];
    const listener = new EarlyMediaListener({
      evaluate: ({ stream }) => Promise.resolve({ spots: script.shift() ?? [], stream }),
    });
    const detections: AnnouncementDetection[] = [];
    listener.onDetected((d) => detections.push(d));
    await stream(listener, loud(5000));
    expect(detections.map((d) => [d.status, d.p, d.evaluations])).toEqual([['busy', 0.97, 5]]);
  });

  it('never decides on one lucky evaluation, nor on two different statuses', async () => {
    const script = [[spot('busy')], [], [], [spot('busy')], [spot('suspended')]];
    const listener = new EarlyMediaListener({
      evaluate: ({ stream }) => Promise.resolve({ spots: script.shift() ?? [], stream }),
    });
    let decided = false;
    listener.onDetected(() => (decided = true));
    await stream(listener, loud(5000));
    expect(decided).toBe(false);
  });

  it('holds at most windowMs of audio, skips silence, runs one evaluation at a time, and goes on after a failure', async () => {
    const lengths: number[] = [];
    let running = 0;
    let most = 0;
    let calls = 0;
    const failures: unknown[] = [];
    const listener = new EarlyMediaListener({
      evaluate: async ({ samples, stream }) => {
        calls++;
        running++;
        most = Math.max(most, running);
        lengths.push(samples.length);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        if (calls === 1) throw new Error('worker gone');
        return { spots: [], stream };
      },
    });
    listener.onFailure((error) => failures.push(error));
    await stream(listener, new Int16Array(16_000 * 3)); // silence: nothing evaluated
    expect(calls).toBe(0);
    // Frames pushed without waiting: evaluations never overlap.
    const audio = loud(20_000);
    for (let at = 0; at + FRAME <= audio.length; at += FRAME)
      listener.push(audio.subarray(at, at + FRAME));
    await listener.settle();
    await stream(listener, loud(8000));
    expect(most).toBe(1);
    expect(failures).toHaveLength(1);
    // A new stream (the first step, and the one after the failure) starts from at most the window.
    expect(Math.max(...lengths)).toBe(6000 * 16);
    expect(lengths[1]).toBe(6000 * 16);
    expect(lengths.slice(2).every((n) => n <= 6000 * 16)).toBe(true);
    expect(lengths.at(-1)).toBe(320 * 16);
  });
});

describe('EarlyMediaListener on a slow worker', () => {
  it('evaluates every hop in audio order, late, within the backlog, and skips the oldest beyond it', async () => {
    const ends: number[] = [];
    let release: (() => void) | null = null;
    const listener = new EarlyMediaListener({
      evaluate: async ({ samples, stream }) => {
        ends.push(samples.length);
        await new Promise<void>((resolve) => (release = resolve));
        return { spots: [], stream };
      },
      windowMs: 2000,
      backlogMs: 1000,
    });
    const audio = loud(4000);
    // 4 s of audio arrive while the first evaluation (at 1.2 s) is still running.
    for (let at = 0; at + FRAME <= audio.length; at += FRAME)
      listener.push(audio.subarray(at, at + FRAME));
    for (let i = 0; i < 10 && release; i++) {
      const r: () => void = release;
      release = null;
      r();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // 1.2 s first; then, 2.8 s behind, it resumes at the backlog's edge (3 s: the 1.8 s since the
    // first step) and goes on by hops of new audio.
    expect(ends.slice(0, 3)).toEqual([1200 * 16, 1800 * 16, 320 * 16]);
    expect(ends.length).toBeGreaterThanOrEqual(3);
  });
});

describe('the shipped announcement models', () => {
  let embedder: SpeechEmbedder;
  const models: PhraseModel[] = [];
  beforeAll(async () => {
    embedder = await SpeechEmbedder.load(EMBEDDING_MODEL_DIR);
    for (const language of LINE_STATUS_LANGUAGES) {
      const file = await readLineStatusModel(MODELS_DIR, language);
      if (!file) throw new Error(`no ${language} model in ${MODELS_DIR}`);
      models.push(file.model);
    }
  });
  afterAll(async () => embedder.release());

  it('are up to date with the announcements they were built from', async () => {
    for (const language of LINE_STATUS_LANGUAGES) {
      const file = await readLineStatusModel(MODELS_DIR, language);
      expect(file?.dataHash).toBe(lineStatusDataHash(language));
      expect(file && lineStatusStale(file)).toBeNull();
    }
  });

  const listen = async (samples: Int16Array): Promise<AnnouncementDetection | null> => {
    const listener = new EarlyMediaListener({
      evaluate: (step) => spotAnnouncementStep(embedder, models, step),
    });
    let detection: AnnouncementDetection | null = null;
    listener.onDetected((d) => (detection = d));
    await stream(listener, samples);
    return detection;
  };

  it('hear "您拨打的电话已关机" streamed as early media (Debian espeak-ng, 8 kHz) as powered off', async () => {
    const clip = await synthClip('对不起，您拨打的电话已关机。', { voice: 'cmn', padMs: 700 });
    const twice = new Int16Array(clip.length * 2);
    twice.set(clip);
    twice.set(clip, clip.length);
    const detection = await listen(twice);
    expect(detection?.status).toBe('powered_off');
    expect(detection!.atMs).toBeLessThan(clip.length / 16);
  }, 60_000);

  it('hear "the number you have dialed is not in service", played twice as carriers do, as an empty number', async () => {
    const clip = await synthClip("We're sorry, the number you have dialed is not in service.", {
      padMs: 700,
    });
    const twice = new Int16Array(clip.length * 2);
    twice.set(clip);
    twice.set(clip, clip.length);
    const detection = await listen(twice);
    expect(detection?.status).toBe('empty_number');
  }, 60_000);

  it('do not take a Chinese ringback tone (450 Hz, 1 s on, 4 s off) for an announcement', async () => {
    const ringback = Int16Array.from({ length: 16_000 * 15 }, (_, i) =>
      i % 80_000 < 16_000 ? Math.round(5000 * Math.sin((2 * Math.PI * 450 * i) / 16_000)) : 0,
    );
    expect(await listen(ringback)).toBeNull();
  }, 60_000);
});
