import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { WavAudio } from '../audio/wav.js';
import { CallRecorder, type CallRecorderOptions } from './call-recorder.js';
import { RecordingError } from './layout.js';
import { readRecordingWav } from './reader.js';
import { readSegment, testKeys } from './testing/keys.js';
import { leftSample, makeFrame, rightSample, SAMPLES } from './testing/signal.js';

const keys = testKeys();
const readWav = (path: string): Promise<WavAudio> => readRecordingWav(path, keys);

/** A segment's PCM as a WavAudio, decrypted (chunks numbered from `firstIndex`). */
async function segmentWav(path: string, firstIndex = 0): Promise<WavAudio> {
  const { pcm } = await readSegment(path, keys, firstIndex);
  const frames = pcm.length / 4;
  const samples = [new Float32Array(frames), new Float32Array(frames)];
  for (let i = 0; i < frames; i++) {
    samples[0]![i] = pcm.readInt16LE(i * 4) / 32768;
    samples[1]![i] = pcm.readInt16LE(i * 4 + 2) / 32768;
  }
  return { sampleRate: 16000, channels: 2, samples } as unknown as WavAudio;
}

const dirs: string[] = [];
const recorders: CallRecorder[] = [];
afterEach(async () => {
  await Promise.all(recorders.splice(0).map((r) => r.abort()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'outbound-rec-'));
  dirs.push(dir);
  return dir;
}

async function recorder(
  options: Partial<CallRecorderOptions> & { dir: string },
): Promise<CallRecorder> {
  const r = await CallRecorder.create({ callId: 'call-1', keys, ...options });
  recorders.push(r);
  return r;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The file's size once it reaches `size` (polling up to 2 s), or its size then. */
async function sizeSoon(path: string, size: number): Promise<number> {
  let last = -1;
  for (let waited = 0; waited < 2000; waited += 20) {
    last = await stat(path).then(
      (s) => s.size,
      () => -1,
    );
    if (last >= size) return last;
    await sleep(20);
  }
  return last;
}

/** The header length of a segment once it exists (polling up to 2 s). */
async function headerBytesSoon(path: string): Promise<number> {
  for (let waited = 0; waited < 2000; waited += 20) {
    const bytes = await readFile(path).catch(() => Buffer.alloc(0));
    if (bytes.length >= 8) return bytes.readUInt16BE(6);
    await sleep(20);
  }
  throw new Error(`${path} did not appear`);
}

/** Checks the recording frame by frame: a number is that seq's known content, null is silence. */
function expectFrames(wav: WavAudio, expected: (number | null)[]): void {
  expect(wav.channels).toBe(2);
  expect(wav.sampleRate).toBe(16000);
  expect(wav.samples[0]!.length).toBe(expected.length * SAMPLES);
  const [left, right] = [wav.samples[0]!, wav.samples[1]!];
  expected.forEach((seq, frame) => {
    for (let i = 0; i < SAMPLES; i++) {
      const at = frame * SAMPLES + i;
      const [l, r] = [Math.round(left[at]! * 32768), Math.round(right[at]! * 32768)];
      const [wantL, wantR] = seq === null ? [0, 0] : [leftSample(seq, i), rightSample(seq, i)];
      if (l !== wantL || r !== wantR) {
        throw new Error(
          `frame ${frame} sample ${i}: got ${l}/${r}, expected ${wantL}/${wantR} (seq ${seq})`,
        );
      }
    }
  });
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

describe('CallRecorder', () => {
  it('turns frames into a stereo 16 kHz WAV: left = customer, right = outbound', async () => {
    const dir = await tempDir();
    const r = await recorder({ dir });
    for (let seq = 0; seq < 130; seq++) r.push(makeFrame(seq));
    const result = await r.finish();

    expect(result).toEqual({
      path: join(dir, 'call-1.wav'),
      channels: 2,
      sampleRate: 16000,
      durationMs: 2600,
      bytes: 44 + 130 * 1280,
    });
    // On disk: the container, never a WAV; decrypted: the WAV `bytes` long.
    const stored = await readFile(result.path);
    expect(stored.subarray(0, 6).toString('latin1')).toBe('OBREC1');
    expect(stored.includes('RIFF')).toBe(false);
    expect((await readWav(result.path)).samples[0]!.length * 4 + 44).toBe(result.bytes);
    expectFrames(await readWav(result.path), range(0, 130));
    expect(await readdir(dir)).toEqual(['call-1.wav']); // parts removed
    expect(r.stats).toMatchObject({
      frames: 130,
      silentFrames: 0,
      dropped: 0,
      recordedMs: 2600,
      writtenBytes: 130 * 1280,
    });
  });

  it('writes meta.json first', async () => {
    const dir = await tempDir();
    await recorder({ dir, callId: 'meta-call', startedAt: 1234 });
    const meta: unknown = JSON.parse(
      await readFile(join(dir, 'meta-call.parts', 'meta.json'), 'utf8'),
    );
    expect(meta).toEqual({
      version: 1,
      callId: 'meta-call',
      startedAt: 1234,
      sampleRate: 16000,
      channels: 2,
      bitsPerSample: 16,
      frameMs: 20,
      segmentMs: 10_000,
      channelLayout: ['customer', 'outbound'],
    });
  });

  it('fills missing seqs with silence and drops duplicates and late frames', async () => {
    const r = await recorder({ dir: await tempDir() });
    for (const seq of [0, 1, 2, 5, 6, 6, 3, 7]) r.push(makeFrame(seq));
    expect(r.stats).toMatchObject({ frames: 6, silentFrames: 2, dropped: 2, restarts: 0 });
    expectFrames(await readWav((await r.finish()).path), [0, 1, 2, null, null, 5, 6, 7]);
  });

  it('starts at the first seq it gets, without filling before it', async () => {
    const r = await recorder({ dir: await tempDir() });
    for (const seq of [40, 41, 42]) r.push(makeFrame(seq));
    expectFrames(await readWav((await r.finish()).path), [40, 41, 42]);
  });

  it('treats a huge jump as a restarted stream, filling only the gap the timestamps show (≤ maxGapMs)', async () => {
    const r = await recorder({ dir: await tempDir(), maxGapMs: 60_000 });
    const t0 = 1_700_000_000_000;
    r.push(makeFrame(0, t0));
    r.push(makeFrame(1, t0 + 20));
    // Renumbered far ahead, 100 ms later: 4 missing frames by the clock.
    r.push(makeFrame(100_000, t0 + 120));
    // Back to 0 (the media host restarted), 2 minutes later: too long to fill.
    r.push(makeFrame(0, t0 + 120_140));
    r.push(makeFrame(1, t0 + 120_160));
    expect(r.stats).toMatchObject({ frames: 5, silentFrames: 4, restarts: 2, dropped: 0 });
    expectFrames(await readWav((await r.finish()).path), [
      0,
      1,
      null,
      null,
      null,
      null,
      100_000,
      0,
      1,
    ]);
  });

  it('fills a gap of up to maxGapMs from seqs alone', async () => {
    const r = await recorder({ dir: await tempDir(), maxGapMs: 1000 });
    r.push(makeFrame(0));
    r.push(makeFrame(51)); // 50 missing = 1000 ms: filled
    r.push(makeFrame(200, 1_700_000_000_000 + 52 * 20)); // 148 missing by seq but 0 by the clock: restart, nothing filled
    expect(r.stats).toMatchObject({ silentFrames: 50, restarts: 1 });
    expect((await r.finish()).durationMs).toBe(53 * 20);
  });

  it('closes a segment every 10 s; each is sealed chunks of ≤ 0.5 s ending in a final chunk', async () => {
    const dir = await tempDir();
    const r = await recorder({ dir });
    for (let seq = 0; seq < 525; seq++) r.push(makeFrame(seq));
    await r.flush();
    const parts = join(dir, 'call-1.parts');
    expect((await readdir(parts)).sort()).toEqual([
      'meta.json',
      'segment-000001.enc',
      'segment-000002.enc',
    ]);

    const first = await readSegment(join(parts, 'segment-000001.enc'), keys);
    expect(first.chunks.map((c) => c.length)).toEqual(Array(20).fill(25 * 1280));
    expect(first.endsFinal).toBe(true);
    expect(first.size).toBe(first.headerBytes + 20 * (20 + 25 * 1280) + 20);
    expectFrames(await segmentWav(join(parts, 'segment-000001.enc')), range(0, 500));

    // The open segment, as a kill would leave it: its chunks continue the count, then a final one.
    const second = await readSegment(join(parts, 'segment-000002.enc'), keys, 20);
    expect(second.chunks.map((c) => c.length)).toEqual([25 * 1280]);
    expect(second.endsFinal).toBe(true);
    expectFrames(await segmentWav(join(parts, 'segment-000002.enc'), 20), range(500, 525));
    expect(r.stats.segments).toBe(2);

    const result = await r.finish();
    expect(result.durationMs).toBe(10_500);
    expectFrames(await readWav(result.path), range(0, 525));
  });

  it('writes buffered frames within flushMs even when frames stop coming', async () => {
    const dir = await tempDir();
    const r = await recorder({ dir, flushMs: 300 });
    for (let seq = 0; seq < 3; seq++) r.push(makeFrame(seq));
    const segment = join(dir, 'call-1.parts', 'segment-000001.enc');
    await expect(stat(segment)).rejects.toThrow(); // nothing written yet: still buffered
    await sleep(250);
    await expect(stat(segment)).rejects.toThrow();
    const header = await headerBytesSoon(segment);
    const size = header + 20 + 3 * 1280 + 20; // one chunk, then the final one
    expect(await sizeSoon(segment, size)).toBe(size);
    expect((await readSegment(segment, keys)).pcm.length).toBe(3 * 1280);
  });

  it('writes every flushMs of audio as it comes', async () => {
    const dir = await tempDir();
    const r = await recorder({ dir, flushMs: 500 });
    for (let seq = 0; seq < 60; seq++) r.push(makeFrame(seq));
    // 2 × 25 frames handed to the writer; 10 still in memory.
    const segment = join(dir, 'call-1.parts', 'segment-000001.enc');
    const header = await headerBytesSoon(segment);
    const size = header + 2 * (20 + 25 * 1280) + 20;
    expect(await sizeSoon(segment, size)).toBe(size);
    await sleep(100);
    expect((await stat(segment)).size).toBe(size);
  });

  it('finish() is idempotent, and frames after it are ignored', async () => {
    const r = await recorder({ dir: await tempDir() });
    r.push(makeFrame(0));
    const first = r.finish();
    r.push(makeFrame(1));
    expect(r.finish()).toBe(first);
    expect((await first).durationMs).toBe(20);
    expect(await r.finish()).toEqual(await first);
    expect(r.stats.late).toBe(1);
  });

  it('finishes an empty recording as a header-only WAV', async () => {
    const r = await recorder({ dir: await tempDir() });
    const result = await r.finish();
    expect(result).toMatchObject({ durationMs: 0, bytes: 44 });
    expect((await readWav(result.path)).samples[0]!.length).toBe(0);
  });

  it('abort() deletes everything, before or after finish()', async () => {
    const dir = await tempDir();
    const a = await recorder({ dir, callId: 'a' });
    for (let seq = 0; seq < 600; seq++) a.push(makeFrame(seq));
    await a.abort();
    await a.abort();
    const b = await recorder({ dir, callId: 'b' });
    b.push(makeFrame(0));
    await b.finish();
    await b.abort();
    expect(await readdir(dir)).toEqual([]);
    await expect(a.finish()).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('drops frames of the wrong size, reporting it once', async () => {
    const errors: RecordingError[] = [];
    const r = await recorder({ dir: await tempDir(), onError: (e) => errors.push(e) });
    r.push({ seq: 0, timestampMs: 0, left: new Int16Array(160), right: new Int16Array(160) });
    r.push({ seq: 1, timestampMs: 0, left: new Int16Array(320), right: new Int16Array(319) });
    r.push(makeFrame(2));
    expect(r.stats).toMatchObject({ invalid: 2, frames: 1 });
    expect(errors.map((e) => e.code)).toEqual(['BAD_FRAME']);
    expect(errors[0]!.message).toMatch(
      /must have 320 samples per channel.*got 160\/160 samples, seq 0/,
    );
  });

  it('refuses call ids that cannot name a file', () => {
    for (const callId of ['', '../etc', 'a/b', 'a\\b', '.hidden', 'x'.repeat(201), 'a b']) {
      expect(() => new CallRecorder({ dir: tmpdir(), callId, keys }), callId).toThrow(
        RecordingError,
      );
    }
  });

  it('refuses a call that is already recorded, in this process or on disk', async () => {
    const dir = await tempDir();
    await recorder({ dir, callId: 'twice' });
    expect(() => new CallRecorder({ dir, callId: 'twice', keys })).toThrow(
      /already being recorded/,
    );

    await mkdir(join(dir, 'leftover.parts'));
    await expect(CallRecorder.create({ dir, callId: 'leftover', keys })).rejects.toMatchObject({
      code: 'EXISTS',
      message: expect.stringMatching(/leftover\.parts already exists/),
    });
    expect(await readdir(join(dir, 'leftover.parts'))).toEqual([]); // someone else's: left alone

    await writeFile(join(dir, 'done.wav'), 'x');
    await expect(CallRecorder.create({ dir, callId: 'done', keys })).rejects.toMatchObject({
      code: 'EXISTS',
    });
    expect(await readFile(join(dir, 'done.wav'), 'utf8')).toBe('x');
  });

  it('reports a failed write through onError and finish(), naming the file, and keeps nothing half-done', async () => {
    const dir = await tempDir();
    const errors: RecordingError[] = [];
    const r = await recorder({ dir, onError: (e) => errors.push(e), segmentMs: 1000 });
    for (let seq = 0; seq < 50; seq++) r.push(makeFrame(seq)); // segment 1, closed
    await r.flush();
    await rm(join(dir, 'call-1.parts'), { recursive: true }); // the folder vanishes under it
    for (let seq = 50; seq < 100; seq++) r.push(makeFrame(seq));
    await r.flush();

    const segment = join(dir, 'call-1.parts', 'segment-000002.enc');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'WRITE_FAILED', path: segment });
    expect(errors[0]!.message).toBe(
      `Could not write the recording ${segment}: no such file or folder (ENOENT)`,
    );
    r.push(makeFrame(100));
    expect(r.stats.lost).toBe(1);
    await expect(r.finish()).rejects.toBe(errors[0]);
    expect(errors).toHaveLength(1);
  });

  it('reports a recordings folder it cannot create', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'not a folder');
    const errors: RecordingError[] = [];
    const r = new CallRecorder({
      dir: join(dir, 'file', 'sub'),
      callId: 'c',
      keys,
      onError: (e) => errors.push(e),
    });
    recorders.push(r);
    await expect(r.ready()).rejects.toMatchObject({
      code: 'CREATE_FAILED',
      message: expect.stringContaining(join(dir, 'file', 'sub')),
    });
    r.push(makeFrame(0));
    expect(errors.map((e) => e.code)).toEqual(['CREATE_FAILED']);
    await expect(r.finish()).rejects.toMatchObject({ code: 'CREATE_FAILED' });
  });

  it('keeps up with 25 calls pushing 50 frames each in well under real time', async () => {
    const dir = await tempDir();
    const calls = await Promise.all(
      Array.from({ length: 25 }, (_, i) => recorder({ dir, callId: `load-${i}` })),
    );
    const frames = Array.from({ length: 50 }, (_, seq) => makeFrame(seq));
    const started = performance.now();
    for (let second = 0; second < 12; second++) {
      for (const [seq, frame] of frames.entries())
        for (const call of calls) call.push({ ...frame, seq: second * 50 + seq });
    }
    const pushMs = performance.now() - started;
    const results = await Promise.all(calls.map((call) => call.finish()));
    expect(results.every((result) => result.durationMs === 12_000)).toBe(true);
    // 12 s of audio for 25 calls: the pushing itself must be a small fraction of that.
    expect(pushMs).toBeLessThan(1000);
  });
});
