/**
 * Line status from early media (空号识别): the operator announcements a network plays in a 183
 * before any answer ("您拨打的号码是空号", "…已关机", "the number you have dialed is not in
 * service"), their speech models, and the streaming decision over a ringing call's audio.
 *
 * The models are phrase models (model.ts) trained like the common-answer library's
 * (library.ts): built with the app (`npm run build:line-status`, build/train-line-status-models.mjs),
 * never at run time, one per language, shipped as `native-models/line-status/announcements.<lang>.json`
 * with their sha256 in the models manifest, each recording the hash of the data below so a stale
 * file is found. The announcements' phrasings are this file's data; the evaluation
 * (bench/early-media.bench.ts) speaks them with voices training never used.
 *
 * Streaming: a ringing call's audio has no utterance boundaries (an announcement repeats, after a
 * tone, in two languages), so every `hopMs` the new audio is embedded (an `EmbeddingStream`,
 * embedder.ts: only the new audio goes through the models; the newest `windowMs` of embeddings are
 * kept, and travel with each step so no state lives in a worker) and every span ENDING at the
 * newest frame, of the lengths the model knows (its windows and its
 * phrases' lengths), is scored by each language's model. A status counts when its summed
 * probability reaches the model's accept threshold and beats the garbage class, in a span no
 * longer than the status's length limit, and reaches `minP`; it is decided when it counts in
 * `hitsNeeded` of the last `hitsWithin` evaluations (one lucky span of music or ringback is not
 * enough).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { LINE_STATUSES, type LineStatus } from '../../../api/line-status.js';
import type { TtsLanguage } from '../../../tts/types.js';
import {
  type EmbeddingStream,
  type Matrix,
  newEmbeddingStream,
  type SpeechEmbedder,
  streamEmbeddings,
} from './embedder.js';
import {
  checkPhraseModel,
  classProbabilities,
  lengthLimit,
  type PhraseModel,
  poolSpan,
} from './model.js';
import type { QuestionSpec, TrainOptions } from './train.js';

export { type LineStatus } from '../../../api/line-status.js';

export const LINE_STATUS_LANGUAGES: readonly TtsLanguage[] = ['zh-CN', 'en'];
export const LINE_STATUS_FORMAT = 'outbound-line-status/1';

/**
 * The announcements, per status, in the wording Chinese and US networks use (the commonest
 * first). Carriers' prefixes ("对不起", "Sorry") and tails ("请稍后再拨") are the trainer's
 * carriers below, so the phrasings are the part that names the status.
 */
export const ANNOUNCEMENTS: Readonly<
  Record<TtsLanguage, Readonly<Record<LineStatus, readonly string[]>>>
> = {
  'zh-CN': {
    empty_number: [
      '您拨打的号码是空号',
      '您拨打的号码是空号，请查证后再拨',
      '您拨打的电话号码不存在',
      '您拨打的号码不存在，请核对后再拨',
    ],
    powered_off: ['您拨打的电话已关机', '您拨打的用户已关机', '您好，您拨打的电话已关机'],
    suspended: ['您拨打的电话已停机', '您拨打的号码已停机', '您拨打的用户已停机'],
    busy: [
      '您拨打的电话正在通话中',
      '您拨打的电话正在通话中，请稍后再拨',
      '您拨打的用户正忙，请稍后再拨',
    ],
    unreachable: [
      '您拨打的电话暂时无法接通',
      '您拨打的用户暂时无法接通，请稍后再拨',
      '您拨打的电话不在服务区',
    ],
    barred: ['您拨打的电话已设置呼入限制', '您拨打的用户已限制呼入', '您拨打的号码已被限制呼入'],
  },
  en: {
    empty_number: [
      'the number you have dialed is not in service',
      'the number you dialed does not exist',
      'the number you have dialed does not exist, please check the number and dial again',
      'the number you have dialed is not a working number',
    ],
    powered_off: [
      'the subscriber you dialed is power off',
      'the number you dialed is powered off',
      'the mobile phone you are calling is switched off',
    ],
    suspended: [
      'the number you dialed has been suspended',
      'the subscriber you dialed has been suspended',
      'the number you dialed is temporarily suspended',
    ],
    busy: [
      'the subscriber you dialed is busy now, please redial later',
      'the number you dialed is busy',
      'the line is busy, please try again later',
    ],
    unreachable: [
      'the number you dialed cannot be connected for the moment, please redial later',
      'the subscriber you dialed cannot be reached',
      'the mobile phone you are calling is not reachable at the moment',
    ],
    barred: [
      'the subscriber you dialed has restricted incoming calls',
      'incoming calls to this number are barred',
      'the number you dialed does not accept incoming calls',
    ],
  },
};

/** Around an announcement: the prefixes and tails carriers add. */
export const ANNOUNCEMENT_CARRIERS: Readonly<
  Record<TtsLanguage, { before: readonly string[]; after: readonly string[] }>
> = {
  'zh-CN': {
    before: ['对不起', '您好', '对不起，您好'],
    after: ['请稍后再拨', '请查证后再拨', '谢谢'],
  },
  en: {
    before: ['sorry', 'we are sorry', 'hello'],
    after: ['please try again later', 'please check the number and dial again', 'thank you'],
  },
};

/**
 * The garbage class besides the trainer's own (tones, DTMF, ringback, music-like notes, noise, the
 * real-speech bank): what else rings before an answer (personal ringback tones with speech, IVR
 * and hold prompts, greetings heard when a call is answered early).
 */
export const ANNOUNCEMENT_NEGATIVES: Readonly<Record<TtsLanguage, readonly string[]>> = {
  'zh-CN': [
    '您好，欢迎致电客户服务中心',
    '请不要挂机，正在为您接通',
    '您好，请问有什么可以帮您',
    '喂，你好，哪位',
    '现在是下午三点整',
    '请在提示音后留言',
    '欢迎使用彩铃业务',
    '坐席正忙，请耐心等待',
    '我现在不方便接电话',
    '您的来电已被记录',
    '感谢您的来电，再见',
    '请按一号键查询余额',
    '今天天气不错，我们去公园吧',
    '这是您的账单提醒',
    '您好，我是小王',
    '请输入您的密码',
  ],
  en: [
    'thank you for calling, please hold',
    'your call is important to us',
    'hello, who is this',
    'please leave a message after the tone',
    'press one for sales, press two for support',
    'all of our agents are currently helping other customers',
    'this call may be recorded for quality purposes',
    'welcome to the customer service line',
    'hi, this is John speaking',
    'the weather today will be sunny and warm',
    'please enter your account number followed by the pound key',
    'your payment is due next week',
    'I am not available right now',
    'we will be with you shortly',
    'the office is closed, our hours are nine to five',
    'goodbye and have a nice day',
  ],
};

/**
 * What the build asks of the trainer beyond its defaults (part of the data hash). Every phrasing
 * by every voice setting (they are few); 3 augmentations each (telephone channels among them).
 */
export const LINE_STATUS_TRAINING: Record<
  TtsLanguage,
  Pick<TrainOptions, 'phraseSettings' | 'augmentations' | 'negativeSettings' | 'toneClips'>
> = {
  en: { phraseSettings: 12, augmentations: 3, negativeSettings: 3, toneClips: 60 },
  'zh-CN': { phraseSettings: 8, augmentations: 3, negativeSettings: 4, toneClips: 60 },
};
/** Bump when the build changes what the same data trains into. */
const LINE_STATUS_BUILD_REVISION = 1;

export interface LineStatusModelFile {
  format: typeof LINE_STATUS_FORMAT;
  language: TtsLanguage;
  dataHash: string;
  built: { commit: string; ms: number };
  model: PhraseModel;
}

export function lineStatusFileName(language: TtsLanguage): string {
  return `announcements.${language}.json`;
}

/** The announcements of one language as a question: one class per phrasing, intent = the status. */
export function lineStatusQuestion(language: TtsLanguage): QuestionSpec {
  const phrases: QuestionSpec['phrases'][number][] = [];
  for (const status of LINE_STATUSES)
    for (const text of ANNOUNCEMENTS[language][status]) phrases.push({ text, intent: status });
  return { language, phrases };
}

export function lineStatusDataHash(language: TtsLanguage): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        revision: LINE_STATUS_BUILD_REVISION,
        language,
        phrases: lineStatusQuestion(language).phrases.map((p) => [p.text, p.intent]),
        carriers: ANNOUNCEMENT_CARRIERS[language],
        negatives: ANNOUNCEMENT_NEGATIVES[language],
        training: LINE_STATUS_TRAINING[language],
      }),
    )
    .digest('hex')
    .slice(0, 24);
}

function checkLineStatusFile(value: unknown, language: TtsLanguage): LineStatusModelFile {
  const f = value as Partial<LineStatusModelFile> | null;
  if (!f || f.format !== LINE_STATUS_FORMAT || f.language !== language || !f.dataHash)
    throw new Error(`not a line-status announcement model for ${language} (${LINE_STATUS_FORMAT})`);
  const model = checkPhraseModel(f.model);
  for (const c of model.classes)
    if (c.intent !== null && !(LINE_STATUSES as readonly string[]).includes(c.intent))
      throw new Error(`line-status model for ${language}: unknown status "${c.intent}"`);
  return f as LineStatusModelFile;
}

/** Reads `dir/announcements.<language>.json`; null when it is not there. */
export async function readLineStatusModel(
  dir: string,
  language: TtsLanguage,
): Promise<LineStatusModelFile | null> {
  const path = join(dir, lineStatusFileName(language));
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return checkLineStatusFile(JSON.parse(raw), language);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}; run \`npm run build:line-status\``, {
      cause: error,
    });
  }
}

/** Why a shipped model no longer matches the data, or null when it does. */
export function lineStatusStale(file: LineStatusModelFile): string | null {
  const now = lineStatusDataHash(file.language);
  return now === file.dataHash
    ? null
    : `the ${file.language} line-status model was built from data ${file.dataHash}, the data is now ${now}: run \`npm run build:line-status\``;
}

// --- Scoring ------------------------------------------------------------------------------

/** One model's best view of the newest audio. */
export interface AnnouncementSpot {
  language: string;
  status: LineStatus;
  /** The status's likeliest phrasing in that span (what was heard, as the model knows it). */
  phrase: string;
  /** The status's summed probability in its best span. */
  p: number;
  /** The garbage class's probability in that span. */
  garbage: number;
  /** The span's length in embedding frames (80 ms each). */
  frames: number;
  /** At or above the model's threshold, above garbage, and not too long for the status. */
  accepted: boolean;
}

/** Span lengths scored (embedding frames): the model's windows and its statuses' lengths. */
function announcementSpanLengths(model: PhraseModel): number[] {
  const lengths = new Set<number>(model.windowFrames ?? []);
  for (const frames of Object.values(model.intentFrames ?? {})) {
    lengths.add(frames);
    lengths.add(Math.round(frames * 0.8));
  }
  return [...lengths].filter((n) => n >= 4).sort((a, b) => a - b);
}

/**
 * Scores every span ending at the newest embedding frame: per status its best summed probability
 * (accepted spans first), or null when no span fits in the audio yet.
 */
export function spotAnnouncement(model: PhraseModel, embeddings: Matrix): AnnouncementSpot | null {
  let best: AnnouncementSpot | null = null;
  const rank = (s: AnnouncementSpot): number => (s.accepted ? 10 : 0) + s.p;
  for (const frames of announcementSpanLengths(model)) {
    if (frames > embeddings.rows) continue;
    const probs = classProbabilities(model, poolSpan(embeddings, embeddings.rows - frames, frames));
    const byStatus = new Map<string, { p: number; phrase: string; bestP: number }>();
    let garbage = 0;
    model.classes.forEach((c, k) => {
      const p = probs[k]!;
      if (c.intent === null || c.phrase === null) {
        garbage += p;
        return;
      }
      const held = byStatus.get(c.intent);
      if (!held) byStatus.set(c.intent, { p, phrase: c.phrase, bestP: p });
      else {
        held.p += p;
        if (p > held.bestP) Object.assign(held, { phrase: c.phrase, bestP: p });
      }
    });
    for (const [status, { p, phrase }] of byStatus) {
      const spot: AnnouncementSpot = {
        language: model.language,
        status: status as LineStatus,
        phrase,
        p,
        garbage,
        frames,
        accepted: p >= model.threshold && p > garbage && frames <= lengthLimit(model, status),
      };
      if (!best || rank(spot) > rank(best)) best = spot;
    }
  }
  return best;
}

// --- The streaming decision ---------------------------------------------------------------

export interface AnnouncementDetection {
  status: LineStatus;
  language: string;
  /** The likeliest phrasing of the deciding evaluation. */
  phrase: string;
  /** The best probability among the evaluations that decided. */
  p: number;
  /** Milliseconds from the first early-media audio to the decision. */
  atMs: number;
  /** How many evaluations had run (for reports). */
  evaluations: number;
}

/** One step of listening: the audio heard since the previous step, and the embeddings so far. */
export interface EarlyMediaStep {
  /** 16 kHz mono, in order after what `stream` has embedded (a new stream: the newest `windowMs`). */
  samples: Int16Array;
  stream: EmbeddingStream;
}

export interface EarlyMediaStepResult {
  spots: AnnouncementSpot[];
  /** The stream continued with the step's audio (the next step goes on from it). */
  stream: EmbeddingStream;
}

/**
 * A step as the speech worker (and the bench) runs it: embeds only the step's audio, then scores
 * every model on the kept window of embeddings.
 */
export async function spotAnnouncementStep(
  embedder: SpeechEmbedder,
  models: readonly PhraseModel[],
  step: EarlyMediaStep,
): Promise<EarlyMediaStepResult> {
  const stream = await embedder.extendStream(step.stream, step.samples);
  const window = streamEmbeddings(stream);
  return { stream, spots: models.flatMap((m) => spotAnnouncement(m, window) ?? []) };
}

export interface EarlyMediaListenerOptions {
  /** Embeds the step's new audio and scores each language's model (`spotAnnouncementStep`). */
  evaluate(step: EarlyMediaStep): Promise<EarlyMediaStepResult>;
  /** Evaluation period (default 320 ms: four embedding frames). */
  hopMs?: number;
  /** Audio whose embeddings are kept and scored (default 6 s: the longest announcement with a prefix). */
  windowMs?: number;
  /** No evaluation before this much audio (default 1,200 ms). */
  minMs?: number;
  /**
   * How far evaluation may fall behind the audio (default 4 s): every hop of audio is evaluated
   * in order, late when the worker is slow (a loaded machine decides later, not differently);
   * beyond this the oldest hops are skipped.
   */
  backlogMs?: number;
  /** Evaluations that must agree (default 2) among the last `hitsWithin` (default 3). */
  hitsNeeded?: number;
  hitsWithin?: number;
  /** The newest second below this RMS (int16) is not evaluated (default 60, about −55 dBFS). */
  silenceRms?: number;
  /**
   * An accepted status also needs this probability, whatever its model's own threshold (default
   * 0.9; the English model's own threshold is 0.84, the Mandarin one's 0.95). On the development
   * split (bench/early-media-dev.ts, 36 announcements, 10 negatives; its clips differ a little
   * run to run, sox dithers) 0.9 took wrong statuses from 12 to 4–5, false detections from 3 to
   * 1–2, and detected 18–19 as before; 0.95 took wrong statuses to 0 but lost English
   * announcements (11 → 8) and decided later (median 3.1 → 5.9–6.5 s).
   */
  minP?: number;
}

const SAMPLE_RATE = 16_000;
/** One embedding per 80 ms. */
const EMBEDDING_MS = 80;

/**
 * Listens to a ringing call's early media: `push` 20 ms frames as they come; it evaluates every
 * `hopMs` of audio in order (one evaluation at a time: a slow worker makes it fall behind, up to
 * `backlogMs`, then the oldest hops are skipped) and reports one decision. Bounded: it holds
 * `windowMs + backlogMs` of audio whatever the ring time.
 */
export class EarlyMediaListener {
  private readonly hopSamples: number;
  private readonly minSamples: number;
  private readonly windowSamples: number;
  private readonly backlogSamples: number;
  private readonly ring: Int16Array;
  private written = 0;
  private lastEvaluatedAt = 0;
  /** The embeddings so far (null: start a new stream at the next step). */
  private stream: EmbeddingStream | null = null;
  /** The sample up to which `stream` has embedded the audio. */
  private streamedTo = 0;
  private running: Promise<void> | null = null;
  private readonly recent: Array<AnnouncementSpot | null> = [];
  private evaluations = 0;
  private done = false;
  private readonly o: Required<Omit<EarlyMediaListenerOptions, 'evaluate'>>;
  private onDetection: ((d: AnnouncementDetection) => void) | null = null;
  private onError: ((error: unknown) => void) | null = null;

  constructor(private readonly options: EarlyMediaListenerOptions) {
    this.o = {
      hopMs: options.hopMs ?? 320,
      windowMs: options.windowMs ?? 6000,
      minMs: options.minMs ?? 1200,
      backlogMs: options.backlogMs ?? 4000,
      hitsNeeded: options.hitsNeeded ?? 2,
      hitsWithin: options.hitsWithin ?? 3,
      silenceRms: options.silenceRms ?? 60,
      minP: options.minP ?? 0.9,
    };
    this.hopSamples = Math.round((this.o.hopMs * SAMPLE_RATE) / 1000);
    this.minSamples = Math.round((this.o.minMs * SAMPLE_RATE) / 1000);
    this.windowSamples = Math.round((this.o.windowMs * SAMPLE_RATE) / 1000);
    this.backlogSamples = Math.round((this.o.backlogMs * SAMPLE_RATE) / 1000);
    this.ring = new Int16Array(this.windowSamples + this.backlogSamples);
  }

  /** Called once with the decision. */
  onDetected(listener: (d: AnnouncementDetection) => void): void {
    this.onDetection = listener;
  }

  /** Called when an evaluation fails (the listener goes on with the next hop). */
  onFailure(listener: (error: unknown) => void): void {
    this.onError = listener;
  }

  /** Milliseconds of early media heard so far. */
  get heardMs(): number {
    return Math.round((this.written * 1000) / SAMPLE_RATE);
  }

  get decided(): boolean {
    return this.done;
  }

  /** Adds audio; starts the next hop's evaluation when it is due and none is running. */
  push(frame: Int16Array): void {
    if (this.done) return;
    for (let i = 0; i < frame.length; i++)
      this.ring[(this.written + i) % this.ring.length] = frame[i]!;
    this.written += frame.length;
    this.pump();
  }

  /** The next hop in audio order (catching up after a slow evaluation, within the backlog). */
  private pump(): void {
    if (this.running || this.done) return;
    let next = Math.max(this.lastEvaluatedAt + this.hopSamples, this.minSamples);
    if (this.written < next) return;
    next = Math.max(next, this.written - this.backlogSamples);
    this.running = this.evaluateAt(next).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  /** Waits for the evaluation in progress (tests and the bench step through audio with it). */
  async settle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.done = true;
  }

  /** The audio from sample `start` to `end` (which the ring still holds). */
  private between(start: number, end: number): Int16Array {
    const out = new Int16Array(end - start);
    for (let i = 0; i < out.length; i++) out[i] = this.ring[(start + i) % this.ring.length]!;
    return out;
  }

  private async evaluateAt(end: number): Promise<void> {
    this.lastEvaluatedAt = end;
    const at = Math.round((end * 1000) / SAMPLE_RATE);
    if (rms(this.between(Math.max(0, end - SAMPLE_RATE), end)) < this.o.silenceRms) {
      this.remember(null);
      return;
    }
    // Only the audio since the last step is embedded; after a gap longer than the window (silence
    // skipped, hops skipped behind a slow worker, a failed step) a new stream starts from the window.
    let stream = this.stream;
    let start = this.streamedTo;
    if (!stream || end - start > this.windowSamples) {
      stream = newEmbeddingStream(Math.ceil(this.o.windowMs / EMBEDDING_MS));
      start = Math.max(0, end - this.windowSamples);
    }
    let spots: AnnouncementSpot[];
    try {
      const result = await this.options.evaluate({ samples: this.between(start, end), stream });
      this.stream = result.stream;
      this.streamedTo = end;
      spots = result.spots;
    } catch (error) {
      this.stream = null;
      this.onError?.(error);
      return;
    }
    if (this.done) return;
    this.evaluations++;
    const accepted = spots
      .filter((s) => s.accepted && s.p >= this.o.minP)
      .sort((a, b) => b.p - a.p);
    this.remember(accepted[0] ?? null);
    const top = accepted[0];
    if (!top) return;
    const agreeing = this.recent.filter((s) => s?.status === top.status);
    if (agreeing.length < this.o.hitsNeeded) return;
    this.done = true;
    this.onDetection?.({
      status: top.status,
      language: top.language,
      phrase: top.phrase,
      p: Math.max(...agreeing.map((s) => s!.p)),
      atMs: at,
      evaluations: this.evaluations,
    });
  }

  private remember(spot: AnnouncementSpot | null): void {
    this.recent.push(spot);
    while (this.recent.length > this.o.hitsWithin) this.recent.shift();
  }
}

function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! ** 2;
  return Math.sqrt(sum / samples.length);
}
