/**
 * A scripted customer for calls over the test bed, spoken by a voice the phrase trainer never
 * uses: Debian's espeak-ng 1.51 binary (not the WebAssembly build training uses) with the Klatt
 * variant +klatt4 (training rotates '', +f3, +m3, +f5). Answers may hold pauses (segments spoken
 * apart, joined with exact silences), and a cough is a short voiced burst. The track is one WAV
 * the phone plays from the answer on: each part at its time, silence elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { createRng, writeWav } from '../../electron/engine/audio/index.js';
import { joinWithPauses, readWav16k } from '../eval/audio/voices.js';

/** The held-out customer voice (see the header). */
export const CUSTOMER_VOICE = { voice: 'en-us+klatt4', wordsPerMinute: 155, pitch: 45 };

/** Speaks `text` with Debian's espeak-ng CLI: 16 kHz mono. */
export async function speak(
  dir: string,
  text: string,
  voice: { voice: string; wordsPerMinute: number; pitch: number } = CUSTOMER_VOICE,
): Promise<Int16Array> {
  mkdirSync(dir, { recursive: true });
  const raw = join(
    dir,
    `say-${Buffer.from(`${voice.voice}|${text}`).toString('hex').slice(0, 40)}.wav`,
  );
  execFileSync('espeak-ng', [
    '-v',
    voice.voice,
    '-s',
    String(voice.wordsPerMinute),
    '-p',
    String(voice.pitch),
    '-w',
    raw,
    '--',
    text,
  ]);
  return readWav16k(raw);
}

/** An answer with thinking pauses: segments spoken apart, joined with exactly `pausesMs` of silence. */
export async function speakWithPauses(
  dir: string,
  segments: readonly string[],
  pausesMs: readonly number[],
): Promise<Int16Array> {
  const parts: Int16Array[] = [];
  for (const s of segments) parts.push(await speak(dir, s));
  return joinWithPauses(parts, pausesMs).samples;
}

/**
 * A cough: a 40 ms breath of noise, then a short voiced burst ("heh", fast, the Klatt voice) of
 * about 300 ms. A pure noise burst never reaches Silero's speech threshold (0.04–0.07 measured),
 * so it could not even pause a prompt; a cough's voiced part does, and it is no answer.
 */
export async function cough(dir: string): Promise<Int16Array> {
  const voiced = await speak(dir, 'heh', { voice: 'en-us+klatt4', wordsPerMinute: 260, pitch: 30 });
  const rng = createRng(5);
  const breath = new Int16Array(640);
  for (let i = 0; i < breath.length; i++)
    breath[i] = Math.round((rng() * 2 - 1) * 6000 * Math.sin((Math.PI * i) / breath.length));
  const out = new Int16Array(breath.length + voiced.length);
  out.set(breath);
  out.set(voiced, breath.length);
  return out;
}

/** The phone's track: each part starts at its time (ms from the answer); silence elsewhere. */
export async function customerTrack(
  dir: string,
  name: string,
  parts: ReadonlyArray<{ atMs: number; samples: Int16Array }>,
  tailMs = 20_000,
): Promise<{ path: string; durationMs: number }> {
  const end = Math.max(...parts.map((p) => p.atMs + p.samples.length / 16)) + tailMs;
  const track = new Int16Array(Math.ceil(end * 16));
  for (const part of parts) {
    const at = Math.round(part.atMs * 16);
    track.set(part.samples.subarray(0, track.length - at), at);
  }
  const path = join(dir, `${name}.wav`);
  await writeWav(path, { sampleRate: 16_000, channels: [track] });
  return { path, durationMs: end };
}
