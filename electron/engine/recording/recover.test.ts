import { appendFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { encodeWav, encodeWavHeader, UNKNOWN_DATA_SIZE } from '../audio/wav.js';
import { CallRecorder } from './call-recorder.js';
import {
  recoverRecordings,
  type RecoveryOutcome,
  type UnrecoverableRecording,
} from './finalize.js';
import type { RecordingMeta } from './layout.js';
import { readRecordingWav } from './reader.js';
import { testKeys } from './testing/keys.js';
import { leftSample, makeFrame, rightSample, SAMPLES } from './testing/signal.js';

const keys = testKeys();

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'outbound-recover-'));
  dirs.push(dir);
  return dir;
}

function meta(callId: string, overrides: Partial<RecordingMeta> = {}): string {
  const value: RecordingMeta = {
    version: 1,
    callId,
    startedAt: 1_700_000_000_000,
    sampleRate: 16000,
    channels: 2,
    bitsPerSample: 16,
    frameMs: 20,
    segmentMs: 10_000,
    channelLayout: ['customer', 'outbound'],
    ...overrides,
  };
  return JSON.stringify(value);
}

/** Interleaved 16-bit stereo audio of the given seqs, as the recorder writes it. */
function audio(seqs: number[]): Buffer {
  const out = Buffer.alloc(seqs.length * SAMPLES * 4);
  seqs.forEach((seq, f) => {
    const frame = makeFrame(seq);
    for (let i = 0; i < SAMPLES; i++) {
      out.writeInt16LE(frame.left[i]!, (f * SAMPLES + i) * 4);
      out.writeInt16LE(frame.right[i]!, (f * SAMPLES + i) * 4 + 2);
    }
  });
  return out;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

function closedSegment(seqs: number[]): Buffer {
  const data = audio(seqs);
  return Buffer.concat([
    encodeWavHeader({ sampleRate: 16000, channels: 2, dataBytes: data.length }),
    data,
  ]);
}

function openSegment(seqs: number[]): Buffer {
  return Buffer.concat([
    encodeWavHeader({ sampleRate: 16000, channels: 2, dataBytes: UNKNOWN_DATA_SIZE }),
    audio(seqs),
  ]);
}

async function leftover(
  dir: string,
  callId: string,
  files: Record<string, Buffer | string>,
): Promise<string> {
  const parts = join(dir, `${callId}.parts`);
  await mkdir(parts, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(parts, name), content);
  return parts;
}

async function expectSeqs(path: string, seqs: number[]): Promise<void> {
  const wav = await readRecordingWav(path, keys);
  expect([wav.channels, wav.sampleRate]).toEqual([2, 16000]);
  expect(wav.samples[0]!.length).toBe(seqs.length * SAMPLES);
  seqs.forEach((seq, f) => {
    for (const i of [0, 1, 159, 319]) {
      expect(Math.round(wav.samples[0]![f * SAMPLES + i]! * 32768)).toBe(leftSample(seq, i));
      expect(Math.round(wav.samples[1]![f * SAMPLES + i]! * 32768)).toBe(rightSample(seq, i));
    }
  });
}

function failed(outcomes: RecoveryOutcome[], callId: string): UnrecoverableRecording {
  const outcome = outcomes.find((o) => o.callId === callId);
  if (outcome?.error === undefined) throw new Error(`${callId} was expected to fail`);
  return outcome;
}

describe('recoverRecordings of plaintext parts an older version left (encrypted on the way)', () => {
  it('joins closed and unfinished segments, reading the open one to its end in whole frames', async () => {
    const dir = await tempDir();
    await leftover(dir, 'crashed', {
      'meta.json': meta('crashed'),
      'segment-000001.wav': closedSegment(range(0, 500)),
      'segment-000002.wav': Buffer.concat([openSegment(range(500, 537)), Buffer.from([1, 2, 3])]), // a torn sample frame
    });
    const outcomes = await recoverRecordings(dir, keys);
    expect(outcomes).toEqual([
      {
        callId: 'crashed',
        path: join(dir, 'crashed.wav'),
        channels: 2,
        sampleRate: 16000,
        durationMs: 10_740,
        bytes: 44 + 537 * 1280,
        startedAt: 1_700_000_000_000,
        warnings: [],
      },
    ]);
    await expectSeqs(join(dir, 'crashed.wav'), range(0, 537));
    expect(await readdir(dir)).toEqual(['crashed.wav']);
    expect(await recoverRecordings(dir, keys)).toEqual([]); // nothing left to do
  });

  it('recovers what a live-looking recorder left once it is gone (same files as a crash)', async () => {
    const dir = await tempDir();
    const recorder = await CallRecorder.create({ dir, callId: 'live', keys, segmentMs: 1000 });
    for (let seq = 0; seq < 130; seq++) recorder.push(makeFrame(seq));
    await recorder.flush();
    // While its recorder is alive, recovery leaves the folder alone.
    expect(await recoverRecordings(dir, keys)).toEqual([]);
    expect((await readdir(join(dir, 'live.parts'))).sort()).toEqual([
      'meta.json',
      'segment-000001.enc',
      'segment-000002.enc',
      'segment-000003.enc',
    ]);
    await recorder.finish();
  });

  it('saves a recording whose meta.json is missing or unreadable, with a warning', async () => {
    const dir = await tempDir();
    await leftover(dir, 'no-meta', { 'segment-000001.wav': openSegment(range(0, 10)) });
    await leftover(dir, 'bad-meta', {
      'meta.json': '{"version": 1, "callId": "bad-me',
      'segment-000001.wav': openSegment(range(0, 5)),
    });
    const outcomes = await recoverRecordings(dir, keys);
    expect(outcomes.map((o) => [o.callId, o.error === undefined ? o.durationMs : o.error])).toEqual(
      [
        ['bad-meta', 100],
        ['no-meta', 200],
      ],
    );
    expect(outcomes[0]).toMatchObject({
      startedAt: null,
      warnings: [expect.stringMatching(/meta\.json is not valid JSON/)],
    });
    expect(outcomes[1]).toMatchObject({
      startedAt: null,
      warnings: [expect.stringMatching(/meta\.json is missing/)],
    });
    await expectSeqs(join(dir, 'no-meta.wav'), range(0, 10));
  });

  it('leaves out a last segment whose header was never written', async () => {
    const dir = await tempDir();
    await leftover(dir, 'empty-last', {
      'meta.json': meta('empty-last'),
      'segment-000001.wav': closedSegment(range(0, 20)),
      'segment-000002.wav': Buffer.alloc(0),
    });
    await leftover(dir, 'torn-header', {
      'meta.json': meta('torn-header'),
      'segment-000001.wav': closedSegment(range(0, 20)),
      'segment-000002.wav': encodeWavHeader({
        sampleRate: 16000,
        channels: 2,
        dataBytes: UNKNOWN_DATA_SIZE,
      }).subarray(0, 30),
    });
    const outcomes = await recoverRecordings(dir, keys);
    expect(outcomes.map((o) => (o.error === undefined ? o.durationMs : o.error))).toEqual([
      400, 400,
    ]);
    expect(outcomes[0]!.error === undefined && outcomes[0]!.warnings).toEqual([]);
    expect(outcomes[1]!.error === undefined && outcomes[1]!.warnings).toEqual([
      expect.stringMatching(/holds only 30 bytes of its header/),
    ]);
  });

  it('keeps what is there of a segment shorter than its header says', async () => {
    const dir = await tempDir();
    const cut = closedSegment(range(0, 50)).subarray(0, 44 + 30 * 1280 + 2);
    await leftover(dir, 'cut', { 'meta.json': meta('cut'), 'segment-000001.wav': cut });
    const [outcome] = await recoverRecordings(dir, keys);
    expect(outcome).toMatchObject({
      durationMs: 600,
      warnings: [expect.stringMatching(/shorter than its header says/)],
    });
    await expectSeqs(join(dir, 'cut.wav'), range(0, 30));
  });

  it('reports corrupt leftovers without throwing or deleting them, and still recovers the others', async () => {
    const dir = await tempDir();
    const garbage = await leftover(dir, 'garbage', {
      'meta.json': meta('garbage'),
      'segment-000001.wav': Buffer.from('this is not a wav file at all, sorry'),
      'segment-000002.wav': openSegment([0]),
    });
    await leftover(dir, 'mono', {
      'meta.json': meta('mono'),
      'segment-000001.wav': encodeWav({ sampleRate: 8000, channels: [new Int16Array(80)] }),
    });
    await leftover(dir, 'other-rate', {
      'meta.json': meta('other-rate', { sampleRate: 8000 }),
      'segment-000001.wav': closedSegment([0]),
    });
    await leftover(dir, 'gap', {
      'meta.json': meta('gap'),
      'segment-000001.wav': closedSegment([0]),
      'segment-000003.wav': closedSegment([1]),
    });
    await leftover(dir, 'bad-meta', {
      'meta.json': JSON.stringify({ version: 7 }),
      'segment-000001.wav': closedSegment([0]),
    });
    await leftover(dir, 'good', {
      'meta.json': meta('good'),
      'segment-000001.wav': openSegment(range(0, 3)),
    });

    const outcomes = await recoverRecordings(dir, keys);
    expect(outcomes.map((o) => o.callId)).toEqual([
      'bad-meta',
      'gap',
      'garbage',
      'good',
      'mono',
      'other-rate',
    ]);
    const segment = join(garbage, 'segment-000001.wav');
    expect(failed(outcomes, 'garbage')).toEqual({
      callId: 'garbage',
      partsDir: garbage,
      code: 'CORRUPT',
      error: `${segment}: not a RIFF file (it starts with "this"); its parts are kept`,
    });
    expect(failed(outcomes, 'mono').error).toMatch(
      /mono\.parts[\\/]segment-000001\.wav holds 16-bit PCM, 1 channel\(s\) at 8000 Hz, not 16-bit stereo PCM at 16000 Hz/,
    );
    expect(failed(outcomes, 'other-rate').error).toMatch(
      /at 16000 Hz, not 16-bit stereo PCM at 8000 Hz/,
    );
    expect(failed(outcomes, 'gap').error).toMatch(/gap\.parts is missing segment 2/);
    expect(failed(outcomes, 'bad-meta').error).toMatch(
      /bad-meta\.parts[\\/]meta\.json does not describe/,
    );
    await expectSeqs(join(dir, 'good.wav'), range(0, 3));
    // The corrupt ones are all still there, untouched.
    expect((await readdir(dir)).sort()).toEqual([
      'bad-meta.parts',
      'gap.parts',
      'garbage.parts',
      'good.wav',
      'mono.parts',
      'other-rate.parts',
    ]);
    expect((await readdir(garbage)).sort()).toEqual([
      'meta.json',
      'segment-000001.wav',
      'segment-000002.wav',
    ]);
  });

  it('finishes the job of a run that crashed after renaming but before removing the parts', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'renamed.wav'), closedSegment(range(0, 7)));
    await leftover(dir, 'renamed', {
      'meta.json': meta('renamed'),
      'segment-000001.wav': closedSegment(range(0, 7)),
    });
    const [outcome] = await recoverRecordings(dir, keys);
    expect(outcome).toMatchObject({
      callId: 'renamed',
      durationMs: 140,
      bytes: 44 + 7 * 1280,
      startedAt: 1_700_000_000_000,
    });
    expect(await readdir(dir)).toEqual(['renamed.wav']);
  });

  it('does not take over a final file that is not a recording', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'clash.wav'), 'hello');
    await leftover(dir, 'clash', {
      'meta.json': meta('clash'),
      'segment-000001.wav': closedSegment([0]),
    });
    const outcome = failed(await recoverRecordings(dir, keys), 'clash');
    expect(outcome.code).toBe('CORRUPT');
    expect(outcome.error).toMatch(/clash\.wav already exists and is not a finished recording/);
  });

  it('overwrites a half-written join left by a crash', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'half.wav.tmp'), Buffer.alloc(5000, 7));
    await leftover(dir, 'half', {
      'meta.json': meta('half'),
      'segment-000001.wav': closedSegment(range(0, 4)),
    });
    expect((await recoverRecordings(dir, keys))[0]).toMatchObject({ durationMs: 80 });
    expect(await readdir(dir)).toEqual(['half.wav']);
    await expectSeqs(join(dir, 'half.wav'), range(0, 4));
  });

  it('recovers an empty leftover as a header-only WAV', async () => {
    const dir = await tempDir();
    await leftover(dir, 'nothing', { 'meta.json': meta('nothing') });
    expect(await recoverRecordings(dir, keys)).toMatchObject([
      { callId: 'nothing', durationMs: 0, bytes: 44 },
    ]);
  });

  it('gives [] for a missing folder and ignores everything but .parts folders', async () => {
    const dir = await tempDir();
    expect(await recoverRecordings(join(dir, 'absent'), keys)).toEqual([]);
    await writeFile(join(dir, 'x.parts'), 'a file, not a folder');
    await writeFile(join(dir, 'done.wav'), 'x');
    await mkdir(join(dir, 'other'));
    await appendFile(join(dir, 'notes.txt'), 'x');
    expect(await recoverRecordings(dir, keys)).toEqual([]);
  });
});
