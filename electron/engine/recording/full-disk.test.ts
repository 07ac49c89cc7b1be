/**
 * A full disk under a live recording, on a real (tmpfs) file system that runs out of space: the
 * recorder reports a clear error naming the segment file, stops writing without throwing, and
 * keeps what was written: joined at finish() when space is back, otherwise left as parts that
 * recoverRecordings joins later. A recorder on another disk is not disturbed.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  fillDisk,
  mountTmpfs,
  tmpfsUnavailable,
  unmountTmpfs,
} from '../../../test/support/tmpfs.js';
import { CallRecorder, type RecorderResume } from './call-recorder.js';
import { recoverRecordings } from './finalize.js';
import type { RecordingError } from './layout.js';
import { readRecordingWav } from './reader.js';
import { testKeys } from './testing/keys.js';
import { leftSample, makeFrame, rightSample } from './testing/signal.js';

const keys = testKeys();
const readWav = (path: string): ReturnType<typeof readRecordingWav> => readRecordingWav(path, keys);

const FRAME_BYTES = 320 * 4; // 20 ms of 16-bit stereo at 16 kHz

let root = '';
let disk = '';
let mounted = false;

beforeAll(async () => {
  if (tmpfsUnavailable) return;
  root = await mkdtemp(join(tmpdir(), 'outbound-full-disk-'));
  disk = join(root, 'recordings');
  await mkdir(disk);
  mountTmpfs(disk, 4 * 1024 * 1024);
  mounted = true;
});

afterAll(async () => {
  if (mounted) unmountTmpfs(disk);
  if (root) await rm(root, { recursive: true, force: true });
});

/** Pushes 20 ms frames from `from`, `count` of them, flushing as it goes. */
async function pushFrames(recorder: CallRecorder, from: number, count: number): Promise<void> {
  for (let seq = from; seq < from + count; seq++) {
    recorder.push(makeFrame(seq));
    if (seq % 25 === 24) await recorder.flush();
  }
  await recorder.flush();
}

/**
 * Checks that frame f of the recording is frame seq f or silence, the silence one run in the
 * middle (the span the full disk kept out): [from, to) in frames.
 */
function silentSpan(samples: Float32Array[], frames: number): { from: number; to: number } {
  const kinds = Array.from({ length: frames }, (_, f) => {
    const at = (i: number): [number, number] => [
      Math.round(samples[0]![f * 320 + i]! * 32768),
      Math.round(samples[1]![f * 320 + i]! * 32768),
    ];
    if ([0, 1, 319].every((i) => at(i)[0] === 0 && at(i)[1] === 0)) return 's';
    for (const i of [0, 1, 159, 319])
      expect([f, ...at(i)]).toEqual([f, leftSample(f, i), rightSample(f, i)]);
    return 'a';
  }).join('');
  expect(kinds).toMatch(/^a+s+a+$/);
  return { from: kinds.indexOf('s'), to: kinds.lastIndexOf('s') + 1 };
}

describe.skipIf(tmpfsUnavailable !== null)(
  `a full disk during a recording${tmpfsUnavailable ? ` (skipped: ${tmpfsUnavailable})` : ''}`,
  () => {
    it('reports the file and the reason once, keeps the call recording elsewhere going, and keeps what was written', async () => {
      const errors: RecordingError[] = [];
      const resumes: RecorderResume[] = [];
      const full = await CallRecorder.create({
        keys,
        dir: disk,
        callId: 'full-1',
        segmentMs: 1000,
        reserveBytes: 64 * 1024,
        onError: (e) => errors.push(e),
        onResume: (info) => resumes.push(info),
      });
      // Another call on another disk, recording at the same time.
      const otherDir = join(root, 'elsewhere');
      const other = await CallRecorder.create({
        keys,
        dir: otherDir,
        callId: 'other-1',
        segmentMs: 1000,
      });

      await pushFrames(full, 0, 100); // 2 s fit
      const filler = await fillDisk(disk, 100 * FRAME_BYTES); // about 2 s of room left
      expect(errors).toEqual([]);
      await pushFrames(full, 100, 250); // 5 s more: the disk fills part-way
      await pushFrames(other, 0, 350);

      expect(errors).toHaveLength(1);
      const [error] = errors;
      expect(error!.code).toBe('WRITE_FAILED');
      expect(error!.path).toMatch(/full-1\.parts\/segment-00000\d\.enc$/);
      expect(error!.message).toBe(
        `Could not write the recording ${error!.path}: no space left on the disk (ENOSPC)`,
      );
      expect(full.stats.lost).toBeGreaterThan(0);
      // push() never throws, and the error is not repeated per frame.
      expect(() => full.push(makeFrame(350))).not.toThrow();
      expect(errors).toHaveLength(1);

      // Space comes back (an operator cleans up) before the call ends: finish() writes again,
      // the audio the full disk kept out is silence, and the recording spans the whole call.
      await rm(filler);
      const result = await full.finish();
      expect(result.incomplete).toBeUndefined();
      expect(resumes).toHaveLength(1);
      expect(resumes[0]!.lostMs).toBeGreaterThan(0);
      expect(resumes[0]!.silenceMs).toBe(resumes[0]!.lostMs);
      const wav = await readWav(result.path);
      expect(wav.channels).toBe(2);
      expect(wav.samples[0]!.length).toBe(351 * 320);
      const gap = silentSpan(wav.samples, 351);
      expect(gap.from).toBeGreaterThan(100); // the 2 s before the fill and some after it
      expect((gap.to - gap.from) * 20).toBeGreaterThanOrEqual(resumes[0]!.lostMs - 20);
      expect(await readdir(disk)).toEqual(['full-1.wav']);

      // The recording on the other disk is whole.
      const whole = await other.finish();
      expect(whole.incomplete).toBeUndefined();
      expect(whole.durationMs).toBe(7000);
      await rm(otherDir, { recursive: true, force: true });
      await rm(result.path);
    });

    it('resumes during the call when the disk has room again, the gap as silence, and says so', async () => {
      const errors: RecordingError[] = [];
      const resumes: RecorderResume[] = [];
      const recorder = await CallRecorder.create({
        keys,
        dir: disk,
        callId: 'full-3',
        segmentMs: 1000,
        retryMs: 50,
        onError: (e) => errors.push(e),
        onResume: (info) => resumes.push(info),
      });
      await pushFrames(recorder, 0, 100);
      // Room for a little over a second, not a whole number of chunks: a write is cut mid-chunk.
      const filler = await fillDisk(disk, 70 * FRAME_BYTES + 777);
      await pushFrames(recorder, 100, 150);
      expect(errors.map((e) => e.code)).toEqual(['WRITE_FAILED']);
      expect(resumes).toEqual([]);
      await rm(filler);
      await new Promise((resolve) => setTimeout(resolve, 60));
      await pushFrames(recorder, 250, 100); // the first flush after retryMs writes again
      expect(resumes).toHaveLength(1);
      expect(resumes[0]!.path).toMatch(/full-3\.parts\/segment-\d{6}\.enc$/);
      expect(resumes[0]!.silenceMs).toBe(resumes[0]!.lostMs);
      expect(recorder.stats.lost * 20).toBe(resumes[0]!.lostMs);
      const result = await recorder.finish();
      expect(result.incomplete).toBeUndefined();
      const wav = await readWav(result.path);
      expect(wav.samples[0]!.length).toBe(350 * 320);
      const gap = silentSpan(wav.samples, 350);
      expect((gap.to - gap.from) * 20).toBe(resumes[0]!.lostMs);
      expect(gap.to).toBeLessThanOrEqual(275); // the frames after the resume are all there
      await rm(result.path);
    });

    it('starts on a disk already full: records once there is room, the span before as silence', async () => {
      // Soak disk-full: a call answered while the disk was full had no meta.json written, so its
      // recording failed for good (CREATE_FAILED) and the answered call had none at all.
      const errors: RecordingError[] = [];
      const resumes: RecorderResume[] = [];
      const filler = await fillDisk(disk, 0);
      const recorder = await CallRecorder.create({
        keys,
        dir: disk,
        callId: 'full-4',
        segmentMs: 1000,
        retryMs: 50,
        onError: (e) => errors.push(e),
        onResume: (info) => resumes.push(info),
      });
      await pushFrames(recorder, 0, 100);
      expect(errors.map((e) => e.code)).toEqual(['WRITE_FAILED']);
      expect(errors[0]!.message).toMatch(/no space left on the disk \(ENOSPC\)$/);
      await rm(filler);
      await new Promise((resolve) => setTimeout(resolve, 60));
      await pushFrames(recorder, 100, 100);
      expect(resumes).toHaveLength(1);
      expect(resumes[0]!.silenceMs).toBe(resumes[0]!.lostMs);
      const result = await recorder.finish();
      expect(result.incomplete).toBeUndefined();
      const wav = await readWav(result.path);
      expect(wav.samples[0]!.length).toBe(200 * 320);
      const kinds = Array.from({ length: 200 }, (_, f) =>
        wav.samples[0]![f * 320 + 1] === 0 && wav.samples[1]![f * 320 + 1] === 0 ? 's' : 'a',
      ).join('');
      expect(kinds).toMatch(/^s{100,}a+$/);
      expect(kinds.indexOf('a') * 20).toBe(resumes[0]!.lostMs);
      for (const f of [kinds.indexOf('a'), 199])
        expect(Math.round(wav.samples[0]![f * 320 + 159]! * 32768)).toBe(leftSample(f, 159));
      await rm(result.path);
    });

    it('with the disk still full at finish(), leaves the parts for recoverRecordings, which joins them once there is room', async () => {
      const errors: RecordingError[] = [];
      const recorder = await CallRecorder.create({
        keys,
        dir: disk,
        callId: 'full-2',
        segmentMs: 1000,
        reserveBytes: 64 * 1024,
        onError: (e) => errors.push(e),
      });
      await pushFrames(recorder, 0, 50);
      const filler = await fillDisk(disk, 50 * FRAME_BYTES);
      await pushFrames(recorder, 50, 200);
      expect(errors.map((e) => e.code)).toEqual(['WRITE_FAILED']);

      await expect(recorder.finish()).rejects.toBe(errors[0]);
      const parts = await readdir(join(disk, 'full-2.parts'));
      expect(parts).toContain('meta.json');
      expect(parts.filter((p) => p.startsWith('segment-')).length).toBeGreaterThan(0);
      expect((await readdir(disk)).filter((n) => n.endsWith('.tmp'))).toEqual([]);

      await rm(filler);
      const [recovered] = await recoverRecordings(disk, keys);
      expect(recovered).toMatchObject({ callId: 'full-2' });
      expect(recovered!.error).toBeUndefined();
      const wav = await readWav(join(disk, 'full-2.wav'));
      expect(wav.samples[0]!.length / 16_000).toBeGreaterThan(1);
      await rm(join(disk, 'full-2.wav'));
    });
  },
);
