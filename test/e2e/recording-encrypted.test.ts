/**
 * Recordings encrypted at rest (issue 15), over the real SIP bed: a recorded call leaves no
 * plaintext audio in any file of the workspace while it runs or after it ends — no RIFF/WAVE
 * header, and none of the call's own audio (pieces of the interleaved frames the recorder was
 * given) — yet the recording decrypts to exactly that audio, and the media route serves a Range in
 * its middle decrypted. A control writes the decrypted audio as a plain WAV outside the workspace
 * and checks the scanner finds it, so the scan is strong enough to catch the old recorder. After a
 * restart, every folder of the workspace is 0700 and every file 0600.
 */
import { lstat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadPrompt } from '../../electron/engine/audio/index.js';
import { Engine } from '../../electron/engine/index.js';
import { openRecording } from '../../electron/engine/recording/index.js';
import type { CallSession } from '../../electron/engine/telephony/index.js';
import { type CallEngine, startCallEngine } from '../support/call-engine.js';
import { allFiles, findPlaintextAudio, pcmNeedles } from '../support/plaintext-audio.js';
import { type Bed, type Clip, startBed } from '../telephony/index.js';

const posix = process.platform !== 'win32';
let bed: Bed;
let calls: CallEngine;
let dataDir: string;
let customerClip: Clip;
let botClip: Clip;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  bed = await startBed();
  customerClip = await bed.clip('customer', {
    text: 'Hello, this is Mary. My card number is six two two two, and I paid last week.',
    voice: 'en',
    rate: 8000,
    leadMs: 500,
  });
  botClip = await bed.clip('bot', {
    text: 'Good morning. This call is recorded. This is a reminder about your bill.',
    voice: 'en',
    rate: 16000,
  });
  dataDir = await mkdtemp(join(tmpdir(), 'outbound-e2e-encrypted-'));
  calls = await startCallEngine({ dataDir });
  await calls.addTrunk({ name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain });
}, 120_000);

let stopped = false;
afterAll(async () => {
  if (!stopped) await calls?.stop();
  await bed?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function untilAnswered(session: CallSession, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (session.answeredAt === null) {
    if (session.state === 'done') throw new Error(`call ${session.callId} ended unanswered`);
    if (Date.now() - started > timeoutMs) throw new Error('not answered in time');
    await sleep(20);
  }
}

/** Interleaved 16-bit stereo of captured frames, as the recorder is given them. */
function interleave(frames: Array<{ left: Int16Array; right: Int16Array }>): Buffer {
  const samples = frames.reduce((sum, f) => sum + f.left.length, 0);
  const out = Buffer.alloc(samples * 4);
  let at = 0;
  for (const frame of frames) {
    for (let i = 0; i < frame.left.length; i++, at += 4) {
      out.writeInt16LE(frame.left[i]!, at);
      out.writeInt16LE(frame.right[i]!, at + 2);
    }
  }
  return out;
}

describe('a recorded call', () => {
  it('leaves no plaintext audio in the workspace during or after the call, and decrypts to what was recorded', async () => {
    const phone = await bed.phone({ user: '2101', play: customerClip.path, answer: 'auto' });
    const session = await calls.engine.telephony.dial({ number: '2101', trunk: 'main' });
    const frames: Array<{ left: Int16Array; right: Int16Array }> = [];
    session.onAudio((frame) => {
      if (session.answeredAt !== null)
        frames.push({ left: frame.left.slice(), right: frame.right.slice() });
    });
    await untilAnswered(session);
    const played = session.play((await loadPrompt(botClip.path)).frames);

    // Mid-call: several half-second chunks are on disk by now (and a segment is open).
    await sleep(3000);
    const sofar = interleave(frames.slice(0, Math.max(0, frames.length - 50)));
    const midNeedles = pcmNeedles(sofar);
    expect(midNeedles.length, 'the call had audio to look for').toBeGreaterThan(4);
    const parts = (await allFiles(dataDir)).filter((p) => p.includes('.parts'));
    expect(
      parts.some((p) => p.endsWith('.enc')),
      'a segment is being written',
    ).toBe(true);
    expect(await findPlaintextAudio(dataDir, midNeedles)).toEqual([]);

    await played;
    const sinceAnswer = Date.now() - (session.answeredAt ?? Date.now());
    if (sinceAnswer < customerClip.durationMs + 500)
      await sleep(customerClip.durationMs + 500 - sinceAnswer);
    await session.hangup('test done');
    const end = await session.whenEnded();
    await phone.stop();
    expect(end.recording).not.toBeNull();

    // After: the recording decrypts to the frames the recorder was given …
    const recorded = await openRecording(end.recording!.path, calls.engine.recordingKeys);
    const wav = await recorded.read(0, recorded.size);
    await recorded.close();
    expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
    const pcm = wav.subarray(44);
    const needles = pcmNeedles(interleave(frames));
    expect(needles.length).toBeGreaterThan(8);
    const inRecording = needles.filter((needle) => pcm.includes(needle)).length;
    expect(
      inRecording / needles.length,
      'the needles are audio the recording holds',
    ).toBeGreaterThan(0.8);
    // … and no file in the workspace holds any of it, nor a WAV header.
    expect(await findPlaintextAudio(dataDir, needles)).toEqual([]);

    // Control: the same audio stored the old way (a plain WAV) is found.
    const control = await mkdtemp(join(tmpdir(), 'outbound-e2e-plain-control-'));
    try {
      await writeFile(join(control, 'old-recorder.wav'), wav);
      const found = await findPlaintextAudio(control, needles);
      expect(found.map((f) => f.what)).toContain('a RIFF/WAVE header at byte 0');
      expect(found.some((f) => f.what.startsWith('known call audio'))).toBe(true);
    } finally {
      await rm(control, { recursive: true, force: true });
    }

    // The media route serves a range from the middle, decrypted, as the player seeks.
    const info = (await calls.engine.request('calls.recording', { id: session.callId })) as {
      mediaPath: string;
      bytes: number;
    };
    expect(info.bytes).toBe(wav.length);
    const start = 44 + Math.floor(pcm.length / 2 / 4) * 4;
    const response = await fetch(
      `http://127.0.0.1:${calls.server.port}/media/${info.mediaPath}?token=${calls.server.token}`,
      { headers: { Range: `bytes=${start}-${start + 9_999}` } },
    );
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(
      `bytes ${start}-${start + 9_999}/${wav.length}`,
    );
    expect(
      Buffer.from(await response.arrayBuffer()).equals(wav.subarray(start, start + 10_000)),
    ).toBe(true);
    // On disk the recording is the container, never the WAV.
    expect((await readFile(end.recording!.path)).subarray(0, 6).toString('latin1')).toBe('OBREC1');
  }, 120_000);

  it.runIf(posix)(
    'after a restart, every folder of the workspace is 0700 and every file 0600',
    async () => {
      stopped = true;
      await calls.stop();
      const engine = await Engine.start({ dataDir, transport: 'in-process', version: 'test' });
      try {
        const wide: string[] = [];
        const check = async (path: string, dir: boolean): Promise<void> => {
          const mode = (await lstat(path)).mode & 0o777;
          if (dir ? mode !== 0o700 : (mode & 0o077) !== 0) wide.push(`${path} ${mode.toString(8)}`);
        };
        await check(dataDir, true);
        for (const file of await allFiles(dataDir)) await check(file, false);
        const dirs = new Set((await allFiles(dataDir)).map((f) => f.slice(0, f.lastIndexOf('/'))));
        for (const dir of dirs) await check(dir, true);
        expect(wide).toEqual([]);
        expect((await lstat(join(dataDir, 'recording-keys.json'))).mode & 0o777).toBe(0o600);
      } finally {
        await engine.stop();
      }
    },
    60_000,
  );
});
