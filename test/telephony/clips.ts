/**
 * Customer utterances for tests: espeak-ng speaks a text, sox makes it mono 16-bit PCM at the rate
 * asked for. Different texts (and pitches) give clips whose loudness envelopes are easy to tell
 * apart, so a recording can be checked against the clip it should contain.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClipOptions {
  text: string;
  /** espeak-ng voice: 'en' (English) or 'cmn' (Mandarin). */
  voice: 'en' | 'cmn';
  /** Where to write the WAV. */
  path: string;
  /** Sample rate of the result. */
  rate: 8000 | 16000;
  /** espeak-ng pitch 0-99 (default 50): a different pitch sounds like a different speaker. */
  pitch?: number;
  /** espeak-ng speed in words per minute (default 160). */
  wordsPerMinute?: number;
  /** Silence before the words, as a customer pauses before speaking after picking up. */
  leadMs?: number;
}

export interface Clip {
  path: string;
  rate: number;
  durationMs: number;
}

export async function makeClip(options: ClipOptions): Promise<Clip> {
  const scratch = await mkdtemp(join(tmpdir(), 'clip-'));
  const raw = join(scratch, 'espeak.wav');
  try {
    const args = ['-v', options.voice, '-w', raw];
    if (options.pitch !== undefined) args.push('-p', String(options.pitch));
    if (options.wordsPerMinute !== undefined) args.push('-s', String(options.wordsPerMinute));
    args.push('--', options.text);
    await run('espeak-ng', args);
    const lead = options.leadMs ? ['pad', String(options.leadMs / 1000), '0'] : [];
    await run('sox', [
      raw,
      '-r',
      String(options.rate),
      '-c',
      '1',
      '-b',
      '16',
      '-e',
      'signed-integer',
      options.path,
      ...lead,
    ]);
    const { stdout } = await run('soxi', ['-D', options.path]);
    return {
      path: options.path,
      rate: options.rate,
      durationMs: Math.round(Number(stdout.trim()) * 1000),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
