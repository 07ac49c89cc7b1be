/**
 * The encrypted container and its keys: what an attacker with the files (and not the keys) can and
 * cannot do, public-key mode, torn ends, the migration of plaintext recordings, and ranges.
 */
import { randomBytes } from 'node:crypto';
import {
  copyFile,
  cp,
  mkdtemp,
  readdir,
  readFile,
  rm,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { encodeWav } from '../audio/wav.js';
import type { Logger } from '../log.js';
import { openKeyFileSecretBox } from '../secrets/index.js';
import { CallRecorder } from './call-recorder.js';
import { FOOTER_BYTES, parseFooter, parseHeader, RECORD_OVERHEAD } from './container.js';
import { recoverRecordings } from './finalize.js';
import {
  generateRecordingKeyPair,
  loadRecordingPrivateKey,
  openRecordingKeys,
  RECORDING_KEYS_FILE,
  RecordingKeyError,
  type RecordingKeys,
  recordingKeysFrom,
  setRecordingPublicKey,
} from './keys.js';
import { encryptPlainRecordings } from './migrate.js';
import { openRecording, readRecordingWav, RecordingReadError } from './reader.js';
import { testKeys } from './testing/keys.js';
import { makeFrame } from './testing/signal.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'outbound-enc-'));
  dirs.push(dir);
  return dir;
}
const quiet: Logger = { info() {}, warn() {}, error() {} };

/** Records `frames` frames into `dir` and finishes: the path of the recording. */
async function record(
  dir: string,
  keys: RecordingKeys,
  frames: number,
  callId = 'c',
): Promise<string> {
  const recorder = await CallRecorder.create({ dir, callId, keys, segmentMs: 1000 });
  for (let seq = 0; seq < frames; seq++) recorder.push(makeFrame(seq));
  return (await recorder.finish()).path;
}

/** Records, then leaves the parts as a kill would (copied aside before finish). */
async function crashedParts(dir: string, keys: RecordingKeys, frames: number): Promise<string> {
  const live = await tempDir();
  const recorder = await CallRecorder.create({ dir: live, callId: 'c', keys, segmentMs: 1000 });
  for (let seq = 0; seq < frames; seq++) recorder.push(makeFrame(seq));
  await recorder.flush();
  await cp(join(live, 'c.parts'), join(dir, 'c.parts'), { recursive: true });
  await recorder.abort();
  return join(dir, 'c.parts');
}

async function readError(path: string, keys: RecordingKeys | null): Promise<Error> {
  try {
    const reader = await openRecording(path, keys);
    await reader.read(0, reader.size);
    await reader.close();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the recording was read');
}

describe('the encrypted container', () => {
  it('gives each recording its own key and nonce prefix, and decrypts ranges anywhere', async () => {
    const dir = await tempDir();
    const keys = testKeys();
    const a = await record(dir, keys, 130, 'a');
    const b = await record(dir, keys, 130, 'b');
    const [ha, hb] = [parseHeader(await readFile(a)), parseHeader(await readFile(b))];
    expect(ha.recordingId.equals(hb.recordingId)).toBe(false);
    expect(ha.noncePrefix.equals(hb.noncePrefix)).toBe(false);
    expect(keys.unwrap(ha).equals(keys.unwrap(hb))).toBe(false);
    // Same audio, different cipher text.
    expect(
      (await readFile(a))
        .subarray(ha.bytes.length)
        .equals((await readFile(b)).subarray(hb.bytes.length)),
    ).toBe(false);

    const whole = await readRecordingWav(a, keys);
    expect(whole.samples[0]!.length).toBe(130 * 320);
    const reader = await openRecording(a, keys);
    const all = await reader.read(0, reader.size);
    expect(reader.size).toBe(44 + 130 * 1280);
    for (const [from, length] of [
      [0, 10],
      [40, 10],
      [44 + 31_999, 3],
      [44 + 64_000 - 5, 70_000],
      [reader.size - 7, 100],
      [reader.size, 10],
    ] as const) {
      expect((await reader.read(from, length)).equals(all.subarray(from, from + length))).toBe(
        true,
      );
    }
    const streamed: Buffer[] = [];
    for await (const piece of reader.stream(1000, 99_999)) streamed.push(piece as Buffer);
    expect(Buffer.concat(streamed).equals(all.subarray(1000, 100_000))).toBe(true);
    await reader.close();
  });

  it('refuses reordered, altered, moved or cut chunks, and another workspace’s keys', async () => {
    const dir = await tempDir();
    const keys = testKeys();
    const path = await record(dir, keys, 100);
    const bytes = await readFile(path);
    const header = parseHeader(bytes);
    const start = header.bytes.length;
    const chunk = RECORD_OVERHEAD + 25 * 1280;

    // Swap chunks 0 and 1 (same lengths, so the index still fits).
    const swapped = Buffer.from(bytes);
    bytes.copy(swapped, start, start + chunk, start + 2 * chunk);
    bytes.copy(swapped, start + chunk, start, start + chunk);
    await writeFile(join(dir, 'swapped.wav'), swapped);
    expect((await readError(join(dir, 'swapped.wav'), keys)).message).toMatch(
      /chunk 0 does not authenticate/,
    );

    // One bit of audio flipped.
    const flipped = Buffer.from(bytes);
    flipped[start + 100]! ^= 1;
    await writeFile(join(dir, 'flipped.wav'), flipped);
    expect((await readError(join(dir, 'flipped.wav'), keys)).message).toMatch(
      /does not authenticate/,
    );

    // The last audio chunk and the final chunk cut off, the index rewritten to match: not complete.
    const footer = parseFooter(bytes.subarray(bytes.length - FOOTER_BYTES))!;
    const lengths = Array.from({ length: footer.count }, (_, i) =>
      bytes.readUInt32BE(bytes.length - FOOTER_BYTES - footer.count * 4 + i * 4),
    );
    const kept = lengths.slice(0, -2);
    const body = kept.reduce((sum, l) => sum + RECORD_OVERHEAD + l, 0);
    const index = Buffer.alloc(kept.length * 4 + FOOTER_BYTES);
    kept.forEach((l, i) => index.writeUInt32BE(l, i * 4));
    bytes.copy(index, kept.length * 4, bytes.length - FOOTER_BYTES);
    index.writeUInt32BE(kept.length, kept.length * 4);
    await writeFile(join(dir, 'cut.wav'), Buffer.concat([bytes.subarray(0, start + body), index]));
    expect((await readError(join(dir, 'cut.wav'), keys)).message).toMatch(
      /does not end with its final chunk|does not authenticate/,
    );

    // A chunk of recording b spliced into a: it authenticates only in its own recording.
    const other = await readFile(await record(dir, keys, 100, 'b'));
    const spliced = Buffer.from(bytes);
    other.copy(
      spliced,
      start,
      parseHeader(other).bytes.length,
      parseHeader(other).bytes.length + chunk,
    );
    await writeFile(join(dir, 'spliced.wav'), spliced);
    expect((await readError(join(dir, 'spliced.wav'), keys)).message).toMatch(
      /chunk 0 does not authenticate/,
    );

    // The format fields are bound to the wrapped key: change the sample rate and it won't unwrap.
    const resampled = Buffer.from(bytes);
    resampled.writeUInt32BE(8000, 12);
    await writeFile(join(dir, 'resampled.wav'), resampled);
    const damaged = await readError(join(dir, 'resampled.wav'), keys);
    expect(damaged).toBeInstanceOf(RecordingKeyError);
    expect((damaged as RecordingKeyError).code).toBe('DAMAGED');

    const foreign = await readError(path, testKeys());
    expect(foreign).toMatchObject({ code: 'FOREIGN_KEY' });
    expect(foreign.message).toMatch(/another workspace/);
    expect(await readError(path, null)).toBeInstanceOf(RecordingReadError);
  });
});

describe('recovery of encrypted parts', () => {
  it('joins what a kill left without a torn end: sample for sample, complete', async () => {
    const dir = await tempDir();
    const keys = testKeys();
    await crashedParts(dir, keys, 137);
    const [outcome] = await recoverRecordings(dir, keys);
    expect(outcome).toMatchObject({ durationMs: 137 * 20, warnings: [] });
    const reader = await openRecording(join(dir, 'c.wav'), keys);
    expect(reader.complete).toBe(true);
    await reader.close();
  });

  it('seals a final chunk for a torn end when it holds the key', async () => {
    const dir = await tempDir();
    const keys = testKeys();
    const parts = await crashedParts(dir, keys, 137);
    const last = join(parts, 'segment-000003.enc');
    const size = (await readFile(last)).length;
    await truncate(last, size - 20 - 7); // the final chunk gone and 7 bytes of the last chunk
    const [outcome] = await recoverRecordings(dir, keys);
    expect(outcome).toMatchObject({
      durationMs: 125 * 20, // the torn chunk (frames 125..136) is dropped
      warnings: [
        expect.stringMatching(/ends in a torn write \(\d+ bytes\); it was dropped/),
        'the recording ended in a torn write; a final chunk was sealed for it',
      ],
    });
    const reader = await openRecording(join(dir, 'c.wav'), keys);
    expect(reader.complete).toBe(true);
    await reader.close();
  });

  it('in public-key mode, recovers without the private key and marks a torn end incomplete', async () => {
    const pair = generateRecordingKeyPair();
    const { createPublicKey, createPrivateKey } = await import('node:crypto');
    const jwk = createPublicKey(pair.publicPem).export({ format: 'jwk' });
    const recorderKeys = recordingKeysFrom({
      workspaceKeys: [randomBytes(32)],
      publicKey: Buffer.from(jwk.x!, 'base64url'),
    });
    expect(recorderKeys.mode).toBe('public');
    const dir = await tempDir();
    const parts = await crashedParts(dir, recorderKeys, 60);
    const last = join(parts, 'segment-000002.enc');
    await truncate(last, (await readFile(last)).length - 20);
    const [outcome] = await recoverRecordings(dir, recorderKeys);
    expect(outcome).toMatchObject({ durationMs: 60 * 20 });
    expect(outcome!.error === undefined && outcome!.warnings.at(-1)).toMatch(
      /its key is not held here: it is kept without a final chunk/,
    );
    // This workspace cannot read it at all …
    const refused = await readError(join(dir, 'c.wav'), recorderKeys);
    expect(refused).toMatchObject({ code: 'PRIVATE_KEY_MISSING' });
    expect(refused.message).toContain(pair.id);
    // … where the private key is, it plays, and says it is incomplete.
    const reader = await openRecording(
      join(dir, 'c.wav'),
      recordingKeysFrom({
        workspaceKeys: [randomBytes(32)],
        privateKeys: [createPrivateKey(pair.privatePem)],
      }),
    );
    expect(reader.complete).toBe(false);
    expect(reader.size).toBe(44 + 60 * 1280);
    await reader.close();
  });
});

describe('the workspace’s recording keys', () => {
  it('are created once, sealed by the secret box, and a public key switches new recordings', async () => {
    const dataDir = await tempDir();
    const box = openKeyFileSecretBox(dataDir, quiet);
    const keys = openRecordingKeys(dataDir, box);
    expect(keys.mode).toBe('workspace');
    const file = await readFile(join(dataDir, RECORDING_KEYS_FILE), 'utf8');
    const key = keys.describe().workspaceKeys[0]!;
    expect(file).toContain(`"id": "${key}"`);
    expect(file).toMatch(/"sealed": "v1:/); // sealed by the key file box, never the raw key
    const dir = join(dataDir, 'recordings');
    const before = await record(dir, keys, 30, 'before');

    const pair = generateRecordingKeyPair();
    expect(setRecordingPublicKey(dataDir, box, pair.publicPem)).toBe(pair.id);
    const publicOnly = openRecordingKeys(dataDir, box);
    expect(publicOnly.mode).toBe('public');
    const after = await record(dir, publicOnly, 30, 'after');
    expect((await readError(after, publicOnly)).message).toMatch(/outbound recordings key load/);
    expect((await readRecordingWav(before, publicOnly)).samples[0]!.length).toBe(30 * 320);

    expect(loadRecordingPrivateKey(dataDir, box, pair.privatePem)).toBe(pair.id);
    const withPrivate = openRecordingKeys(dataDir, box);
    expect(withPrivate.describe()).toMatchObject({ publicKey: pair.id, privateKeys: [pair.id] });
    expect((await readRecordingWav(after, withPrivate)).samples[0]!.length).toBe(30 * 320);
    expect(await readFile(join(dataDir, RECORDING_KEYS_FILE), 'utf8')).not.toContain('PRIVATE KEY');

    expect(() => setRecordingPublicKey(dataDir, box, 'not a key')).toThrow(
      /not an X25519 public key/,
    );
    expect(setRecordingPublicKey(dataDir, box, null)).toBeNull();
    expect(openRecordingKeys(dataDir, box).mode).toBe('workspace');
  });

  it('say clearly when the keys file is damaged', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, RECORDING_KEYS_FILE), '{"version": 1, "workspaceKeys": [');
    expect(() => openRecordingKeys(dataDir, openKeyFileSecretBox(dataDir, quiet))).toThrow(
      /recording-keys\.json is damaged .*Restore it from a backup/,
    );
  });
});

describe('plaintext recordings of an older version', () => {
  it('are encrypted in place at start, once, leaving other files alone', async () => {
    const dir = await tempDir();
    const keys = testKeys();
    const tone = Int16Array.from({ length: 16_000 }, (_, i) => Math.round(9000 * Math.sin(i / 5)));
    const wav = encodeWav({ sampleRate: 16_000, channels: [tone, tone] });
    await writeFile(join(dir, 'old.wav'), wav);
    await writeFile(join(dir, 'mono.wav'), encodeWav({ sampleRate: 8000, channels: [tone] }));
    await writeFile(join(dir, 'notes.txt'), 'x');
    const report = await encryptPlainRecordings(dir, keys);
    expect(report.encrypted).toEqual([join(dir, 'old.wav')]);
    expect(report.failed).toEqual([
      { path: join(dir, 'mono.wav'), error: expect.stringMatching(/1 channel/) },
    ]);
    const stored = await readFile(join(dir, 'old.wav'));
    expect(stored.subarray(0, 6).toString('latin1')).toBe('OBREC1');
    expect(stored.includes(wav.subarray(1000, 1256))).toBe(false);
    const reader = await openRecording(join(dir, 'old.wav'), keys);
    expect((await reader.read(0, reader.size)).equals(wav)).toBe(true);
    await reader.close();
    expect((await readdir(dir)).sort()).toEqual(['mono.wav', 'notes.txt', 'old.wav']);
    // A second start finds nothing more to do.
    await copyFile(join(dir, 'old.wav'), join(dir, 'copy.wav'));
    expect((await encryptPlainRecordings(dir, keys)).encrypted).toEqual([]);
  });
});
