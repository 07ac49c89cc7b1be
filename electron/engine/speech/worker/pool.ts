/**
 * SpeechWorkerPool: runs VAD inference off the engine's event loop in worker_threads. At most
 * min(availableParallelism - 1, maxWorkers) workers (at least one), started on demand; each call is
 * assigned to the least-loaded worker for its whole life. Prompts are synthesized on a worker of
 * their own (synthesisWorker), and when the calls share one worker their
 * utterances are recognized on another (recognitionWorker), so a call's VAD never waits behind
 * either. The endpointer runs here, on the engine side (it is cheap and pure), so expectInput()
 * needs no round trip.
 *
 * Loading the worker:
 *  - from source (vitest, tsx: this module's URL ends in .ts): an eval'd bootstrap registers tsx in
 *    the worker and imports worker-entry.ts (`execArgv: ['--import', 'tsx']` does not reach worker
 *    threads on Node 20);
 *  - from the electron-vite build: `speech-worker.js`, emitted as its own entry of the main build
 *    (input 'speech-worker' → electron/engine/speech/worker/worker-entry.ts), looked up next to this
 *    chunk and one folder up (out/, out/main/, out/chunks/);
 *  - or wherever `workerUrl` says.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import type { TtsOptions } from '../../tts/types.js';
import type { LibraryRecognition } from '../recognizers/phrase/library.js';
import type { EarlyMediaStep, EarlyMediaStepResult } from '../recognizers/phrase/line-status.js';
import type { PhraseModel } from '../recognizers/phrase/model.js';
import type { QuestionSpec, TrainProgress } from '../recognizers/phrase/train.js';
import type { RecognitionResult } from '../recognizers/recognizer.js';
import { Endpointer, type EndpointerOptions, type EndpointEvent } from '../vad/endpointer.js';
import { type VadSampleRate, type VadWindow, windowGeometry } from '../vad/silero.js';
import type {
  FromWorker,
  SpeechTask,
  SpeechTaskResults,
  SpeechWorkerData,
  ToWorker,
} from './protocol.js';

export interface SpeechWorkerPoolOptions {
  /** Absolute path of silero_vad.onnx. */
  vadModelPath: string;
  /** The openWakeWord mel and embedding models, for phrase recognition and training. */
  melModelPath?: string;
  embeddingModelPath?: string;
  /** Upper bound on workers (default 4); the pool never uses more than availableParallelism - 1. */
  maxWorkers?: number;
  /**
   * Exactly this many call workers at most, whatever the cores (overrides `maxWorkers` and the
   * cores − 1 rule; the engine passes OUTBOUND_SPEECH_WORKERS here). For measuring: bench/load.bench.ts.
   */
  workers?: number;
  /** The built worker entry, if not found automatically. */
  workerUrl?: URL;
  /**
   * Synthesis on a worker of its own (default true), apart from the calls' VAD and recognition:
   * see SpeechWorkerPool.synthesizer. false: on the call's worker, as before issue 17's split.
   */
  synthesisWorker?: boolean;
  /**
   * Recognition (and early-media spotting) on a worker of its own, apart from the calls' VAD
   * (default: when the calls share one worker, `limit` 1; with more, each call's recognitions stay
   * on its own worker). See SpeechWorkerPool.recognizer.
   */
  recognitionWorker?: boolean;
}

export interface OpenCallOptions {
  /** 8000 or 16000 (default 16000, the engine's frame rate). */
  sampleRate?: VadSampleRate;
  endpointer?: Partial<EndpointerOptions>;
  /**
   * A live call's bound on how far its VAD may fall behind the audio (VadStreamOptions.maxLagMs;
   * LIVE_VAD_MAX_LAG_MS for calls). Absent: every window is inferred however late.
   */
  maxLagMs?: number;
}

/**
 * How far a live call's VAD may fall behind its audio before windows are coasted: past the turn
 * budget twice over, a late VAD only makes the bot answer later still. At 25 calls on 2 cores the
 * load bench's decision lag p95 was 335 ms, so only a machine loaded past its cores gets here (the
 * soak at load 30 queued minutes of a call's audio before the abandon on close).
 */
export const LIVE_VAD_MAX_LAG_MS = 2000;

/** How many workers a pool with `maxWorkers` may start on this machine. */
export function workerLimit(maxWorkers = 4): number {
  return Math.max(1, Math.min(availableParallelism() - 1, Math.floor(maxWorkers)));
}

/**
 * The call-worker count an operator asked for in OUTBOUND_SPEECH_WORKERS (a whole number 1–16), or
 * undefined for the default. Anything else is refused with the reason, and the default is used.
 */
export function speechWorkersSetting(
  value: string | undefined,
  warn: (message: string) => void,
): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1 && n <= 16) return n;
  warn(
    `OUTBOUND_SPEECH_WORKERS must be a whole number from 1 to 16 (got "${value}"); using the default (${workerLimit()} on this machine)`,
  );
  return undefined;
}

type Listener<T> = (value: T) => void;

/** The training thread stops after this long without work. */
const TRAINER_IDLE_MS = 60_000;

interface PendingTask {
  resolve: (result: SpeechTaskResults[keyof SpeechTaskResults]) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: TrainProgress) => void;
}

class SpeechWorker {
  readonly worker: Worker;
  /** A synthesis or recognition worker whose engine is loaded: tasks go to it from now on. */
  warmed = false;
  readonly calls = new Map<string, SpeechCall>();
  /** Phrase model keys this worker already holds. */
  readonly models = new Set<string>();
  private readonly tasks = new Map<number, PendingTask>();
  private nextTaskId = 1;
  private exited = false;
  readonly ready: Promise<void>;
  private failure: Error | undefined;
  private readonly closeWaiters = new Map<string, () => void>();

  constructor(workerUrl: URL | undefined, data: SpeechWorkerData) {
    this.worker = startWorker(workerUrl, data);
    this.worker.unref();
    let ready!: () => void;
    let failed!: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    this.ready.catch(() => undefined);
    this.worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          return ready();
        case 'init_error':
          return this.fail(
            new Error(`speech worker could not load the VAD model: ${message.message}`),
            failed,
          );
        case 'windows':
          return this.calls.get(message.callId)?.receive(message.windows);
        case 'error':
          return this.calls.get(message.callId)?.emitError(new Error(message.message));
        case 'closed': {
          const waiter = this.closeWaiters.get(message.callId);
          this.closeWaiters.delete(message.callId);
          return waiter?.();
        }
        case 'task_result':
        case 'task_error': {
          const task = this.tasks.get(message.id);
          this.tasks.delete(message.id);
          if (message.type === 'task_result') return task?.resolve(message.result);
          return task?.reject(new Error(message.message));
        }
        case 'task_progress':
          return this.tasks.get(message.id)?.onProgress?.(message.progress);
      }
    });
    this.worker.on('error', (error) => this.fail(error, failed));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.fail(new Error(`speech worker exited (code ${code})`), failed);
    });
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  send(message: ToWorker, transfer?: ArrayBuffer[]): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(message, transfer);
  }

  run<K extends SpeechTask['kind']>(
    task: Extract<SpeechTask, { kind: K }>,
    onProgress?: (progress: TrainProgress) => void,
    transfer?: ArrayBuffer[],
  ): Promise<SpeechTaskResults[K]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextTaskId++;
    return new Promise<SpeechTaskResults[K]>((resolve, reject) => {
      this.tasks.set(id, {
        resolve: resolve as PendingTask['resolve'],
        reject,
        ...(onProgress ? { onProgress } : {}),
      });
      this.send({ type: 'task', id, task }, transfer);
    });
  }

  /** Asks the thread to stop cleanly; terminates it after `graceMs` if it has not exited. */
  stop(graceMs: number): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(
        () =>
          void this.worker.terminate().then(
            () => resolve(),
            () => resolve(),
          ),
        graceMs,
      );
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        this.worker.postMessage({ type: 'shutdown' } satisfies ToWorker);
      } catch {
        clearTimeout(timer);
        void this.worker.terminate().then(
          () => resolve(),
          () => resolve(),
        );
      }
    });
  }

  get pendingTasks(): number {
    return this.tasks.size;
  }

  closeCall(callId: string): Promise<void> {
    this.calls.delete(callId);
    if (this.failure) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.closeWaiters.set(callId, resolve);
      this.send({ type: 'close', callId });
    });
  }

  private fail(error: Error, rejectReady: (error: Error) => void): void {
    if (this.failure) return;
    this.failure = error;
    rejectReady(error);
    for (const call of this.calls.values()) call.emitError(error);
    for (const task of this.tasks.values()) task.reject(error);
    this.tasks.clear();
    for (const waiter of this.closeWaiters.values()) waiter();
    this.closeWaiters.clear();
  }
}

/** URL of tsx's ESM API (`tsx/esm/api` as `import` resolves it; require() would give its CJS build). */
function tsxEsmApiUrl(from: string): string {
  const require = createRequire(from);
  const packageJson = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } }>;
  };
  const target = manifest.exports?.['./esm/api']?.import?.default;
  if (!target) throw new Error(`${packageJson}: no ESM export ./esm/api`);
  return pathToFileURL(resolve(dirname(packageJson), target)).href;
}

function startWorker(workerUrl: URL | undefined, workerData: SpeechWorkerData): Worker {
  if (workerUrl) return new Worker(workerUrl, { workerData });
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./worker-entry.ts', here).href;
    const tsxApi = tsxEsmApiUrl(here);
    const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}));`;
    return new Worker(bootstrap, { eval: true, workerData });
  }
  for (const candidate of ['./speech-worker.js', '../speech-worker.js']) {
    const url = new URL(candidate, here);
    if (existsSync(fileURLToPath(url))) return new Worker(url, { workerData });
  }
  throw new Error(`speech worker entry speech-worker.js not found next to ${here}; pass workerUrl`);
}

export class SpeechWorkerPool {
  readonly limit: number;
  private readonly workers: SpeechWorker[] = [];
  /** Trains phrase models apart from the call workers (training takes seconds of CPU). */
  private trainer: SpeechWorker | null = null;
  private trainerIdle: ReturnType<typeof setTimeout> | null = null;
  /**
   * Synthesizes every prompt, when `synthesisWorker` (the default). A worker thread is one event
   * loop, and espeak-ng's synthesis is one synchronous WASM call: on a call's worker every call's
   * VAD windows waited behind each prompt synthesized there (issue 17: at 20 calls on 2 cores, with
   * twenty personal greetings synthesized as the calls were answered, the bot decided some ends of
   * turn 1–2.5 s after the customer stopped). Here the OS interleaves them. It runs at the
   * process's priority: a lower one (nice 5) left greetings ready in time, but a reply synthesized
   * while the customer waited ("we'll call you back tomorrow at …") took up to 1 s at load 28.
   */
  private synthesizer: SpeechWorker | null = null;
  /** Prompts are synthesized on a worker of their own (SpeechWorkerPoolOptions.synthesisWorker). */
  readonly splitSynthesis: boolean;
  /**
   * Recognizes utterances when `recognitionWorker`. Recognitions are the calls' longest tasks
   * besides synthesis (an utterance is recognized again at each of its pauses, with the hesitation
   * spotter beside it): on the one call worker the VAD windows of every call queued behind them,
   * and with twenty customers talking over their questions at once the bot heard ends of turn up
   * to 2 s late (issue 17, bench/load). Here the VAD keeps its pace, and a late recognition only
   * delays the turn that waits for it.
   */
  private recognizer: SpeechWorker | null = null;
  /** Utterances are recognized on a worker of their own (SpeechWorkerPoolOptions.recognitionWorker). */
  readonly splitRecognition: boolean;
  /** The synthesis and recognition workers' loading, once started (whenSplit). */
  private synthesizerWarm: Promise<void> = Promise.resolve();
  private recognizerWarm: Promise<void> = Promise.resolve();
  private readonly data: SpeechWorkerData;
  private closed = false;

  constructor(private readonly options: SpeechWorkerPoolOptions) {
    this.limit =
      options.workers !== undefined
        ? Math.max(1, Math.floor(options.workers))
        : workerLimit(options.maxWorkers);
    this.splitSynthesis = options.synthesisWorker ?? true;
    this.splitRecognition = options.recognitionWorker ?? this.limit === 1;
    this.data = {
      vadModelPath: options.vadModelPath,
      ...(options.melModelPath ? { melModelPath: options.melModelPath } : {}),
      ...(options.embeddingModelPath ? { embeddingModelPath: options.embeddingModelPath } : {}),
    };
  }

  /** The worker serving a call, or the least busy one (started if none runs). */
  private workerFor(callId?: string): SpeechWorker {
    if (this.closed) throw new Error('SpeechWorkerPool is closed');
    if (callId !== undefined) {
      const owner = this.workers.find((w) => w.calls.has(callId) && !w.failed);
      if (owner) return owner;
    }
    for (let i = this.workers.length - 1; i >= 0; i--)
      if (this.workers[i]?.failed) this.workers.splice(i, 1);
    let worker = this.workers.reduce<SpeechWorker | undefined>(
      (best, w) =>
        best === undefined || w.calls.size + w.pendingTasks < best.calls.size + best.pendingTasks
          ? w
          : best,
      undefined,
    );
    worker ??= this.startCallWorker();
    return worker;
  }

  /**
   * Where prompts are synthesized: the synthesis worker once warm() started it and its TTS engine
   * is loaded, else (before, or when synthesis is not split) the call's worker, as before the
   * split: a worker starting beside the others on a loaded machine took seconds, and a call's
   * greeting waited for it (bot-calls e2e: 5 s).
   */
  private synthesisWorkerFor(callId?: string): SpeechWorker {
    const worker = this.synthesizer;
    return worker?.warmed && !worker.failed ? worker : this.workerFor(callId);
  }

  /** Where a call's utterances are recognized: the recognition worker once its embedder is loaded, else the call's. */
  private recognitionWorkerFor(callId?: string): SpeechWorker {
    const worker = this.recognizer;
    return worker?.warmed && !worker.failed ? worker : this.workerFor(callId);
  }

  /** The synthesis worker, started (and its TTS engine loaded) on first use. */
  private startSynthesizer(): SpeechWorker {
    if (this.closed) throw new Error('SpeechWorkerPool is closed');
    if (!this.synthesizer || this.synthesizer.failed) {
      const worker = new SpeechWorker(this.options.workerUrl, this.data);
      this.synthesizer = worker;
      this.synthesizerWarm = worker.run({ kind: 'warm', parts: ['tts'] }).then(
        () => void (worker.warmed = true),
        () => undefined, // it failed: the call's worker goes on synthesizing
      );
    }
    return this.synthesizer;
  }

  /** The recognition worker, started (and its embedder loaded) on first use. */
  private startRecognizer(): SpeechWorker {
    if (this.closed) throw new Error('SpeechWorkerPool is closed');
    if (!this.recognizer || this.recognizer.failed) {
      const worker = new SpeechWorker(this.options.workerUrl, this.data);
      this.recognizer = worker;
      this.recognizerWarm = worker.run({ kind: 'warm', parts: ['embedder'] }).then(
        () => void (worker.warmed = true),
        () => undefined, // it failed: the call's worker goes on recognizing
      );
    }
    return this.recognizer;
  }

  private startCallWorker(): SpeechWorker {
    const worker = new SpeechWorker(this.options.workerUrl, this.data);
    this.workers.push(worker);
    return worker;
  }

  /** Resolves when the synthesis and recognition workers started so far have taken over (or failed to). */
  async whenSplit(): Promise<void> {
    await Promise.all([this.synthesizerWarm, this.recognizerWarm]);
  }

  /**
   * Loads the TTS engine and the embedder on the call's worker now (the bot does this while the
   * phone rings), then starts the synthesis and recognition workers, which take over once loaded.
   */
  async warm(callId?: string): Promise<void> {
    try {
      await this.workerFor(callId).run({ kind: 'warm' });
    } finally {
      // Started after the call's worker has loaded, not beside it: three workers starting at once
      // on a loaded machine left the first call's greeting 1.6-5 s late (bot-calls e2e).
      if (!this.closed && this.splitSynthesis) this.startSynthesizer();
      if (!this.closed && this.splitRecognition) this.startRecognizer();
    }
  }

  /**
   * Synthesizes a prompt off the event loop: on the synthesis worker, or on the call's worker
   * when `callId` is open and synthesis is not split.
   */
  async synthesize(
    text: string,
    options: TtsOptions,
    callId?: string,
  ): Promise<{ samples: Int16Array; durationMs: number }> {
    return this.synthesisWorkerFor(callId).run({ kind: 'synthesize', text, options });
  }

  /**
   * Recognizes one utterance with a question's phrase model and/or the common-answer library's
   * model for the answers the question uses (combined on the worker, see phrase/library.ts). Each
   * model is sent to a worker the first time it needs it.
   */
  async recognize(
    callId: string | undefined,
    modelKey: string,
    model: PhraseModel | null,
    samples: Int16Array,
    startMs = 0,
    library?: LibraryRecognition,
  ): Promise<RecognitionResult> {
    const worker = this.recognitionWorkerFor(callId);
    const sent = [model ? modelKey : null, library?.key ?? null].filter(
      (key): key is string => key !== null && !worker.models.has(key),
    );
    for (const key of sent) worker.models.add(key);
    const copy = samples.slice();
    return worker
      .run(
        {
          kind: 'recognize',
          ...(model ? { modelKey } : {}),
          ...(model && sent.includes(modelKey) ? { model } : {}),
          ...(library
            ? {
                library: {
                  key: library.key,
                  uses: library.uses,
                  ...(sent.includes(library.key) ? { model: library.model } : {}),
                },
              }
            : {}),
          samples: copy,
          startMs,
        },
        undefined,
        [copy.buffer],
      )
      .catch((error: unknown) => {
        for (const key of sent) worker.models.delete(key);
        throw error;
      });
  }

  /**
   * One step of listening to a ringing call's early media (phrase/line-status.ts): its new audio
   * embedded onto its stream and scored with the line-status models, on the recognition worker (or the call's); each
   * model is sent to a worker the first time it needs it.
   */
  async spotAnnouncement(
    callId: string | undefined,
    models: ReadonlyArray<{ key: string; model: PhraseModel }>,
    step: EarlyMediaStep,
  ): Promise<EarlyMediaStepResult> {
    const worker = this.recognitionWorkerFor(callId);
    const sent = models.filter((m) => !worker.models.has(m.key)).map((m) => m.key);
    for (const key of sent) worker.models.add(key);
    const copy = step.samples.slice();
    return worker
      .run(
        {
          kind: 'spotAnnouncement',
          models: models.map((m) => (sent.includes(m.key) ? m : { key: m.key })),
          samples: copy,
          stream: step.stream,
        },
        undefined,
        [copy.buffer],
      )
      .catch((error: unknown) => {
        for (const key of sent) worker.models.delete(key);
        throw error;
      });
  }

  /** Trains (or loads from `cacheDir`) one question's phrase model on the training worker. */
  async train(
    question: QuestionSpec,
    cacheDir: string,
    onProgress?: (progress: TrainProgress) => void,
    seed?: number,
  ): Promise<PhraseModel> {
    if (this.closed) throw new Error('SpeechWorkerPool is closed');
    if (this.trainerIdle) clearTimeout(this.trainerIdle);
    this.trainerIdle = null;
    if (!this.trainer || this.trainer.failed)
      this.trainer = new SpeechWorker(this.options.workerUrl, this.data);
    const trainer = this.trainer;
    try {
      return await trainer.run(
        { kind: 'train', question, cacheDir, ...(seed !== undefined ? { seed } : {}) },
        onProgress,
      );
    } finally {
      // Flows are saved now and then: the training thread (and its TTS engine) goes when idle.
      if (trainer.pendingTasks === 0 && this.trainer === trainer && !this.closed) {
        this.trainerIdle = setTimeout(() => {
          this.trainerIdle = null;
          if (this.trainer !== trainer || trainer.pendingTasks > 0) return;
          this.trainer = null;
          void trainer.stop(5000);
        }, TRAINER_IDLE_MS);
        this.trainerIdle.unref();
      }
    }
  }

  /** Workers started so far. */
  get size(): number {
    return this.workers.length;
  }

  /** Calls open per worker, in start order. */
  get load(): number[] {
    return this.workers.map((w) => w.calls.size);
  }

  /**
   * Opens a call on the least-loaded worker (starting a new one while under the limit and every
   * running worker has a call). Frames can be pushed at once; they wait for the model to load.
   */
  open(callId: string, options: OpenCallOptions = {}): SpeechCall {
    if (this.closed) throw new Error('SpeechWorkerPool is closed');
    const sampleRate = options.sampleRate ?? 16000;
    windowGeometry(sampleRate); // throws on an unsupported rate
    for (const w of this.workers)
      if (w.calls.has(callId)) throw new Error(`call ${callId} is already open`);
    // A worker that died has already told its calls; new calls go to live workers only.
    for (let i = this.workers.length - 1; i >= 0; i--)
      if (this.workers[i]?.failed) this.workers.splice(i, 1);
    let worker = this.workers.reduce<SpeechWorker | undefined>(
      (best, w) => (best === undefined || w.calls.size < best.calls.size ? w : best),
      undefined,
    );
    if (!worker || (worker.calls.size > 0 && this.workers.length < this.limit)) {
      worker = this.startCallWorker();
    }
    const call = new SpeechCall(callId, sampleRate, worker, new Endpointer(options.endpointer));
    worker.calls.set(callId, call);
    worker.send({
      type: 'open',
      callId,
      sampleRate,
      ...(options.maxLagMs === undefined ? {} : { maxLagMs: options.maxLagMs }),
    });
    return call;
  }

  /** Resolves when every started worker has loaded its model (rejects if one could not). */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.ready));
  }

  /**
   * Stops all workers; open calls get no more results. Each worker is asked to stop (training is
   * aborted between clips, inference in progress finishes) and terminated only if it has not
   * exited within `graceMs`: terminating a thread inside onnxruntime's native code aborts the
   * whole process.
   */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    if (this.trainerIdle) clearTimeout(this.trainerIdle);
    const workers = this.workers.splice(0, this.workers.length);
    if (this.trainer) workers.push(this.trainer);
    this.trainer = null;
    if (this.synthesizer) workers.push(this.synthesizer);
    this.synthesizer = null;
    if (this.recognizer) workers.push(this.recognizer);
    this.recognizer = null;
    for (const w of workers) w.calls.clear();
    await Promise.all(workers.map((w) => w.stop(graceMs)));
  }
}

/** A stretch of a call's audio its VAD skipped, being too far behind (stream ms). */
export interface VadShed {
  fromMs: number;
  toMs: number;
}

/** One call's speech stream in the pool. */
export class SpeechCall {
  private readonly windowListeners = new Set<Listener<VadWindow>>();
  private readonly shedListeners = new Set<Listener<VadShed>>();
  /** The coasted stretch in progress (VadWindow.coasted), told to onShed when it ends. */
  private shedding: VadShed | null = null;
  private readonly eventListeners = new Set<Listener<EndpointEvent>>();
  private readonly errorListeners = new Set<Listener<Error>>();
  private readonly windowSamples: number;
  private pushedSamples = 0;
  private receivedWindows = 0;
  /** Windows the worker answered without inference (VadWindow.coasted) so far. */
  coastedWindows = 0;
  private drainWaiters: { windows: number; resolve: () => void }[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    readonly callId: string,
    readonly sampleRate: VadSampleRate,
    private readonly worker: SpeechWorker,
    readonly endpointer: Endpointer,
  ) {
    this.windowSamples = windowGeometry(sampleRate).windowSamples;
  }

  /** Stream time of the audio pushed so far, in ms. */
  get pushedMs(): number {
    return (this.pushedSamples * 1000) / this.sampleRate;
  }

  /**
   * Sends frames (normally 20 ms of Int16 at the call's rate) to the worker. They are copied into
   * one new buffer that is transferred, so the caller's buffers stay usable.
   */
  push(...frames: Int16Array[]): void {
    if (this.closing) throw new Error(`call ${this.callId} is closed`);
    let length = 0;
    for (const f of frames) length += f.length;
    if (length === 0) return;
    const samples = new Int16Array(length);
    let offset = 0;
    for (const f of frames) {
      samples.set(f, offset);
      offset += f.length;
    }
    this.pushedSamples += length;
    this.worker.send({ type: 'frames', callId: this.callId, samples }, [samples.buffer]);
  }

  /** Arms the endpointer's no-input timer from the audio pushed so far (call when a prompt ends). */
  expectInput(): void {
    this.endpointer.expectInput(this.pushedMs);
  }

  /**
   * Ends the utterance in progress at the start of the current silence (Endpointer.endUtterance:
   * the listener decided the turn is over before the hangover); its speech_end goes to the event
   * listeners at once. Does nothing while the caller speaks.
   */
  endUtterance(): void {
    for (const event of this.endpointer.endUtterance())
      for (const l of this.eventListeners) l(event);
  }

  onWindow(listener: Listener<VadWindow>): () => void {
    this.windowListeners.add(listener);
    return () => this.windowListeners.delete(listener);
  }

  /** Each stretch the VAD skipped because it was too far behind (OpenCallOptions.maxLagMs), once it ends. */
  onShed(listener: Listener<VadShed>): () => void {
    this.shedListeners.add(listener);
    return () => this.shedListeners.delete(listener);
  }

  private endShed(): void {
    const shed = this.shedding;
    this.shedding = null;
    if (shed) for (const l of this.shedListeners) l(shed);
  }

  onEvent(listener: Listener<EndpointEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onError(listener: Listener<Error>): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** Resolves when every complete window of the audio pushed so far has been scored. */
  drain(): Promise<void> {
    const windows = Math.floor(this.pushedSamples / this.windowSamples);
    if (this.receivedWindows >= windows || this.worker.failed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ windows, resolve }));
  }

  close(): Promise<void> {
    if (!this.closing) this.endShed();
    this.closing ??= this.worker.closeCall(this.callId).then(() => this.releaseDrains());
    return this.closing;
  }

  /** @internal from the worker */
  receive(windows: VadWindow[]): void {
    for (const window of windows) {
      this.receivedWindows++;
      if (window.coasted) {
        this.coastedWindows++;
        this.shedding = { fromMs: this.shedding?.fromMs ?? window.startMs, toMs: window.endMs };
      } else if (this.shedding) this.endShed();
      for (const l of this.windowListeners) l(window);
      for (const event of this.endpointer.push(window))
        for (const l of this.eventListeners) l(event);
    }
    this.drainWaiters = this.drainWaiters.filter((w) => {
      if (this.receivedWindows < w.windows) return true;
      w.resolve();
      return false;
    });
  }

  /** @internal from the worker */
  emitError(error: Error): void {
    if (this.errorListeners.size === 0)
      console.error(`speech call ${this.callId}: ${error.message}`);
    for (const l of this.errorListeners) l(error);
    this.releaseDrains();
  }

  private releaseDrains(): void {
    for (const w of this.drainWaiters) w.resolve();
    this.drainWaiters = [];
  }
}
