/**
 * `outbound recordings key …` end to end through the CLI's entry (runCli): a workspace switched to
 * public-key mode records for that key only; its private key, loaded, makes those recordings play.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { silentLogger } from '../engine/log.js';
import { CallRecorder } from '../engine/recording/call-recorder.js';
import { openRecordingKeys, readRecordingWav } from '../engine/recording/index.js';
import { makeFrame } from '../engine/recording/testing/signal.js';
import { openKeyFileSecretBox } from '../engine/secrets/index.js';
import { useTempDirs } from '../engine/store/testing/temp.js';
import { runCli } from './main.js';

const tempDir = useTempDirs();

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    version: 'test',
    rendererDir: '/nowhere',
    streams: {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    },
  });
  return { code, out, err };
}

describe('outbound recordings key', () => {
  it('generates a pair, switches the workspace to it, and plays its recordings once the private key is loaded', async () => {
    const data = await tempDir();
    const keysDir = await tempDir();
    const made = await cli(['recordings', 'key', 'generate', keysDir, '--data', data]);
    expect(made.code).toBe(0);
    const id = /Made key ([0-9a-f]{16})/.exec(made.out)![1]!;
    expect((await stat(join(keysDir, 'recording-private.pem'))).mode & 0o777).toBe(0o600);
    expect((await cli(['recordings', 'key', 'generate', keysDir, '--data', data])).code).toBe(1); // never overwrites

    const use = await cli([
      'recordings',
      'key',
      'use-public',
      join(keysDir, 'recording-public.pem'),
      '--data',
      data,
    ]);
    expect(use).toMatchObject({ code: 0 });
    expect(use.out).toContain(`public key ${id} only`);
    expect((await cli(['recordings', 'key', 'status', '--data', data])).out).toContain(
      `encrypted for public key ${id} only`,
    );

    // The workspace now records for that key, and cannot play what it records.
    const box = openKeyFileSecretBox(data, silentLogger);
    const recorder = await CallRecorder.create({
      dir: join(data, 'recordings'),
      callId: 'c',
      keys: openRecordingKeys(data, box),
    });
    for (let seq = 0; seq < 50; seq++) recorder.push(makeFrame(seq));
    const { path } = await recorder.finish();
    await expect(readRecordingWav(path, openRecordingKeys(data, box))).rejects.toMatchObject({
      code: 'PRIVATE_KEY_MISSING',
    });

    const load = await cli([
      'recordings',
      'key',
      'load',
      join(keysDir, 'recording-private.pem'),
      '--data',
      data,
    ]);
    expect(load.code).toBe(0);
    expect((await readRecordingWav(path, openRecordingKeys(data, box))).samples[0]!.length).toBe(
      50 * 320,
    );
    expect(await readFile(join(data, 'recording-keys.json'), 'utf8')).not.toMatch(
      /PRIVATE KEY|BEGIN/,
    );

    expect((await cli(['recordings', 'key', 'unload', id, '--data', data])).code).toBe(0);
    expect((await cli(['recordings', 'key', 'unload', id, '--data', data])).code).toBe(1);
    expect((await cli(['recordings', 'key', 'use-workspace', '--data', data])).code).toBe(0);
    expect(openRecordingKeys(data, box).mode).toBe('workspace');

    const bad = await cli([
      'recordings',
      'key',
      'use-public',
      join(keysDir, 'recording-private.pem'),
      '--data',
      data,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/not an X25519 public key/);
    expect((await cli(['recordings', 'nope', '--data', data])).code).toBe(2);
  });
});
