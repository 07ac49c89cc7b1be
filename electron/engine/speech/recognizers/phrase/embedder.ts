/**
 * The openWakeWord speech-embedding front end (Apache-2.0 models in native-models/embedding/),
 * fed exactly as openWakeWord's Python `utils.py` feeds it:
 *
 *   melspectrogram.onnx  input  float32 [batch, samples]  16 kHz audio on the int16 scale (±32768)
 *                        output float32 [1, 1, frames, 32] one frame per 10 ms (hop 160, window 400)
 *   rescale              x / 10 + 2
 *   embedding_model.onnx input_1 float32 [N, 76, 32, 1]   windows of 76 mel frames, one every 8 frames
 *                        conv2d_19 float32 [N, 1, 1, 96]  one 96-d embedding per 80 ms
 *
 * (Names and shapes checked against the sessions at load.) A clip of S samples gives
 * F ≈ S / 160 − 3 mel frames (197 for 2 s, measured) and floor((F − 76) / 8) + 1
 * embeddings (16 for 2 s): each embedding sees 760 ms of audio, so a clip shorter than ~0.78 s
 * gives none — `embed()` pads such clips with silence up to `MIN_EMBED_SAMPLES`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { InferenceSession, Tensor } from 'onnxruntime-node';

export const MEL_BINS = 32;
export const EMBEDDING_WINDOW = 76;
export const EMBEDDING_STEP = 8;
export const EMBEDDING_DIM = 96;
/** The shortest clip that yields one embedding (76 mel frames). */
export const MIN_EMBED_SAMPLES = 12_800 + 400;

export const MEL_MODEL_FILE = 'melspectrogram.onnx';
export const EMBEDDING_MODEL_FILE = 'embedding_model.onnx';

/** A [count, dim] matrix, row-major. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** Mel frames: one every 160 samples (10 ms), each over 512 samples (measured: 197 frames for 2 s). */
export const MEL_HOP_SAMPLES = 160;
export const MEL_FRAME_SAMPLES = 512;

/**
 * A stream of embeddings over audio heard piece by piece (a ringing call's early media): what is
 * still needed to continue it exactly, as plain typed arrays so it can cross to any speech worker
 * and back with each step (no state lives in a worker).
 */
export interface EmbeddingStream {
  /** Audio not yet turned into mel frames (including the part the next frame shares with the last). */
  audio: Float32Array;
  /** Mel frames from the next embedding window's start on ([n, 32], row-major, rescaled). */
  mel: Float32Array;
  /** The newest embeddings ([n, 96], row-major), at most `keep` of them. */
  embeddings: Float32Array;
  keep: number;
  /** Embeddings made since the stream started. */
  total: number;
}

/** An empty stream that keeps the newest `keep` embeddings (80 ms each). */
export function newEmbeddingStream(keep: number): EmbeddingStream {
  return {
    audio: new Float32Array(0),
    mel: new Float32Array(0),
    embeddings: new Float32Array(0),
    keep,
    total: 0,
  };
}

/** A stream's kept embeddings as a matrix (oldest first). */
export function streamEmbeddings(stream: EmbeddingStream): Matrix {
  return {
    data: stream.embeddings,
    rows: stream.embeddings.length / EMBEDDING_DIM,
    cols: EMBEDDING_DIM,
  };
}

export interface EmbedderPaths {
  melPath: string;
  embeddingPath: string;
}

export interface EmbedderLoadOptions {
  /** onnxruntime intra-op threads per session (default 1: parallelism comes from workers). */
  threads?: number;
}

function checkIo(session: InferenceSession, path: string, input: string, output: string): void {
  if (session.inputNames[0] !== input || session.outputNames[0] !== output) {
    throw new Error(
      `${path}: unexpected model interface (inputs ${session.inputNames.join(', ')}; outputs ${session.outputNames.join(', ')}; expected ${input} → ${output})`,
    );
  }
}

export class SpeechEmbedder {
  private constructor(
    private readonly mel: InferenceSession,
    private readonly embedding: InferenceSession,
    /** sha256 (first 16 hex digits) over both model files: part of trained-model cache keys. */
    readonly version: string,
  ) {}

  /** Loads both models from a folder holding melspectrogram.onnx and embedding_model.onnx, or from two paths. */
  static async load(
    where: string | EmbedderPaths,
    options: EmbedderLoadOptions = {},
  ): Promise<SpeechEmbedder> {
    const paths =
      typeof where === 'string'
        ? { melPath: join(where, MEL_MODEL_FILE), embeddingPath: join(where, EMBEDDING_MODEL_FILE) }
        : where;
    const threads = options.threads ?? 1;
    const [melBytes, embBytes] = await Promise.all([
      readFile(paths.melPath),
      readFile(paths.embeddingPath),
    ]);
    const hash = createHash('sha256').update(melBytes).update(embBytes).digest('hex').slice(0, 16);
    const sessionOptions: InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    };
    const mel = await InferenceSession.create(melBytes, sessionOptions);
    const embedding = await InferenceSession.create(embBytes, sessionOptions);
    checkIo(mel, paths.melPath, 'input', 'output');
    checkIo(embedding, paths.embeddingPath, 'input_1', 'conv2d_19');
    return new SpeechEmbedder(mel, embedding, hash);
  }

  /**
   * Mel frames of a clip, rescaled (x/10 + 2): [frames, 32]. `samples` is Int16, or floats on the
   * int16 scale.
   */
  async melspectrogram(samples: Int16Array | Float32Array): Promise<Matrix> {
    const input = samples instanceof Float32Array ? samples : Float32Array.from(samples);
    if (input.length < 400) return { data: new Float32Array(0), rows: 0, cols: MEL_BINS };
    const out = await this.mel.run({ input: new Tensor('float32', input, [1, input.length]) });
    const tensor = out['output'];
    if (!tensor) throw new Error('melspectrogram model returned no "output"');
    const data = Float32Array.from(tensor.data as Float32Array, (x) => x / 10 + 2);
    const dims = tensor.dims;
    if (dims[dims.length - 1] !== MEL_BINS)
      throw new Error(
        `melspectrogram output has shape [${dims.join(', ')}], expected […, ${MEL_BINS}]`,
      );
    return { data, rows: data.length / MEL_BINS, cols: MEL_BINS };
  }

  /** Embeddings of mel frames: windows of 76 frames every 8 → [n, 96] (n = 0 below 76 frames). */
  async embedMel(mel: Matrix): Promise<Matrix> {
    const n =
      mel.rows >= EMBEDDING_WINDOW
        ? Math.floor((mel.rows - EMBEDDING_WINDOW) / EMBEDDING_STEP) + 1
        : 0;
    if (n === 0) return { data: new Float32Array(0), rows: 0, cols: EMBEDDING_DIM };
    const windowSize = EMBEDDING_WINDOW * MEL_BINS;
    const batch = new Float32Array(n * windowSize);
    for (let i = 0; i < n; i++) {
      const from = i * EMBEDDING_STEP * MEL_BINS;
      batch.set(mel.data.subarray(from, from + windowSize), i * windowSize);
    }
    const out = await this.embedding.run({
      input_1: new Tensor('float32', batch, [n, EMBEDDING_WINDOW, MEL_BINS, 1]),
    });
    const tensor = out['conv2d_19'];
    if (!tensor) throw new Error('embedding model returned no "conv2d_19"');
    const data = Float32Array.from(tensor.data as Float32Array);
    if (data.length !== n * EMBEDDING_DIM)
      throw new Error(
        `embedding output has shape [${tensor.dims.join(', ')}], expected [${n}, 1, 1, 96]`,
      );
    return { data, rows: n, cols: EMBEDDING_DIM };
  }

  /**
   * Embeddings of a whole clip: [n, 96], one per 80 ms. Clips shorter than MIN_EMBED_SAMPLES are
   * padded with silence on both sides first (when `pad` is true, the default), so every clip
   * yields at least one embedding.
   */
  async embed(samples: Int16Array | Float32Array, pad = true): Promise<Matrix> {
    const input = pad ? padToMinimum(samples) : samples;
    return this.embedMel(await this.melspectrogram(input));
  }

  /**
   * Continues an embedding stream with the next `samples` (in order, on the int16 scale): only the
   * new audio goes through the models. The stream's embeddings equal `embed()`'s of the whole audio
   * heard (mel frames are computed from 160-sample-aligned audio with the frames' overlap kept, and
   * embedding windows start every 8 mel frames from the stream's start); it keeps the newest
   * `stream.keep` of them. Returns the new state (the given one is not changed).
   */
  async extendStream(
    stream: EmbeddingStream,
    samples: Int16Array | Float32Array,
  ): Promise<EmbeddingStream> {
    const audio = new Float32Array(stream.audio.length + samples.length);
    audio.set(stream.audio);
    audio.set(samples, stream.audio.length);
    let melData = stream.mel;
    let rest = audio;
    if (audio.length >= MEL_FRAME_SAMPLES) {
      const mel = await this.melspectrogram(audio);
      // The next mel frame starts where this call's frames stopped hopping: keep its audio.
      rest = audio.slice(mel.rows * MEL_HOP_SAMPLES);
      melData = new Float32Array(stream.mel.length + mel.data.length);
      melData.set(stream.mel);
      melData.set(mel.data, stream.mel.length);
    }
    const melRows = melData.length / MEL_BINS;
    const added = await this.embedMel({ data: melData, rows: melRows, cols: MEL_BINS });
    // Mel frames before the next window's start are no longer needed.
    const mel = melData.slice(added.rows * EMBEDDING_STEP * MEL_BINS);
    const kept = Math.min(stream.keep, stream.embeddings.length / EMBEDDING_DIM + added.rows);
    const embeddings = new Float32Array(kept * EMBEDDING_DIM);
    const all = new Float32Array(stream.embeddings.length + added.data.length);
    all.set(stream.embeddings);
    all.set(added.data, stream.embeddings.length);
    embeddings.set(all.subarray(all.length - embeddings.length));
    return { audio: rest, mel, embeddings, keep: stream.keep, total: stream.total + added.rows };
  }

  async release(): Promise<void> {
    await this.mel.release();
    await this.embedding.release();
  }
}

/** Pads a clip with silence on both sides (evenly) up to `minimum` samples; returns floats on the int16 scale. */
export function padToMinimum(
  samples: Int16Array | Float32Array,
  minimum = MIN_EMBED_SAMPLES,
): Float32Array {
  if (samples.length >= minimum)
    return samples instanceof Float32Array ? samples : Float32Array.from(samples);
  const out = new Float32Array(minimum);
  out.set(samples, Math.floor((minimum - samples.length) / 2));
  return out;
}

/** Mean and max over time of [n, d] embeddings → 2d features (zeros for n = 0). */
export function poolMeanMax(m: Matrix): Float32Array {
  const d = m.cols;
  const out = new Float32Array(2 * d);
  if (m.rows === 0) return out;
  for (let j = 0; j < d; j++) {
    let sum = 0;
    let max = -Infinity;
    for (let i = 0; i < m.rows; i++) {
      const v = m.data[i * d + j]!;
      sum += v;
      if (v > max) max = v;
    }
    out[j] = sum / m.rows;
    out[d + j] = max;
  }
  return out;
}
