/**
 * Renders a line of the AMD sets (bench/amd/tuning.tsv, test/eval/amd/eval.tsv) into what the
 * engine hears on a call: each segment spoken (asterisk-core-sounds recordings, espeak-ng,
 * festival) or made (silence, a beep) at 8 kHz, leading and trailing silence trimmed from speech so
 * the recipe's silences are the real ones, speech set to the line's level, line noise added at its
 * signal-to-noise ratio, G.711 μ-law encoded and decoded, then resampled to the 16 kHz the media
 * host delivers. Rendered clips are cached in node_modules/.cache/outbound-amd by content.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { createRng, floatToInt16, resample } from '../../electron/engine/audio/index.js';

const run = promisify(execFile);
const RATE = 8000;
const SOUNDS = '/usr/share/asterisk/sounds';
const CACHE = join(import.meta.dirname, '..', '..', 'node_modules', '.cache', 'outbound-amd');
const FESTIVAL_VOICES: Record<string, string> = {
  kal: 'voice_kal_diphone',
  ked: 'voice_ked_diphone',
  slt: 'voice_cmu_us_slt_arctic_hts',
};

export interface SetLine {
  id: string;
  label: 'human' | 'machine';
  lang: string;
  real: boolean;
  channel: string;
  recipe: string;
}

/** Reads a set file; a malformed line is an error naming its line number. */
export async function readSet(path: string): Promise<SetLine[]> {
  const lines: SetLine[] = [];
  const text = await readFile(path, 'utf8');
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const [id, label, lang, real, channel, recipe] = raw.split('\t');
    if (!id || (label !== 'human' && label !== 'machine') || !lang || !real || !channel || !recipe)
      throw new Error(
        `${path}:${index + 1}: expected id, label (human|machine), lang, real, channel, recipe`,
      );
    lines.push({ id, label, lang, real: real === 'yes', channel, recipe });
  });
  return lines;
}

interface Segment {
  kind: 'sil' | 'ast' | 'espeak' | 'festival' | 'tone';
  args: string[];
}

function parseRecipe(recipe: string): Segment[] {
  return recipe.split(' + ').map((part) => {
    const match = /^(\w+)\s*(.*)$/.exec(part.trim());
    if (!match) throw new Error(`bad segment "${part}"`);
    const kind = match[1] as Segment['kind'];
    const rest = match[2] ?? '';
    const quoted = /"(.*)"$/.exec(rest);
    const head = (quoted ? rest.slice(0, quoted.index) : rest).trim().split(/\s+/).filter(Boolean);
    return { kind, args: quoted ? [...head, quoted[1] ?? ''] : head };
  });
}

async function soxTo8k(path: string): Promise<Float32Array> {
  const { stdout } = await run(
    'sox',
    [path, '-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', '-'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  const pcm = new Int16Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 2);
  return Float32Array.from(pcm, (s) => s / 32768);
}

/** Drops leading and trailing near-silence (under -50 dBFS in 10 ms windows), keeping 20 ms. */
function trim(x: Float32Array): Float32Array {
  const win = RATE / 100;
  const loud = (i: number): boolean => {
    let sum = 0;
    for (let j = i; j < Math.min(x.length, i + win); j++) sum += x[j]! * x[j]!;
    return sum / win > 1e-5;
  };
  let start = 0;
  while (start < x.length && !loud(start)) start += win;
  let end = x.length;
  while (end > start && !loud(end - win)) end -= win;
  return x.subarray(Math.max(0, start - win * 2), Math.min(x.length, end + win * 2));
}

/** RMS of the loud parts (10 ms windows within 30 dB of the loudest). */
function activeRms(x: Float32Array): number {
  const win = RATE / 100;
  const energies: number[] = [];
  for (let i = 0; i + win <= x.length; i += win) {
    let sum = 0;
    for (let j = i; j < i + win; j++) sum += x[j]! * x[j]!;
    energies.push(sum / win);
  }
  const max = Math.max(...energies, 1e-12);
  const active = energies.filter((e) => e > max / 1000);
  return Math.sqrt(active.reduce((a, b) => a + b, 0) / Math.max(1, active.length));
}

async function speak(segment: Segment, scratch: string): Promise<Float32Array> {
  const out = join(scratch, 'seg.wav');
  if (segment.kind === 'ast') return soxTo8k(join(SOUNDS, `${segment.args[0] ?? ''}.wav`));
  if (segment.kind === 'espeak') {
    const [voice, pitch, wpm, text] = segment.args;
    await run('espeak-ng', [
      '-v',
      voice ?? 'en',
      '-p',
      pitch ?? '50',
      '-s',
      wpm ?? '160',
      '-w',
      out,
      '--',
      text ?? '',
    ]);
    return soxTo8k(out);
  }
  const [voice, text] = segment.args;
  const name = FESTIVAL_VOICES[voice ?? ''];
  if (!name) throw new Error(`unknown festival voice "${voice}"`);
  const input = join(scratch, 'text.txt');
  await writeFile(input, text ?? '');
  await run('text2wave', ['-eval', `(${name})`, '-o', out, input]);
  return soxTo8k(out);
}

function linear2ulaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, Math.round(sample * 32768)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function ulaw2linear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return ((u & 0x80) !== 0 ? 0x84 - t : t - 0x84) / 32768;
}

/** The line as 16 kHz Int16, and where its beep ends (ms), rendered or from the cache. */
export async function render(
  line: SetLine,
): Promise<{ samples: Int16Array; beepEndMs: number | null }> {
  const key = createHash('sha1').update(`v1\n${line.channel}\n${line.recipe}`).digest('hex');
  const cached = join(CACHE, `${key}.raw`);
  try {
    const bytes = await readFile(cached);
    const samples = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
    return { samples, beepEndMs: beepEnd(line.recipe, samples.length) };
  } catch {
    // not rendered yet
  }
  const options = Object.fromEntries(
    line.channel.split(',').map((part) => {
      const [k, v] = part.split('=');
      return [k ?? '', v === undefined ? 1 : Number(v)];
    }),
  );
  const levelDb = options.level ?? -20;
  const target = 10 ** (levelDb / 20);
  const rng = createRng(Number.parseInt(key.slice(0, 8), 16));
  const scratch = await mkdtemp(join(tmpdir(), 'amd-'));
  const pieces: Float32Array[] = [];
  try {
    for (const segment of parseRecipe(line.recipe)) {
      if (segment.kind === 'sil') {
        pieces.push(new Float32Array(Math.round((Number(segment.args[0]) * RATE) / 1000)));
      } else if (segment.kind === 'tone') {
        const hz = Number(segment.args[0]);
        const n = Math.round((Number(segment.args[1]) * RATE) / 1000);
        const ramp = RATE / 100;
        const amp = target * Math.SQRT2;
        pieces.push(
          Float32Array.from({ length: n }, (_, i) => {
            const env = Math.min(1, i / ramp, (n - i) / ramp);
            return amp * env * Math.sin((2 * Math.PI * hz * i) / RATE);
          }),
        );
      } else {
        const speech = trim(await speak(segment, scratch));
        const gain = target / Math.max(1e-6, activeRms(speech));
        pieces.push(speech.map((s) => s * gain));
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const total = pieces.reduce((a, p) => a + p.length, 0);
  const x = new Float32Array(total);
  let at = 0;
  for (const p of pieces) {
    x.set(p, at);
    at += p.length;
  }
  if (options.noise !== undefined) {
    // Line hiss: white noise through a gentle low-pass (telephone noise is not flat), at the SNR.
    const noiseRms = target / 10 ** (options.noise / 20);
    let lp = 0;
    const raw = Float32Array.from({ length: total }, () => {
      lp = 0.6 * lp + 0.4 * (rng() * 2 - 1);
      return lp;
    });
    let sum = 0;
    for (const v of raw) sum += v * v;
    const scale = noiseRms / Math.sqrt(sum / total);
    for (let i = 0; i < total; i++) x[i] = x[i]! + raw[i]! * scale;
  }
  if (options.ulaw !== undefined)
    for (let i = 0; i < total; i++) x[i] = ulaw2linear(linear2ulaw(x[i]!));
  const samples = floatToInt16(resample(x, RATE, 16_000));
  await mkdir(CACHE, { recursive: true });
  await writeFile(cached, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  return { samples, beepEndMs: beepEnd(line.recipe, samples.length) };
}

/**
 * Where a line's beep ends, ms from the answer: every recipe with a beep ends "tone HZ MS + sil
 * 5000", so it is the clip's length less those 5 s. Null when the line has no beep.
 */
function beepEnd(recipe: string, samples: number): number | null {
  const tail = / \+ tone \d+ \d+ \+ sil 5000$/.test(recipe);
  return tail ? Math.round((samples / 16_000) * 1000) - 5000 : null;
}
