/**
 * Recovery of encrypted parts damaged the way a full disk or a crash damages them (the soak's
 * disk-full finding): an empty part, a part with no OBREC1 magic, a part cut mid-chunk and a part
 * whose chunk does not authenticate. Each is left out or cut with a warning naming the file and
 * the reason; every whole authenticated chunk around it is kept, and the lost span plays as
 * silence so the timeline stays aligned. Unauthenticated bytes are never kept.
 */
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { CallRecorder } from './call-recorder.js';
import { parseHeader } from './container.js';
import { recoverRecordings, type RecoveryOutcome } from './finalize.js';
import type { RecordingKeys } from './keys.js';
import { openRecording, readRecordingWav } from './reader.js';
import { testKeys } from './testing/keys.js';
import { leftSample, makeFrame, rightSample, SAMPLES } from './testing/signal.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'outbound-damaged-'));
  dirs.push(dir);
  return dir;
}

/**
 * 137 frames recorded with 1 s segments and 0.5 s chunks, left as a kill leaves them:
 * segment 1 = chunks 0,1 (frames 0..49), segment 2 = chunks 2,3 (50..99), segment 3 = chunks 4,5
 * (100..136), each segment ending in an empty final chunk.
 */
async function crashedParts(dir: string, keys: RecordingKeys): Promise<string> {
  const live = await tempDir();
  const recorder = await CallRecorder.create({ dir: live, callId: 'c', keys, segmentMs: 1000 });
  for (let seq = 0; seq < 137; seq++) recorder.push(makeFrame(seq));
  await recorder.flush();
  await cp(join(live, 'c.parts'), join(dir, 'c.parts'), { recursive: true });
  await recorder.abort();
  return join(dir, 'c.parts');
}

/** Frames `seqs` are the recorded audio, frames `silent` are zeros (frame index = seq). */
async function expectAudio(path: string, keys: RecordingKeys, silent: number[]): Promise<void> {
  const wav = await readRecordingWav(path, keys);
  expect(wav.samples[0]!.length).toBe(137 * SAMPLES);
  for (let seq = 0; seq < 137; seq++) {
    for (const i of [0, 1, 159, 319]) {
      const at = seq * SAMPLES + i;
      const left = Math.round(wav.samples[0]![at]! * 32768);
      const right = Math.round(wav.samples[1]![at]! * 32768);
      if (silent.includes(seq)) expect([seq, left, right]).toEqual([seq, 0, 0]);
      else expect([seq, left, right]).toEqual([seq, leftSample(seq, i), rightSample(seq, i)]);
    }
  }
  const reader = await openRecording(path, keys);
  expect(reader.complete).toBe(true);
  await reader.close();
}

function recovered(outcome: RecoveryOutcome | undefined): {
  durationMs: number;
  warnings: string[];
} {
  if (!outcome || outcome.error !== undefined) throw new Error(`not recovered: ${outcome?.error}`);
  return outcome;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

describe('recovery of damaged encrypted parts', () => {
  it('leaves out an empty part and a part with half a header (ENOSPC at creation), keeping all the audio', async () => {
    const dir = await tempDir();
    const keys = testKeys();
    const parts = await crashedParts(dir, keys);
    const header = parseHeader(await readFile(join(parts, 'segment-000001.enc'))).bytes;
    await writeFile(join(parts, 'segment-000004.enc'), header.subarray(0, 40));
    await writeFile(join(parts, 'segment-000005.enc'), Buffer.alloc(0));
    const outcome = recovered((await recoverRecordings(dir, keys))[0]);
    expect(outcome.durationMs).toBe(137 * 20);
    expect(outcome.warnings).toEqual([
      expect.stringMatching(
        /segment-000004\.enc holds only part of its header \(40 bytes\); it was left out/,
      ),
      expect.stringMatching(
        /segment-000005\.enc is empty \(its header was never written\); it was left out/,
      ),
      'the recording ended in a torn write; a final chunk was sealed for it',
    ]);
    await expectAudio(join(dir, 'c.wav'), keys, []);
  });

  it('recovers a recording whose only part is empty (the soak case) as an empty recording', async () => {
    const dir = await tempDir();
    const keys = testKeys();
    const parts = await crashedParts(dir, keys);
    await rm(join(parts, 'segment-000002.enc'));
    await rm(join(parts, 'segment-000003.enc'));
    await writeFile(join(parts, 'segment-000001.enc'), Buffer.alloc(0));
    const outcome = recovered((await recoverRecordings(dir, keys))[0]);
    expect(outcome).toMatchObject({
      durationMs: 0,
      warnings: [expect.stringMatching(/segment-000001\.enc is empty/)],
    });
  });

  it('leaves out a part with no OBREC1 magic in the middle, the lost second as silence', async () => {
    const dir = await tempDir();
    const keys = testKeys();
    const parts = await crashedParts(dir, keys);
    await writeFile(join(parts, 'segment-000002.enc'), Buffer.from('not a recording at all'));
    const logged: Array<[string, Record<string, unknown> | undefined]> = [];
    const log = {
      warn: (message: string, fields?: Record<string, unknown>) => logged.push([message, fields]),
    };
    const outcome = recovered((await recoverRecordings(dir, keys, log))[0]);
    expect(logged).toEqual([
      [
        'Recovered a recording with damaged or missing parts',
        expect.objectContaining({ callId: 'c', warnings: outcome.warnings }),
      ],
    ]);
    expect(outcome.durationMs).toBe(137 * 20);
    expect(outcome.warnings).toEqual([
      expect.stringMatching(
        /segment-000002\.enc was left out: it is not an encrypted recording \(no OBREC1 magic\) \(22 bytes\)/,
      ),
      expect.stringMatching(
        /segment-000003\.enc: 2 chunk\(s\) before chunk 4 are missing; about 1000 ms of silence/,
      ),
    ]);
    await expectAudio(join(dir, 'c.wav'), keys, range(50, 100));
  });

  it('keeps the whole chunks of a part cut mid-chunk (ENOSPC mid-write) and the parts after it', async () => {
    const dir = await tempDir();
    const keys = testKeys();
    const parts = await crashedParts(dir, keys);
    const second = join(parts, 'segment-000002.enc');
    await truncate(second, (await readFile(second)).length - 20 - 100); // final chunk + 100 bytes
    const outcome = recovered((await recoverRecordings(dir, keys))[0]);
    expect(outcome.durationMs).toBe(137 * 20);
    expect(outcome.warnings).toEqual([
      expect.stringMatching(
        /segment-000002\.enc ends in a torn write \(\d+ bytes\); it was dropped/,
      ),
      expect.stringMatching(
        /segment-000003\.enc: 1 chunk\(s\) before chunk 4 are missing; about 500 ms/,
      ),
    ]);
    await expectAudio(join(dir, 'c.wav'), keys, range(75, 100));
  });

  it('cuts a part at a chunk that does not authenticate and never keeps its bytes', async () => {
    const dir = await tempDir();
    const keys = testKeys();
    const parts = await crashedParts(dir, keys);
    const second = join(parts, 'segment-000002.enc');
    const bytes = await readFile(second);
    const headerBytes = parseHeader(bytes).bytes.length;
    bytes[headerBytes + 4 + 100]! ^= 1; // one bit of chunk 2's cipher text
    await writeFile(second, bytes);
    const outcome = recovered((await recoverRecordings(dir, keys))[0]);
    expect(outcome.durationMs).toBe(137 * 20);
    expect(outcome.warnings).toEqual([
      expect.stringMatching(
        /segment-000002\.enc: the chunk at byte \d+ does not authenticate as chunk 2; the part was cut there/,
      ),
      expect.stringMatching(/segment-000003\.enc: 2 chunk\(s\) before chunk 4 are missing/),
    ]);
    await expectAudio(join(dir, 'c.wav'), keys, range(50, 100));
  });

  it('keeps the parts when nothing in them is readable and one holds more than a cut header', async () => {
    const dir = await tempDir();
    const keys = testKeys();
    const parts = await crashedParts(dir, keys);
    await rm(join(parts, 'segment-000002.enc'));
    await rm(join(parts, 'segment-000003.enc'));
    await writeFile(join(parts, 'segment-000001.enc'), Buffer.from('garbage, not audio'));
    const [outcome] = await recoverRecordings(dir, keys);
    expect(outcome).toMatchObject({ code: 'CORRUPT' });
    expect(outcome!.error).toMatch(/segment-000001\.enc: it is not an encrypted recording/);
    expect(await readFile(join(parts, 'segment-000001.enc'), 'utf8')).toBe('garbage, not audio');
  });
});
