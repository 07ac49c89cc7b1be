/**
 * Silero VAD (v6, MIT) on onnxruntime-node. One `SileroModel` (the ONNX session) is shared by
 * every call in a process or worker; each call gets its own `SileroVad` holding that call's
 * recurrent state, the audio context and the partial window.
 *
 * The model (names checked with session.inputNames / outputNames):
 *   input  float32 [N, C + W]  C = 64 samples of context + W = 512 new samples at 16 kHz (32 + 256 at 8 kHz)
 *   state  float32 [2, N, 128] recurrent state, zeros at stream start, replaced by `stateN` after each run
 *   sr     int64 scalar        8000 or 16000
 *   output float32 [N, 1]      speech probability of the W new samples
 * The context is the last C samples of the previous window's new samples (zeros before the first
 * window), the way the reference Python iterator and @livekit/agents-plugin-silero feed it.
 * Samples are Int16 scaled to [-1, 1) by dividing by 32768.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';

export type VadSampleRate = 8000 | 16000;

/** Speech probability of one model window, with its place in the stream (ms from stream start). */
export interface VadWindow {
  probability: number;
  startMs: number;
  endMs: number;
  /**
   * Not run through the model: the stream was more than its `maxLagMs` behind the audio it had
   * been given, so the window carries the previous window's probability (load shedding).
   */
  coasted?: true;
}

export interface VadStreamOptions {
  /**
   * A live call's bound on how far inference may fall behind the audio pushed (ms): a window whose
   * audio is older than this when its turn comes is not inferred (VadWindow.coasted), so a worker
   * behind real time catches up instead of hearing the customer ever later, and its queue stays
   * bounded. Absent: every window is inferred (benches and tests that push whole clips at once).
   */
  maxLagMs?: number;
}

const STATE_SIZE = 2 * 1 * 128;

/** New samples per window and context samples, per sample rate. */
export function windowGeometry(sampleRate: VadSampleRate): {
  windowSamples: number;
  contextSamples: number;
  windowMs: number;
} {
  if (sampleRate === 16000) return { windowSamples: 512, contextSamples: 64, windowMs: 32 };
  if (sampleRate === 8000) return { windowSamples: 256, contextSamples: 32, windowMs: 32 };
  throw new RangeError(`Silero VAD supports 8000 and 16000 Hz, not ${String(sampleRate)}`);
}

export function isVadSampleRate(rate: number): rate is VadSampleRate {
  return rate === 8000 || rate === 16000;
}

/** The loaded ONNX session, shared by all streams in this thread. */
export class SileroModel {
  private constructor(
    readonly session: InferenceSession,
    readonly path: string,
  ) {}

  /** Loads the model on one intra-op and one inter-op thread (parallelism comes from workers). */
  static async load(path: string): Promise<SileroModel> {
    const session = await InferenceSession.create(path, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
    for (const name of ['input', 'state', 'sr']) {
      if (!session.inputNames.includes(name))
        throw new Error(
          `${path}: not a Silero VAD v5/v6 model (no input "${name}"; has ${session.inputNames.join(', ')})`,
        );
    }
    for (const name of ['output', 'stateN']) {
      if (!session.outputNames.includes(name))
        throw new Error(
          `${path}: not a Silero VAD v5/v6 model (no output "${name}"; has ${session.outputNames.join(', ')})`,
        );
    }
    return new SileroModel(session, path);
  }

  /** A new per-call stream with zero state. */
  createStream(sampleRate: VadSampleRate, options: VadStreamOptions = {}): SileroVad {
    return new SileroVad(this, sampleRate, options);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * One call's VAD: feed it frames of any length (normally 20 ms Int16 frames); it re-chunks them
 * into model windows and resolves with the probability of every window completed by this push.
 * Pushes are processed in order even if the caller does not await them.
 */
export class SileroVad {
  readonly sampleRate: VadSampleRate;
  readonly windowSamples: number;
  readonly contextSamples: number;
  readonly windowMs: number;
  /** Context followed by the window being filled. */
  private buffer: Float32Array;
  /** New samples in `buffer` so far (after the context). */
  private filled = 0;
  /** Windows cut so far (their inference may still be pending). */
  private windowsCut = 0;
  private state = new Float32Array(STATE_SIZE);
  private readonly srTensor: Tensor;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Set by abandon(): windows not yet inferred are skipped. */
  private abandoned = false;
  /** Windows cut after a window at which that window is coasted (options.maxLagMs). */
  private readonly maxLagWindows: number;
  private lastProbability = 0;
  /** Windows answered without inference so far (VadWindow.coasted). */
  coastedWindows = 0;

  constructor(
    private readonly model: SileroModel,
    sampleRate: VadSampleRate,
    options: VadStreamOptions = {},
  ) {
    const geometry = windowGeometry(sampleRate);
    this.sampleRate = sampleRate;
    this.windowSamples = geometry.windowSamples;
    this.contextSamples = geometry.contextSamples;
    this.windowMs = geometry.windowMs;
    this.maxLagWindows =
      options.maxLagMs === undefined
        ? Infinity
        : Math.max(1, Math.ceil(options.maxLagMs / geometry.windowMs));
    this.buffer = new Float32Array(this.contextSamples + this.windowSamples);
    this.srTensor = new Tensor('int64', BigInt64Array.from([BigInt(sampleRate)]), []);
  }

  /** Stream time covered by the samples pushed so far, in ms. */
  get pushedMs(): number {
    return ((this.windowsCut * this.windowSamples + this.filled) * 1000) / this.sampleRate;
  }

  push(samples: Int16Array): Promise<VadWindow[]> {
    if (this.closed) return Promise.reject(new Error('SileroVad: push after close'));
    // Cut the windows now (synchronously), so the order of pushes is the order of the audio.
    const windows: { input: Float32Array; index: number }[] = [];
    const total = this.contextSamples + this.windowSamples;
    for (let i = 0; i < samples.length; i++) {
      this.buffer[this.contextSamples + this.filled] = (samples[i] ?? 0) / 32768;
      this.filled++;
      if (this.filled === this.windowSamples) {
        windows.push({ input: this.buffer, index: this.windowsCut++ });
        const next = new Float32Array(total);
        next.set(this.buffer.subarray(total - this.contextSamples), 0);
        this.buffer = next;
        this.filled = 0;
      }
    }
    const run = this.chain.then(() => this.infer(windows));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Forgets state, context and the partial window; stream time restarts at 0. Call it only when no
   * push is pending (await the last one), or the pending windows will write their state back.
   */
  reset(): void {
    this.buffer = new Float32Array(this.contextSamples + this.windowSamples);
    this.filled = 0;
    this.windowsCut = 0;
    this.state = new Float32Array(STATE_SIZE);
  }

  /** Stops accepting audio; resolves when pending inference has finished. */
  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
  }

  /**
   * Stops accepting audio and skips the windows not inferred yet (their pushes resolve with the
   * windows inferred before); resolves once the window in progress, if any, is done. For a call
   * that is over: a worker behind real time (a machine loaded past its cores) would otherwise run
   * the model on minutes of its audio that no one reads, holding the frames, and the call's
   * close, that long (found by the soak: frames of calls ended 14 minutes before still queued).
   */
  async abandon(): Promise<void> {
    this.abandoned = true;
    await this.close();
  }

  private async infer(windows: { input: Float32Array; index: number }[]): Promise<VadWindow[]> {
    const results: VadWindow[] = [];
    for (const { input, index } of windows) {
      if (this.abandoned) break;
      const startMs = (index * this.windowSamples * 1000) / this.sampleRate;
      // More audio has arrived since this window than the stream may lag: skip the model (the
      // recurrent state goes on from the last inferred window, as over a short gap).
      if (this.windowsCut - 1 - index >= this.maxLagWindows) {
        this.coastedWindows++;
        results.push({
          probability: this.lastProbability,
          startMs,
          endMs: startMs + this.windowMs,
          coasted: true,
        });
        continue;
      }
      const feeds = {
        input: new Tensor('float32', input, [1, input.length]),
        state: new Tensor('float32', this.state, [2, 1, 128]),
        sr: this.srTensor,
      };
      const out = await this.model.session.run(feeds);
      const probability = out.output?.data[0];
      const stateN = out.stateN?.data;
      if (typeof probability !== 'number' || !(stateN instanceof Float32Array))
        throw new Error('SileroVad: unexpected model output');
      this.state = new Float32Array(stateN);
      this.lastProbability = probability;
      results.push({ probability, startMs, endMs: startMs + this.windowMs });
    }
    return results;
  }
}
