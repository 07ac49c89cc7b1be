/**
 * Line status from early media (空号识别), measured apart from training: each operator
 * announcement spoken by voices the line-status models never heard (test/eval/audio/voices.ts:
 * Festival for English, eSpeak 1.48 and the espeak-ng CLI's Klatt variant for Mandarin), and the
 * real Asterisk recording "the number you have dialed is not in service" (a human voice); as
 * negatives, Chinese and US ringback tones and music on hold (Debian's asterisk-moh-opsound-wav,
 * CC-BY-SA 3.0, plus synthetic music). Every clip goes through the telephone channel (sox: 8 kHz
 * µ-law, 300–3400 Hz) and is streamed 20 ms at a time through the engine's own EarlyMediaListener
 * with the shipped models, as a ringing call's audio is. The announcements' wording here is the
 * carriers' full sequence (a tone, "对不起/Sorry", the status, a tail, Chinese then English,
 * repeated), written apart from the training phrasings.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { floatToInt16, resample } from '../electron/engine/audio/index.js';
import { SpeechEmbedder } from '../electron/engine/speech/recognizers/phrase/embedder.js';
import {
  type AnnouncementDetection,
  EarlyMediaListener,
  type EarlyMediaListenerOptions,
  LINE_STATUS_LANGUAGES,
  type LineStatus,
  readLineStatusModel,
  spotAnnouncementStep,
} from '../electron/engine/speech/recognizers/phrase/line-status.js';
import type { PhraseModel } from '../electron/engine/speech/recognizers/phrase/model.js';
import {
  HELD_OUT_VOICES,
  type HeldOutVoice,
  readWav16k,
  soundBounds,
  speakAll,
} from '../test/eval/audio/voices.js';
import { type BenchRow, type BenchSuite, percentile } from './harness.js';

const root = join(import.meta.dirname, '..');
const RATE = 16_000;
const MOH_DIR = '/usr/share/asterisk/moh';
const ASTERISK_NOSERVICE = '/usr/share/asterisk/sounds/en_US_f_Allison/ss-noservice.wav';

/** The evaluation's announcements: what carriers say, written apart from the training phrasings. */
export const EVAL_ANNOUNCEMENTS: Readonly<
  Record<LineStatus, { zh: readonly string[]; en: readonly string[] }>
> = {
  empty_number: {
    zh: ['对不起，您拨打的号码是空号，请查证后再拨。', '您好，您拨的号码不存在，请核对后再拨。'],
    en: [
      "We're sorry, the number you have dialed is not in service. Please check the number and try again.",
      'Sorry, the number you dialed does not exist.',
    ],
  },
  powered_off: {
    zh: ['对不起，您拨打的电话已关机。', '您好，您拨打的用户已关机，请稍后再拨。'],
    en: [
      'Sorry, the subscriber you dialed is power off.',
      'The mobile phone you are calling is switched off, please call again later.',
    ],
  },
  suspended: {
    zh: ['对不起，您拨打的电话已停机。', '您好，您拨打的号码已停机。'],
    en: [
      'Sorry, the number you dialed has been suspended.',
      'The subscriber you are calling has been suspended.',
    ],
  },
  busy: {
    zh: ['对不起，您拨打的电话正在通话中，请稍后再拨。', '您拨打的用户正忙，请稍后再拨。'],
    en: [
      'Sorry, the subscriber you dialed is busy now, please redial later.',
      'The number you are calling is busy, please try again later.',
    ],
  },
  unreachable: {
    zh: ['对不起，您拨打的电话暂时无法接通，请稍后再拨。', '您拨打的用户不在服务区。'],
    en: [
      'Sorry, the number you dialed cannot be connected for the moment, please redial later.',
      'The subscriber you are calling cannot be reached at the moment.',
    ],
  },
  barred: {
    zh: ['对不起，您拨打的电话已设置呼入限制。', '您拨打的用户已限制呼入。'],
    en: [
      'Sorry, the subscriber you dialed has restricted incoming calls.',
      'Incoming calls to this number are barred.',
    ],
  },
};

const seconds = (s: number): number => Math.round(s * RATE);

export function tone(frequencies: readonly number[], ms: number, level = 0.2): Float32Array {
  const out = new Float32Array(seconds(ms / 1000));
  for (let i = 0; i < out.length; i++) {
    let v = 0;
    for (const f of frequencies) v += Math.sin((2 * Math.PI * f * i) / RATE);
    out[i] = (v / frequencies.length) * level * 32767;
  }
  return out;
}

export const silence = (ms: number): Float32Array => new Float32Array(seconds(ms / 1000));

export function concat(parts: readonly (Float32Array | Int16Array)[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p instanceof Float32Array ? p : Float32Array.from(p), at);
    at += p.length;
  }
  return out;
}

/** A cadence: `onMs` of tone, `offMs` of silence, for `totalMs`. */
export function cadence(
  frequencies: readonly number[],
  onMs: number,
  offMs: number,
  totalMs: number,
) {
  const parts: Float32Array[] = [];
  for (let t = 0; t < totalMs; t += onMs + offMs)
    parts.push(tone(frequencies, onMs, 0.15), silence(offMs));
  return concat(parts).subarray(0, seconds(totalMs / 1000));
}

/** Synthetic "music on hold": chords of decaying harmonic notes over a bass line (not the trainer's single notes). */
function syntheticMusic(totalMs: number, seed: number): Float32Array {
  const out = new Float32Array(seconds(totalMs / 1000));
  let state = seed;
  const rnd = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const chords = [
    [261.6, 329.6, 392.0],
    [220.0, 261.6, 329.6],
    [174.6, 220.0, 261.6],
    [196.0, 246.9, 293.7],
  ];
  const beat = seconds(0.25 + rnd() * 0.2);
  for (let start = 0, k = 0; start < out.length; start += beat, k++) {
    const chord = chords[Math.floor(k / 8) % chords.length]!;
    const notes = k % 2 === 0 ? [chord[0]! / 2, ...chord] : [chord[Math.floor(rnd() * 3)]! * 2];
    for (const f of notes)
      for (let i = 0; i < beat * 2 && start + i < out.length; i++) {
        const env = Math.exp((-3 * i) / beat);
        let v = 0;
        for (let h = 1; h <= 4; h++) v += Math.sin((2 * Math.PI * f * h * i) / RATE) / h;
        out[start + i]! += v * env * 2500;
      }
  }
  return out;
}

/** The telephone channel: 8 kHz µ-law, 300–3400 Hz (sox), back to 16 kHz. */
export async function telephone(samples: Float32Array): Promise<Int16Array> {
  const pcm = floatToInt16(samples.map((x) => x / 32768));
  const encoded = await sox(
    Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength),
    ['-t', 'raw', '-r', '16000', '-e', 'signed', '-b', '16', '-c', '1', '-'],
    ['-t', 'raw', '-r', '8000', '-e', 'mu-law', '-b', '8', '-c', '1', '-', 'sinc', '300-3400'],
  );
  const decoded = await sox(
    encoded,
    ['-t', 'raw', '-r', '8000', '-e', 'mu-law', '-b', '8', '-c', '1', '-'],
    ['-t', 'raw', '-r', '8000', '-e', 'float', '-b', '32', '-c', '1', '-'],
  );
  const narrow = new Float32Array(
    decoded.buffer.slice(decoded.byteOffset, decoded.byteOffset + decoded.byteLength),
  );
  return floatToInt16(resample(narrow, 8000, RATE));
}

function sox(input: Buffer, from: string[], to: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile('sox', ['-V1', ...from, ...to], {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`sox exited ${code}`)),
    );
    child.stdin!.end(input);
  });
}

export interface Clip {
  name: string;
  kind: 'announcement' | 'ringback' | 'music' | 'real';
  expected: LineStatus | null;
  samples: Int16Array;
  /** Where the announcement's speech starts (ms), for positives. */
  startMs: number;
}

const trimmed = (s: Int16Array): Int16Array => {
  const b = soundBounds(s);
  return b ? s.subarray(b.start, b.end) : s;
};

/**
 * A carrier's early media: 700 ms of silence, on odd clips a 400 ms beep and 300 ms gap, then
 * the announcement (Mandarin, then English for Chinese carriers) twice with 1 s gaps.
 */
export function earlyMedia(
  parts: readonly Int16Array[],
  beep: boolean,
): { audio: Float32Array; startMs: number } {
  const lead = [silence(700), ...(beep ? [tone([950], 400, 0.15), silence(300)] : [])];
  const startMs = beep ? 1400 : 700;
  const body: (Float32Array | Int16Array)[] = [];
  for (let round = 0; round < 2; round++)
    for (const p of parts) body.push(trimmed(p), silence(1000));
  return { audio: concat([...lead, ...body]), startMs };
}

async function positives(): Promise<Clip[]> {
  const clips: Clip[] = [];
  const zhVoices = HELD_OUT_VOICES.filter((v) => v.language === 'zh-CN');
  const enVoices = HELD_OUT_VOICES.filter((v) => v.language === 'en');
  const statuses = Object.keys(EVAL_ANNOUNCEMENTS) as LineStatus[];
  const speak = async (voice: HeldOutVoice, texts: string[]): Promise<Int16Array[]> =>
    speakAll(voice, texts);
  // Chinese carriers: Mandarin by each held-out Mandarin voice, then English by a held-out English voice.
  const englishFor = new Map<string, Int16Array[]>();
  for (const voice of enVoices) {
    const texts = statuses.flatMap((s) => EVAL_ANNOUNCEMENTS[s].en);
    englishFor.set(voice.id, await speak(voice, texts));
  }
  let n = 0;
  for (const voice of zhVoices) {
    const texts = statuses.flatMap((s) => EVAL_ANNOUNCEMENTS[s].zh);
    const spoken = await speak(voice, texts);
    let i = 0;
    for (const status of statuses)
      for (let k = 0; k < EVAL_ANNOUNCEMENTS[status].zh.length; k++, i++) {
        const en = englishFor.get(enVoices[n % enVoices.length]!.id)!;
        const english = en[statuses.indexOf(status) * 2 + k]!;
        const { audio, startMs } = earlyMedia([spoken[i]!, english], n++ % 2 === 1);
        clips.push({
          name: `zh ${voice.id} ${status} #${k + 1}`,
          kind: 'announcement',
          expected: status,
          samples: await telephone(audio),
          startMs,
        });
      }
  }
  // US-style: English only, by each held-out English voice.
  for (const voice of enVoices) {
    const spoken = englishFor.get(voice.id)!;
    let i = 0;
    for (const status of statuses)
      for (let k = 0; k < EVAL_ANNOUNCEMENTS[status].en.length; k++, i++) {
        const { audio, startMs } = earlyMedia([spoken[i]!], n++ % 2 === 1);
        clips.push({
          name: `en ${voice.id} ${status} #${k + 1}`,
          kind: 'announcement',
          expected: status,
          samples: await telephone(audio),
          startMs,
        });
      }
  }
  if (existsSync(ASTERISK_NOSERVICE)) {
    const real = await readWav16k(ASTERISK_NOSERVICE);
    const { audio, startMs } = earlyMedia([real], true);
    clips.push({
      name: 'en Asterisk ss-noservice (a human recording)',
      kind: 'real',
      expected: 'empty_number',
      samples: await telephone(audio),
      startMs,
    });
  }
  return clips;
}

async function negatives(): Promise<Clip[]> {
  const clips: Clip[] = [];
  const add = async (name: string, kind: Clip['kind'], audio: Float32Array): Promise<void> => {
    clips.push({ name, kind, expected: null, samples: await telephone(audio), startMs: 0 });
  };
  await add(
    'ringback China 450 Hz, 1 s on 4 s off',
    'ringback',
    cadence([450], 1000, 4000, 25_000),
  );
  await add(
    'ringback US 440+480 Hz, 2 s on 4 s off',
    'ringback',
    cadence([440, 480], 2000, 4000, 25_000),
  );
  await add(
    'ringback UK 400+450 Hz, 0.4/0.2/0.4 s on, 2 s off',
    'ringback',
    concat(
      Array.from({ length: 8 }, () =>
        concat([
          tone([400, 450], 400, 0.15),
          silence(200),
          tone([400, 450], 400, 0.15),
          silence(2000),
        ]),
      ),
    ),
  );
  for (const seed of [1, 2])
    await add(`synthetic music #${seed}`, 'music', syntheticMusic(20_000, seed));
  if (existsSync(MOH_DIR)) {
    for (const file of [
      'macroform-cold_day',
      'macroform-robot_dity',
      'macroform-the_simplicity',
      'manolo_camp-morning_coffee',
      'reno_project-system',
    ]) {
      const path = join(MOH_DIR, `${file}.wav`);
      if (!existsSync(path)) continue;
      const all = await readWav16k(path);
      for (const offsetS of [20, 60]) {
        const part = all.subarray(seconds(offsetS), seconds(offsetS + 20));
        if (part.length < seconds(10)) continue;
        await add(`music on hold ${file} @${offsetS} s`, 'music', Float32Array.from(part));
      }
    }
  }
  return clips;
}

export interface Outcome {
  clip: Clip;
  detection: AnnouncementDetection | null;
  evaluationsMs: number[];
}

/** Streams a clip through an EarlyMediaListener (its decision options as given, else the engine's). */
export async function listen(
  clip: Clip,
  models: PhraseModel[],
  embedder: SpeechEmbedder,
  options: Omit<EarlyMediaListenerOptions, 'evaluate'> = {},
): Promise<Outcome> {
  const evaluationsMs: number[] = [];
  const listener = new EarlyMediaListener({
    ...options,
    evaluate: async (step) => {
      const started = performance.now();
      const result = await spotAnnouncementStep(embedder, models, step);
      evaluationsMs.push(performance.now() - started);
      return result;
    },
  });
  let detection: AnnouncementDetection | null = null;
  listener.onDetected((d) => (detection = d));
  for (let at = 0; at + 320 <= clip.samples.length && !listener.decided; at += 320) {
    listener.push(clip.samples.subarray(at, at + 320));
    await listener.settle();
  }
  return { clip, detection, evaluationsMs };
}

const pct = (n: number, d: number): string => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)} %`);
const s1 = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '–');

const suite: BenchSuite = {
  title: 'Line status from early media (空号识别)',
  method:
    "Each announcement (6 statuses × 2 wordings, written apart from training) spoken by voices training never used: Mandarin by eSpeak 1.48 zh, zh+f2 and the espeak-ng CLI's cmn+klatt4, each followed by its English version (Festival kal/ked/slt-hts in turn), as Chinese carriers play them; English alone by Festival kal, ked and the HTS slt (same speaker as a flite training voice); and the real Asterisk 'not in service' recording. Each clip: silence, a beep on every other clip, the announcement twice; negatives: Chinese, US and UK ringback (25 s) and music on hold (Debian asterisk-moh-opsound-wav, CC-BY-SA 3.0, 20 s excerpts; and synthetic chords). All through sox's 8 kHz µ-law 300–3400 Hz channel, streamed 20 ms at a time through the engine's EarlyMediaListener with the shipped models. Detected = the right status; time from the start of the announcement's speech to the decision (evaluation counted as instant; its own cost is the last column: one step, embedding only the 320 ms heard since the previous one and scoring both models). The listener's decision options (a status needs p ≥ 0.9 whatever its model's threshold, in 2 of the last 3 steps) were chosen on a development split (bench/early-media-dev.ts: training's espeak-ng voices, other wordings, German and Japanese ringback, other synthetic music, IVR prompts), never on this set; this set was run once after.",
  async run(): Promise<BenchRow[]> {
    const dir = join(root, 'native-models', 'line-status');
    const models: PhraseModel[] = [];
    for (const language of LINE_STATUS_LANGUAGES) {
      const file = await readLineStatusModel(dir, language);
      if (!file) throw new Error(`${dir}: no ${language} model; run npm run build:line-status`);
      models.push(file.model);
    }
    const embedder = await SpeechEmbedder.load(join(root, 'native-models', 'embedding'));
    const clips = [...(await positives()), ...(await negatives())];
    const outcomes: Outcome[] = [];
    for (const clip of clips) outcomes.push(await listen(clip, models, embedder));
    await embedder.release();

    const rows: BenchRow[] = [];
    const group = (name: string, list: Outcome[]): void => {
      const positive = list.filter((o) => o.clip.expected !== null);
      const right = positive.filter((o) => o.detection?.status === o.clip.expected);
      const wrong = positive.filter((o) => o.detection && o.detection.status !== o.clip.expected);
      const falseOnNegative = list.filter((o) => o.clip.expected === null && o.detection);
      const times = right.map((o) => o.detection!.atMs - o.clip.startMs).sort((a, b) => a - b);
      const evals = list.flatMap((o) => o.evaluationsMs).sort((a, b) => a - b);
      rows.push({
        name,
        values: {
          clips: String(list.length),
          detected: positive.length
            ? `${right.length}/${positive.length} (${pct(right.length, positive.length)})`
            : '–',
          'wrong status': positive.length ? String(wrong.length) : '–',
          'false detections': String(falseOnNegative.length + wrong.length),
          'time from start, median': s1(percentile(times, 50)),
          p95: s1(percentile(times, 95)),
          'evaluation, median': evals.length ? `${percentile(evals, 50).toFixed(0)} ms` : '–',
        },
      });
    };
    const byKind = (prefix: string): Outcome[] =>
      outcomes.filter((o) => o.clip.name.startsWith(prefix));
    group('Mandarin then English (held-out voices)', byKind('zh '));
    group(
      'English (Festival kal, ked)',
      outcomes.filter((o) => o.clip.name.startsWith('en festival-k')),
    );
    group('English (Festival HTS slt: same speaker as flite slt)', byKind('en festival-slt'));
    group(
      'Real recording (Asterisk, not in service)',
      outcomes.filter((o) => o.clip.kind === 'real'),
    );
    group(
      'All announcements',
      outcomes.filter((o) => o.clip.expected !== null),
    );
    group(
      'Ringback tones (negatives)',
      outcomes.filter((o) => o.clip.kind === 'ringback'),
    );
    group(
      'Music on hold (negatives)',
      outcomes.filter((o) => o.clip.kind === 'music'),
    );
    for (const o of outcomes) {
      const miss = o.clip.expected !== null && o.detection?.status !== o.clip.expected;
      const falseHit = o.clip.expected === null && o.detection;
      if (miss || falseHit)
        rows.push({
          name: `${miss ? 'miss' : 'false'}: ${o.clip.name}`,
          values: {
            detected: o.detection
              ? `${o.detection.status} (${o.detection.language}, "${o.detection.phrase}", p ${o.detection.p.toFixed(2)}) at ${s1(o.detection.atMs - o.clip.startMs)}`
              : 'nothing',
          },
        });
    }
    return rows;
  },
};

export default suite;
