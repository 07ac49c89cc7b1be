/**
 * A CallBot on fakes, for unit tests without the SIP bed (in the style of Pipecat's `run_test` and
 * LiveKit's agent_activity tests): a fake call whose player plays one 20 ms frame per tick and
 * records what the customer heard, a fake speech pool whose VAD windows come from the customer's
 * scripted audio through the real Endpointer, and scripted recognition results. Time is vitest's
 * fake clock: the test calls `vi.useFakeTimers()` first, and the customer's audio advances it.
 *
 * Audio is marked, not real: a customer frame's samples hold the number of the utterance it
 * belongs to (0: silence), so a window is speech when it holds any mark and a recognition knows
 * which scripted answer it heard; a prompt frame's samples hold its index in the prompt + 1, so
 * `heard` shows where a prompt was cut and where it resumed.
 */
import { vi } from 'vitest';

import type { CallUtterance } from '../../api/calls.js';
import { CompiledFlow, validateFlow } from '../../dialog/index.js';
import { silentLogger } from '../../log.js';
import type {
  EndpointerOptions,
  EndpointEvent,
  PhraseModel,
  RecognitionResult,
  SpeechWorkerPool,
} from '../../speech/index.js';
import { Endpointer } from '../../speech/vad/endpointer.js';
import type { NewUtterance, Store } from '../../store/types.js';
import type { CallSession } from '../../telephony/index.js';
import type { PlaybackResult } from '../../telephony/playback.js';
import { type BotOutcome, type BotTransferResult, CallBot } from '../call-bot.js';
import type { AskModel } from '../phrase-models.js';
import type { PromptRenderer, RenderedPrompt } from '../prompts.js';

const FRAME_MS = 20;
/** The fake hesitation spotter's model key (its recognitions are told apart by it). */
const HESITATION_KEY = 'hesitation-spotter';
const FRAME_SAMPLES = 320;
const WINDOW_SAMPLES = 512;
const WINDOW_MS = 32;

/** What the recognizer "hears" in one scripted utterance. */
export type Heard =
  | {
      intent: string;
      phrase?: string;
      text?: string;
      confidence?: number;
      uncertain?: boolean;
      spotted?: boolean;
    }
  | { noMatch: true; text?: string; confidence?: number };

export interface HeardFrame {
  at: number;
  /** The prompt's text. */
  prompt: string;
  /** Frame index within the prompt. */
  index: number;
}

export interface CallEventNote {
  type: string;
  data: Record<string, unknown>;
  at: number;
}

interface QueuedPlay {
  prompt: string;
  frames: Int16Array[];
  next: number;
  resolve(result: PlaybackResult): void;
}

/** Prompt text of each rendered frame set (the renderer's, so the player can label what it plays). */
const promptOfFrames = new WeakMap<Int16Array, string>();

function renderFake(text: string): RenderedPrompt {
  // One 20 ms frame per character; each frame marked with its index + 1.
  const frames = Array.from({ length: text.length }, (_, i) => {
    const frame = new Int16Array(FRAME_SAMPLES).fill(i + 1);
    promptOfFrames.set(frame, text);
    return frame;
  });
  return { frames, durationMs: frames.length * FRAME_MS, source: 'memory' };
}

export interface HarnessOptions {
  /** A flow definition (validated and compiled here). */
  flow: unknown;
  /** Time a recognition takes (default 20 ms). */
  recognitionMs?: number;
  /** What a transfer does (default: nobody takes it). */
  transfer?: (session: CallSession) => Promise<BotTransferResult>;
  endpointer?: Partial<EndpointerOptions>;
  /** Ask nodes also get a (fake) common-answer library model, mapping these answers to their intents. */
  libraryUses?: Record<string, string>;
  /** The bot gets a (fake) backchannel spotter for prompts without a question model (default: none). */
  backchannels?: boolean;
  /**
   * The bot gets a (fake) hesitation spotter hearing each stretch since the last pause as these,
   * in order (the last repeats; default: no spotter). Its calls are in `spotted`.
   */
  hesitations?: Heard[];
}

export function botHarness(options: HarnessOptions) {
  const flow = new CompiledFlow(validateFlow(options.flow), 1);
  const events: CallEventNote[] = [];
  const heard: HeardFrame[] = [];
  const utterances: CallUtterance[] = [];
  /** What each utterance is heard as, by recognition: the first recognition of it gets the first, and so on (the last repeats). */
  const scripts = new Map<number, Heard[]>();
  const heardCount = new Map<number, number>();
  /** Each recognition asked for: the utterance heard, with the question's model or not, and the library's answers. */
  const recognitions: Array<{
    mark: number;
    startMs: number;
    questionModel: boolean;
    libraryUses: Record<string, string> | null;
  }> = [];
  /** Each stretch the hesitation spotter heard (stream start, call ms) and what it said. */
  const spotted: Array<{ startMs: number; samples: number; heard: Heard | undefined }> = [];
  let endCall: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (endCall = resolve));
  const audioListeners = new Set<(frame: { left: Int16Array; timestampMs: number }) => void>();
  const dtmfListeners = new Set<(tone: string) => void>();
  let queue: QueuedPlay[] = [];
  let ticker: ReturnType<typeof setInterval> | null = null;
  let hungUpBy: string | null = null;
  let disposition: string | null = null;

  const stopPlayback = (): void => {
    const stopped = queue;
    queue = [];
    for (const item of stopped) item.resolve({ completed: false, playedFrames: item.next });
  };
  const tick = (): void => {
    const head = queue[0];
    if (!head) return;
    const frame = head.frames[head.next++];
    if (frame) heard.push({ at: Date.now(), prompt: head.prompt, index: (frame[0] ?? 0) - 1 });
    if (head.next >= head.frames.length) {
      queue.shift();
      head.resolve({ completed: true, playedFrames: head.frames.length });
    }
  };

  const session = {
    callId: 'call-h',
    state: 'ringing' as string,
    answeredAt: null as number | null,
    isUp: false,
    get isPlaying(): boolean {
      return queue.length > 0;
    },
    whenEnded: () => ended,
    whenAnswered: () =>
      session.isUp
        ? Promise.resolve(true)
        : new Promise<boolean>((resolve) => {
            answerWaiters.push(resolve);
            void ended.then(() => resolve(false));
          }),
    onAudio(listener: (frame: { left: Int16Array; timestampMs: number }) => void) {
      audioListeners.add(listener);
      return () => audioListeners.delete(listener);
    },
    onDtmf(listener: (tone: string) => void) {
      dtmfListeners.add(listener);
      return () => dtmfListeners.delete(listener);
    },
    // A supervisor's barge (telephony/call-session.ts): these tests never have one.
    onSupervisorTakeover: () => () => undefined,
    enterPhase(state: string) {
      session.state = state;
    },
    setFlow: () => Promise.resolve(),
    setDisposition: (code: string) => {
      disposition = code;
      return Promise.resolve();
    },
    note: (type: string, data: Record<string, unknown>, at = Date.now()) =>
      events.push({ type, data, at }),
    /** A sensitive span (the real session silences the recording): noted like the session does. */
    setSensitive: (active: boolean, nodeId: string) =>
      events.push({
        type: active ? 'sensitive_started' : 'sensitive_ended',
        data: { nodeId },
        at: Date.now(),
      }),
    play(frames: Int16Array[]): Promise<PlaybackResult> {
      if (!session.isUp) return Promise.resolve({ completed: false, playedFrames: 0 });
      const first = frames[0];
      const prompt = (first && promptOfFrames.get(first)) ?? '';
      ticker ??= setInterval(tick, FRAME_MS);
      return new Promise((resolve) => queue.push({ prompt, frames, next: 0, resolve }));
    },
    stopPlayback,
    hangup(_reason: string, by = 'bot') {
      if (!session.isUp && session.state === 'done') return Promise.resolve();
      hungUpBy = by;
      finish();
      return Promise.resolve();
    },
  };
  const answerWaiters: Array<(answered: boolean) => void> = [];
  function finish(): void {
    session.isUp = false;
    session.state = 'done';
    stopPlayback();
    if (ticker) clearInterval(ticker);
    ticker = null;
    endCall();
  }

  /** The speech call's onShed listeners: `shedSpeech` tells them of a stretch the VAD skipped. */
  const shedListeners = new Set<(shed: { fromMs: number; toMs: number }) => void>();

  /** A SpeechCall whose VAD windows come from the customer's marked audio, through the real Endpointer. */
  function fakeSpeechCall(endpointerOptions: Partial<EndpointerOptions>) {
    const endpointer = new Endpointer(endpointerOptions);
    const windowListeners = new Set<
      (w: { probability: number; startMs: number; endMs: number }) => void
    >();
    const eventListeners = new Set<(e: EndpointEvent) => void>();
    let buffer: number[] = [];
    let windowIndex = 0;
    const emit = (list: EndpointEvent[]): void => {
      for (const event of list) for (const l of eventListeners) l(event);
    };
    return {
      endpointer,
      push(frame: Int16Array) {
        for (const v of frame) buffer.push(v);
        while (buffer.length >= WINDOW_SAMPLES) {
          const window = buffer.slice(0, WINDOW_SAMPLES);
          buffer = buffer.slice(WINDOW_SAMPLES);
          const startMs = windowIndex++ * WINDOW_MS;
          const w = {
            probability: window.some((v) => v !== 0) ? 0.9 : 0.02,
            startMs,
            endMs: startMs + WINDOW_MS,
          };
          for (const l of windowListeners) l(w);
          emit(endpointer.push(w));
        }
      },
      endUtterance: () => emit(endpointer.endUtterance()),
      expectInput: () => undefined,
      onWindow(l: (w: { probability: number; startMs: number; endMs: number }) => void) {
        windowListeners.add(l);
        return () => windowListeners.delete(l);
      },
      onEvent(l: (e: EndpointEvent) => void) {
        eventListeners.add(l);
        return () => eventListeners.delete(l);
      },
      onShed(l: (shed: { fromMs: number; toMs: number }) => void) {
        shedListeners.add(l);
        return () => shedListeners.delete(l);
      },
      onError: () => () => undefined,
      close: () => Promise.resolve(),
    };
  }

  const pool = {
    open: (_callId: string, o: { endpointer?: Partial<EndpointerOptions> }) =>
      fakeSpeechCall({ ...o.endpointer, ...options.endpointer }),
    warm: () => Promise.resolve(),
    recognize(
      _callId: string,
      key: string,
      model: unknown,
      samples: Int16Array,
      startMs: number,
      library?: { uses: Record<string, string> },
    ): Promise<RecognitionResult> {
      if (key === HESITATION_KEY) {
        const list = options.hesitations ?? [];
        const heard = list[Math.min(spotted.length, list.length - 1)];
        spotted.push({ startMs, samples: samples.length, heard });
        return new Promise((resolve) =>
          setTimeout(() => resolve(resultOf(heard, startMs, samples)), options.recognitionMs ?? 20),
        );
      }
      // The utterance heard most in the slice.
      const counts = new Map<number, number>();
      for (const v of samples) if (v !== 0) counts.set(v, (counts.get(v) ?? 0) + 1);
      const mark = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
      recognitions.push({
        mark,
        startMs,
        questionModel: model !== null,
        libraryUses: library ? { ...library.uses } : null,
      });
      const list = scripts.get(mark) ?? [];
      const n = heardCount.get(mark) ?? 0;
      heardCount.set(mark, n + 1);
      const script = list[Math.min(n, list.length - 1)];
      const result = resultOf(script, startMs, samples);
      return new Promise((resolve) =>
        setTimeout(() => resolve(result), options.recognitionMs ?? 20),
      );
    },
  };

  /** A scripted recognition as the speech worker would return it. */
  function resultOf(
    script: Heard | undefined,
    startMs: number,
    samples: Int16Array,
  ): RecognitionResult {
    const endMs = startMs + (samples.length / FRAME_SAMPLES) * FRAME_MS;
    return script && !('noMatch' in script)
      ? {
          intent: script.intent,
          phrase: script.phrase ?? script.intent,
          ...(script.text !== undefined ? { text: script.text } : {}),
          confidence: script.confidence ?? 0.9,
          noMatch: false,
          ...(script.uncertain ? { uncertain: true } : {}),
          ...(script.spotted ? { spotted: true } : {}),
          startMs,
          endMs,
          alternatives: [],
        }
      : {
          noMatch: true,
          confidence: script?.confidence ?? 0.2,
          ...(script?.text !== undefined ? { text: script.text } : {}),
          startMs,
          endMs,
          alternatives: [],
        };
  }

  const prompts = {
    forCall: () => ({
      prefetch: () => undefined,
      render: (text: string) => Promise.resolve(renderFake(text)),
      close: () => undefined,
    }),
  };

  /** The transcript lines as the store was asked to keep them (with their reply latency). */
  const stored: NewUtterance[] = [];
  const store = {
    calls: {
      update: () => Promise.resolve(),
      addUtterance: (_callId: string, line: NewUtterance) => {
        stored.push(line);
        return Promise.resolve();
      },
    },
    dispositions: { list: () => Promise.resolve([]), upsert: () => Promise.resolve() },
  };

  const models = new Map<string, AskModel>();
  for (const [id, node] of Object.entries(flow.flow.nodes))
    if ((node as { kind: string }).kind === 'ask')
      models.set(id, {
        key: id,
        model: {} as PhraseModel,
        ...(options.libraryUses
          ? { library: { key: 'library-en', model: {} as PhraseModel, uses: options.libraryUses } }
          : {}),
      });

  const bot = new CallBot(
    // CallBot, the renderer and the store use only the members faked above.
    session as unknown as CallSession,
    {
      pool: pool as unknown as SpeechWorkerPool,
      prompts: prompts as unknown as PromptRenderer,
      store: store as unknown as Store,
      log: silentLogger,
      onUtterance: (u) => utterances.push(u),
      ...(options.transfer ? { transfer: options.transfer } : {}),
    },
    {
      flow,
      flowRef: null,
      models,
      ...(options.hesitations
        ? { hesitations: { key: HESITATION_KEY, model: {} as PhraseModel } }
        : {}),
      ...(options.backchannels
        ? {
            backchannels: {
              key: 'library-spotter',
              model: {} as PhraseModel,
              uses: { affirm: 'affirm' },
            },
          }
        : {}),
      contact: { fields: {}, timeZone: 'UTC' },
    },
  );

  let nextMark = 1;
  /** Sends 20 ms of customer audio (value: its mark) and lets the fake clock run that long. */
  async function frame(mark: number): Promise<void> {
    const left = new Int16Array(FRAME_SAMPLES).fill(mark);
    if (session.isUp) for (const l of audioListeners) l({ left, timestampMs: Date.now() });
    await vi.advanceTimersByTimeAsync(FRAME_MS);
  }

  const customer = {
    /** The customer picks up. */
    async answer(): Promise<void> {
      session.isUp = true;
      session.state = 'answered';
      session.answeredAt = Date.now();
      for (const w of answerWaiters.splice(0)) w(true);
      await vi.advanceTimersByTimeAsync(0);
    },
    /** Speech of `ms`, heard by the recognizer as `heard` (undefined: nothing it knows; a list: one per recognition). */
    async says(ms: number, heard?: Heard | Heard[]): Promise<void> {
      const mark = nextMark++;
      if (heard) scripts.set(mark, Array.isArray(heard) ? heard : [heard]);
      for (let t = 0; t < ms; t += FRAME_MS) await frame(mark);
    },
    /** Speech in pieces with pauses between them, heard as one utterance (one mark). */
    async saysWithPauses(
      pieces: Array<{ speakMs: number; pauseMs?: number }>,
      heard?: Heard | Heard[],
    ): Promise<void> {
      const mark = nextMark++;
      if (heard) scripts.set(mark, Array.isArray(heard) ? heard : [heard]);
      for (const piece of pieces) {
        for (let t = 0; t < piece.speakMs; t += FRAME_MS) await frame(mark);
        for (let t = 0; t < (piece.pauseMs ?? 0); t += FRAME_MS) await frame(0);
      }
    },
    /** Silence of `ms` (audio keeps flowing). */
    async silent(ms: number): Promise<void> {
      for (let t = 0; t < ms; t += FRAME_MS) await frame(0);
    },
    press(tone: string): void {
      for (const l of dtmfListeners) l(tone);
    },
    hangup(): void {
      hungUpBy = 'customer';
      finish();
    },
    /** An agent takes the call (the session flushes the bot's audio). */
    agentTakes(): void {
      session.state = 'agent';
      stopPlayback();
    },
    /** Silence until the call ends (at most `maxMs`). */
    async silentUntilEnd(maxMs = 60_000): Promise<void> {
      for (let t = 0; t < maxMs && session.state !== 'done'; t += FRAME_MS) await frame(0);
    },
  };

  return {
    bot,
    session,
    customer,
    events,
    heard,
    utterances,
    stored,
    recognitions,
    spotted,
    /** Starts the bot (it waits for the answer). */
    run: (): Promise<BotOutcome | null> => bot.run(),
    /** The pool tells the call of a stretch its VAD skipped, being too far behind (stream ms). */
    shedSpeech: (shed: { fromMs: number; toMs: number }) => {
      for (const l of shedListeners) l(shed);
    },
    of: (type: string) => events.filter((e) => e.type === type),
    /** Frames of one prompt as heard, in order. */
    heardOf: (prompt: string) => heard.filter((f) => f.prompt === prompt).map((f) => f.index),
    get hungUpBy() {
      return hungUpBy;
    },
    get disposition() {
      return disposition;
    },
  };
}
