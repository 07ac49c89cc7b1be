/**
 * Audio and measurement helpers for the speech benchmarks: the model paths (through models/), a
 * looped "call" of espeak speech with pauses and line noise, speech from the Debian espeak-ng CLI
 * and flite (TtsEngine adapters, so phrase/testing.ts's `evaluate` can use them), the asterisk
 * prompts (real human speech), and per-thread CPU time on Linux.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

import {
  floatToInt16,
  int16ToFloat,
  readWav,
  resample,
  toMono,
} from '../../electron/engine/audio/index.js';
import { checkModels, findModelsDir } from '../../electron/engine/models/index.js';
import {
  addNoise,
  createRng,
  normalizeLevel,
  telephone,
} from '../../electron/engine/speech/recognizers/index.js';
import { energyBounds } from '../../electron/engine/speech/testing/espeak.js';
import type {
  TtsEngine,
  TtsLanguage,
  TtsOptions,
  TtsResult,
  TtsVoice,
} from '../../electron/engine/tts/index.js';

const run = promisify(execFile);

export interface ModelPaths {
  vad: string;
  mel: string;
  embedding: string;
}

/** The checked model files (sha256 against native-models/manifest.json), by role. */
export async function modelPaths(): Promise<ModelPaths> {
  const dir = findModelsDir();
  if (!dir) throw new Error('native-models/ not found (set OUTBOUND_MODELS_DIR)');
  const { files } = await checkModels(dir);
  const byRole = (role: string): string => {
    const file = files.find((f) => f.role === role);
    if (!file) throw new Error(`native-models/manifest.json lists no "${role}" model`);
    return file.absolutePath;
  };
  return { vad: byRole('vad'), mel: byRole('mel'), embedding: byRole('embedding') };
}

/** A loop of speech: 16 kHz Int16 samples and where each utterance is (sample indexes, by energy). */
export interface SpeechLoop {
  samples: Int16Array;
  utterances: { start: number; end: number }[];
}

const LOOP_LINES: { text: string; language: TtsLanguage; voice: string }[] = [
  { text: 'Yes I can make it on Tuesday', language: 'en', voice: 'en-us' },
  { text: 'Can you call me back later this afternoon', language: 'en', voice: 'en-gb-x-rp' },
  { text: '我明天还', language: 'zh-CN', voice: 'cmn-latn-pinyin' },
  { text: 'I need to reschedule my appointment please', language: 'en', voice: 'en-us-nyc' },
  { text: '转人工', language: 'zh-CN', voice: 'cmn' },
  { text: 'No', language: 'en', voice: 'en-gb-scotland' },
  { text: '我已经还了', language: 'zh-CN', voice: 'cmn-latn-pinyin' },
  { text: 'Talk to a person', language: 'en', voice: 'en-029' },
];
/** Pauses before each line, ms (longer than the endpointer's 350 ms hangover plus the VAD's decay). */
const LOOP_PAUSES_MS = [900, 1300, 800, 1700, 1100, 2000, 900, 1500];

/**
 * Speech with pauses, the way a called person answers: eight short answers (English and Mandarin,
 * six espeak voices) at −22 dBFS between 0.8–2 s pauses, pink line noise at 25 dB SNR, then the
 * telephone channel (300–3400 Hz, μ-law). Length is a whole number of 20 ms frames.
 */
export async function speechLoop(tts: TtsEngine): Promise<SpeechLoop> {
  const parts: Float32Array[] = [];
  const utterances: { start: number; end: number }[] = [];
  let at = 0;
  for (const [i, line] of LOOP_LINES.entries()) {
    const pause = new Float32Array(Math.round((LOOP_PAUSES_MS[i]! * 16000) / 1000));
    parts.push(pause);
    at += pause.length;
    const clip = (await tts.synthesize(line.text, { language: line.language, voice: line.voice }))
      .samples;
    const bounds = energyBounds(clip, 16000);
    if (bounds)
      utterances.push({
        start: at + Math.round(bounds.startMs * 16),
        end: at + Math.round(bounds.endMs * 16),
      });
    parts.push(normalizeLevel(int16ToFloat(clip), -22));
    at += clip.length;
  }
  const total = Math.ceil(at / 320) * 320;
  const clean = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    clean.set(p, o);
    o += p.length;
  }
  const noisy = telephone(addNoise(clean, 25, createRng(7), 'pink'));
  return { samples: floatToInt16(noisy), utterances };
}

/** Reads a WAV as 16 kHz mono Int16. */
export async function readWav16k(path: string): Promise<Int16Array> {
  const wav = await readWav(path);
  const mono = toMono(wav.samples);
  return floatToInt16(wav.sampleRate === 16000 ? mono : resample(mono, wav.sampleRate, 16000));
}

/** Debian's espeak-ng CLI (1.51, a different build from the WASM one) as a TtsEngine. */
export class EspeakCliTts implements TtsEngine {
  readonly id = 'espeak-ng-cli';
  readonly version = 'debian';
  readonly languages: readonly TtsLanguage[] = ['en', 'zh-CN'];
  voices(): Promise<readonly TtsVoice[]> {
    return Promise.resolve([]);
  }
  async synthesize(text: string, options: TtsOptions): Promise<TtsResult> {
    const dir = await mkdtemp(join(tmpdir(), 'bench-espeak-'));
    try {
      const out = join(dir, 'out.wav');
      const wpm = Math.round(175 * (options.rate ?? 1));
      await run('espeak-ng', [
        '-v',
        options.voice ?? 'en-us',
        '-s',
        String(wpm),
        '-p',
        String(Math.round(options.pitch ?? 50)),
        '-w',
        out,
        text,
      ]);
      const samples = await readWav16k(out);
      return { samples, sampleRate: 16000, durationMs: samples.length / 16 };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** Debian's flite (CMU, a different synthesizer: unit selection / HTS voices) as a TtsEngine; pitch is ignored. */
export class FliteTts implements TtsEngine {
  readonly id = 'flite';
  readonly version = 'debian';
  readonly languages: readonly TtsLanguage[] = ['en'];
  voices(): Promise<readonly TtsVoice[]> {
    return Promise.resolve([]);
  }
  async synthesize(text: string, options: TtsOptions): Promise<TtsResult> {
    const dir = await mkdtemp(join(tmpdir(), 'bench-flite-'));
    try {
      const out = join(dir, 'out.wav');
      const stretch = (1 / (options.rate ?? 1)).toFixed(3);
      await run('flite', [
        '-voice',
        options.voice ?? 'slt',
        '--setf',
        `duration_stretch=${stretch}`,
        '-t',
        text,
        '-o',
        out,
      ]);
      const samples = await readWav16k(out);
      return { samples, sampleRate: 16000, durationMs: samples.length / 16 };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

export async function hasCommand(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args);
    return true;
  } catch {
    return false;
  }
}

// The voice's own folder (asterisk-core-sounds-en-wav), not the sounds/en alternatives link.
export const ASTERISK_SOUNDS = '/usr/share/asterisk/sounds/en_US_f_Allison';
const ASTERISK_TEXTS = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz';

/** The asterisk prompts' texts by name ("digits/tomorrow" → "tomorrow"), or null without the package. */
export async function asteriskTexts(): Promise<Map<string, string> | null> {
  if (!existsSync(ASTERISK_SOUNDS) || !existsSync(ASTERISK_TEXTS)) return null;
  const texts = new Map<string, string>();
  for (const line of gunzipSync(await readFile(ASTERISK_TEXTS))
    .toString('utf8')
    .split('\n')) {
    const m = /^([\w/-]+):\s*(.+)$/.exec(line.trim());
    if (m && existsSync(join(ASTERISK_SOUNDS, `${m[1]!}.wav`))) texts.set(m[1]!, m[2]!);
  }
  return texts;
}

// ---- CPU time per thread (Linux) ----

/** ns of CPU each thread of this process has used (/proc/self/task/<tid>/schedstat), by tid. */
export function threadCpuNs(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(
        Number(tid),
        Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]),
      );
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

export const perThreadCpuAvailable = (): boolean =>
  existsSync(`/proc/self/task/${process.pid}/schedstat`);
